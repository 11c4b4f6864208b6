package signing

import (
	"encoding/hex"
	"net/http"
	"strconv"
	"time"
)

// Sign adds the service-auth headers to r, signed with the key keyID. Go
// services use it to call each other; the other languages implement the same
// protocol in their own clients (see README.md).
func Sign(r *http.Request, keyID string, secret []byte, now time.Time) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	canonical := CanonicalRequest(r, ts, hexSHA256(body))
	r.Header.Set(HeaderKeyID, keyID)
	r.Header.Set(HeaderTimestamp, ts)
	r.Header.Set(HeaderSignature, hex.EncodeToString(mac(secret, canonical)))
	return nil
}
