package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/getsentry/sentry-go"

	"github.com/tracehound/tracehound/examples/shop/internal/shopkit"
)

type orderRequest struct {
	CartID   string `json:"cart_id"`
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

type chargeRequest struct {
	OrderID  string `json:"order_id"`
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

type chargeResponse struct {
	ChargeID string `json:"charge_id"`
}

type orderResponse struct {
	OrderID  string `json:"order_id"`
	Status   string `json:"status"`
	ChargeID string `json:"charge_id,omitempty"`
}

type server struct {
	payments *shopkit.Downstream
	db       *orderStore
}

func newServer(payments *shopkit.Downstream) *server {
	return &server{payments: payments, db: newOrderStore()}
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders", s.handleCreateOrder)
	return mux
}

func (s *server) handleCreateOrder(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var req orderRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		shopkit.WriteError(w, http.StatusBadRequest, "bad order: "+err.Error())
		return
	}
	if err := validateOrder(req); err != nil {
		shopkit.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}

	o := s.db.insert(ctx, req)
	var ch chargeResponse
	code, err := s.payments.PostJSON(ctx, "/charges", chargeRequest{
		OrderID:  o.ID,
		Amount:   req.Amount,
		Currency: req.Currency,
	}, &ch)
	if err == nil && code != http.StatusCreated {
		err = fmt.Errorf("payments responded %d to POST /charges", code)
	}
	if err != nil {
		// The request's hub: the event carries this transaction's trace.
		sentry.GetHubFromContext(ctx).CaptureException(err)
		s.db.setStatus(ctx, o.ID, "payment_failed")
		shopkit.WriteError(w, http.StatusBadGateway, "payment failed")
		return
	}
	s.db.setStatus(ctx, o.ID, "paid")
	shopkit.WriteJSON(w, http.StatusCreated, orderResponse{OrderID: o.ID, Status: "paid", ChargeID: ch.ChargeID})
}

// validateOrder checks what the payments service needs: an amount and an
// ISO 4217 currency code.
func validateOrder(req orderRequest) error {
	switch {
	case req.CartID == "":
		return errors.New("cart_id is missing")
	case req.Amount == "":
		return errors.New("amount is missing")
	case len(req.Currency) != 3:
		return fmt.Errorf("currency %q is not a three-letter code", req.Currency)
	}
	return nil
}
