// Command shipping serves the internal shipping-rates API.
package main

import (
	"log"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/getsentry/sentry-go"
	sentryhttp "github.com/getsentry/sentry-go/http"
	"github.com/redis/go-redis/v9"

	"github.com/acme/shipping/internal/rates"
	"github.com/acme/shipping/internal/shed"
)

func main() {
	if err := sentry.Init(sentry.ClientOptions{
		Dsn:              os.Getenv("SENTRY_DSN"),
		Release:          "shipping@" + os.Getenv("APP_VERSION"),
		Environment:      "production",
		EnableTracing:    true,
		TracesSampleRate: 0.5,
	}); err != nil {
		log.Fatal(err)
	}
	defer sentry.Flush(2 * time.Second)

	maxInFlight, err := strconv.ParseInt(os.Getenv("MAX_IN_FLIGHT"), 10, 64)
	if err != nil {
		maxInFlight = 200
	}
	h := &rates.Handler{
		Cache: redis.NewClient(&redis.Options{Addr: "redis.internal:6379", DB: 3}),
		Carrier: &rates.Carrier{
			Name: "parcelcarrier", URL: "https://api.parcelcarrier.test/v2/rates",
			APIKey: os.Getenv("CARRIER_API_KEY"), HTTP: &http.Client{},
		},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/rates", h.Rates)

	traced := sentryhttp.New(sentryhttp.Options{Repanic: true}).Handle(mux)
	log.Fatal(http.ListenAndServe(":8080", shed.Limit(maxInFlight, traced)))
}
