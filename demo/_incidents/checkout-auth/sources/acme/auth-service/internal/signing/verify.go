// Package signing implements acme service-auth v1: HMAC-SHA256 signatures
// over a canonical form of each service-to-service request (see README.md).
package signing

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/acme/auth-service/internal/obs"
)

// Header names of the acme service-auth protocol.
const (
	HeaderKeyID     = "X-Acme-Key-Id"
	HeaderTimestamp = "X-Acme-Timestamp"
	HeaderSignature = "X-Acme-Signature"
)

// DefaultMaxSkew is how far a request timestamp may be from the server clock.
const DefaultMaxSkew = 5 * time.Minute

// Principal is the service a verified request comes from.
type Principal struct {
	Service string
	KeyID   string
}

// Verifier checks signed service requests.
type Verifier struct {
	Keys    KeyStore
	MaxSkew time.Duration    // DefaultMaxSkew when zero
	Now     func() time.Time // time.Now when nil
}

// Verify checks the signature headers of r against the canonical request and
// returns the calling service. It leaves r.Body readable for the handler.
func (v *Verifier) Verify(r *http.Request) (Principal, error) {
	keyID := r.Header.Get(HeaderKeyID)
	sig := r.Header.Get(HeaderSignature)
	ts := r.Header.Get(HeaderTimestamp)
	if keyID == "" || sig == "" || ts == "" {
		return Principal{}, newVerificationError(ReasonMissingSignature, keyID)
	}
	secret, ok := v.Keys.Secret(keyID)
	if !ok {
		return Principal{}, newVerificationError(ReasonUnknownKey, keyID)
	}
	if !v.fresh(ts) {
		return Principal{}, newVerificationError(ReasonExpiredTimestamp, keyID)
	}
	body, err := readBody(r)
	if err != nil {
		return Principal{}, fmt.Errorf("read request body: %w", err)
	}

	canonical := CanonicalRequest(r, ts, hexSHA256(body))
	obs.AddBreadcrumb(r.Context(), "signing", "computed string-to-sign", map[string]any{
		"key_id":         keyID,
		"string_to_sign": canonical,
	})
	want := mac(secret, canonical)
	got, err := hex.DecodeString(sig)
	if err != nil || !hmac.Equal(got, want) {
		return Principal{}, newVerificationError(ReasonSignatureMismatch, keyID)
	}
	return Principal{Service: ServiceOf(keyID), KeyID: keyID}, nil
}

func (v *Verifier) fresh(ts string) bool {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	skew := v.MaxSkew
	if skew == 0 {
		skew = DefaultMaxSkew
	}
	d := now().Sub(time.Unix(sec, 0))
	return d <= skew && d >= -skew
}

// readBody reads r.Body and puts an identical reader back in its place.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func mac(secret []byte, canonical string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(canonical))
	return m.Sum(nil)
}
