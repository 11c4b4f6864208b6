// Package shopkit is what the three shop services share: configuration from
// the environment, the Sentry SDK set-up, the HTTP server with its graceful
// shutdown, and a JSON client for calling the next service.
//
// Each service is its own process with its own Sentry client: the
// storefront, orders and payments report to three projects (three DSNs), and
// one checkout shows up as one trace that crosses them.
package shopkit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/getsentry/sentry-go"
	sentryhttp "github.com/getsentry/sentry-go/http"
)

const (
	// deliveryTimeout bounds the delivery of one envelope. The transport is
	// synchronous, so a slow or absent ingest slows the request down by at
	// most this much per event.
	deliveryTimeout = 3 * time.Second
	// shutdownTimeout bounds the wait for requests in flight on SIGTERM.
	shutdownTimeout = 5 * time.Second
)

// Getenv returns the environment variable key, or def when it is empty.
func Getenv(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// Run is a service's main: it sets up Sentry from the environment, serves
// routes on PORT (defaultPort when unset) until SIGINT or SIGTERM, flushes
// Sentry and returns the exit code. routes is called after sentry.Init, so
// the handlers and clients it builds see the SDK's client.
//
// Environment: SENTRY_DSN (required), PORT, SENTRY_RELEASE,
// SENTRY_ENVIRONMENT (default "local"), SENTRY_DEBUG=1 for the SDK's log.
func Run(service, defaultPort string, routes func() http.Handler) int {
	dsn := os.Getenv("SENTRY_DSN")
	if dsn == "" {
		fmt.Fprintf(os.Stderr, "%s: SENTRY_DSN is not set: give it a DSN printed by `tracehound serve` or a Sentry project's DSN\n", service)
		return 2
	}
	if err := initSentry(service, dsn); err != nil {
		fmt.Fprintf(os.Stderr, "%s: sentry: %v\n", service, err)
		return 2
	}
	defer sentry.Flush(2 * time.Second)

	ln, err := net.Listen("tcp", ":"+Getenv("PORT", defaultPort))
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", service, err)
		return 1
	}
	// Every request is a transaction that continues the caller's trace
	// (sentry-trace and baggage headers), and has a hub of its own on its
	// context. The middleware sets the transaction's status from the
	// response's code (500 and 502 give internal_error).
	sh := sentryhttp.New(sentryhttp.Options{Repanic: true})
	srv := &http.Server{
		Handler:           sh.Handle(routes()),
		ReadHeaderTimeout: 10 * time.Second,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Printf("%s listening on %s\n", service, ln.Addr())

	code := 0
	select {
	case <-ctx.Done():
	case err := <-served:
		fmt.Fprintf(os.Stderr, "%s: %v\n", service, err)
		code = 1
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(os.Stderr, "%s: shutdown: %v\n", service, err)
		code = 1
	}
	return code
}

func initSentry(service, dsn string) error {
	// The synchronous transport sends each event and transaction before the
	// call that produced it returns, so everything a request reports has
	// reached the ingest before its response is written. (A custom
	// Transport also turns off the SDK's buffered telemetry processor.)
	transport := sentry.NewHTTPSyncTransport()
	transport.Timeout = deliveryTimeout
	return sentry.Init(sentry.ClientOptions{
		Dsn:              dsn,
		ServerName:       service,
		Release:          os.Getenv("SENTRY_RELEASE"),
		Environment:      Getenv("SENTRY_ENVIRONMENT", "local"),
		EnableTracing:    true,
		TracesSampleRate: 1.0,
		AttachStacktrace: true,
		Transport:        transport,
		Debug:            os.Getenv("SENTRY_DEBUG") == "1",
	})
}
