// Command pricing serves the internal pricing API.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/getsentry/sentry-go"
	sentryhttp "github.com/getsentry/sentry-go/http"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/acme/pricing/internal/quote"
)

func main() {
	if err := sentry.Init(sentry.ClientOptions{
		Dsn:              os.Getenv("SENTRY_DSN"),
		Release:          "pricing@" + os.Getenv("APP_VERSION"),
		Environment:      "production",
		EnableTracing:    true,
		TracesSampleRate: 0.5,
	}); err != nil {
		log.Fatal(err)
	}
	defer sentry.Flush(2 * time.Second)

	pool, err := pgxpool.New(context.Background(), os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	svc := quote.NewService(quote.NewStore(pool), time.Now)

	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/quotes", func(w http.ResponseWriter, r *http.Request) {
		var req quote.Request
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, `{"error":"bad_request"}`, http.StatusBadRequest)
			return
		}
		q, err := svc.Quote(r.Context(), req)
		var unknown *quote.UnknownSKUError
		switch {
		case errors.As(err, &unknown):
			w.WriteHeader(http.StatusUnprocessableEntity)
			json.NewEncoder(w).Encode(map[string]string{"error": "unknown_sku", "sku": unknown.SKU})
			return
		case err != nil:
			sentry.GetHubFromContext(r.Context()).CaptureException(err)
			http.Error(w, `{"error":"internal"}`, http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(q)
	})

	handler := sentryhttp.New(sentryhttp.Options{Repanic: true}).Handle(mux)
	log.Fatal(http.ListenAndServe(":8080", handler))
}
