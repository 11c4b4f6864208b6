package local

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/tracehound/tracehound/dataset"
)

// jsonOpts are the decoding options the client uses: the server must
// accept exactly what the client accepts, no more and no less.
var jsonOpts = dataset.DecodeOptions

// member is one name/value pair of a JSON object.
type member struct {
	name  string
	value jsontext.Value
}

// object is a JSON object that keeps its members in order, so a file the
// server only touches lightly (an added projectSlug, a dropped entries
// member) is served with everything else exactly as stored.
type object []member

// decodeObject parses data, which must be a single JSON object.
func decodeObject(data []byte) (object, error) {
	dec := jsontext.NewDecoder(bytes.NewReader(data), jsonOpts...)
	if k := dec.PeekKind(); k != '{' {
		if k == 0 {
			_, err := dec.ReadToken()
			if errors.Is(err, io.EOF) {
				return nil, errors.New("the file is empty")
			}
			return nil, err
		}
		return nil, fmt.Errorf("want an object at the top level, got %s", dataset.KindName(k))
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}
	var o object
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return nil, err
		}
		name := tok.String()
		v, err := dec.ReadValue()
		if err != nil {
			return nil, err
		}
		o.set(name, v.Clone())
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}
	if _, err := dec.ReadToken(); !errors.Is(err, io.EOF) {
		if err == nil {
			return nil, errors.New("unexpected data after the top-level value")
		}
		return nil, err
	}
	return o, nil
}

// get returns the value of the named member.
func (o object) get(name string) (jsontext.Value, bool) {
	for _, m := range o {
		if m.name == name {
			return m.value, true
		}
	}
	return nil, false
}

// set replaces the named member's value, or appends the member.
func (o *object) set(name string, v jsontext.Value) {
	for i := range *o {
		if (*o)[i].name == name {
			(*o)[i].value = v
			return
		}
	}
	*o = append(*o, member{name, v})
}

// del removes the named member.
func (o *object) del(name string) {
	out := (*o)[:0]
	for _, m := range *o {
		if m.name != name {
			out = append(out, m)
		}
	}
	*o = out
}

// clone returns a copy whose member list can be changed independently.
func (o object) clone() object { return append(object(nil), o...) }

// appendTo appends the object's JSON encoding to dst.
func (o object) appendTo(dst []byte) []byte {
	dst = append(dst, '{')
	for i, m := range o {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, m.name)
		dst = append(dst, ':')
		dst = append(dst, m.value...)
	}
	return append(dst, '}')
}

// encode returns the object's JSON encoding.
func (o object) encode() []byte { return o.appendTo(nil) }

// appendString appends s as a JSON string.
func appendString(dst []byte, s string) []byte {
	// Only invalid UTF-8 fails, and AppendQuote has then written the string
	// with replacement characters, which is what we want.
	out, _ := jsontext.AppendQuote(dst, s)
	return out
}

// jsonString returns s as a JSON string value.
func jsonString(s string) jsontext.Value { return appendString(nil, s) }

// rawString returns the text of a JSON string or number value, "" for
// anything else. It reads ids that arrive as either.
func rawString(v jsontext.Value) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return ""
	}
	switch v.Kind() {
	case '"':
		// Invalid UTF-8 is replaced, as sentryapi.Decode does.
		out, _ := jsontext.AppendUnquote(nil, v)
		return string(out)
	case '0':
		return string(v)
	}
	return ""
}

// appendArray appends a JSON array of the given encoded elements to dst.
func appendArray(dst []byte, elems [][]byte) []byte {
	dst = append(dst, '[')
	for i, e := range elems {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, e...)
	}
	return append(dst, ']')
}
