package wire

import (
	"fmt"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Entry is one element of an event's entries. The data of the known types
// is decoded into the typed field of that type; Data always keeps the raw
// JSON as received, so unknown entry types and members are never lost. When
// a known type's data does not fit its Go type, the entry is kept raw and
// DecodeError says why instead of failing the whole event.
type Entry struct {
	Type string
	Data Raw

	Exception   *ExceptionData
	Message     *MessageData
	Request     *RequestData
	Breadcrumbs *BreadcrumbsData
	Threads     *ThreadsData
	Stacktrace  *Stacktrace
	Spans       []Span

	DecodeError string
	// Dropped lists the values of the entry's data left out because their
	// type was unexpected (see DecodeLenient); the rest was decoded.
	Dropped []Dropped
}

type entryWire struct {
	Type  string `json:"type"`
	Data  Raw    `json:"data"`
	Extra Extra  `json:",embed"`
}

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (e *Entry) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	var w entryWire
	if err := json.UnmarshalDecode(dec, &w); err != nil {
		return err
	}
	*e = Entry{Type: w.Type, Data: w.Data}
	if len(w.Data) == 0 || string(w.Data) == "null" {
		return nil
	}
	var target any
	switch w.Type {
	case EntryException:
		e.Exception = new(ExceptionData)
		target = e.Exception
	case EntryMessage:
		e.Message = new(MessageData)
		target = e.Message
	case EntryRequest:
		e.Request = new(RequestData)
		target = e.Request
	case EntryBreadcrumbs:
		e.Breadcrumbs = new(BreadcrumbsData)
		target = e.Breadcrumbs
	case EntryThreads:
		e.Threads = new(ThreadsData)
		target = e.Threads
	case EntryStacktrace:
		e.Stacktrace = new(Stacktrace)
		target = e.Stacktrace
	case EntrySpans:
		target = &e.Spans
	default:
		return nil
	}
	dropped, err := DecodeLenient(w.Data, target)
	if err != nil {
		e.Exception, e.Message, e.Request, e.Breadcrumbs, e.Threads, e.Stacktrace, e.Spans = nil, nil, nil, nil, nil, nil, nil
		e.DecodeError = fmt.Sprintf("%s entry kept raw: %v", w.Type, err)
		return nil
	}
	e.Dropped = dropped
	if e.Exception != nil {
		e.Exception.normalize(w.Data)
	}
	return nil
}

// normalize accepts the single-value form {"value": {...}} that some
// responses use instead of {"values": [...]}.
func (x *ExceptionData) normalize(raw Raw) {
	if len(x.Values) > 0 {
		return
	}
	v, ok := x.Extra["value"]
	if !ok {
		return
	}
	var one ExceptionValue
	if Decode(v, &one) == nil && (one.Type != "" || one.Value != "" || one.Stacktrace != nil) {
		x.Values = []ExceptionValue{one}
		delete(x.Extra, "value")
		if len(x.Extra) == 0 {
			x.Extra = nil
		}
	}
}

// MarshalJSONTo implements json.MarshalerTo: the raw data when the entry
// was decoded, else the typed data (entries built in Go, e.g. the demo).
func (e Entry) MarshalJSONTo(enc *jsontext.Encoder) error {
	w := entryWire{Type: e.Type, Data: e.Data}
	if len(w.Data) == 0 {
		var v any
		switch {
		case e.Exception != nil:
			v = e.Exception
		case e.Message != nil:
			v = e.Message
		case e.Request != nil:
			v = e.Request
		case e.Breadcrumbs != nil:
			v = e.Breadcrumbs
		case e.Threads != nil:
			v = e.Threads
		case e.Stacktrace != nil:
			v = e.Stacktrace
		case e.Spans != nil:
			v = e.Spans
		}
		if v == nil {
			w.Data = Raw("null")
		} else {
			b, err := json.Marshal(v, enc.Options())
			if err != nil {
				return err
			}
			w.Data = b
		}
	}
	return json.MarshalEncode(enc, w)
}

// UnmarshalJSONFrom implements json.UnmarshalerFrom for a [lineno, line]
// pair; a null line reads as "".
func (c *ContextLine) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	var pair []Raw
	if err := json.UnmarshalDecode(dec, &pair); err != nil {
		return err
	}
	if len(pair) != 2 {
		return fmt.Errorf("context line: want [lineno, line], got %d elements", len(pair))
	}
	if err := Decode(pair[0], &c.Line); err != nil {
		return fmt.Errorf("context line number: %w", err)
	}
	c.Text = rawText(pair[1])
	return nil
}

// MarshalJSONTo implements json.MarshalerTo.
func (c ContextLine) MarshalJSONTo(enc *jsontext.Encoder) error {
	return json.MarshalEncode(enc, []any{int64(c.Line), c.Text})
}
