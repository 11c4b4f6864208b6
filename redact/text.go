package redact

import (
	"strings"
)

// Free text: the scanner that finds secrets in log lines, JSON, header
// dumps, env files, source and SQL.

// FilteredMarker replaces a secret value. Typed markers start with it
// ("[Filtered: email]").
const FilteredMarker = "[Filtered]"

// maxMarkerLen is the length of the longest marker Secrets writes.
const maxMarkerLen = len("[Filtered: anthropic key]")

// Secrets replaces the secrets and personal data in free text and
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
func Secrets(s string) (string, int) {
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
