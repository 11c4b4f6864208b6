package main

import (
	"context"
	"fmt"
	"net/http"

	"github.com/getsentry/sentry-go"

	"github.com/tracehound/tracehound/examples/shop/internal/shopkit"
)

type cart struct {
	ID       string
	Items    []string
	Total    string // a decimal amount, as the catalogue prices are
	Currency string
}

// carts stands in for the cart database.
var carts = map[string]cart{
	"c1": {ID: "c1", Items: []string{"mug", "sticker"}, Total: "12.50", Currency: "EUR"},
	"c2": {ID: "c2", Items: []string{"t-shirt"}, Total: "12", Currency: "EUR"},
	"c3": {ID: "c3", Items: []string{"poster"}, Total: "7.99", Currency: "USD"},
}

type orderRequest struct {
	CartID   string `json:"cart_id"`
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

type orderResponse struct {
	OrderID string `json:"order_id"`
	Status  string `json:"status"`
}

type server struct {
	orders *shopkit.Downstream
}

func newServer(orders *shopkit.Downstream) *server { return &server{orders: orders} }

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /checkout", s.handleCheckout)
	return mux
}

func (s *server) handleCheckout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.URL.Query().Get("cart")
	if id == "" {
		shopkit.WriteError(w, http.StatusBadRequest, "cart is missing")
		return
	}
	c, ok := loadCart(ctx, id)
	if !ok {
		shopkit.WriteError(w, http.StatusNotFound, fmt.Sprintf("no cart %q", id))
		return
	}

	var o orderResponse
	code, err := s.orders.PostJSON(ctx, "/orders", orderRequest{
		CartID:   c.ID,
		Amount:   c.Total,
		Currency: c.Currency,
	}, &o)
	if err == nil && code != http.StatusCreated {
		err = fmt.Errorf("orders responded %d to POST /orders", code)
	}
	if err != nil {
		// The request's hub: the event carries this transaction's trace.
		sentry.GetHubFromContext(ctx).CaptureException(err)
		shopkit.WriteError(w, http.StatusBadGateway, "checkout failed")
		return
	}
	shopkit.WriteJSON(w, http.StatusOK, o)
}

// loadCart reads a cart; it is traced as the query a real store would make.
func loadCart(ctx context.Context, id string) (cart, bool) {
	span := sentry.StartSpan(ctx, "db.query", sentry.WithDescription("SELECT id, items, total, currency FROM carts WHERE id = ?"))
	defer span.Finish()
	span.SetData("db.system", "memory")
	c, ok := carts[id]
	if ok {
		span.Status = sentry.SpanStatusOK
	} else {
		span.Status = sentry.SpanStatusNotFound
	}
	return c, ok
}
