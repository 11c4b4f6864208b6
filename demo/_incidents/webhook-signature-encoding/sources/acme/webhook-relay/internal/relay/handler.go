package relay

import (
	"encoding/json"
	"net/http"

	"github.com/getsentry/sentry-go"
)

// Deliver serves POST /v1/deliveries.
func (r *Relay) Deliver(w http.ResponseWriter, req *http.Request) {
	var d Delivery
	if err := json.NewDecoder(req.Body).Decode(&d); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	if err := r.Verify(&d); err != nil {
		sentry.GetHubFromContext(req.Context()).CaptureException(err)
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	r.enqueue(req.Context(), &d)
	w.WriteHeader(http.StatusAccepted)
}
