package search

import (
	"net/http"

	"github.com/getsentry/sentry-go"
)

// Handler serves GET /api/search.
type Handler struct{ client *Client }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := Query{Text: r.URL.Query().Get("q"), Limit: 48}
	res, err := h.client.Query(r.Context(), q)
	if err != nil {
		sentry.GetHubFromContext(r.Context()).CaptureException(err)
		http.Error(w, "search unavailable", http.StatusGatewayTimeout)
		return
	}
	writeJSON(w, res)
}
