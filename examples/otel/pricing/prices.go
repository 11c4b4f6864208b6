package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracehound/tracehound/examples/otel/internal/otelkit"
)

// listPrices are the list prices in cents, and discounts as the
// merchandising team types them.
var (
	listPrices = map[string]int64{"s1": 1999, "s2": 4500, "s3": 800}
	discounts  = map[string]string{"s1": "10", "s2": "15%"}
)

type server struct{ svc *otelkit.Service }

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /prices/{sku}", s.price)
	return mux
}

func (s *server) price(w http.ResponseWriter, r *http.Request) {
	sku := r.PathValue("sku")
	list, ok := listPrices[sku]
	if !ok {
		http.Error(w, "no price for "+sku, http.StatusNotFound)
		return
	}
	cents, err := s.applyDiscount(r, sku, list)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"sku": sku, "cents": cents})
}

// applyDiscount takes the item's discount off its list price, in a span
// of its own.
func (s *server) applyDiscount(r *http.Request, sku string, list int64) (int64, error) {
	ctx, span := s.svc.Tracer.Start(r.Context(), "applyDiscount", trace.WithAttributes(attribute.String("sku", sku)))
	defer span.End()
	pct, err := s.parseDiscountPercent(ctx, discounts[sku])
	if err != nil {
		span.SetStatus(codes.Error, "no discount")
		return 0, fmt.Errorf("discount for %s: %w", sku, err)
	}
	return list - list*pct/100, nil
}

// parseDiscountPercent reads a discount such as "10" (percent); a failure
// is recorded on its span with the stack. The bug: "15%", as the team also
// writes it, is rejected.
func (s *server) parseDiscountPercent(ctx context.Context, text string) (int64, error) {
	_, span := s.svc.Tracer.Start(ctx, "parseDiscountPercent")
	defer span.End()
	if strings.TrimSpace(text) == "" {
		return 0, nil
	}
	pct, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		span.RecordError(err, trace.WithStackTrace(true))
		span.SetStatus(codes.Error, err.Error())
	}
	return pct, err
}
