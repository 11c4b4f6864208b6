package redact

import (
	"strings"
)

// Labelled values: a value after a name (name=value, "name": "value",
// Name: value, ["name", "value"]) that says it is secret.

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
	l, ok := z.label(i, sep)
	if !ok {
		return 0
	}
	var buf [96]byte
	cls := classifyKey(normKey(buf[:0], l.name))
	if cls == keyNone && l.quoted && sep == ':' && l.name == "value" {
		cls = siblingName(s, l.ks, z.last) // {"key": "api_key", "value": "…"}, HAR's {"name": "Cookie", "value": "…"}
	}
	if cls == keyNone && sep != '=' {
		return 0
	}
	z.place(&l)
	if cls == keyParam && !l.query {
		cls = keyNone
	}

	// The value.
	v := i + sepLen
	for v < len(s) && (s[v] == ' ' || s[v] == '\t') {
		v++
	}
	if v >= len(s) {
		return 0
	}
	lv := labelled{label: l, cls: cls, sep: sep, spaceAfter: v > i+sepLen}
	vs, ve, quoted := z.value(v, cls, sep, l.ctxQuote, l.query, l.quoted)
	if ve < 0 {
		return 0
	}
	if cls == keyHeader {
		vs += schemeLen(s[vs:ve]) // keep "Bearer", filter what follows
	}
	lv.val, lv.end, lv.quotedValue = s[vs:ve], ve, quoted
	mark := z.verdict(&lv)
	if mark == "" {
		return 0
	}
	z.put(vs, ve, mark)
	return ve
}

// label is the name before a separator and where it stands.
type label struct {
	name        string // s[ks:ke]
	ks, ke      int
	before      int  // the byte before the name (-1: none)
	p           int  // the last non-blank byte before the name (-1: none)
	quoted      bool // "name", 'name' or `name`
	spaceBefore bool // blanks between the name and the separator

	// Set by place: the quote the name's line is inside (-H "Cookie: …"),
	// whether it is in a query string, and whether it is on a structured
	// line (JSON, YAML, env, headers, Go %+v) rather than in prose.
	ctxQuote          byte
	query, structured bool
}

// label reads the name that ends before the separator sep at i (false:
// there is none, or it is not one: a marker's words, a format string).
func (z *scrubber) label(i int, sep byte) (label, bool) {
	s := z.s
	j := i - 1
	for j >= z.last && (s[j] == ' ' || s[j] == '\t') {
		j--
	}
	if j < z.last {
		return label{}, false
	}
	l := label{spaceBefore: j < i-1}
	switch q := s[j]; q {
	case '"', '\'', '`':
		esc := q == '"' && j > z.last && s[j-1] == '\\'
		l.ke = j
		if esc {
			l.ke = j - 1
		}
		k := l.ke - 1
		for k >= z.last && l.ke-k <= 96 && s[k] != q && s[k] != '\n' {
			k--
		}
		if k < z.last || s[k] != q {
			return label{}, false
		}
		l.ks, l.before = k+1, k-1
		if esc {
			if k == z.last || s[k-1] != '\\' {
				return label{}, false
			}
			l.ks, l.before = k+1, k-2
		}
		l.quoted = true
	default:
		l.ke = j + 1
		k := j
		for k >= z.last && l.ke-k <= 96 && isKeyByte(s[k]) {
			k--
		}
		if l.ke-k > 96 {
			return label{}, false
		}
		l.ks, l.before = k+1, k
	}
	l.name = s[l.ks:l.ke]
	if l.ks >= l.ke || strings.Contains(l.name, "[Filtered") || l.ks > 0 && s[l.ks-1] == '@' {
		return label{}, false // (Sentry's PII rule ids: "@password:filter")
	}
	for k := l.ks; k < l.ke; k++ {
		if s[k] == ']' && endsInMarker(s, k+1) {
			return label{}, false // the words of a marker are not a name: [Filtered: jwt]$:
		}
	}
	l.p = l.before
	for l.p >= 0 && (s[l.p] == ' ' || s[l.p] == '\t') {
		l.p--
	}
	if sep == ',' {
		if !(l.quoted && l.p >= 0 && (s[l.p] == '[' || s[l.p] == '(')) {
			return label{}, false // only ["name", "value"] pairs
		}
		for k := l.ks; k < l.ke; k++ {
			if !isKeyByte(s[k]) {
				return label{}, false // ("key %q: bad", err) is a format string, not a name
			}
		}
	}
	return l, true
}

// place finds where a name stands: in a query string, on a structured
// line (JSON, YAML, env, headers, Go %+v) or in prose ("invalid token:
// expired").
func (z *scrubber) place(l *label) {
	s, p := z.s, l.p
	if !l.quoted && l.before >= 0 && (s[l.before] == '"' || s[l.before] == '\'') {
		l.ctxQuote = s[l.before]
	}
	l.query = p >= 0 && (s[p] == '?' || s[p] == '&' || s[p] == '#' || s[p] == ';' && !l.spaceBefore)
	l.structured = l.quoted || p < 0 || strings.IndexByte("\n\r{[(,;|&?#\"'`-", s[p]) >= 0 || p > 0 && s[p] == 'n' && s[p-1] == '\\'
	if !l.structured && p >= 0 {
		// "export TOKEN=…", "set PASSWORD=…", "ENV SECRET …"
		w := p
		for w >= 0 && isAlnum(s[w]) {
			w--
		}
		switch s[w+1 : p+1] {
		case "export", "set", "ENV", "declare", "local", "var", "let", "const":
			l.structured = true
		}
	}
}

// labelled is a value with its name, as pair found it.
type labelled struct {
	label
	cls         keyClass
	sep         byte
	spaceAfter  bool // blanks between the separator and the value
	val         string
	end         int // where the value ends in the text
	quotedValue bool
}

// verdict decides whether a labelled value is replaced, and by which
// marker ("": kept).
func (z *scrubber) verdict(v *labelled) string {
	val, cls := v.val, v.cls
	if cls == keyNone && len(val) < 12 {
		return "" // too short for a key IsSecretValue would know
	}
	if len(val) < 2 || strings.Contains(val, "[Filtered") || keepValue(val) {
		return "" // nothing, already filtered (in part: what is left is scanned on), or a placeholder
	}
	// A separator with spaces on both sides in code: x = y.
	code := v.sep == '=' && v.spaceBefore && v.spaceAfter && !v.quotedValue

	if (cls == keyToken || cls == keyParam) && isURL(val) {
		return "" // dsn: https://KEY@host/1 — the URL's own credentials go, its host and path stay
	}
	mark := FilteredMarker
	switch cls {
	case keyNone:
		// Other names: only key=<random key> (as in URLs), never prose or
		// code. A vendor key or JWT is left to the shape scan, which names it.
		if v.sep != '=' || v.spaceBefore || v.spaceAfter || !IsSecretValue(val) || shapeMark(val) != "" {
			return ""
		}
	case keyIP:
		if !hasIP(val) {
			return ""
		}
		mark = markIP
	default:
		if describesItself(val) {
			return ""
		}
		if !v.quotedValue {
			if reference(v.name, val, z.s, v.end) {
				return ""
			}
			if (cls == keyStrong && (val[0] == '/' || val[0] == '~')) && (v.name == "PWD" || v.name == "OLDPWD") {
				return "" // the shell's working directory
			}
			if code && !looksLiteral(val) {
				return ""
			}
			if v.sep == ':' && !v.structured && cls != keyHeader && cls != keyCookie &&
				(!credentialLike(val) || strings.IndexByte(strings.TrimRight(val, "="), '=') >= 0) {
				return "" // prose: "invalid token: expired", "invalid signature: expected=sha256 got=md5"
			}
			if v.sep == ':' && typeName(val) {
				return ""
			}
		}
	}
	if m := shapeMark(val); m != "" {
		mark = m // STRIPE_KEY=[Filtered: stripe live key]
	}
	return mark
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
