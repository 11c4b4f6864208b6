package signing

import (
	"runtime"
	"strings"
)

// Reasons a signed request is rejected. They are also the "error" member of
// the 401 response body, so callers can tell them apart.
const (
	ReasonMissingSignature  = "missing_signature"
	ReasonUnknownKey        = "unknown_key"
	ReasonExpiredTimestamp  = "expired_timestamp"
	ReasonSignatureMismatch = "signature_mismatch"
)

// VerificationError is why Verify rejected a request. It records the stack
// where it was created; the error reporter reads it through StackTrace (the
// method github.com/pkg/errors has), so reports point at the verify code
// rather than at the middleware that reports them.
type VerificationError struct {
	Reason string // one of the Reason constants
	KeyID  string // the key id the caller sent, if any

	stack []uintptr
}

func newVerificationError(reason, keyID string) *VerificationError {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(2, pcs)
	return &VerificationError{Reason: reason, KeyID: keyID, stack: pcs[:n]}
}

// Error returns the reason in words, e.g. "signature mismatch".
func (e *VerificationError) Error() string {
	return strings.ReplaceAll(e.Reason, "_", " ")
}

// StackTrace returns the program counters of the stack where e was created.
func (e *VerificationError) StackTrace() []uintptr { return e.stack }
