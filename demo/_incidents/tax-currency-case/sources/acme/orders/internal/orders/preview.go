package orders

import (
	"net/http"

	"github.com/getsentry/sentry-go"
)

// Preview serves POST /api/orders/preview.
func (h *Handler) Preview(w http.ResponseWriter, r *http.Request) {
	ct, err := h.carts.Current(r.Context(), customerID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	taxes, err := h.tax.Quote(r.Context(), ct)
	if err != nil {
		sentry.GetHubFromContext(r.Context()).CaptureException(err)
		writeError(w, http.StatusBadGateway, "tax_unavailable")
		return
	}
	writeJSON(w, preview(ct, taxes))
}
