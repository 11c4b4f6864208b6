package redact

import (
	"strings"
)

// Names: what a variable's, header's, JSON member's, query parameter's or
// tag's name says about its value.

// keyClass is what a name says about its value.
type keyClass uint8

const (
	keyNone   keyClass = iota
	keyToken           // a credential: token, api key, session id, signature…
	keyStrong          // a password, secret, private key or card number
	keyHeader          // Authorization: "Scheme credentials"
	keyCookie          // Cookie / Set-Cookie: the whole header value
	keyIP              // a user's IP address (PII, not a credential)
	keyParam           // short names that are secret in query strings only: key, sig, code, auth, access
)

// IsSensitiveKey reports whether a name — a variable, header, JSON member,
// query parameter or tag — holds credentials, so its value must never be
// shown: authorization, cookie, set-cookie, x-api-key, token, secret,
// password, passwd, passphrase, pwd, pass, pin, otp, cvv, api_key, apikey,
// access_key, private_key, session (and session_id, sessid…), csrf/xsrf,
// signature, credential(s), creds, jwt, dsn, sid, bearer, card numbers,
// Sentry's sentry_key. Case and the separators - _ . space [ ] are ignored
// and the word may be part of a longer name (X-Auth-Token, clientSecret,
// user[password], AWS_SECRET_ACCESS_KEY).
//
// Names that count, describe or point to a credential rather than hold it
// are not sensitive: max_tokens, input_tokens, token_count, token_type,
// password_length, session_expires_at, token_file, private_key_path,
// session_cookie_name, TokenExpiredError and the like.
//
// A user's IP address (ip_address, X-Forwarded-For) is personal data, not a
// credential: IsSensitiveKey is false for it and Secrets filters the
// address itself.
func IsSensitiveKey(name string) bool {
	var buf [64]byte
	switch classifyKey(normKey(buf[:0], name)) {
	case keyToken, keyStrong, keyHeader, keyCookie:
		return true
	}
	return false
}

// IsSensitiveVar is IsSensitiveKey for a stack frame's local variable
// names, where "auth" holds credentials too (as it does in query strings).
func IsSensitiveVar(name string) bool {
	return strings.EqualFold(strings.TrimSpace(name), "auth") || IsSensitiveKey(name)
}

// sensitiveParam is IsSensitiveKey for query parameters, where short generic
// names (key, sig, code, auth, access) carry secrets too.
func sensitiveParam(k string) bool {
	var buf [64]byte
	return classifyKey(normKey(buf[:0], k)) != keyNone
}

// normKey lowercases a name and maps its separators to '_', trimming them
// at both ends. It appends to dst (a caller's stack buffer for short names).
func normKey(dst []byte, k string) []byte {
	k = strings.TrimSpace(k)
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c == '-' || c == ' ' || c == '.' || c == '[' || c == ']' || c == ':' || c == '/':
			c = '_'
		}
		dst = append(dst, c)
	}
	i, j := 0, len(dst)
	for i < j && (dst[i] == '_' || dst[i] == '$' || dst[i] == '@') {
		i++
	}
	for j > i && (dst[j-1] == '_' || dst[j-1] == '$') {
		j--
	}
	return dst[i:j]
}

var (
	strongWords = []string{"password", "passwd", "passphrase", "secret", "private_key", "privatekey",
		"credential", "card_number", "cardnumber", "passcode"}
	tokenWords = []string{"token", "api_key", "apikey", "access_key", "accesskey", "auth_key", "authkey",
		"signature", "csrf", "xsrf", "bearer", "session_id", "sessionid", "session_key", "sessid", "jwt",
		"sentry_key", "x_amz_security"}
	harmlessSuffixes = []string{"_count", "_counts", "_type", "_at", "_ttl", "_expires", "_expires_in",
		"_expiry", "_expiration", "_length", "_len", "_size", "_limit", "_limits", "_enabled", "_required",
		"_policy", "_strength", "_usage", "_used", "error", "errors", "exception", "warning", "_err",
		"_file", "_path", "_env", "_name"}
)

// classifyKey classifies a name normalised by normKey.
func classifyKey(b []byte) keyClass {
	if len(b) == 0 || len(b) > 96 {
		return keyNone
	}
	if !mayBeSensitive(b) {
		return keyNone
	}
	k := string(b) // short: does not escape
	for _, s := range harmlessSuffixes {
		if strings.HasSuffix(k, s) && len(k) > len(s) {
			return keyNone
		}
	}
	if strings.HasSuffix(k, "tokens") || strings.Contains(k, "tokens_") || strings.Contains(k, "tokeniz") {
		return keyNone
	}
	if strings.Contains(k, "authorization") {
		return keyHeader
	}
	if strings.Contains(k, "cookie") {
		return keyCookie
	}
	for _, w := range strongWords {
		if strings.Contains(k, w) {
			return keyStrong
		}
	}
	switch k {
	case "pwd", "pass", "pin", "otp", "cvv", "cvv2", "cvc", "creds", "oldpwd":
		return keyStrong
	case "sid", "dsn", "session", "auth_token":
		return keyToken
	case "ip", "forwarded", "remote_addr", "ip_address", "x_forwarded_for", "forwarded_for", "client_ip",
		"clientip", "x_real_ip", "real_ip", "true_client_ip", "cf_connecting_ip", "x_client_ip", "user_ip",
		"remote_ip", "ipaddress", "x_cluster_client_ip", "fastly_client_ip":
		return keyIP
	case "auth", "key", "sig", "code", "access":
		return keyParam
	}
	if strings.HasSuffix(k, "_pass") || strings.HasSuffix(k, "_pwd") || strings.HasSuffix(k, "_pin") {
		return keyStrong
	}
	for _, w := range tokenWords {
		if strings.Contains(k, w) {
			return keyToken
		}
	}
	if strings.HasSuffix(k, "_auth") && strings.HasPrefix(k, "x_") {
		return keyHeader // X-Sentry-Auth: Sentry sentry_key=…
	}
	if strings.HasSuffix(k, "_auth") || strings.HasSuffix(k, "_sid") || strings.HasSuffix(k, "_session") {
		return keyToken
	}
	if strings.Contains(k, "ip_address") || strings.Contains(k, "ipaddress") || strings.Contains(k, "forwarded_for") ||
		strings.HasSuffix(k, "client_ip") || strings.HasSuffix(k, "_real_ip") || strings.HasSuffix(k, "remote_addr") {
		return keyIP
	}
	return keyNone
}

// sensitiveStems are the stems every sensitive name holds, by first byte.
var sensitiveStems = [256][]string{
	'a': {"auth", "access"},
	'b': {"bearer"},
	'c': {"cook", "cred", "card", "csrf", "cv", "code"},
	'd': {"dsn"},
	'f': {"forward"},
	'i': {"ip"},
	'j': {"jwt"},
	'k': {"key"},
	'o': {"otp"},
	'p': {"pass", "pwd", "priv", "pin"},
	'r': {"remote"},
	's': {"secret", "sig", "sess", "sid"},
	't': {"token"},
	'x': {"xsrf"},
}

// mayBeSensitive is classifyKey's fast path: every sensitive name holds
// one of the sensitiveStems.
func mayBeSensitive(k []byte) bool {
	for i := 0; i+1 < len(k); i++ {
		for _, stem := range sensitiveStems[k[i]] {
			if len(k)-i >= len(stem) && string(k[i:i+len(stem)]) == stem {
				return true
			}
		}
	}
	return false
}

// IsPIITag reports tags that identify the end user (never shown).
func IsPIITag(k string) bool {
	k = strings.ToLower(k)
	return k == "user" || strings.HasPrefix(k, "user.") || strings.HasPrefix(k, "sentry:user") ||
		strings.Contains(k, "email") || k == "ip" || strings.HasSuffix(k, "_ip") || strings.HasSuffix(k, ".ip") ||
		k == "ip_address" || k == "username" || k == "client_ip" || k == "remote_addr"
}
