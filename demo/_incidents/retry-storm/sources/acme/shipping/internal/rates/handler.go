// Package rates answers POST /v1/rates from the carriers' APIs.
package rates

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/redis/go-redis/v9"
)

// Request is the body of POST /v1/rates.
type Request struct {
	Warehouse    string `json:"warehouse"`
	WeightG      int    `json:"weight_g"`
	DimensionsMM [3]int `json:"dimensions_mm"`
	Destination  struct {
		Country  string `json:"country"`
		Postcode string `json:"postcode"`
	} `json:"destination"`
}

// Option is one delivery option.
type Option struct {
	Carrier      string `json:"carrier"`
	Service      string `json:"service"`
	PriceCents   int    `json:"price_cents"`
	DeliveryDate string `json:"delivery_date"`
}

// Handler serves the rates API.
type Handler struct {
	Cache   *redis.Client
	Carrier *Carrier
}

func cacheKey(req Request) string {
	return fmt.Sprintf("rates:%s:%s:%s:%d:%dx%dx%d", req.Warehouse, req.Destination.Country, req.Destination.Postcode,
		req.WeightG, req.DimensionsMM[0], req.DimensionsMM[1], req.DimensionsMM[2])
}

// Rates is POST /v1/rates.
func (h *Handler) Rates(w http.ResponseWriter, r *http.Request) {
	var req Request
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, `{"error":"bad_request"}`, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	key := cacheKey(req)
	if b, err := h.Cache.Get(r.Context(), key).Bytes(); err == nil {
		w.Write(b)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 800*time.Millisecond)
	defer cancel()
	opts, err := h.Carrier.Rates(ctx, req)
	if err != nil {
		if hub := sentry.GetHubFromContext(r.Context()); hub != nil {
			hub.CaptureException(err)
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"error":"carrier_unavailable"}`))
		return
	}
	b, _ := json.Marshal(map[string]any{"options": opts})
	h.Cache.Set(r.Context(), key, b, 10*time.Minute)
	w.Write(b)
}
