package mail

import (
	"encoding/json"
	"net/http"

	"github.com/getsentry/sentry-go"
)

// Handler serves POST /v1/messages.
type Handler struct{ composer *Composer }

func (h *Handler) Send(w http.ResponseWriter, r *http.Request) {
	var m Message
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	rcpt, err := h.composer.Recipient(&m)
	if err != nil {
		sentry.GetHubFromContext(r.Context()).CaptureException(err)
		writeError(w, http.StatusUnprocessableEntity, "invalid_recipient")
		return
	}
	h.queue(r.Context(), rcpt, &m)
	w.WriteHeader(http.StatusAccepted)
}
