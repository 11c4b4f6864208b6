package wire

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// StreamOptions tune DecodeLenientFrom.
type StreamOptions struct {
	// Required are the JSON Pointer patterns of the values that must have
	// the right type (see DecodeLenient).
	Required []string
	// Items, when set, is called with the number of trace items (spans,
	// errors, occurrences: every TraceItem) decoded so far, every
	// ItemsEvery items and once at the end.
	Items      func(n int)
	ItemsEvery int // default 1,000
}

// DecodeLenientFrom is DecodeLenient reading from r as it decodes, without
// holding the whole document in memory: a value of an unexpected type is
// skipped where it stands (and named in the returned list) instead of
// being replaced and the document decoded again. The result is the one
// DecodeLenient gives for the same bytes.
//
// Only a value of a type with its own decoding (an Entry, Pairs: objects
// and arrays that such types read) is read whole before it is decoded, so
// that a bad value inside it drops only that value, as DecodeLenient does.
func DecodeLenientFrom(r io.Reader, v any, o StreamOptions) ([]Dropped, error) {
	s := &streamState{required: o.Required, items: o.Items, every: o.ItemsEvery}
	if s.every <= 0 {
		s.every = 1000
	}
	dec := jsontext.NewDecoder(r, decodeOpts)
	err := json.UnmarshalDecode(dec, v, decodeOpts, json.WithUnmarshalers(json.UnmarshalFromFunc(s.value)))
	if s.fatal != nil {
		err = s.fatal
	}
	if err == nil {
		// One value, then only white space (as Unmarshal requires).
		if _, terr := dec.ReadToken(); terr != io.EOF {
			if terr == nil {
				terr = errors.New("more than one JSON value")
			}
			err = terr
		}
	}
	if s.items != nil {
		s.items(s.n)
	}
	return s.dropped, err
}

type streamState struct {
	// scratch holds, per nesting depth, the items of an array being
	// decoded (see itemArray).
	scratch [][]TraceItem

	required []string
	dropped  []Dropped
	fatal    error // a required value of the wrong type, or too many drops
	items    func(int)
	every    int
	n        int
}

// value is called for every value before it is decoded. It returns
// errors.ErrUnsupported (decode as usual) when the value's JSON kind is
// one the Go type accepts, and skips the value otherwise.
func (s *streamState) value(dec *jsontext.Decoder, v any) error {
	k := dec.PeekKind()
	if k == 'n' || k == jsontext.KindInvalid {
		return errors.ErrUnsupported // null is always fine; errors surface on read
	}
	// The types of a trace, first: no reflection for them.
	var a accept
	switch p := v.(type) {
	case *TraceItem:
		if k == '{' {
			s.n++
			if s.items != nil && s.n%s.every == 0 {
				s.items(s.n)
			}
			return errors.ErrUnsupported
		}
		a = acceptObject
	case *string:
		a = acceptString
	case *bool:
		a = acceptBool
	case *[]TraceItem:
		if k == '[' {
			return s.itemArray(dec, p)
		}
		a = acceptArray
	case *FlexInt, *FlexFloat, *Timestamp, *FlexString:
		a = acceptCustom
	case *Raw:
		return errors.ErrUnsupported
	default:
		a = acceptsOf(reflect.TypeOf(v).Elem())
	}
	switch a {
	case acceptAny:
		return errors.ErrUnsupported
	case acceptCustom:
		return s.custom(dec, v, k)
	case acceptString:
		if k == '"' {
			return errors.ErrUnsupported
		}
	case acceptNumber:
		if k == '0' {
			return errors.ErrUnsupported
		}
	case acceptBool:
		if k == 't' || k == 'f' {
			return errors.ErrUnsupported
		}
	case acceptArray:
		if k == '[' {
			return errors.ErrUnsupported
		}
	case acceptBytes:
		if k == '"' || k == '[' {
			return errors.ErrUnsupported
		}
	case acceptObject:
		if k == '{' {
			return errors.ErrUnsupported
		}
	}
	if dec.StackDepth() == 0 {
		return errors.ErrUnsupported // the top level of the wrong kind fails
	}
	if err := dec.SkipValue(); err != nil {
		return err
	}
	return s.drop(dec, v, k, reflect.TypeOf(v).Elem())
}

// itemArray decodes an array of trace items (children, errors) into a
// slice of exactly their number. Decoded in place, a slice grows by
// copies and keeps up to twice the room it needs; here the items are
// decoded into a scratch slice kept for the array's depth (reused by every
// array at that depth), then copied once into their own.
func (s *streamState) itemArray(dec *jsontext.Decoder, out *[]TraceItem) error {
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	depth := dec.StackDepth()
	for len(s.scratch) <= depth {
		s.scratch = append(s.scratch, nil)
	}
	n := 0
	for dec.PeekKind() != ']' {
		if n == len(s.scratch[depth]) {
			s.scratch[depth] = append(s.scratch[depth], TraceItem{})
		}
		it := &s.scratch[depth][n]
		*it = TraceItem{}
		if err := json.UnmarshalDecode(dec, it); err != nil {
			return err
		}
		n++
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	items := make([]TraceItem, n)
	copy(items, s.scratch[depth][:n])
	clear(s.scratch[depth][:n]) // no references kept from the scratch
	*out = items
	return nil
}

// custom handles a type that decodes itself. A scalar is handed to its
// decoding, which reads exactly that one token, so a failure leaves the
// decoder after the value and can be dropped. An object or array is read
// whole and decoded with DecodeLenient, whose drops are then named from
// the document's root.
func (s *streamState) custom(dec *jsontext.Decoder, v any, k jsontext.Kind) error {
	if k == '{' || k == '[' {
		raw, err := dec.ReadValue()
		if err != nil {
			return err
		}
		base := string(dec.StackPointer())
		var req []string
		for _, p := range s.required {
			if rel, ok := relativePattern(p, base); ok {
				req = append(req, rel)
			}
		}
		sub, err := DecodeLenient(raw, v, req...)
		for _, d := range sub {
			d.Pointer = base + d.Pointer
			if ferr := s.add(d); ferr != nil {
				return ferr
			}
		}
		if err != nil {
			if len(req) > 0 && isRequiredErr(err) {
				s.fatal = fmt.Errorf("%s%s", base, err.Error())
				return s.fatal
			}
			if dec.StackDepth() == 0 {
				return err
			}
			resetValue(v)
			return s.drop(dec, v, k, reflect.TypeOf(v).Elem())
		}
		return nil
	}
	// A pointer to such a type is set only once its value decoded.
	var set func()
	target := v
	if rv := reflect.ValueOf(v).Elem(); rv.Kind() == reflect.Pointer {
		tmp := reflect.New(rv.Type().Elem())
		target, set = tmp.Interface(), func() { rv.Set(tmp) }
	}
	u, ok := target.(json.UnmarshalerFrom)
	if !ok {
		return errors.ErrUnsupported
	}
	before := dec.InputOffset()
	err := u.UnmarshalJSONFrom(dec)
	if err == nil {
		if set != nil {
			set()
		}
		return nil
	}
	var syn *jsontext.SyntacticError
	if errors.As(err, &syn) || dec.InputOffset() == before || dec.StackDepth() == 0 || errors.Is(err, io.ErrUnexpectedEOF) {
		return err
	}
	resetValue(v)
	return s.drop(dec, v, k, reflect.TypeOf(v).Elem())
}

// drop records a skipped value (the decoder is just past it).
func (s *streamState) drop(dec *jsontext.Decoder, v any, k jsontext.Kind, t reflect.Type) error {
	return s.add(Dropped{Pointer: string(dec.StackPointer()), Kind: kindName(k), Want: goKind(t.String())})
}

func (s *streamState) add(d Dropped) error {
	for _, p := range s.required {
		if matchPointer(p, d.Pointer) {
			s.fatal = fmt.Errorf("%s, which tracehound needs: a value of the wrong type (%s)", d.Pointer, d.Kind)
			return s.fatal
		}
	}
	if len(s.dropped) >= maxDrops {
		s.fatal = fmt.Errorf("more than %d values of unexpected types (the last at %s)", maxDrops, d.Pointer)
		return s.fatal
	}
	s.dropped = append(s.dropped, d)
	return nil
}

func isRequiredErr(err error) bool {
	return err != nil && strings.Contains(err.Error(), ", which tracehound needs")
}

// relativePattern rewrites a required pattern for a sub-document at base:
// "**" patterns apply as they are; a rooted pattern applies when base
// matches its head.
func relativePattern(p, base string) (string, bool) {
	if len(p) >= 2 && p[:2] == "**" {
		return p, true
	}
	// Compare token by token.
	pt, bt := splitPtr(p), splitPtr(base)
	if len(pt) <= len(bt) || !matchTokens(pt[:len(bt)], bt) {
		return "", false
	}
	out := ""
	for _, t := range pt[len(bt):] {
		out += "/" + t
	}
	return out, true
}

func splitPtr(p string) []string {
	var out []string
	start := -1
	for i := 0; i < len(p); i++ {
		if p[i] == '/' {
			if start >= 0 {
				out = append(out, p[start:i])
			}
			start = i + 1
		}
	}
	if start >= 0 {
		out = append(out, p[start:])
	}
	return out
}

type accept uint8

const (
	acceptAny accept = iota
	acceptCustom
	acceptString
	acceptNumber
	acceptBool
	acceptArray
	acceptBytes
	acceptObject
)

var acceptCache sync.Map // reflect.Type → accept

var (
	unmarshalerFromType = reflect.TypeFor[json.UnmarshalerFrom]()
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	rawType             = reflect.TypeFor[jsontext.Value]()
)

// acceptsOf says which JSON kinds the default decoding of t takes.
func acceptsOf(t reflect.Type) accept {
	if a, ok := acceptCache.Load(t); ok {
		return a.(accept)
	}
	a := computeAccept(t)
	acceptCache.Store(t, a)
	return a
}

func computeAccept(t reflect.Type) accept {
	if t == rawType {
		return acceptAny
	}
	pt := reflect.PointerTo(t)
	if pt.Implements(unmarshalerFromType) || pt.Implements(unmarshalerType) || t.Implements(unmarshalerFromType) {
		return acceptCustom
	}
	switch t.Kind() {
	case reflect.Interface:
		return acceptAny
	case reflect.String:
		return acceptString
	case reflect.Bool:
		return acceptBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return acceptNumber
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return acceptBytes
		}
		return acceptArray
	case reflect.Map, reflect.Struct:
		return acceptObject
	case reflect.Pointer:
		// Judged at the pointer, so that a value of the wrong kind
		// leaves it nil (as null does) rather than pointing at a zero
		// value; a type that decodes itself is judged at its element.
		a := acceptsOf(t.Elem())
		if a == acceptCustom && t.Elem().Kind() == reflect.Pointer {
			return acceptAny
		}
		return a
	}
	return acceptAny
}
