package prices

import (
	"log/slog"
	"net/http"
)

// Subtotal serves POST /v1/subtotal.
func (h *Handler) Subtotal(w http.ResponseWriter, r *http.Request) {
	lines, err := decodeLines(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if len(lines) > 50 {
		slog.Warn("large cart priced line by line", "lines", len(lines))
	}
	writeJSON(w, h.sum(lines))
}
