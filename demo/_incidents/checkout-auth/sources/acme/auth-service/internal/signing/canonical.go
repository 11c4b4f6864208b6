package signing

import (
	"net/http"
	"strings"
)

// CanonicalRequest returns the string-to-sign of a signed service request
// (acme service-auth v1, see README.md): the upper-case method, the request
// target, the timestamp header and the hex SHA-256 of the body, one per line.
//
// The request target is the full request URI, path and query, so that query
// parameters such as ?audience= are covered by the signature as well.
func CanonicalRequest(r *http.Request, timestamp, bodySHA256 string) string {
	var b strings.Builder
	b.WriteString(strings.ToUpper(r.Method))
	b.WriteByte('\n')
	b.WriteString(r.URL.RequestURI())
	b.WriteByte('\n')
	b.WriteString(timestamp)
	b.WriteByte('\n')
	b.WriteString(bodySHA256)
	return b.String()
}
