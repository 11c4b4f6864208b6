// Package prices serves the current price of a product.
package prices

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Price is the answer of GET /v1/prices/{sku}.
type Price struct {
	SKU         string  `json:"sku"`
	Amount      string  `json:"amount"`
	Currency    string  `json:"currency"`
	ListAmount  string  `json:"list_amount"`
	PromotionID *string `json:"promotion_id"`
}

// Store reads prices from PostgreSQL.
type Store struct{ pool *pgxpool.Pool }

// NewStore returns a Store on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Current returns the price in effect now, a running promotion first.
func (s *Store) Current(ctx context.Context, sku, currency string) (Price, error) {
	p := Price{SKU: sku, Currency: currency}
	err := s.pool.QueryRow(ctx, `
		SELECT l.amount::text, coalesce(pr.amount, l.amount)::text, pr.id
		FROM list_prices l
		LEFT JOIN promotions pr ON pr.sku = l.sku AND pr.currency = l.currency AND now() BETWEEN pr.starts_at AND pr.ends_at
		WHERE l.sku = $1 AND l.currency = $2`, sku, currency).Scan(&p.ListAmount, &p.Amount, &p.PromotionID)
	return p, err
}

// Handler serves the pricing API.
type Handler struct{ Store *Store }

// GetPrice is GET /v1/prices/{sku}.
func (h *Handler) GetPrice(w http.ResponseWriter, r *http.Request) {
	currency := r.URL.Query().Get("currency")
	if currency == "" {
		currency = "EUR"
	}
	p, err := h.Store.Current(r.Context(), r.PathValue("sku"), currency)
	w.Header().Set("Content-Type", "application/json")
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		w.WriteHeader(http.StatusNotFound)
		json.NewEncoder(w).Encode(map[string]string{"error": "unknown_sku"})
	case err != nil:
		http.Error(w, `{"error":"internal"}`, http.StatusInternalServerError)
	default:
		json.NewEncoder(w).Encode(p)
	}
}
