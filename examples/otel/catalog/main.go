// Command catalog serves items with their price: GET /items/{sku}, asking
// pricing for the price (gateway → catalog → pricing).
//
// Environment: PORT (default 8091), PRICING_URL (default
// http://127.0.0.1:8092), OTEL_EXPORTER_OTLP_ENDPOINT and the other
// standard OTEL_* variables.
package main

import (
	"encoding/json"
	"net/http"
	"os"

	"github.com/tracehound/tracehound/examples/otel/internal/otelkit"
)

var names = map[string]string{"s1": "kettle", "s2": "teapot", "s3": "mug"}

func main() {
	pricing := otelkit.Env("PRICING_URL", "http://127.0.0.1:8092")
	os.Exit(otelkit.Run("catalog", "8091", func(s *otelkit.Service) http.Handler {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /items/{sku}", func(w http.ResponseWriter, r *http.Request) {
			sku := r.PathValue("sku")
			name, ok := names[sku]
			if !ok {
				http.Error(w, "no item "+sku, http.StatusNotFound)
				return
			}
			body, err := s.Get(r.Context(), pricing+"/prices/"+sku)
			if err != nil {
				http.Error(w, "pricing: "+err.Error(), http.StatusBadGateway)
				return
			}
			var price struct {
				Cents int64 `json:"cents"`
			}
			if err := json.Unmarshal(body, &price); err != nil {
				http.Error(w, "pricing answered "+err.Error(), http.StatusBadGateway)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"sku": sku, "name": name, "cents": price.Cents})
		})
		return mux
	}))
}
