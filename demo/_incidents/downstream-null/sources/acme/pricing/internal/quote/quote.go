// Package quote prices the items of a cart.
package quote

import (
	"context"
	"fmt"
	"time"
)

// Money is a decimal amount in a currency.
type Money struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// Item is one requested item.
type Item struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// Request is the body of POST /v1/quotes.
type Request struct {
	Items    []Item `json:"items"`
	Currency string `json:"currency"`
}

// PromoRef names the promotion of a line.
type PromoRef struct {
	ID     string    `json:"id"`
	EndsAt time.Time `json:"ends_at"`
}

// Line is one priced item.
type Line struct {
	SKU       string    `json:"sku"`
	Quantity  int       `json:"quantity"`
	UnitPrice *Money    `json:"unit_price"`
	ListPrice Money     `json:"list_price"`
	Promotion *PromoRef `json:"promotion,omitempty"`
}

// Quote is the answer of POST /v1/quotes.
type Quote struct {
	Currency string `json:"currency"`
	Lines    []Line `json:"lines"`
}

// UnknownSKUError reports an item without a list price.
type UnknownSKUError struct{ SKU string }

func (e *UnknownSKUError) Error() string { return fmt.Sprintf("no list price for %s", e.SKU) }

// Service prices quotes.
type Service struct {
	store *Store
	now   func() time.Time
}

// NewService returns a Service.
func NewService(store *Store, now func() time.Time) *Service { return &Service{store: store, now: now} }

// Quote prices every item of the request.
func (s *Service) Quote(ctx context.Context, req Request) (Quote, error) {
	skus := make([]string, len(req.Items))
	for i, it := range req.Items {
		skus[i] = it.SKU
	}
	list, err := s.store.ListPrices(ctx, skus, req.Currency)
	if err != nil {
		return Quote{}, fmt.Errorf("list prices: %w", err)
	}
	promos, err := s.store.Promotions(ctx, skus, req.Currency)
	if err != nil {
		return Quote{}, fmt.Errorf("promotions: %w", err)
	}
	now := s.now()
	q := Quote{Currency: req.Currency, Lines: make([]Line, 0, len(req.Items))}
	for _, it := range req.Items {
		lp, ok := list[it.SKU]
		if !ok {
			return Quote{}, &UnknownSKUError{SKU: it.SKU}
		}
		line := Line{SKU: it.SKU, Quantity: it.Quantity, ListPrice: lp}
		line.UnitPrice = unitPrice(lp, promos[it.SKU], now)
		if p := promos[it.SKU]; p != nil {
			line.Promotion = &PromoRef{ID: p.ID, EndsAt: p.EndsAt}
		}
		q.Lines = append(q.Lines, line)
	}
	return q, nil
}

// unitPrice is what the customer pays per unit: the promotion's price while
// it runs, the list price otherwise.
func unitPrice(list Money, promo *Promotion, now time.Time) *Money {
	if promo == nil {
		return &list
	}
	if now.Before(promo.StartsAt) || !now.Before(promo.EndsAt) {
		return nil
	}
	return &promo.Price
}
