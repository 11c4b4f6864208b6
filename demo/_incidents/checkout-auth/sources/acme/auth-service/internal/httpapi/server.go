// Package httpapi is auth-service's HTTP interface: session validation for
// api-gateway and token introspection for the backend services. Every route
// under /v1 requires a signed service request (package signing).
package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/acme/auth-service/internal/obs"
	"github.com/acme/auth-service/internal/sessions"
	"github.com/acme/auth-service/internal/signing"
	"github.com/acme/auth-service/internal/tokens"
)

// Server holds the dependencies of the handlers.
type Server struct {
	verifier *signing.Verifier
	sessions *sessions.Store
	tokens   *tokens.Introspector
	now      func() time.Time
}

// New returns a Server.
func New(v *signing.Verifier, s *sessions.Store, t *tokens.Introspector) *Server {
	return &Server{verifier: v, sessions: s, tokens: t, now: time.Now}
}

// Handler returns the routes of auth-service.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.Handle("POST /v1/sessions/validate", s.requireSignature(http.HandlerFunc(s.validateSession)))
	mux.Handle("POST /v1/tokens/introspect", s.requireSignature(http.HandlerFunc(s.introspect)))
	return obs.Middleware(mux)
}

type validateRequest struct {
	SessionID string `json:"session_id"`
}

type validateResponse struct {
	Valid     bool   `json:"valid"`
	UserID    string `json:"user_id,omitempty"`
	ExpiresAt string `json:"expires_at,omitempty"`
}

func (s *Server) validateSession(w http.ResponseWriter, r *http.Request) {
	var req validateRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.SessionID == "" {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "invalid_request"})
		return
	}
	_, finish := obs.StartSpan(r.Context(), "function", "sessions.Validate")
	sess, ok := s.sessions.Validate(req.SessionID, s.now())
	finish("ok")
	if !ok {
		writeJSON(w, http.StatusUnauthorized, errorBody{Error: "invalid_session"})
		return
	}
	writeJSON(w, http.StatusOK, validateResponse{Valid: true, UserID: sess.UserID, ExpiresAt: sess.ExpiresAt.UTC().Format(time.RFC3339)})
}

type introspectRequest struct {
	Token string `json:"token"`
}

func (s *Server) introspect(w http.ResponseWriter, r *http.Request) {
	audience := r.URL.Query().Get("audience")
	var req introspectRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Token == "" || audience == "" {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "invalid_request"})
		return
	}
	writeJSON(w, http.StatusOK, s.tokens.Introspect(req.Token, audience, s.now()))
}

type errorBody struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
