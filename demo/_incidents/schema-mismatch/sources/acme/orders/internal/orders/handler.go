// Package orders serves the orders API.
package orders

import (
	"encoding/json"
	"net/http"

	"github.com/getsentry/sentry-go"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"github.com/acme/orders/internal/payments"
)

// Handler serves the orders API.
type Handler struct {
	DB       *pgxpool.Pool
	Payments *payments.Client
	NewID    func() string
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// PlaceOrder is POST /api/orders.
func (h *Handler) PlaceOrder(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var body struct {
		PaymentMethodID string `json:"paymentMethodId"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad_request"})
		return
	}
	customer := r.Header.Get("X-Acme-Customer-Id")
	var cartID, currency string
	var total decimal.Decimal
	err := h.DB.QueryRow(ctx, `SELECT c.id, c.currency, sum(l.quantity * l.unit_price) FROM carts c JOIN cart_lines l ON l.cart_id = c.id
		WHERE c.customer_id = $1 AND c.status = 'open' GROUP BY c.id`, customer).Scan(&cartID, &currency, &total)
	if err != nil {
		writeJSON(w, http.StatusConflict, map[string]string{"error": "no_open_cart"})
		return
	}
	order := payments.Order{ID: h.NewID(), CustomerID: customer, Currency: currency, Total: total, PaymentMethodID: body.PaymentMethodID}
	if _, err := h.DB.Exec(ctx, `INSERT INTO orders (id, customer_id, cart_id, currency, total, status) VALUES ($1, $2, $3, $4, $5, 'pending')`,
		order.ID, customer, cartID, currency, total); err != nil {
		panic(err)
	}
	if _, err := h.DB.Exec(ctx, `INSERT INTO order_items (order_id, sku, quantity, unit_price) SELECT $1, sku, quantity, unit_price FROM cart_lines WHERE cart_id = $2`,
		order.ID, cartID); err != nil {
		panic(err)
	}
	intent, err := h.Payments.CreateIntent(ctx, order)
	if err != nil {
		h.DB.Exec(ctx, `UPDATE orders SET status = 'payment_failed' WHERE id = $1`, order.ID)
		if hub := sentry.GetHubFromContext(ctx); hub != nil {
			hub.CaptureException(err)
		}
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": "payment_failed"})
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": order.ID, "status": "pending", "paymentRedirectUrl": intent.RedirectURL})
}

// Draft is GET /api/orders/draft: the open cart, priced.
func (h *Handler) Draft(w http.ResponseWriter, r *http.Request) {
	rows, err := h.DB.Query(r.Context(), `SELECT l.sku, p.name, l.quantity, l.unit_price::text, c.currency FROM carts c
		JOIN cart_lines l ON l.cart_id = c.id JOIN products p ON p.sku = l.sku WHERE c.customer_id = $1 AND c.status = 'open'`,
		r.Header.Get("X-Acme-Customer-Id"))
	if err != nil {
		panic(err)
	}
	defer rows.Close()
	type item struct {
		SKU       string `json:"sku"`
		Name      string `json:"name"`
		Quantity  int    `json:"quantity"`
		UnitPrice string `json:"unitPrice"`
	}
	var items []item
	var currency string
	total := decimal.Zero
	for rows.Next() {
		var it item
		if err := rows.Scan(&it.SKU, &it.Name, &it.Quantity, &it.UnitPrice, &currency); err != nil {
			panic(err)
		}
		total = total.Add(decimal.RequireFromString(it.UnitPrice).Mul(decimal.NewFromInt(int64(it.Quantity))))
		items = append(items, it)
	}
	writeJSON(w, http.StatusOK, map[string]any{"currency": currency, "total": total.StringFixed(2), "items": items})
}
