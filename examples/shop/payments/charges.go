package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/getsentry/sentry-go"

	"github.com/tracehound/tracehound/examples/shop/internal/shopkit"
)

type chargeRequest struct {
	OrderID  string `json:"order_id"`
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

type charge struct {
	ID          string `json:"charge_id"`
	OrderID     string `json:"order_id"`
	AmountCents int64  `json:"amount_cents"`
	Currency    string `json:"currency"`
}

type server struct {
	mu      sync.Mutex
	charges []charge
}

func newServer() *server { return &server{} }

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /charges", s.handleCharge)
	return mux
}

func (s *server) handleCharge(w http.ResponseWriter, r *http.Request) {
	var req chargeRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		shopkit.WriteError(w, http.StatusBadRequest, "bad charge request: "+err.Error())
		return
	}
	c, err := s.charge(r.Context(), req)
	if err != nil {
		// The request's hub: the event carries this transaction's trace.
		sentry.GetHubFromContext(r.Context()).CaptureException(err)
		shopkit.WriteError(w, http.StatusInternalServerError, "charge failed")
		return
	}
	shopkit.WriteJSON(w, http.StatusCreated, c)
}

// charge books the amount of an order on the customer's card.
func (s *server) charge(ctx context.Context, req chargeRequest) (charge, error) {
	span := sentry.StartSpan(ctx, "function", sentry.WithDescription("charge"))
	defer span.Finish()
	span.SetData("order_id", req.OrderID)

	cents, err := parseAmountCents(req.Amount)
	if err != nil {
		span.Status = sentry.SpanStatusInternalError
		return charge{}, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	c := charge{
		ID:          fmt.Sprintf("ch_%d", len(s.charges)+1),
		OrderID:     req.OrderID,
		AmountCents: cents,
		Currency:    req.Currency,
	}
	s.charges = append(s.charges, c)
	span.Status = sentry.SpanStatusOK
	return c, nil
}

// parseAmountCents converts the amount of a charge request to cents.
func parseAmountCents(s string) (int64, error) {
	units, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, newAmountError(s, err)
	}
	return units * 100, nil
}
