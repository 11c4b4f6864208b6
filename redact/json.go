package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Structured values: a JSON document scrubbed member by member, so that
// the names around a value say what it is ("password": …, ["Cookie", …],
// {"key": "api_key", "value": …}) and the result stays valid JSON with the
// same members in the same order.

// JSON returns the JSON document data with its secrets and personal data
// replaced and with every character that could act on a terminal escaped,
// for --format json, transcripts and any other JSON that leaves tracehound.
//
//   - The value of a member whose name is sensitive (IsSensitiveKey, or a
//     user's IP address or identity: IsPIITag) becomes FilteredMarker; a
//     nested object or array under such a name has every string and number
//     filtered, its member names kept. An Authorization value keeps its
//     scheme ("Bearer [Filtered]").
//   - So does the second element of a ["name", value] pair (Sentry's
//     headers, cookies and query) and the "value" of an object whose "key"
//     or "name" is sensitive (Sentry's tags, HAR headers).
//   - Every other string, and member names, go through Secrets; a number
//     under an id-like name is never taken for a card number.
//   - Control characters, DEL, C1 controls (U+0080–U+009F), bidi controls
//     and U+FEFF are written as \u escapes, so no raw escape byte is
//     printed; decoding the result gives them back as data.
//
// Numbers, booleans and nulls are kept as written; a filtered number
// becomes the string FilteredMarker. The output is compact when indent is
// "" and indented by indent otherwise. data must be one JSON value.
func JSON(data []byte, indent string) ([]byte, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	v, err := decodeValue(d)
	if err != nil {
		return nil, fmt.Errorf("redact: not a JSON value: %w", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("redact: more than one JSON value")
	}
	scrubValue(v, "", keyNone)
	var b bytes.Buffer
	b.Grow(len(data) + len(data)/8)
	writeValue(&b, v)
	if indent == "" {
		return b.Bytes(), nil
	}
	var out bytes.Buffer
	out.Grow(b.Len() * 3 / 2)
	if err := json.Indent(&out, b.Bytes(), "", indent); err != nil {
		return nil, fmt.Errorf("redact: %w", err)
	}
	return out.Bytes(), nil
}

// jsonValue is a decoded JSON value that keeps its members' order.
type jsonValue struct {
	kind  byte   // '{', '[', '"', '0' (number), 'l' (true, false, null)
	s     string // a string's text, a number's or literal's JSON
	names []string
	elems []*jsonValue // members' values (objects) or elements (arrays)
}

// maxDepth bounds nesting, so hostile input cannot exhaust the stack.
const maxDepth = 10000

func decodeValue(d *json.Decoder) (*jsonValue, error) {
	return decodeDepth(d, 0)
}

func decodeDepth(d *json.Decoder, depth int) (*jsonValue, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nested deeper than %d", maxDepth)
	}
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		v := &jsonValue{kind: byte(t)}
		if t != '{' && t != '[' {
			return nil, fmt.Errorf("unexpected %v", t)
		}
		for d.More() {
			if t == '{' {
				k, err := d.Token()
				if err != nil {
					return nil, err
				}
				name, _ := k.(string)
				v.names = append(v.names, name)
			}
			e, err := decodeDepth(d, depth+1)
			if err != nil {
				return nil, err
			}
			v.elems = append(v.elems, e)
		}
		if _, err := d.Token(); err != nil { // the closing delimiter
			return nil, err
		}
		return v, nil
	case string:
		return &jsonValue{kind: '"', s: t}, nil
	case json.Number:
		return &jsonValue{kind: '0', s: string(t)}, nil
	case bool:
		if t {
			return &jsonValue{kind: 'l', s: "true"}, nil
		}
		return &jsonValue{kind: 'l', s: "false"}, nil
	default: // nil
		return &jsonValue{kind: 'l', s: "null"}, nil
	}
}

// keyPII is a class for JSON names only: a user's identity (IsPIITag).
const keyPII keyClass = 255

// nameClass is what a member's name says about its value.
func nameClass(name string) keyClass {
	var buf [96]byte
	switch c := classifyKey(normKey(buf[:0], name)); c {
	case keyParam:
	case keyNone:
		if IsPIITag(name) {
			return keyPII
		}
	default:
		return c
	}
	return keyNone
}

// scrubValue scrubs v in place; name is the member name it is under
// ("" in arrays of unnamed values) and cls what that name says.
func scrubValue(v *jsonValue, name string, cls keyClass) {
	switch v.kind {
	case '"':
		v.s = scrubString(v.s, name, cls)
	case '0':
		switch {
		case cls != keyNone && cls != keyIP:
			v.kind, v.s = '"', FilteredMarker
		case !isIDName(name):
			if s, n := Secrets(v.s); n > 0 {
				v.kind, v.s = '"', s
			}
		}
	case '[':
		if pcls, ok := pairClass(v); ok {
			v.elems[0].s, _ = Secrets(v.elems[0].s)
			scrubValue(v.elems[1], v.elems[0].s, pcls)
			return
		}
		for _, e := range v.elems {
			scrubValue(e, name, cls)
		}
	case '{':
		sib := siblingClass(v)
		for i, e := range v.elems {
			n := v.names[i]
			c := cls
			if c == keyNone || c == keyIP {
				c = nameClass(n)
				if c == keyNone && n == "value" {
					c = sib
				}
			}
			scrubValue(e, n, c)
			v.names[i], _ = Secrets(n)
		}
	}
}

// scrubString scrubs one string value under a name of class cls.
func scrubString(s, name string, cls keyClass) string {
	if s == "" || strings.HasPrefix(s, "[Filtered") {
		return s
	}
	switch cls {
	case keyNone:
		if isIDName(name) && isDigits(s) {
			return s // an id, not a card number
		}
		s, _ = Secrets(s)
		return s
	case keyIP:
		if hasIP(s) {
			return markIP
		}
		s, _ = Secrets(s)
		return s
	case keyHeader:
		if n := schemeLen(s); n > 0 {
			return s[:n] + FilteredMarker
		}
	}
	if keepValue(s) {
		return s
	}
	return FilteredMarker
}

// pairClass reports a ["name", value] pair and what its name says.
func pairClass(v *jsonValue) (keyClass, bool) {
	if len(v.elems) != 2 || v.elems[0].kind != '"' || v.elems[1].kind == '{' || v.elems[1].kind == '[' {
		return keyNone, false
	}
	return nameClass(v.elems[0].s), true
}

// siblingClass is what the "key" or "name" member of an object says about
// its "value" member: {"key": "api_key", "value": "…"}.
func siblingClass(v *jsonValue) keyClass {
	hasValue := false
	var c keyClass
	for i, n := range v.names {
		switch n {
		case "value":
			hasValue = true
		case "key", "name":
			if e := v.elems[i]; e.kind == '"' && c == keyNone {
				c = nameClass(e.s)
			}
		}
	}
	if !hasValue {
		return keyNone
	}
	return c
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func writeValue(b *bytes.Buffer, v *jsonValue) {
	switch v.kind {
	case '"':
		writeString(b, v.s)
	case '0', 'l':
		b.WriteString(v.s)
	case '[':
		b.WriteByte('[')
		for i, e := range v.elems {
			if i > 0 {
				b.WriteByte(',')
			}
			writeValue(b, e)
		}
		b.WriteByte(']')
	case '{':
		b.WriteByte('{')
		for i, e := range v.elems {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, v.names[i])
			b.WriteByte(':')
			writeValue(b, e)
		}
		b.WriteByte('}')
	}
}

// writeString writes s as a JSON string in which nothing can act on a
// terminal: control characters, DEL, C1 controls, bidi controls, line and
// paragraph separators and U+FEFF are \u escapes; invalid UTF-8 becomes
// U+FFFD.
func writeString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\r':
				b.WriteString(`\r`)
			case c == '\t':
				b.WriteString(`\t`)
			case c < 0x20 || c == 0x7f:
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&15])
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\ufffd`)
		case r <= 0x9f || isBidiControl(r) || r == 0xfeff || r == 0x2028 || r == 0x2029:
			b.WriteString(`\u`)
			b.WriteByte(hex[r>>12&15])
			b.WriteByte(hex[r>>8&15])
			b.WriteByte(hex[r>>4&15])
			b.WriteByte(hex[r&15])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
}
