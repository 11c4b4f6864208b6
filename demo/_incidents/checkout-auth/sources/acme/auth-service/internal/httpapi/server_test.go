package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/acme/auth-service/internal/sessions"
	"github.com/acme/auth-service/internal/signing"
	"github.com/acme/auth-service/internal/tokens"
)

var (
	now    = time.Date(2026, 10, 2, 14, 0, 0, 0, time.UTC)
	secret = []byte("0123456789abcdef0123456789abcdef")
)

func newTestServer() *Server {
	v := &signing.Verifier{
		Keys: signing.StaticKeys{"api-gateway-2026-09": secret},
		Now:  func() time.Time { return now },
	}
	store := sessions.NewStore(30 * time.Minute)
	store.Put(sessions.Session{ID: "s_1", UserID: "u_42", ExpiresAt: now.Add(time.Hour)})
	s := New(v, store, tokens.NewIntrospector())
	s.now = func() time.Time { return now }
	return s
}

func TestValidateSession(t *testing.T) {
	h := newTestServer().Handler()
	for _, tc := range []struct {
		name   string
		body   string
		sign   bool
		status int
		want   string
	}{
		{"valid", `{"session_id":"s_1"}`, true, http.StatusOK, `"user_id":"u_42"`},
		{"unknown session", `{"session_id":"s_9"}`, true, http.StatusUnauthorized, `"invalid_session"`},
		{"unsigned", `{"session_id":"s_1"}`, false, http.StatusUnauthorized, `"missing_signature"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/v1/sessions/validate", strings.NewReader(tc.body))
			if tc.sign {
				if err := signing.Sign(r, "api-gateway-2026-09", secret, now); err != nil {
					t.Fatal(err)
				}
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.want) {
				t.Errorf("status %d body %s; want %d containing %s", w.Code, w.Body, tc.status, tc.want)
			}
		})
	}
}

func TestIntrospectRequiresSignature(t *testing.T) {
	h := newTestServer().Handler()
	r := httptest.NewRequest(http.MethodPost, "/v1/tokens/introspect", strings.NewReader(`{"token":"pt_1"}`))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var body map[string]string
	json.Unmarshal(w.Body.Bytes(), &body)
	if w.Code != http.StatusUnauthorized || body["error"] != "missing_signature" {
		t.Errorf("status %d body %v", w.Code, body)
	}
}
