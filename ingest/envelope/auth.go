package envelope

import (
	"net/http"
	"net/url"
	"strings"
)

// PublicKey is the DSN public key of a request, from the first of these
// that has one:
//  1. the X-Sentry-Auth header, "Sentry sentry_key=KEY, sentry_version=7, …"
//     (the "Sentry " scheme may be missing);
//  2. the Authorization header in the same format (only with the "Sentry"
//     scheme, as Authorization may carry other credentials);
//  3. the sentry_key query parameter (browser SDKs, to avoid a CORS
//     preflight);
//  4. envelopeDSN, the envelope header's "dsn": the user part of its URL.
//
// It is "" when none has one. The key is returned as given, not validated.
func PublicKey(r *http.Request, envelopeDSN string) string {
	if k := authKey(r.Header.Get("X-Sentry-Auth"), false); k != "" {
		return k
	}
	if k := authKey(r.Header.Get("Authorization"), true); k != "" {
		return k
	}
	if r.URL != nil {
		if k := strings.TrimSpace(r.URL.Query().Get("sentry_key")); k != "" {
			return k
		}
	}
	if envelopeDSN != "" {
		if u, err := url.Parse(envelopeDSN); err == nil && u.User != nil {
			return u.User.Username()
		}
	}
	return ""
}

// authKey is the sentry_key of a "Sentry k=v, k=v" auth value; the scheme
// is required when needScheme.
func authKey(v string, needScheme bool) string {
	v = strings.TrimSpace(v)
	if scheme, rest, ok := strings.Cut(v, " "); ok && strings.EqualFold(scheme, "Sentry") {
		v = rest
	} else if needScheme {
		return ""
	}
	for _, part := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.TrimSpace(k) == "sentry_key" {
			return strings.TrimSpace(val)
		}
	}
	return ""
}
