package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/acme/auth-service/internal/obs"
	"github.com/acme/auth-service/internal/signing"
)

type principalKey struct{}

// requireSignature rejects requests that are not signed by a known service
// key (401 with the reason as "error") and passes the others on with the
// calling service in the context.
func (s *Server) requireSignature(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, finish := obs.StartSpan(r.Context(), "function", "signing.Verify")
		r = r.WithContext(ctx)
		principal, err := s.verifier.Verify(r)
		if err != nil {
			obs.CaptureError(ctx, err)
			finish("unauthenticated")
			writeAuthError(w, err)
			return
		}
		finish("ok")
		ctx = context.WithValue(r.Context(), principalKey{}, principal)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// PrincipalFrom returns the verified caller of a request.
func PrincipalFrom(ctx context.Context) (signing.Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(signing.Principal)
	return p, ok
}

func writeAuthError(w http.ResponseWriter, err error) {
	var ve *signing.VerificationError
	if errors.As(err, &ve) {
		writeJSON(w, http.StatusUnauthorized, errorBody{Error: ve.Reason})
		return
	}
	writeJSON(w, http.StatusInternalServerError, errorBody{Error: "internal_error"})
}
