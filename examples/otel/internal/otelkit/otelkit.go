// Package otelkit is what the example's three services share: an
// OpenTelemetry tracer provider exporting OTLP/HTTP (configured by the
// standard OTEL_EXPORTER_OTLP_* variables), the otelhttp server middleware
// and client transport, and a server that stops cleanly on ctrl+c.
package otelkit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Service is one running service: its tracer and an HTTP client whose
// calls are client spans carrying the trace context.
type Service struct {
	Name   string
	Tracer trace.Tracer
	Client *http.Client
}

// Run serves the routes of a service named name on $PORT (defaultPort
// when unset) until SIGINT or SIGTERM, and returns the exit code.
func Run(name, defaultPort string, routes func(*Service) http.Handler) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, name, defaultPort, routes); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		return 1
	}
	return 0
}

func run(ctx context.Context, name, defaultPort string, routes func(*Service) http.Handler) error {
	// OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL (http/protobuf or http/json)
	// and _COMPRESSION (gzip) are read by the exporter itself.
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return fmt.Errorf("OTLP exporter: %w", err)
	}
	res, err := resource.New(ctx, resource.WithTelemetrySDK(), resource.WithFromEnv(),
		resource.WithAttributes(attribute.String("service.name", name), attribute.String("service.version", "1.0.0")))
	if err != nil {
		return fmt.Errorf("resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tp.Shutdown(sctx) // exports what is left
	}()
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})

	svc := &Service{Name: name, Tracer: tp.Tracer(name), Client: &http.Client{Transport: otelhttp.NewTransport(nil), Timeout: 10 * time.Second}}
	// Export each request's spans once it is done, so that a trace shows up
	// at once (a choice for a demo: the batcher alone waits up to 5s).
	handler := flushAfter(tp, otelhttp.NewHandler(routes(svc), name))

	port := os.Getenv("PORT")
	if port == "" {
		port = defaultPort
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	fmt.Printf("%s listening on http://%s\n", name, ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}
	return nil
}

func flushAfter(tp *sdktrace.TracerProvider, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
		defer cancel()
		_ = tp.ForceFlush(ctx)
	})
}

// Get calls url with the request's trace context and returns the body, or
// an error naming the status for anything but 200.
func (s *Service) Get(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return body, fmt.Errorf("%s responded %d", url, resp.StatusCode)
	}
	return body, nil
}

// Env is the environment variable key, or def.
func Env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
