package ui

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/tracetree"
)

// Event data as one-line JSON for the Error tab (variables, breadcrumb
// data): credential-named members and values Sentry filtered are left
// out, their paths listed so the reader knows something was hidden.

func epDecoder(raw []byte) *jsontext.Decoder {
	return jsontext.NewDecoder(bytes.NewReader(raw), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
}

// epMembers calls fn for each member of a raw JSON object, in order.
func epMembers(raw []byte, fn func(name string, val jsontext.Value)) {
	dec := epDecoder(raw)
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return
	}
	for dec.PeekKind() != '}' {
		kt, err := dec.ReadToken()
		if err != nil {
			return
		}
		name := kt.String() // before the next read voids the token
		v, err := dec.ReadValue()
		if err != nil {
			return
		}
		fn(name, v)
	}
}

// epFiltered reports a value Sentry filtered ("[Filtered]").
func epFiltered(v []byte) bool {
	return strings.TrimSpace(string(v)) == `"`+redact.FilteredMarker+`"`
}

// epScalar is a string's text or a number's literal.
func epScalar(v jsontext.Value) string {
	tok, err := epDecoder(v).ReadToken()
	if err != nil {
		return ""
	}
	return tok.String()
}

// epJSON renders a JSON value on one line for display: members whose
// names hold credentials and values Sentry filtered are left out (their
// paths go to hidden), strings that look like credentials become
// [Filtered], and the text is scrubbed and sanitised; at most n runes.
func epJSON(raw []byte, path string, hidden *[]string, n int) string {
	var b strings.Builder
	if err := epWriteJSON(epDecoder(raw), &b, path, hidden, 0); err != nil && b.Len() == 0 {
		return ""
	}
	s, _ := redact.Secrets(b.String())
	return tracetree.Truncate(clean(s), n)
}

// epObjectMembers renders an object's members as "k=v, k=v", skipping
// the names in skip and "__"-prefixed ones, with epJSON's filtering.
func epObjectMembers(raw []byte, skip map[string]bool, hidden *[]string, n int) string {
	var parts []string
	epMembers(raw, func(k string, v jsontext.Value) {
		if skip[k] || strings.HasPrefix(k, "__") {
			return
		}
		if redact.IsSensitiveKey(k) || redact.IsPIITag(k) || epFiltered(v) {
			*hidden = append(*hidden, epText(k))
			return
		}
		s := epJSON(v, k, hidden, 160)
		if s != "" {
			parts = append(parts, epText(k)+"="+s)
		}
	})
	return tracetree.Truncate(strings.Join(parts, ", "), n)
}

func epWriteJSON(dec *jsontext.Decoder, b *strings.Builder, path string, hidden *[]string, depth int) error {
	if b.Len() > 2000 {
		return dec.SkipValue()
	}
	switch dec.PeekKind() {
	case '{':
		if depth > 5 {
			b.WriteString("{…}")
			return dec.SkipValue()
		}
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		b.WriteByte('{')
		first := true
		for dec.PeekKind() != '}' {
			kt, err := dec.ReadToken()
			if err != nil {
				return err
			}
			k := kt.String()
			p := epJoinPath(path, k)
			v, err := dec.ReadValue()
			if err != nil {
				return err
			}
			if redact.IsSensitiveKey(k) || epFiltered(v) {
				*hidden = append(*hidden, p)
				continue
			}
			if !first {
				b.WriteString(", ")
			}
			first = false
			b.WriteString(k + ": ")
			if err := epWriteJSON(epDecoder(v), b, p, hidden, depth+1); err != nil {
				return err
			}
		}
		_, err := dec.ReadToken()
		b.WriteByte('}')
		return err
	case '[':
		if depth > 5 {
			b.WriteString("[…]")
			return dec.SkipValue()
		}
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		b.WriteByte('[')
		for i := 0; dec.PeekKind() != ']'; i++ {
			v, err := dec.ReadValue()
			if err != nil {
				return err
			}
			p := fmt.Sprintf("%s[%d]", path, i)
			if epFiltered(v) {
				*hidden = append(*hidden, p)
				continue
			}
			if i > 0 {
				b.WriteString(", ")
			}
			if err := epWriteJSON(epDecoder(v), b, p, hidden, depth+1); err != nil {
				return err
			}
		}
		_, err := dec.ReadToken()
		b.WriteByte(']')
		return err
	}
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() == '"' {
		s := tok.String()
		if redact.IsSecretValue(s) {
			*hidden = append(*hidden, path)
			b.WriteString(redact.FilteredMarker)
			return nil
		}
		b.WriteString(s)
		return nil
	}
	b.WriteString(tok.String())
	return nil
}

func epJoinPath(path, k string) string {
	k = tracetree.Truncate(clean(k), 60)
	if path == "" {
		return k
	}
	return tracetree.Truncate(path+"."+k, 120)
}
