package redact

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"strings"
)

// Shapes: values that are secret or personal whatever their name — vendor
// keys, JWTs, private key blocks, card numbers, e-mail addresses.

const (
	markEmail   = "[Filtered: email]"
	markCard    = "[Filtered: card]"
	markIP      = "[Filtered: ip]"
	markJWT     = "[Filtered: jwt]"
	markPrivKey = "[Filtered: private key]"
)

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

type prefixRule struct {
	prefix string
	min    int // shortest body after the prefix
	max    int // longest (0: any)
	body   func(byte) bool
	mark   string
	mixed  bool // the body must hold a letter and a digit
}

func isUpperAlnum(c byte) bool { return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }

func isLowerHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }

func isB64Std(c byte) bool { return isWordByte(c) || c == '+' || c == '/' || c == '=' }

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
	if isIDName(w) {
		return true
	}
	switch strings.ToLower(w) {
	case "project", "projects", "org", "organization", "issue", "group", "event", "trace", "span", "release", "build", "order", "ticket":
		return true
	}
	return false
}

// isIDName reports names of ids: id, project_id, projectID, issueIds…
func isIDName(w string) bool {
	if strings.HasSuffix(w, "Id") || strings.HasSuffix(w, "ID") || strings.HasSuffix(w, "Ids") || strings.HasSuffix(w, "IDs") {
		return true
	}
	lw := strings.ToLower(w)
	for _, x := range []string{"id", "ids"} {
		if lw == x || strings.HasSuffix(lw, "_"+x) || strings.HasSuffix(lw, "."+x) || strings.HasSuffix(lw, "-"+x) {
			return true
		}
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
