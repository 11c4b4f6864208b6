// Command pricing serves the internal pricing API.
package main

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/getsentry/sentry-go"
	sentryhttp "github.com/getsentry/sentry-go/http"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/acme/pricing/internal/prices"
)

func main() {
	if err := sentry.Init(sentry.ClientOptions{
		Dsn:              os.Getenv("SENTRY_DSN"),
		Release:          "pricing@" + os.Getenv("APP_VERSION"),
		Environment:      "production",
		EnableTracing:    true,
		TracesSampleRate: 0.2,
	}); err != nil {
		log.Fatal(err)
	}
	defer sentry.Flush(2 * time.Second)

	pool, err := pgxpool.New(context.Background(), os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	h := &prices.Handler{Store: prices.NewStore(pool)}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/prices/{sku}", h.GetPrice)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		json.NewEncoder(w).Encode(map[string]string{"error": "route_not_found"})
	})

	handler := sentryhttp.New(sentryhttp.Options{Repanic: true}).Handle(mux)
	log.Fatal(http.ListenAndServe(":8080", handler))
}
