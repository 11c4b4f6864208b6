package checkout

import (
	"net/http"

	"github.com/getsentry/sentry-go"
)

// ShippingQuote serves POST /api/checkout/shipping-quote.
func (h *Handler) ShippingQuote(w http.ResponseWriter, r *http.Request) {
	ct, err := h.carts.Current(r.Context(), customerID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q, err := h.shipping.Quote(r.Context(), ct, ct.Postcode)
	if err != nil {
		sentry.GetHubFromContext(r.Context()).CaptureException(err)
		writeError(w, http.StatusBadGateway, "shipping_unavailable")
		return
	}
	writeJSON(w, q)
}
