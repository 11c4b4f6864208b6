package signing

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCanonicalRequest(t *testing.T) {
	r := httptest.NewRequest("post", "http://auth-service.internal:8080/v1/sessions/validate", strings.NewReader(`{}`))
	got := CanonicalRequest(r, "1795230000", "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
	want := "POST\n/v1/sessions/validate\n1795230000\n44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
	if got != want {
		t.Errorf("CanonicalRequest =\n%q\nwant\n%q", got, want)
	}
}

func TestServiceOf(t *testing.T) {
	for keyID, want := range map[string]string{
		"payments-2026-10":    "payments",
		"api-gateway-2026-09": "api-gateway",
		"legacy":              "legacy",
	} {
		if got := ServiceOf(keyID); got != want {
			t.Errorf("ServiceOf(%q) = %q, want %q", keyID, got, want)
		}
	}
}

func TestParseKeys(t *testing.T) {
	keys, err := ParseKeys("payments-2026-10=" + strings.Repeat("ab", 32) + ", api-gateway-2026-09=" + strings.Repeat("cd", 32))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := keys.Secret("payments-2026-10"); !ok {
		t.Error("payments key missing")
	}
	if _, err := ParseKeys("short=abcd"); err == nil {
		t.Error("a 2-byte secret was accepted")
	}
}
