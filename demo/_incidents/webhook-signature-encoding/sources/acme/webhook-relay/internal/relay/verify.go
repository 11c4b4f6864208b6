package relay

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// SignatureError is a delivery whose signature does not verify.
type SignatureError struct{ Got, Want int }

func (e *SignatureError) Error() string {
	return fmt.Sprintf("webhook signature mismatch: got %d bytes, want %d", e.Got, e.Want)
}

// decodeSignature reads the signature field of a delivery.
func decodeSignature(s string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(s)
}

// Verify checks a delivery's HMAC-SHA256 signature.
func (r *Relay) Verify(d *Delivery) error {
	sig, err := decodeSignature(d.Signature)
	if err != nil {
		return fmt.Errorf("webhook signature: %w", err)
	}
	mac := hmac.New(sha256.New, r.secret)
	mac.Write([]byte(d.Payload))
	if want := mac.Sum(nil); !hmac.Equal(sig, want) {
		return &SignatureError{Got: len(sig), Want: len(want)}
	}
	return nil
}
