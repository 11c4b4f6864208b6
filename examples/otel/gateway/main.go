// Command gateway quotes an item to a customer: GET /quote?sku=ID asks
// catalog for the item (gateway → catalog → pricing).
//
// Environment: PORT (default 8090), CATALOG_URL (default
// http://127.0.0.1:8091), OTEL_EXPORTER_OTLP_ENDPOINT and the other
// standard OTEL_* variables.
package main

import (
	"net/http"
	"net/url"
	"os"

	"github.com/tracehound/tracehound/examples/otel/internal/otelkit"
)

func main() {
	catalog := otelkit.Env("CATALOG_URL", "http://127.0.0.1:8091")
	os.Exit(otelkit.Run("gateway", "8090", func(s *otelkit.Service) http.Handler {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /quote", func(w http.ResponseWriter, r *http.Request) {
			sku := r.URL.Query().Get("sku")
			if sku == "" {
				http.Error(w, "give ?sku=", http.StatusBadRequest)
				return
			}
			body, err := s.Get(r.Context(), catalog+"/items/"+url.PathEscape(sku))
			if err != nil {
				http.Error(w, "catalog: "+err.Error(), http.StatusBadGateway)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write(body)
		})
		return mux
	}))
}
