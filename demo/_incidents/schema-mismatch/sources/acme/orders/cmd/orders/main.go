// Command orders serves the orders API.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/getsentry/sentry-go"
	sentryhttp "github.com/getsentry/sentry-go/http"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/acme/orders/internal/orders"
	"github.com/acme/orders/internal/payments"
)

func newOrderID() string {
	b := make([]byte, 10)
	rand.Read(b)
	return "ord_" + hex.EncodeToString(b)
}

func main() {
	if err := sentry.Init(sentry.ClientOptions{
		Dsn:              os.Getenv("SENTRY_DSN"),
		Release:          "orders@" + os.Getenv("APP_VERSION"),
		Environment:      "production",
		EnableTracing:    true,
		TracesSampleRate: 1.0,
	}); err != nil {
		log.Fatal(err)
	}
	defer sentry.Flush(2 * time.Second)

	pool, err := pgxpool.New(context.Background(), os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	h := &orders.Handler{
		DB:       pool,
		Payments: &payments.Client{BaseURL: "http://payments.internal:3000", HTTP: &http.Client{Timeout: 5 * time.Second}},
		NewID:    newOrderID,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/orders/draft", h.Draft)
	mux.HandleFunc("POST /api/orders", h.PlaceOrder)

	log.Fatal(http.ListenAndServe(":8080", sentryhttp.New(sentryhttp.Options{Repanic: true}).Handle(mux)))
}
