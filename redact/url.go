package redact

import (
	"strings"
)

// URLs: the userinfo and secret query values of one URL.

// URL filters the credentials of one URL: its userinfo
// (https://user:pass@host, a Sentry DSN's public key https://KEY@host/ID),
// the values of query parameters whose names are sensitive (see
// IsSensitiveKey; in query strings key, sig, code, auth and access too) or
// whose values look secret (IsSecretValue) or are e-mail addresses, and a
// fragment carrying parameters (#access_token=…). Everything else —
// scheme, host, path, harmless parameters — is kept byte for byte.
func URL(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		a := i + 3
		e := a
		for e < len(u) && !urlAuthorityEnd(u[e]) {
			e++
		}
		if at := strings.LastIndexByte(u[a:e], '@'); at > 0 {
			if ui := u[a : a+at]; ui != "git" && !strings.HasPrefix(ui, "[Filtered") {
				u = u[:a] + FilteredMarker + u[a+at:]
			}
		}
	}
	u, frag, hasFrag := strings.Cut(u, "#")
	if hasFrag && (strings.Contains(frag, "token") || strings.Contains(frag, "=")) {
		frag = FilteredMarker // #access_token=…&state=…
	}
	base, q, ok := strings.Cut(u, "?")
	if !ok {
		if hasFrag {
			return u + "#" + frag
		}
		return u
	}
	params := strings.Split(q, "&")
	for i, kv := range params {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || v == "" || strings.HasPrefix(v, "[Filtered") {
			continue
		}
		switch {
		case sensitiveParam(k) || IsSecretValue(v):
			params[i] = k + "=" + FilteredMarker
		case strings.Contains(v, "@") || strings.Contains(v, "%40"):
			d := strings.ReplaceAll(v, "%40", "@")
			if at := strings.IndexByte(d, '@'); at > 0 {
				if s, e := emailSpan(d, at, 0); s == 0 && e == len(d) {
					params[i] = k + "=" + markEmail
				}
			}
		}
	}
	out := base + "?" + strings.Join(params, "&")
	if hasFrag {
		out += "#" + frag
	}
	return out
}

func urlAuthorityEnd(c byte) bool {
	switch c {
	case '/', '?', '#', ' ', '\t', '\n', '\r', '"', '\'', '`', '<', '>', '\\', '(', ')', '[', ']', '{', '}', ',', ';':
		return true
	}
	return false
}

// isURL reports a value that starts with a URL scheme.
func isURL(v string) bool {
	i := strings.Index(v, "://")
	if i <= 0 || i > 12 {
		return false
	}
	for k := 0; k < i; k++ {
		if !(isAlnum(v[k]) || v[k] == '+' || v[k] == '.' || v[k] == '-') {
			return false
		}
	}
	return true
}

// userinfo filters the userinfo of a URL whose authority starts at a.
func (z *scrubber) userinfo(a int) int {
	s := z.s
	e := a
	for e < len(s) && e-a < 512 && !urlAuthorityEnd(s[e]) {
		e++
	}
	at := strings.LastIndexByte(s[a:e], '@')
	if at <= 0 {
		return a
	}
	ui := s[a : a+at]
	if ui == "git" || strings.HasPrefix(ui, "[Filtered") {
		return a
	}
	z.put(a, a+at, FilteredMarker)
	return a + at
}
