// Package obs is auth-service's seam to error reporting and tracing.
//
// The service reports through the Reporter set with SetReporter. Production
// builds install the Sentry reporter from acme's platform library at start-up
// (it maps StartSpan to spans, AddBreadcrumb to breadcrumbs and CaptureError
// to events, reading VerificationError.StackTrace for the stack). This
// repository ships only the log reporter, used by tests and local runs.
package obs

import (
	"context"
	"log/slog"
	"net/http"
)

// Reporter receives errors, breadcrumbs and spans.
type Reporter interface {
	CaptureError(ctx context.Context, err error)
	AddBreadcrumb(ctx context.Context, category, message string, data map[string]any)
	StartSpan(ctx context.Context, op, description string) (context.Context, func(status string))
}

var reporter Reporter = logReporter{}

// SetReporter installs r; call it before serving.
func SetReporter(r Reporter) { reporter = r }

// CaptureError reports err.
func CaptureError(ctx context.Context, err error) { reporter.CaptureError(ctx, err) }

// AddBreadcrumb records a breadcrumb on the current request.
func AddBreadcrumb(ctx context.Context, category, message string, data map[string]any) {
	reporter.AddBreadcrumb(ctx, category, message, data)
}

// StartSpan starts a span; call the returned function with its status.
func StartSpan(ctx context.Context, op, description string) (context.Context, func(status string)) {
	return reporter.StartSpan(ctx, op, description)
}

// Middleware wraps every request in an http.server span.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, finish := StartSpan(r.Context(), "http.server", r.Method+" "+r.URL.Path)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r.WithContext(ctx))
		finish(SpanStatus(rec.status))
	})
}

// SpanStatus maps an HTTP status code to a span status.
func SpanStatus(code int) string {
	switch {
	case code < 400:
		return "ok"
	case code == http.StatusUnauthorized:
		return "unauthenticated"
	case code == http.StatusForbidden:
		return "permission_denied"
	case code == http.StatusNotFound:
		return "not_found"
	case code < 500:
		return "invalid_argument"
	default:
		return "internal_error"
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

type logReporter struct{}

func (logReporter) CaptureError(ctx context.Context, err error) {
	slog.ErrorContext(ctx, "error", "err", err)
}

func (logReporter) AddBreadcrumb(ctx context.Context, category, message string, data map[string]any) {
	slog.DebugContext(ctx, message, "category", category, "data", data)
}

func (logReporter) StartSpan(ctx context.Context, op, description string) (context.Context, func(string)) {
	return ctx, func(string) {}
}
