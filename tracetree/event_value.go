// Compact JSON values: local variables and extra data parsed in member order and printed within limits, hiding secrets.

package tracetree

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/go-json-experiment/json/jsontext"
)

// ---- secrets --------------------------------------------------------------------------
//
// Secret and PII detection is shared with every view and the agent: see
// IsSensitiveKey, IsSecretValue, URL and Secrets in package redact.

// evList joins at most n names, counting the rest.
func evList(xs []string, n int) string {
	if len(xs) > n {
		return strings.Join(xs[:n], ", ") + fmt.Sprintf(", … %d more", len(xs)-n)
	}
	return strings.Join(xs, ", ")
}

// evObjectRepr reports values that are object descriptions rather than
// data ("<AuthClient object at 0x…>"), safe whatever the variable's name.
func evObjectRepr(v *evValue) bool {
	return v.kind == '"' && strings.HasPrefix(v.s, "<") && strings.HasSuffix(v.s, ">") && !strings.ContainsAny(v.s, "\n")
}

// ---- compact JSON values ----------------------------------------------------------------

// evValue is a parsed JSON value that keeps member order and number text.
type evValue struct {
	kind byte // '{', '[', '"', '0', 't', 'f', 'n'
	s    string
	keys []string
	vals []*evValue
}

func evParse(raw wire.Raw) *evValue {
	if len(raw) == 0 {
		return nil
	}
	v, err := evDecodeValue(raw)
	if err != nil {
		return nil
	}
	return v
}

func (v *evValue) filtered() bool { return v != nil && v.kind == '"' && v.s == "[Filtered]" }

func (v *evValue) has(key string) bool {
	return v != nil && v.kind == '{' && slices.Contains(v.keys, key)
}

// str returns a scalar member as text ("" when absent or not scalar).
func (v *evValue) str(key string) string {
	if v == nil || v.kind != '{' {
		return ""
	}
	for i, k := range v.keys {
		if k == key {
			switch x := v.vals[i]; x.kind {
			case '"', '0':
				if x.filtered() {
					return ""
				}
				return x.s
			case 't':
				return "true"
			case 'f':
				return "false"
			}
		}
	}
	return ""
}

// compact renders the value on one line, dropping "[Filtered]" values and
// secret-named members (their paths go to hidden), at most n runes.
func (v *evValue) compact(path string, hidden *[]string, n int) string {
	var b strings.Builder
	v.write(&b, path, hidden, 0)
	return Truncate(redact.Line(b.String()), n)
}

// compactMembers renders an object's members as "k=v, k=v" skipping the
// keys in skip.
func (v *evValue) compactMembers(path string, skip map[string]bool, hidden *[]string, n int) string {
	var parts []string
	for i, k := range v.keys {
		if skip[k] {
			continue
		}
		p := evJoinPath(path, k)
		if redact.IsSensitiveKey(k) || redact.IsPIITag(k) || v.vals[i].filtered() {
			*hidden = append(*hidden, p)
			continue
		}
		var b strings.Builder
		v.vals[i].write(&b, p, hidden, 1)
		s := b.String()
		if s == "" {
			continue
		}
		parts = append(parts, k+"="+Truncate(s, 160))
	}
	return Truncate(redact.Line(strings.Join(parts, ", ")), n)
}

func evJoinPath(path, k string) string {
	k = Truncate(redact.Line(k), 60)
	if path == "" {
		return k
	}
	return Truncate(path+"."+k, 120)
}

func (v *evValue) write(b *strings.Builder, path string, hidden *[]string, depth int) {
	if b.Len() > 2000 {
		return
	}
	switch v.kind {
	case '{':
		if depth > 6 {
			b.WriteString("{…}")
			return
		}
		b.WriteByte('{')
		first := true
		for i, k := range v.keys {
			p := evJoinPath(path, k)
			if v.vals[i].filtered() || redact.IsSensitiveKey(k) {
				*hidden = append(*hidden, p)
				continue
			}
			if !first {
				b.WriteString(", ")
			}
			first = false
			b.WriteString(k)
			b.WriteString(": ")
			v.vals[i].write(b, p, hidden, depth+1)
		}
		b.WriteByte('}')
	case '[':
		if depth > 6 {
			b.WriteString("[…]")
			return
		}
		b.WriteByte('[')
		first := true
		for i, x := range v.vals {
			if x.filtered() {
				*hidden = append(*hidden, fmt.Sprintf("%s[%d]", path, i))
				continue
			}
			if !first {
				b.WriteString(", ")
			}
			first = false
			x.write(b, fmt.Sprintf("%s[%d]", path, i), hidden, depth+1)
		}
		b.WriteByte(']')
	case '"':
		if redact.IsSecretValue(v.s) {
			*hidden = append(*hidden, path)
			b.WriteString("[hidden]")
			return
		}
		b.WriteString(v.s)
	case '0':
		b.WriteString(v.s)
	case 't':
		b.WriteString("true")
	case 'f':
		b.WriteString("false")
	case 'n':
		b.WriteString("null")
	}
}

// evDecodeValue parses raw JSON tolerantly (invalid UTF-8 replaced,
// duplicate names kept), keeping member order and number literals.
func evDecodeValue(raw []byte) (*evValue, error) {
	dec := jsontext.NewDecoder(bytes.NewReader(raw), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
	return evReadValue(dec, 0)
}

func evReadValue(dec *jsontext.Decoder, depth int) (*evValue, error) {
	if depth > 64 {
		return nil, fmt.Errorf("JSON nested too deeply")
	}
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, err
	}
	switch k := tok.Kind(); k {
	case '{':
		v := &evValue{kind: '{'}
		for dec.PeekKind() != '}' {
			kt, err := dec.ReadToken()
			if err != nil {
				return nil, err
			}
			key := kt.String()
			x, err := evReadValue(dec, depth+1)
			if err != nil {
				return nil, err
			}
			v.keys = append(v.keys, key)
			v.vals = append(v.vals, x)
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, err
		}
		return v, nil
	case '[':
		v := &evValue{kind: '['}
		for dec.PeekKind() != ']' {
			x, err := evReadValue(dec, depth+1)
			if err != nil {
				return nil, err
			}
			v.vals = append(v.vals, x)
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, err
		}
		return v, nil
	case '"':
		return &evValue{kind: '"', s: tok.String()}, nil
	case '0':
		return &evValue{kind: '0', s: tok.String()}, nil
	case 't', 'f', 'n':
		return &evValue{kind: byte(k)}, nil
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok.Kind())
}
