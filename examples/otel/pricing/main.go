// Command pricing prices catalog items: GET /prices/{sku}. It is the last
// of the example's three services (gateway → catalog → pricing).
//
// Environment: PORT (default 8092), OTEL_EXPORTER_OTLP_ENDPOINT and the
// other standard OTEL_* variables.
package main

import (
	"net/http"
	"os"

	"github.com/tracehound/tracehound/examples/otel/internal/otelkit"
)

func main() {
	os.Exit(otelkit.Run("pricing", "8092", func(s *otelkit.Service) http.Handler {
		return (&server{svc: s}).routes()
	}))
}
