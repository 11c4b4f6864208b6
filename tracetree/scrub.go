package tracetree

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"strings"
)

// This file is tracehound's one secret and PII scrubber. Every view that
// prints event data and the agent, before anything goes to a model, use it:
//
//   - IsSensitiveKey says whether a name (variable, header, JSON member,
//     query parameter, tag) holds credentials, so callers can drop the value
//     without looking at it;
//   - IsSecretValue says whether a value looks like a credential whatever
//     its name;
//   - ScrubURL filters the userinfo and the secret query values of one URL;
//   - ScrubSecrets finds and replaces secrets and personal data in free text
//     (log lines, JSON, header dumps, env files, source, SQL), counting them.
//
// What it replaces becomes FilteredMarker ("[Filtered]", as Sentry itself
// writes) or a typed marker such as "[Filtered: email]". Values already
// filtered are left as they are, so scrubbing is idempotent.
//
// False positives break investigations, so the free-text scrubber is
// anchored: it replaces a value only when its name says it is secret
// (password=…, "api_key": "…", Authorization: …) or when its shape is
// unambiguous (a JWT, a key with a vendor prefix, a Luhn-valid card number
// with a card prefix, an e-mail address, a private key block). Event, trace
// and span ids, short ids, shas, UUIDs, numbers, paths, SQL placeholders and
// URLs without credentials are not touched.

// FilteredMarker replaces a secret value. Typed markers start with it
// ("[Filtered: email]").
const FilteredMarker = "[Filtered]"

const (
	markEmail   = "[Filtered: email]"
	markCard    = "[Filtered: card]"
	markIP      = "[Filtered: ip]"
	markJWT     = "[Filtered: jwt]"
	markPrivKey = "[Filtered: private key]"
)

// maxMarkerLen is the length of the longest marker ScrubSecrets writes.
const maxMarkerLen = len("[Filtered: anthropic key]")

// ---- names -----------------------------------------------------------------------------

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
// credential: IsSensitiveKey is false for it and ScrubSecrets filters the
// address itself.
func IsSensitiveKey(name string) bool {
	var buf [64]byte
	switch classifyKey(normKey(buf[:0], name)) {
	case keyToken, keyStrong, keyHeader, keyCookie:
		return true
	}
	return false
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

// ---- values ----------------------------------------------------------------------------

// IsSecretValue reports whether a whole value looks like a credential
// whatever its name: "Bearer …", "Basic …" or "Token …" credentials, JWTs,
// keys and tokens with a well-known vendor prefix (AWS, GitHub, GitLab,
// Slack, Stripe, OpenAI, Anthropic, Google, Sentry, npm, Hugging Face), a
// private key block, and long random strings (32+ characters mixing upper
// case, lower case and digits, no spaces, slashes or colons).
func IsSecretValue(v string) bool {
	v = strings.Trim(strings.TrimSpace(v), `'"`)
	if len(v) < 4 {
		return false
	}
	if strings.IndexByte("bBtTeEsSrRgGxXaAwWnNhH-", v[0]) < 0 {
		// Fast path: no prefix can match, so only a long random string
		// can, and that needs an upper-case letter.
		upper := false
		for i := 0; i < len(v) && !upper; i++ {
			upper = v[i] >= 'A' && v[i] <= 'Z'
		}
		if !upper {
			return false
		}
	}
	lv := v
	if len(lv) > 16 {
		lv = lv[:16]
	}
	lv = strings.ToLower(lv)
	if strings.HasPrefix(lv, "bearer ") || strings.HasPrefix(lv, "basic ") || strings.HasPrefix(lv, "token ") {
		return true
	}
	if jwtEnd(v, 0) > 0 {
		return true
	}
	for _, p := range []string{"sk_live_", "sk_test_", "rk_live_", "rk_test_", "ghp_", "gho_", "ghs_", "ghu_", "ghr_",
		"github_pat_", "xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "akia", "sntrys_", "sntryu_", "glpat-", "whsec_"} {
		if strings.HasPrefix(lv, p) {
			return true
		}
	}
	if end, _ := prefixToken(v, 0); end > 0 {
		return true
	}
	if strings.HasPrefix(v, "-----BEGIN ") && privKeyEnd(v, 0) > 0 {
		return true
	}
	if strings.IndexByte(v, '%') >= 0 {
		if u, err := url.PathUnescape(v); err == nil {
			v = u // %2Forganizations%2F%3AorgId is a path, not a key
		}
	}
	if len(v) < 32 || strings.ContainsAny(v, " \t/:") {
		return false
	}
	var up, lo, dig bool
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'A' && c <= 'Z':
			up = true
		case c >= 'a' && c <= 'z':
			lo = true
		case c >= '0' && c <= '9':
			dig = true
		case c == '-' || c == '_' || c == '+' || c == '=' || c == '.' || c == '~' || c == '%':
		default:
			return false
		}
	}
	return up && lo && dig
}

// ---- URLs ------------------------------------------------------------------------------

// ScrubURL filters the credentials of one URL: its userinfo
// (https://user:pass@host, a Sentry DSN's public key https://KEY@host/ID),
// the values of query parameters whose names are sensitive (see
// IsSensitiveKey; in query strings key, sig, code, auth and access too) or
// whose values look secret (IsSecretValue) or are e-mail addresses, and a
// fragment carrying parameters (#access_token=…). Everything else —
// scheme, host, path, harmless parameters — is kept byte for byte.
func ScrubURL(u string) string {
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

// ---- free text -------------------------------------------------------------------------

// ScrubSecrets replaces the secrets and personal data in free text and
// returns the text and how many values it replaced. It finds:
//
//   - Bearer/Basic credentials, Authorization headers (the scheme is kept:
//     "Authorization: Bearer [Filtered]"), Cookie and Set-Cookie values;
//   - JWTs (three or five base64url segments whose header decodes to JSON);
//   - vendor keys by prefix: Sentry (sntrys_, sntryu_), AWS access key ids
//     (AKIA…, ASIA…), GitHub (ghp_, gho_, ghs_, ghu_, ghr_, github_pat_),
//     GitLab (glpat-), Slack (xox[abprs]-, xapp-), Stripe (sk_live_,
//     sk_test_, rk_…, whsec_), OpenAI and Anthropic (sk-…, sk-proj-…,
//     sk-ant-…), Google (AIza…), npm (npm_), Hugging Face (hf_);
//   - PEM private key blocks (certificates and public keys are kept);
//   - the userinfo of URLs, so a Sentry DSN's public key
//     (https://KEY@o1.ingest.sentry.io/ID) and database passwords
//     (postgres://app:pw@db/app) go, host and path stay;
//   - values labelled by a sensitive name (see IsSensitiveKey) in JSON
//     ("api_key": "…"), Python reprs, query strings (password=…), env files
//     (DB_PASSWORD=…), YAML (token: …), HTTP header dumps, Go %+v
//     ({Password:…}), [name, value] pairs, SQL literals (password = '…'),
//     and values of other names that look like random keys (name=<32+
//     mixed characters>, as in URLs);
//   - e-mail addresses; credit card numbers (13–19 digits, optionally
//     grouped by spaces or dashes, with a card network prefix and a valid
//     Luhn check digit, so order ids and timestamps survive); users' IP
//     addresses when labelled (ip_address, X-Forwarded-For, client_ip…).
//
// Values Sentry already marked "[Filtered]" are kept as they are, and so
// are placeholders (%s, ?, $1, :name, ${VAR}, {{var}}), empty values, null,
// booleans, and in code, references and expressions (password=password,
// token = get_token(), auth=self.token, token: str), so source and SQL read
// the same. Ordinary ids are never touched: event, trace and span ids,
// short ids like PAYMENTS-7Q, git shas, UUIDs, numbers, paths, URLs without
// credentials.
//
// Replacements are FilteredMarker or a typed marker ("[Filtered: email]",
// "[Filtered: card]", "[Filtered: jwt]", "[Filtered: github token]", …).
// Scrubbing is idempotent, and text without a candidate is returned as is
// without allocating.
func ScrubSecrets(s string) (string, int) {
	z := scrubber{s: s}
	for i := 0; i < len(s); {
		c := s[i]
		next := i + 1
		switch scrubClass[c] {
		case 0:
			i = next
			continue
		case clsWord:
			if i > 0 && isWordByte(s[i-1]) {
				break
			}
			if e := z.word(i); e > 0 {
				next = e
			}
		case clsSep:
			if e := z.pair(i); e > 0 {
				next = e
			}
		case clsAt:
			if st, e := emailSpan(s, i, z.last); e > 0 {
				z.put(st, e, markEmail)
				next = e
			}
		case clsDash:
			if strings.HasPrefix(s[i:], "-----BEGIN ") {
				if e := privKeyEnd(s, i); e > 0 {
					z.put(i, e, markPrivKey)
					next = e
				}
			} else if e := z.flag(i); e > 0 {
				next = e
			}
		}
		i = next
	}
	if z.out == nil {
		return s, 0
	}
	z.out = append(z.out, s[z.last:]...)
	return string(z.out), z.n
}

const (
	clsWord = 1 + iota
	clsSep
	clsAt
	clsDash
)

// scrubClass is the fast path: most bytes start nothing.
var scrubClass = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = clsWord
	}
	for _, c := range "ABbeghnrswx" {
		t[c] = clsWord
	}
	t['='], t[':'], t[','] = clsSep, clsSep, clsSep
	t['@'] = clsAt
	t['-'] = clsDash
	return t
}()

type scrubber struct {
	s    string
	out  []byte // nil until the first replacement
	last int    // s[:last] is in out
	n    int
}

func (z *scrubber) put(start, end int, marker string) {
	if z.out == nil {
		z.out = make([]byte, 0, len(z.s)+len(marker))
	}
	z.out = append(z.out, z.s[z.last:start]...)
	z.out = append(z.out, marker...)
	z.last = end
	z.n++
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isB64URL(c byte) bool { return isWordByte(c) || c == '-' }

// word looks at a word starting at i for the shapes that need no label:
// card numbers, JWTs, vendor-prefixed keys, Bearer/Basic credentials. It
// returns where scanning continues (0: nothing found).
func (z *scrubber) word(i int) int {
	s := z.s
	c := s[i]
	if isDigit(c) {
		if st, e := cardSpan(s, i, z.last); e > 0 {
			z.put(st, e, markCard)
			return e
		}
		return 0
	}
	if i > 0 && s[i-1] == '-' {
		return 0 // inside a dashed name
	}
	if e := jwtEnd(s, i); e > 0 {
		z.put(i, e, markJWT)
		return e
	}
	if e, mark := prefixToken(s, i); e > 0 {
		z.put(i, e, mark)
		return e
	}
	if c == 'B' || c == 'b' {
		if cs, ce := schemeCredential(s, i); ce > 0 {
			z.put(cs, ce, FilteredMarker)
			return ce
		}
	}
	return 0
}

// flag handles a command-line flag at i whose value follows after a space:
// --password hunter2, --auth-token "…" (--token=… is a pair). It returns
// where scanning continues (0: nothing replaced).
func (z *scrubber) flag(i int) int {
	s := z.s
	if !strings.HasPrefix(s[i:], "--") || i > 0 && strings.IndexByte(" \t\n\"'", s[i-1]) < 0 {
		return 0
	}
	j := i + 2
	for j < len(s) && j-i < 64 && (isAlnum(s[j]) || s[j] == '-' || s[j] == '_') {
		j++
	}
	if j == i+2 || j+1 >= len(s) || s[j] != ' ' {
		return 0
	}
	var buf [64]byte
	switch classifyKey(normKey(buf[:0], s[i+2:j])) {
	case keyToken, keyStrong, keyHeader, keyCookie:
	default:
		return 0
	}
	v := j + 1
	for v < len(s) && s[v] == ' ' {
		v++
	}
	if v >= len(s) || s[v] == '-' || s[v] == '\\' {
		return 0 // the next flag, or a continued line
	}
	vs, ve := v, v
	if q := s[v]; q == '"' || q == '\'' {
		vs = v + 1
		ve = vs
		for ve < len(s) && s[ve] != q && s[ve] != '\n' {
			ve++
		}
	} else {
		for ve < len(s) && !valueEnd(s[ve], false) {
			ve++
		}
	}
	val := s[vs:ve]
	if len(val) < 2 || strings.Contains(val, "[Filtered") || keepValue(val) || typeName(val) {
		return 0
	}
	mark := FilteredMarker
	if m := shapeMark(val); m != "" {
		mark = m
	}
	z.put(vs, ve, mark)
	return ve
}

// schemeCredential finds "Bearer <credential>" or "Basic <credential>" at
// i and returns the credential's span.
func schemeCredential(s string, i int) (int, int) {
	var n int
	switch {
	case len(s)-i > 7 && strings.EqualFold(s[i:i+6], "bearer"):
		n = 6
	case len(s)-i > 6 && strings.EqualFold(s[i:i+5], "basic"):
		n = 5
	default:
		return 0, 0
	}
	j := i + n
	if s[j] != ' ' {
		return 0, 0
	}
	for j < len(s) && s[j] == ' ' {
		j++
	}
	st := j
	var up, lo, dig, punct bool
	for j < len(s) {
		c := s[j]
		switch {
		case c >= 'A' && c <= 'Z':
			up = true
		case c >= 'a' && c <= 'z':
			lo = true
		case c >= '0' && c <= '9':
			dig = true
		case c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=' || c == '-':
			punct = true
		default:
			goto done
		}
		j++
	}
done:
	for j > st && (s[j-1] == '.' || s[j-1] == '-') && !(j < len(s) && isWordByte(s[j])) {
		j-- // a sentence's full stop
	}
	if j-st < 8 || !(dig || up && lo || punct && j-st >= 16) {
		return 0, 0
	}
	return st, j
}

// ---- shapes ----------------------------------------------------------------------------

type prefixRule struct {
	prefix string
	min    int // shortest body after the prefix
	max    int // longest (0: any)
	body   func(byte) bool
	mark   string
	mixed  bool // the body must hold a letter and a digit
}

func isUpperAlnum(c byte) bool { return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }
func isLowerHex(c byte) bool   { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }
func isB64Std(c byte) bool     { return isWordByte(c) || c == '+' || c == '/' || c == '=' }

var prefixRules = func() (t [256][]prefixRule) {
	rules := []prefixRule{
		{prefix: "AKIA", min: 16, max: 16, body: isUpperAlnum, mark: "[Filtered: aws key]"},
		{prefix: "ASIA", min: 16, max: 16, body: isUpperAlnum, mark: "[Filtered: aws key]"},
		{prefix: "AIza", min: 30, body: isB64URL, mark: "[Filtered: google api key]"},
		{prefix: "ghp_", min: 20, body: isAlnum, mark: "[Filtered: github token]"},
		{prefix: "gho_", min: 20, body: isAlnum, mark: "[Filtered: github token]"},
		{prefix: "ghs_", min: 20, body: isAlnum, mark: "[Filtered: github token]"},
		{prefix: "ghu_", min: 20, body: isAlnum, mark: "[Filtered: github token]"},
		{prefix: "ghr_", min: 20, body: isAlnum, mark: "[Filtered: github token]"},
		{prefix: "github_pat_", min: 20, body: isWordByte, mark: "[Filtered: github token]"},
		{prefix: "glpat-", min: 20, body: isB64URL, mark: "[Filtered: gitlab token]"},
		{prefix: "sntrys_", min: 20, body: isB64Std, mark: "[Filtered: sentry token]"},
		{prefix: "sntryu_", min: 32, body: isLowerHex, mark: "[Filtered: sentry token]"},
		{prefix: "sk_live_", min: 10, body: isAlnum, mark: "[Filtered: stripe live key]"},
		{prefix: "rk_live_", min: 10, body: isAlnum, mark: "[Filtered: stripe live key]"},
		{prefix: "sk_test_", min: 10, body: isAlnum, mark: "[Filtered: stripe test key]"},
		{prefix: "rk_test_", min: 10, body: isAlnum, mark: "[Filtered: stripe test key]"},
		{prefix: "whsec_", min: 20, body: isAlnum, mark: "[Filtered: stripe webhook secret]"},
		{prefix: "sk-ant-", min: 20, body: isB64URL, mark: "[Filtered: anthropic key]", mixed: true},
		{prefix: "sk-", min: 20, body: isB64URL, mark: "[Filtered: openai key]", mixed: true},
		{prefix: "xoxa-", min: 10, body: isB64URL, mark: "[Filtered: slack token]"},
		{prefix: "xoxb-", min: 10, body: isB64URL, mark: "[Filtered: slack token]"},
		{prefix: "xoxp-", min: 10, body: isB64URL, mark: "[Filtered: slack token]"},
		{prefix: "xoxr-", min: 10, body: isB64URL, mark: "[Filtered: slack token]"},
		{prefix: "xoxs-", min: 10, body: isB64URL, mark: "[Filtered: slack token]"},
		{prefix: "xapp-", min: 10, body: isB64URL, mark: "[Filtered: slack token]"},
		{prefix: "npm_", min: 36, body: isAlnum, mark: "[Filtered: npm token]"},
		{prefix: "hf_", min: 30, body: isAlnum, mark: "[Filtered: huggingface token]"},
	}
	for _, r := range rules {
		t[r.prefix[0]] = append(t[r.prefix[0]], r)
	}
	return t
}()

// prefixToken matches a vendor-prefixed key or token at i and returns its
// end and marker (0 when none matches).
func prefixToken(s string, i int) (int, string) {
	for _, r := range prefixRules[s[i]] {
		if !strings.HasPrefix(s[i:], r.prefix) {
			continue
		}
		j := i + len(r.prefix)
		st := j
		var let, dig bool
		for j < len(s) && r.body(s[j]) {
			if isDigit(s[j]) {
				dig = true
			} else if isAlnum(s[j]) {
				let = true
			}
			j++
		}
		// A token ends at a boundary: a trailing '=' or '/' of base64 is
		// part of it, any further letter is not.
		if n := j - st; n < r.min || r.max > 0 && n > r.max || j < len(s) && isAlnum(s[j]) {
			continue
		}
		if r.mixed && !(let && dig) {
			continue
		}
		return j, r.mark
	}
	return 0, ""
}

// jwtEnd matches a JWT (or JWE) at i: base64url segments joined by dots,
// the first decoding to a JSON object. It returns the end (0: none).
func jwtEnd(s string, i int) int {
	if !strings.HasPrefix(s[i:], "eyJ") || i > 0 && (isB64URL(s[i-1]) || s[i-1] == '.') {
		return 0
	}
	seg := func(j int) int {
		for j < len(s) && isB64URL(s[j]) {
			j++
		}
		return j
	}
	e1 := seg(i)
	if e1-i < 10 || e1 >= len(s) || s[e1] != '.' || e1-i > 4096 {
		return 0
	}
	hdr, err := base64.RawURLEncoding.DecodeString(s[i:e1])
	if err != nil || len(hdr) < 2 || hdr[0] != '{' || !strings.Contains(string(hdr), `"`) {
		return 0
	}
	e2 := seg(e1 + 1)
	if e2-(e1+1) < 2 || e2 >= len(s) || s[e2] != '.' {
		return 0
	}
	e3 := seg(e2 + 1)
	if e3 == e2+1 {
		// An unsecured JWT ("alg":"none") ends with the dot.
		if !strings.HasPrefix(s[e1+1:], "eyJ") || e3 < len(s) && isAlnum(s[e3]) {
			return 0
		}
		return e3
	}
	end := e3
	for k := 0; k < 2 && end+1 < len(s) && s[end] == '.' && isB64URL(s[end+1]); k++ {
		end = seg(end + 1)
	}
	return end
}

var pemHeader = regexp.MustCompile(`^-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----`)

// privKeyEnd matches a PEM private key block at i, up to its END line or,
// when that was cut off, to the end of its base64 body.
func privKeyEnd(s string, i int) int {
	w := s[i:]
	if len(w) > 100 {
		w = w[:100]
	}
	m := pemHeader.FindStringSubmatchIndex(w)
	if m == nil {
		return 0
	}
	body := i + m[1]
	label := s[i+m[2] : i+m[3]]
	limit := min(len(s), body+64<<10)
	if e := strings.Index(s[body:limit], "-----END "+label+"-----"); e >= 0 {
		return body + e + len("-----END "+label+"-----")
	}
	j := body
	for j < limit {
		c := s[j]
		if isB64Std(c) || c == '\n' || c == '\r' || c == ' ' || c == '\t' || c == '\\' || c == ':' || c == ',' || c == '-' {
			j++
			continue
		}
		break
	}
	return j
}

// cardSpan matches a payment card number starting at the digit i (not
// inside a dashed number that starts at or after floor): 13–19
// digits in one run or in the usual groups (4-4-4-4, 4-4-4-4-3, 4-6-5,
// 4-6-4) separated by single spaces or dashes, with a card network prefix
// and a valid Luhn check digit.
func cardSpan(s string, i, floor int) (int, int) {
	if i > 0 && (s[i-1] == '.' || s[i-1] == '+' || s[i-1] == '-' && i-2 >= floor && isDigit(s[i-2])) {
		return 0, 0
	}
	var groups [6][2]int
	n := 0
	var sep byte
	j := i
	for n < len(groups) {
		st := j
		for j < len(s) && isDigit(s[j]) && j-st < 20 {
			j++
		}
		groups[n] = [2]int{st, j}
		n++
		if j+1 < len(s) && (s[j] == ' ' || s[j] == '-') && isDigit(s[j+1]) && (sep == 0 || sep == s[j]) {
			sep = s[j]
			j++
			continue
		}
		break
	}
	after := func(e int) bool { // the number ends at e
		return e >= len(s) || !isWordByte(s[e]) && !(s[e] == '.' && e+1 < len(s) && isDigit(s[e+1]))
	}
	var digits [19]byte
	try := func(g int) int { // the first g groups are the number
		k := 0
		for _, gr := range groups[:g] {
			for p := gr[0]; p < gr[1]; p++ {
				if k == len(digits) {
					return 0
				}
				digits[k] = s[p]
				k++
			}
		}
		e := groups[g-1][1]
		if k < 13 || !after(e) || !cardNumber(digits[:k]) {
			return 0
		}
		return e
	}
	if l := groups[0][1] - groups[0][0]; l >= 13 && l <= 19 {
		// One run of digits: Sentry's project and organization ids are
		// 16 digits starting with 45, so ids are not cards.
		if e := try(1); e > 0 && !idContext(s, i) {
			return i, e
		}
		return 0, 0
	}
	for _, p := range [][]int{{4, 4, 4, 4, 3}, {4, 4, 4, 4}, {4, 6, 5}, {4, 6, 4}} {
		if len(p) > n {
			continue
		}
		ok := true
		for g, l := range p {
			if groups[g][1]-groups[g][0] != l {
				ok = false
				break
			}
		}
		if ok {
			if e := try(len(p)); e > 0 {
				return i, e
			}
		}
	}
	return 0, 0
}

// idContext reports whether the number at i is an id by its name or place:
// "project_id": 4508…, projectId=…, "ids": [4508…, 4508…], project 4508…,
// /projects/4508…/.
func idContext(s string, i int) bool {
	p := i - 1
	for p >= 0 && i-p < 160 && (strings.IndexByte(" \t\"':=[,", s[p]) >= 0 || isDigit(s[p])) {
		p--
	}
	if p < 0 {
		return false
	}
	if s[p] == '/' || s[p] == '#' {
		return true
	}
	e := p + 1
	for p >= 0 && e-p < 40 && (isAlnum(s[p]) || s[p] == '_' || s[p] == '.' || s[p] == '-') {
		p--
	}
	w := s[p+1 : e]
	if strings.HasSuffix(w, "Id") || strings.HasSuffix(w, "ID") || strings.HasSuffix(w, "Ids") || strings.HasSuffix(w, "IDs") {
		return true
	}
	lw := strings.ToLower(w)
	for _, x := range []string{"id", "ids"} {
		if lw == x || strings.HasSuffix(lw, "_"+x) || strings.HasSuffix(lw, "."+x) || strings.HasSuffix(lw, "-"+x) {
			return true
		}
	}
	switch lw {
	case "project", "projects", "org", "organization", "issue", "group", "event", "trace", "span", "release", "build", "order", "ticket":
		return true
	}
	return false
}

// cardNumber checks a network prefix, the length it allows and the Luhn
// check digit.
func cardNumber(d []byte) bool {
	n := len(d)
	two := int(d[0]-'0')*10 + int(d[1]-'0')
	four := two*100 + int(d[2]-'0')*10 + int(d[3]-'0')
	ok := false
	switch d[0] {
	case '4': // Visa
		ok = n == 13 || n == 16 || n == 19
	case '3': // Amex, Diners, JCB
		ok = (two == 34 || two == 37) && n == 15 || (two == 36 || two == 38 || two == 39 || two == 30) && n >= 14 && n <= 19 ||
			two == 35 && n >= 16 && n <= 19
	case '5': // Mastercard, Maestro
		ok = n >= 16 && n <= 19 || two == 50 && n >= 12
	case '2': // Mastercard 2-series
		ok = four >= 2221 && four <= 2720 && n == 16
	case '6': // Discover, UnionPay, Maestro, RuPay
		ok = n >= 16 && n <= 19
	}
	if !ok {
		return false
	}
	sum := 0
	for k := 0; k < n; k++ {
		x := int(d[n-1-k] - '0')
		if k%2 == 1 {
			x *= 2
			if x > 9 {
				x -= 9
			}
		}
		sum += x
	}
	return sum%10 == 0
}

// emailSpan matches an e-mail address around the '@' at i, not starting
// before floor.
func emailSpan(s string, i, floor int) (int, int) {
	st := i
	for st > floor && i-st < 64 && emailLocalByte(s[st-1]) {
		st--
	}
	for st < i && (s[st] == '.' || s[st] == '-' || s[st] == '+') {
		st++
	}
	if st == i || s[i-1] == '.' {
		return 0, 0
	}
	j := i + 1
	labels, lastStart := 0, j
	for j < len(s) && j-i < 256 {
		ls := j
		for j < len(s) && (isAlnum(s[j]) || s[j] == '-') {
			j++
		}
		if j == ls || s[ls] == '-' || s[j-1] == '-' {
			j = ls
			break
		}
		labels++
		lastStart = ls
		if j+1 < len(s) && s[j] == '.' && isAlnum(s[j+1]) {
			j++
			continue
		}
		break
	}
	if labels < 2 {
		return 0, 0
	}
	// j may have stopped at a label we rejected; drop a trailing dot.
	for j > lastStart && s[j-1] == '.' {
		j--
	}
	tld := s[lastStart:j]
	if len(tld) < 2 || len(tld) > 24 {
		return 0, 0
	}
	for k := 0; k < len(tld); k++ {
		if !(tld[k] >= 'a' && tld[k] <= 'z' || tld[k] >= 'A' && tld[k] <= 'Z') {
			return 0, 0
		}
	}
	if fileExt[strings.ToLower(tld)] {
		return 0, 0
	}
	if j < len(s) && (isWordByte(s[j]) || s[j] == '@' || strings.HasPrefix(s[j:], "[Filtered")) {
		return 0, 0 // part of something longer (glued to a marker: it was when that was scrubbed)
	}
	if s[st:i] == "git" && j < len(s) && s[j] == ':' { // git@github.com:org/repo.git
		return 0, 0
	}
	return st, j
}

func emailLocalByte(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

// fileExt are top-level "domains" that are file names (icon@2x.png).
var fileExt = map[string]bool{"png": true, "jpg": true, "jpeg": true, "gif": true, "svg": true, "webp": true, "ico": true,
	"js": true, "mjs": true, "cjs": true, "ts": true, "tsx": true, "jsx": true, "css": true, "map": true, "json": true,
	"py": true, "go": true, "rb": true, "java": true, "kt": true, "txt": true, "html": true, "lock": true, "yaml": true,
	"yml": true, "toml": true, "md": true, "so": true, "dll": true, "wasm": true, "vue": true, "php": true}

// ---- labelled values -------------------------------------------------------------------

// pair handles a separator ('=', ':', "=>", or the ',' of a
// ["name", "value"] pair) at i: it reads the name before it and, when the
// name is sensitive, replaces the value after it. It also filters the
// userinfo of a URL at "://". It returns where scanning continues (0: at
// i+1).
func (z *scrubber) pair(i int) int {
	s := z.s
	sep := s[i]
	sepLen := 1
	switch sep {
	case ':':
		if strings.HasPrefix(s[i+1:], "//") {
			return z.userinfo(i + 3)
		}
		if i+1 < len(s) && (s[i+1] == ':' || s[i+1] == '=') || i > 0 && s[i-1] == ':' || strings.HasSuffix(s[:i], "[Filtered") {
			return 0 // "::", ":=", or the colon of a marker
		}
	case '=':
		if i+1 < len(s) && s[i+1] == '=' || i > 0 && strings.IndexByte("=!<>+-*/%|&^~:", s[i-1]) >= 0 {
			return 0
		}
		if i+1 < len(s) && s[i+1] == '>' {
			sepLen = 2
		}
	}

	// The name.
	j := i - 1
	for j >= z.last && (s[j] == ' ' || s[j] == '\t') {
		j--
	}
	spaceBefore := j < i-1
	if j < z.last {
		return 0
	}
	var ks, ke, before int // name s[ks:ke]; before: the byte before it (-1: none)
	quotedKey := false
	switch q := s[j]; q {
	case '"', '\'', '`':
		esc := q == '"' && j > z.last && s[j-1] == '\\'
		ke = j
		if esc {
			ke = j - 1
		}
		k := ke - 1
		for k >= z.last && ke-k <= 96 && s[k] != q && s[k] != '\n' {
			k--
		}
		if k < z.last || s[k] != q {
			return 0
		}
		ks = k + 1
		before = k - 1
		if esc {
			if k == z.last || s[k-1] != '\\' {
				return 0
			}
			ks, before = k+1, k-2
		}
		quotedKey = true
	default:
		ke = j + 1
		k := j
		for k >= z.last && ke-k <= 96 && isKeyByte(s[k]) {
			k--
		}
		if ke-k > 96 {
			return 0
		}
		ks, before = k+1, k
	}
	if ks >= ke || strings.Contains(s[ks:ke], "[Filtered") || ks > 0 && s[ks-1] == '@' {
		return 0 // (Sentry's PII rule ids: "@password:filter")
	}
	for k := ks; k < ke; k++ {
		if s[k] == ']' && endsInMarker(s, k+1) {
			return 0 // the words of a marker are not a name: [Filtered: jwt]$:
		}
	}
	p := before
	for p >= 0 && (s[p] == ' ' || s[p] == '\t') {
		p--
	}
	if sep == ',' {
		if !(quotedKey && p >= 0 && (s[p] == '[' || s[p] == '(')) {
			return 0 // only ["name", "value"] pairs
		}
		for k := ks; k < ke; k++ {
			if !isKeyByte(s[k]) {
				return 0 // ("key %q: bad", err) is a format string, not a name
			}
		}
	}
	var buf [96]byte
	cls := classifyKey(normKey(buf[:0], s[ks:ke]))
	if cls == keyNone && quotedKey && sep == ':' && s[ks:ke] == "value" {
		cls = siblingName(s, ks, z.last) // {"key": "api_key", "value": "…"}, HAR's {"name": "Cookie", "value": "…"}
	}
	if cls == keyNone && sep != '=' {
		return 0
	}

	// Where the name stands: query strings, a structured line (JSON, YAML,
	// env, headers, Go %+v) or prose ("invalid token: expired").
	var ctxQuote byte // the quote the name's line is inside (-H "Cookie: …")
	if !quotedKey && before >= 0 && (s[before] == '"' || s[before] == '\'') {
		ctxQuote = s[before]
	}
	query := p >= 0 && (s[p] == '?' || s[p] == '&' || s[p] == '#' || s[p] == ';' && !spaceBefore)
	structured := quotedKey || p < 0 || strings.IndexByte("\n\r{[(,;|&?#\"'`-", s[p]) >= 0 || p > 0 && s[p] == 'n' && s[p-1] == '\\'
	if !structured && p >= 0 {
		// "export TOKEN=…", "set PASSWORD=…", "ENV SECRET …"
		w := p
		for w >= 0 && isAlnum(s[w]) {
			w--
		}
		switch s[w+1 : p+1] {
		case "export", "set", "ENV", "declare", "local", "var", "let", "const":
			structured = true
		}
	}
	if cls == keyParam && !query {
		cls = keyNone
	}

	// The value.
	v := i + sepLen
	for v < len(s) && (s[v] == ' ' || s[v] == '\t') {
		v++
	}
	spaceAfter := v > i+sepLen
	if v >= len(s) {
		return 0
	}
	vs, ve, quoted := z.value(v, cls, sep, ctxQuote, query, quotedKey)
	if ve < 0 {
		return 0
	}
	if cls == keyHeader {
		vs += schemeLen(s[vs:ve]) // keep "Bearer", filter what follows
	}
	val := s[vs:ve]
	if cls == keyNone && len(val) < 12 {
		return 0 // too short for a key IsSecretValue would know
	}
	if len(val) < 2 || strings.Contains(val, "[Filtered") || keepValue(val) {
		return 0 // nothing, already filtered (in part: what is left is scanned on), or a placeholder
	}
	// A separator with spaces on both sides in code: x = y.
	code := sep == '=' && spaceBefore && spaceAfter && !quoted

	if (cls == keyToken || cls == keyParam) && isURL(val) {
		return 0 // dsn: https://KEY@host/1 — the URL's own credentials go, its host and path stay
	}
	mark := FilteredMarker
	switch cls {
	case keyNone:
		// Other names: only key=<random key> (as in URLs), never prose or
		// code. A vendor key or JWT is left to the shape scan, which names it.
		if sep != '=' || spaceBefore || spaceAfter || !IsSecretValue(val) || shapeMark(val) != "" {
			return 0
		}
	case keyIP:
		if !hasIP(val) {
			return 0
		}
		mark = markIP
	default:
		if describesItself(val) {
			return 0
		}
		if !quoted {
			if reference(s[ks:ke], val, s, ve) {
				return 0
			}
			if (cls == keyStrong && (val[0] == '/' || val[0] == '~')) && (s[ks:ke] == "PWD" || s[ks:ke] == "OLDPWD") {
				return 0 // the shell's working directory
			}
			if code && !looksLiteral(val) {
				return 0
			}
			if sep == ':' && !structured && cls != keyHeader && cls != keyCookie &&
				(!credentialLike(val) || strings.IndexByte(strings.TrimRight(val, "="), '=') >= 0) {
				return 0 // prose: "invalid token: expired", "invalid signature: expected=sha256 got=md5"
			}
			if sep == ':' && typeName(val) {
				return 0
			}
		}
	}
	if m := shapeMark(val); m != "" {
		mark = m // STRIPE_KEY=[Filtered: stripe live key]
	}
	z.put(vs, ve, mark)
	return ve
}

// shapeMark is the typed marker of a value that is entirely a JWT or a
// vendor-prefixed key ("" otherwise).
func shapeMark(v string) string {
	if v == "" {
		return ""
	}
	if jwtEnd(v, 0) == len(v) {
		return markJWT
	}
	if e, m := prefixToken(v, 0); e == len(v) {
		return m
	}
	return ""
}

// siblingName classifies the "key" or "name" member that precedes a
// "value" member at ks in the same JSON object: Sentry's tag lists and HAR
// headers and cookies name their values that way.
func siblingName(s string, ks, floor int) keyClass {
	lo := max(floor, ks-256)
	open := strings.LastIndexByte(s[lo:ks], '{')
	if open < 0 || strings.IndexByte(s[lo+open:ks], '}') >= 0 {
		return keyNone
	}
	obj := s[lo+open : ks]
	for _, m := range []string{`"key"`, `"name"`} {
		i := strings.Index(obj, m)
		if i < 0 {
			continue
		}
		r := strings.TrimLeft(obj[i+len(m):], " \t")
		if !strings.HasPrefix(r, ":") {
			continue
		}
		r = strings.TrimLeft(r[1:], " \t")
		if !strings.HasPrefix(r, `"`) {
			continue
		}
		e := strings.IndexByte(r[1:], '"')
		if e < 0 {
			continue
		}
		var buf [96]byte
		if c := classifyKey(normKey(buf[:0], r[1:1+e])); c != keyParam {
			return c
		}
	}
	return keyNone
}

// endsInMarker reports whether s[:e] ends with a marker this scrubber
// wrote ("[Filtered: github token]").
func endsInMarker(s string, e int) bool {
	if e == 0 || s[e-1] != ']' {
		return false
	}
	lo := max(0, e-maxMarkerLen-8)
	m := strings.LastIndex(s[lo:e], "[Filtered")
	return m >= 0 && strings.IndexByte(s[lo+m:e-1], ']') < 0
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

func isKeyByte(c byte) bool {
	return isWordByte(c) || c == '.' || c == '-' || c == '[' || c == ']' || c == '$'
}

// value finds the value that starts at v. It returns its span — for a
// quoted value, inside the quotes — and whether it was quoted; ve < 0 when
// there is nothing to replace.
func (z *scrubber) value(v int, cls keyClass, sep, ctxQuote byte, query, quotedKey bool) (vs, ve int, quoted bool) {
	s := z.s
	lineEnd := func(j int) int { // end of a header value
		for j < len(s) && s[j] != '\n' && s[j] != '\r' && (ctxQuote == 0 || s[j] != ctxQuote) && !(s[j] == '\\' && j+1 < len(s) && (s[j+1] == 'n' || s[j+1] == 'r')) {
			j++
		}
		for j > v && (s[j-1] == ' ' || s[j-1] == '\t') {
			j--
		}
		return j
	}
	switch c := s[v]; {
	case c == ctxQuote:
		return 0, -1, false // the end of the string the name was in: "Authorization:")
	case c == '"' || c == '\'' || c == '`':
		j := v + 1
		for j < len(s) && s[j] != c && s[j] != '\n' {
			if s[j] == '\\' && c != '`' {
				j++ // an escaped character
			}
			j++
		}
		return v + 1, min(j, len(s)), true
	case c == '\\' && v+1 < len(s) && s[v+1] == '"': // JSON inside a JSON string: \"value\"
		e := strings.Index(s[v+2:], `\"`)
		if e < 0 {
			return v + 2, lineEnd(v + 2), true
		}
		return v + 2, v + 2 + e, true
	case c == '{' || c == '[':
		// Authorization:[Bearer …] (Go's header maps), "cookie": {…},
		// "api_keys": ["…"]. Objects under other names are scanned
		// inside; []byte(…), map[…]… are code.
		if cls == keyNone || cls == keyParam || cls == keyIP || c == '{' && (cls == keyToken || cls == keyStrong) {
			return 0, -1, false
		}
		if e := balancedEnd(s, v); e > v+2 && !(e < len(s) && (isWordByte(s[e]) || s[e] == '(' || s[e] == '{')) {
			return v, e, true
		}
		return 0, -1, false
	case c == '<':
		return 0, -1, false // <AuthClient object at 0x…>, <hidden>
	}
	if sep == ':' && !quotedKey { // a header line; in JSON an unquoted value is a number or null
		switch cls {
		case keyCookie:
			return v, lineEnd(v), false
		case keyHeader:
			return v, z.authEnd(v, lineEnd(v), query), false
		case keyIP:
			j := v
			for j < len(s) && (isAlnum(s[j]) || s[j] == '.' || s[j] == ':' || s[j] == ',' || s[j] == ' ' && j > v && s[j-1] == ',') {
				j++
			}
			for j > v && (s[j-1] == ',' || s[j-1] == ' ' || s[j-1] == ':') {
				j--
			}
			return v, j, false
		}
	}
	if cls == keyHeader && !quotedKey {
		return v, z.authEnd(v, lineEnd(v), query), false
	}
	j := v
	ident := true // so far a name or a dotted path: os.environ.get
	for j < len(s) && !valueEnd(s[j], query) {
		c := s[j]
		if (c == '(' || c == '[') && ident && j > v {
			break // a call or an index: code
		}
		ident = ident && (isWordByte(c) || c == '.' || c == '$')
		j++
	}
	// A sentence's full stop is not part of the value.
	for j > v && (s[j-1] == '.' || s[j-1] == ':') {
		j--
	}
	return v, j, false
}

// schemeLen is the length of an authentication scheme and the spaces after
// it at the start of v ("Bearer "), 0 when v is a bare credential.
func schemeLen(v string) int {
	j := 0
	for j < len(v) && j <= 24 && (isAlnum(v[j]) || v[j] == '-') {
		j++
	}
	if j == 0 || j >= len(v) || v[j] != ' ' {
		return 0
	}
	for j < len(v) && v[j] == ' ' {
		j++
	}
	if j == len(v) {
		return 0
	}
	return j
}

// authEnd is where an Authorization value that starts at v ends: the
// scheme and one credential ("Bearer x"), to the end of the line for
// parameter schemes (Digest, AWS4-HMAC-SHA256, Sentry …).
func (z *scrubber) authEnd(v, lineEnd int, query bool) int {
	s := z.s
	j := v
	for j < lineEnd && (isAlnum(s[j]) || s[j] == '-') {
		j++
	}
	if j < lineEnd && s[j] == ' ' && j > v && j-v <= 24 {
		switch strings.ToLower(s[v:j]) {
		case "digest", "aws4-hmac-sha256", "sentry", "oauth", "signature", "hoba", "mutual", "negotiate", "ntlm":
			return lineEnd
		}
		j++
		for j < lineEnd && s[j] == ' ' {
			j++
		}
	}
	for j < lineEnd && !valueEnd(s[j], query) {
		j++
	}
	return j
}

func valueEnd(c byte, query bool) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '&', '"', '\'', '`', ',', ';', ')', ']', '}', '<', '>', '\\', '|':
		return true
	case '#':
		return query
	}
	return false
}

// balancedEnd is the end of the {…} or […] at v (0 when it does not close
// within 4 KiB).
func balancedEnd(s string, v int) int {
	depth := 0
	var q byte
	for j := v; j < len(s) && j-v < 4096; j++ {
		c := s[j]
		if q != 0 {
			if c == '\\' {
				j++
			} else if c == q {
				q = 0
			}
			continue
		}
		switch c {
		case '"', '\'':
			q = c
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return j + 1
			}
		}
	}
	return 0
}

// keepValue reports values that are not secrets whatever their name:
// empty, null, booleans, placeholders and redactions.
func keepValue(v string) bool {
	switch strings.ToLower(v) {
	case "null", "none", "nil", "undefined", "true", "false", "?", "%s", "%d", "%v", "%q", "***", "****", "*****",
		"******", "********", "redacted", "[redacted]", "<redacted>", "xxx", "xxxx", "...", "…", "|", ">", "-", "''", `""`,
		"[]", "{}", "same-origin", "include", "omit", "required", "optional", "bearer", "basic", "bearer ", "basic ", "token ",
		"token", "secret", "password", "passwd", "key", "apikey", "api_key", "credentials", "signature", "cookie", "session", "auth", "jwt",
		"<token>", "your_token", "your-token":
		return true
	}
	switch {
	case v[0] == '$' && len(v) > 1 && v[1] == '{', strings.HasPrefix(v, "{{"), strings.HasPrefix(v, "%(") && strings.HasSuffix(v, ")s"):
		return true // ${VAR}, {{ var }}, %(name)s
	case v[0] == '<' && v[len(v)-1] == '>':
		return true // <requests.sessions.Session object at 0x…>, <hidden>
	case v[0] == '{' && v[len(v)-1] == '}' && len(v) > 2:
		// A format placeholder: {resp.status_code}, {0}, {token!r}.
		for i := 1; i < len(v)-1; i++ {
			if c := v[i]; !(isWordByte(c) || c == '.' || c == '!' || c == '[' || c == ']' || c == '(' || c == ')') {
				return false
			}
		}
		return true
	case isVersion(v):
		return true // "cookie-parser": "^1.4.6"
	case strings.Contains(v, "***"):
		return true // already masked: sntryu_****abab
	case v[0] == '$' || v[0] == ':' || v[0] == '@':
		// SQL parameters: $1, :name, @p1.
		for i := 1; i < len(v); i++ {
			if !isWordByte(v[i]) {
				return false
			}
		}
		return len(v) > 1
	}
	return false
}

// isVersion reports version numbers and ranges: 1.4.6, ^2.0, ~>3.1, v1.31.2.
func isVersion(v string) bool {
	v = strings.TrimLeft(v, "^~>=<v ")
	dots, digits := 0, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case isDigit(c):
			digits++
		case c == '.' && i > 0 && isDigit(v[i-1]):
			dots++
		case c == '-' || c == '+' || c == 'x' || c == '*':
			if dots == 0 {
				return false
			}
		default:
			if dots < 2 && !(dots == 1 && i == len(v)) {
				return false
			}
			// 1.2.3-beta.1 and the like
			if !isAlnum(c) && c != '.' {
				return false
			}
		}
	}
	return dots >= 1 && dots != 3 && digits >= 2 && isDigit(v[0]) // (four numbers are an IPv4 address)
}

// describesItself reports values that name the secret rather than hold it:
// multi-word names with the secret's word in them and no digits —
// "X-Acme-Signature", "missing_signature", "SESSION_COOKIE_NAME".
func describesItself(v string) bool {
	if len(v) > 64 {
		return false
	}
	sep := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '-' || c == '_' || c == ' ' || c == '.':
			sep = true
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		default:
			return false
		}
	}
	if !sep {
		return false
	}
	var buf [64]byte
	return mayBeSensitive(normKey(buf[:0], v))
}

// reference reports an unquoted value that is a name in code rather than
// data: password=password, auth=self.token, token=get_token(),
// key=db_password, secret=API_SECRET.
func reference(key, v, s string, ve int) bool {
	if !(v[0] == '_' || v[0] >= 'a' && v[0] <= 'z' || v[0] >= 'A' && v[0] <= 'Z') {
		return false
	}
	var dig, dot, under, camel, lower, upper bool
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case isDigit(c):
			dig = true
		case c == '.':
			dot = true
		case c == '_':
			under = true
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= 'A' && c <= 'Z':
			upper = true
			if i > 0 && v[i-1] >= 'a' && v[i-1] <= 'z' {
				camel = true
			}
		default:
			return false
		}
	}
	if ve < len(s) && (s[ve] == '(' || s[ve] == '[') {
		return true // a call or an index
	}
	lv := strings.ToLower(v)
	named := false
	for _, w := range []string{"password", "passwd", "secret", "token", "key", "auth", "cookie", "session", "cred", "pwd", "pass", "sig"} {
		if strings.Contains(lv, w) {
			named = true
			break
		}
	}
	if named && (dot || under || camel) && !dig || strings.EqualFold(v, key) {
		return true
	}
	if len(v) <= 3 && !dig && !under && !dot {
		return true // a short variable: {tokens: t}
	}
	if !dig && !dot && len(v) >= 3 && strings.Contains(strings.ToLower(key), lv) {
		return true // {SIGNATURE_HEADER: signature}
	}
	if dot && !dig && lower {
		return true // self.value, settings.db
	}
	return upper && !lower && under && !dig // a constant: API_SECRET
}

// looksLiteral reports an unquoted right-hand side of "x = y" that is data
// rather than an expression: something with a digit and no call.
func looksLiteral(v string) bool {
	dig := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case isDigit(c):
			dig = true
		case c == '(' || c == '.' && i+1 < len(v) && !isDigit(v[i+1]):
			return false
		}
	}
	return dig || IsSecretValue(v)
}

// credentialLike is the test for a value after a sensitive name in prose:
// a letters-and-digits string of 6 or more, or a key shape.
func credentialLike(v string) bool {
	if IsSecretValue(v) {
		return true
	}
	var let, dig bool
	for i := 0; i < len(v); i++ {
		if isDigit(v[i]) {
			dig = true
		} else if isAlnum(v[i]) {
			let = true
		}
	}
	return len(v) >= 6 && let && dig
}

// typeName reports type annotations after a colon: token: str.
func typeName(v string) bool {
	switch v {
	case "str", "string", "String", "bytes", "int", "bool", "boolean", "number", "any", "Any", "object", "Optional",
		"dict", "list", "None", "[]byte", "&str", "char", "uuid", "UUID", "text", "varchar", "Text":
		return true
	}
	return false
}

// hasIP reports whether a value holds an IPv4 or IPv6 address.
func hasIP(v string) bool {
	dots, digits, colons := 0, 0, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case isDigit(c):
			digits++
		case c == '.':
			dots++
		case c == ':':
			colons++
		}
	}
	return dots >= 3 && digits >= 4 || colons >= 2
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
