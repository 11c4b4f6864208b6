package wire

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Dropped is a value that DecodeLenient left out because its JSON type was
// not the one the Go field expects (an issue's userCount as a string, an
// event's dateCreated as a number).
type Dropped struct {
	Pointer string // JSON Pointer of the value, e.g. "/userCount"
	Kind    string // the JSON kind received: string, number, object…
	Want    string // what was expected, when known
}

func (d Dropped) String() string {
	s := "dropped " + d.Pointer + ": " + d.Kind
	if d.Want != "" {
		s += " where " + d.Want + " was expected"
	}
	return s
}

// maxDrops bounds how many values one document may lose before decoding
// gives up: a payload that wrong is not the shape tracehound knows.
const maxDrops = 64

// DecodeLenient is Decode that does not fail on a value of an unexpected
// type: it replaces that value with null (the field keeps its zero value),
// says so in the returned list, and decodes again. Only the values that
// match a required pattern must have the right type; a required value of
// the wrong type, invalid JSON, or a top-level value of the wrong kind is
// an error.
//
// A pattern is a JSON Pointer where "*" matches any one reference token
// and a leading "**" any number of them: "/id", "/*/id" (each element of
// an array), "**/event_id" (event_id at any depth).
func DecodeLenient(data []byte, v any, required ...string) ([]Dropped, error) {
	var dropped []Dropped
	for {
		err := json.Unmarshal(data, v, decodeOpts)
		if err == nil {
			return dropped, nil
		}
		var se *json.SemanticError
		if !errors.As(err, &se) || se.JSONPointer == "" {
			return dropped, err
		}
		ptr := string(se.JSONPointer)
		for _, p := range required {
			if matchPointer(p, ptr) {
				return dropped, fmt.Errorf("%s, which tracehound needs: %w", ptr, err)
			}
		}
		if len(dropped) >= maxDrops {
			return dropped, fmt.Errorf("more than %d values of unexpected types (the last at %s): %w", maxDrops, ptr, err)
		}
		fixed, kind, ok := nullAt(data, se.JSONPointer)
		if !ok || (len(dropped) > 0 && dropped[len(dropped)-1].Pointer == ptr) {
			return dropped, err // null did not help: not a type mismatch
		}
		d := Dropped{Pointer: ptr, Kind: kind}
		if se.GoType != nil {
			d.Want = goKind(se.GoType.String())
		}
		dropped = append(dropped, d)
		data = fixed
		// Start again from a clean value: a partial decode may have filled
		// slices or maps that the next pass would append to.
		resetValue(v)
	}
}

func resetValue(v any) {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv.Elem().SetZero()
	}
}

// goKind says in JSON words what a Go type expects.
func goKind(t string) string {
	t = strings.TrimPrefix(t, "*")
	switch {
	case t == "string" || strings.HasSuffix(t, "FlexString"):
		return "a string"
	case strings.HasSuffix(t, "FlexInt") || strings.HasPrefix(t, "int") || strings.HasPrefix(t, "uint"):
		return "an integer"
	case strings.HasSuffix(t, "FlexFloat") || strings.HasPrefix(t, "float"):
		return "a number"
	case strings.HasSuffix(t, "Timestamp") || strings.HasSuffix(t, "ISOTime"):
		return "a time"
	case t == "bool":
		return "a boolean"
	case strings.HasPrefix(t, "[]"):
		return "an array"
	case strings.HasPrefix(t, "map["):
		return "an object"
	}
	if i := strings.LastIndexByte(t, '.'); i >= 0 {
		return "an object (" + t[i+1:] + ")"
	}
	return t
}

// matchPointer reports whether the JSON Pointer ptr matches pattern.
func matchPointer(pattern, ptr string) bool {
	if rest, ok := strings.CutPrefix(pattern, "**"); ok {
		pt := strings.Split(ptr, "/")
		rt := strings.Split(rest, "/")
		if len(rt) > len(pt) {
			return false
		}
		return matchTokens(rt[1:], pt[len(pt)-len(rt)+1:])
	}
	pt, rt := strings.Split(ptr, "/"), strings.Split(pattern, "/")
	return len(pt) == len(rt) && matchTokens(rt, pt)
}

func matchTokens(pattern, toks []string) bool {
	for i := range pattern {
		if pattern[i] != "*" && pattern[i] != toks[i] {
			return false
		}
	}
	return true
}

// nullAt returns data with the value at ptr replaced by null, and the kind
// of the value it replaced.
func nullAt(data []byte, ptr jsontext.Pointer) ([]byte, string, bool) {
	dec := jsontext.NewDecoder(bytes.NewReader(data), decodeOpts)
	for tok := range ptr.Tokens() {
		switch dec.PeekKind() {
		case '{':
			if _, err := dec.ReadToken(); err != nil {
				return nil, "", false
			}
			for {
				if dec.PeekKind() == '}' {
					return nil, "", false
				}
				name, err := dec.ReadToken()
				if err != nil {
					return nil, "", false
				}
				if name.String() == tok {
					break
				}
				if err := dec.SkipValue(); err != nil {
					return nil, "", false
				}
			}
		case '[':
			if _, err := dec.ReadToken(); err != nil {
				return nil, "", false
			}
			idx, err := strconv.Atoi(tok)
			if err != nil {
				return nil, "", false
			}
			for range idx {
				if dec.PeekKind() == ']' {
					return nil, "", false
				}
				if err := dec.SkipValue(); err != nil {
					return nil, "", false
				}
			}
			if dec.PeekKind() == ']' {
				return nil, "", false
			}
		default:
			return nil, "", false
		}
	}
	val, err := dec.ReadValue()
	if err != nil || string(val) == "null" {
		return nil, "", false
	}
	kind := kindName(val.Kind())
	end := int(dec.InputOffset())
	start := end - len(val)
	out := make([]byte, 0, len(data)-len(val)+4)
	out = append(out, data[:start]...)
	out = append(out, "null"...)
	return append(out, data[end:]...), kind, true
}

func kindName(k jsontext.Kind) string {
	switch k {
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return "null"
}
