package signing

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// KeyStore resolves a key id to its shared secret.
type KeyStore interface {
	Secret(keyID string) ([]byte, bool)
}

// StaticKeys is a KeyStore backed by a map.
type StaticKeys map[string][]byte

// Secret implements KeyStore.
func (k StaticKeys) Secret(keyID string) ([]byte, bool) {
	s, ok := k[keyID]
	return s, ok
}

// ParseKeys reads keys in the AUTH_SERVICE_KEYS format:
// "payments-2026-10=<hex secret>,api-gateway-2026-09=<hex secret>".
func ParseKeys(s string) (StaticKeys, error) {
	keys := StaticKeys{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, secret, ok := strings.Cut(part, "=")
		if !ok || id == "" {
			return nil, fmt.Errorf("key %q: want id=hexsecret", part)
		}
		b, err := hex.DecodeString(secret)
		if err != nil || len(b) < 32 {
			return nil, fmt.Errorf("key %q: secret must be at least 32 bytes of hex", id)
		}
		keys[id] = b
	}
	return keys, nil
}

// ServiceOf returns the service a key id belongs to. Key ids are
// "<service>-<yyyy>-<mm>", rotated monthly.
func ServiceOf(keyID string) string {
	parts := strings.Split(keyID, "-")
	if len(parts) < 3 {
		return keyID
	}
	return strings.Join(parts[:len(parts)-2], "-")
}
