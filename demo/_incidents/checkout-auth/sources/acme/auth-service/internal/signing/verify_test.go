package signing

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var (
	testNow    = time.Date(2026, 10, 2, 14, 0, 0, 0, time.UTC)
	testSecret = []byte("0123456789abcdef0123456789abcdef")
)

func testVerifier() *Verifier {
	return &Verifier{
		Keys: StaticKeys{"api-gateway-2026-09": testSecret},
		Now:  func() time.Time { return testNow },
	}
}

func signedRequest(t *testing.T, target, body string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err := Sign(r, "api-gateway-2026-09", testSecret, testNow); err != nil {
		t.Fatal(err)
	}
	return r
}

func reason(err error) string {
	var ve *VerificationError
	if errors.As(err, &ve) {
		return ve.Reason
	}
	return ""
}

func TestVerifyRoundTrip(t *testing.T) {
	r := signedRequest(t, "http://auth-service.internal:8080/v1/sessions/validate", `{"session_id":"s_1"}`)
	p, err := testVerifier().Verify(r)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if p.Service != "api-gateway" {
		t.Errorf("service = %q, want api-gateway", p.Service)
	}
	body, _ := io.ReadAll(r.Body)
	if string(body) != `{"session_id":"s_1"}` {
		t.Errorf("body after Verify = %q", body)
	}
}

func TestVerifyRejectsTamperedBody(t *testing.T) {
	r := signedRequest(t, "http://auth-service.internal:8080/v1/sessions/validate", `{"session_id":"s_1"}`)
	r.Body = io.NopCloser(strings.NewReader(`{"session_id":"s_2"}`))
	_, err := testVerifier().Verify(r)
	if reason(err) != ReasonSignatureMismatch {
		t.Fatalf("err = %v, want %s", err, ReasonSignatureMismatch)
	}
	if err.Error() != "signature mismatch" {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestVerifyRejectsOtherPath(t *testing.T) {
	r := signedRequest(t, "http://auth-service.internal:8080/v1/sessions/validate", `{}`)
	r.URL.Path = "/v1/tokens/introspect"
	if _, err := testVerifier().Verify(r); reason(err) != ReasonSignatureMismatch {
		t.Fatalf("err = %v, want %s", err, ReasonSignatureMismatch)
	}
}

func TestVerifyRejectsExpired(t *testing.T) {
	r := signedRequest(t, "http://auth-service.internal:8080/v1/sessions/validate", `{}`)
	v := testVerifier()
	v.Now = func() time.Time { return testNow.Add(10 * time.Minute) }
	if _, err := v.Verify(r); reason(err) != ReasonExpiredTimestamp {
		t.Fatalf("err = %v, want %s", err, ReasonExpiredTimestamp)
	}
}

func TestVerifyRejectsUnknownKey(t *testing.T) {
	r := signedRequest(t, "http://auth-service.internal:8080/v1/sessions/validate", `{}`)
	r.Header.Set(HeaderKeyID, "payments-2026-10")
	if _, err := testVerifier().Verify(r); reason(err) != ReasonUnknownKey {
		t.Fatalf("err = %v, want %s", err, ReasonUnknownKey)
	}
}

func TestVerifyRejectsUnsigned(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "http://auth-service.internal:8080/v1/sessions/validate", nil)
	_, err := testVerifier().Verify(r)
	if reason(err) != ReasonMissingSignature {
		t.Fatalf("err = %v, want %s", err, ReasonMissingSignature)
	}
	var ve *VerificationError
	errors.As(err, &ve)
	if len(ve.StackTrace()) == 0 {
		t.Error("VerificationError has no stack")
	}
}
