package local

import (
	"cmp"
	"io"
	"slices"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// metaCounter counts a trace for trace-meta as countMeta does, from the
// /trace/ JSON read token by token: a trace too big to hold is counted
// without decoding it into items.
type metaCounter struct {
	spans  int
	ops    map[string]int
	perTxn map[string]int
	errs   map[string]bool
	occs   map[string]bool
}

func newMetaCounter() *metaCounter {
	return &metaCounter{ops: map[string]int{}, perTxn: map[string]int{}, errs: map[string]bool{}, occs: map[string]bool{}}
}

// countMetaFrom counts the /trace/ array read from r.
func countMetaFrom(r io.Reader) (metaOut, error) {
	dec := jsontext.NewDecoder(r, jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
	m := newMetaCounter()
	if err := m.items(dec); err != nil {
		return metaOut{}, err
	}
	out := metaOut{SpansCount: m.spans, SpansCountMap: m.ops, ErrorsCount: len(m.errs), PerformanceIssuesCount: len(m.occs),
		TransactionChildCountMap: []txnCount{}}
	for id, n := range m.perTxn {
		out.TransactionChildCountMap = append(out.TransactionChildCountMap, txnCount{id, n})
	}
	slices.SortFunc(out.TransactionChildCountMap, func(a, b txnCount) int { return cmp.Compare(a.EventID, b.EventID) })
	return out, nil
}

// items counts an array of trace items (anything else is skipped, as the
// typed decoding would drop it).
func (m *metaCounter) items(dec *jsontext.Decoder) error {
	if dec.PeekKind() != '[' {
		return dec.SkipValue()
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for dec.PeekKind() != ']' {
		if err := m.item(dec); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

// stringMember reads a string value ("" for any other kind).
func stringMember(dec *jsontext.Decoder) (string, error) {
	if dec.PeekKind() != '"' {
		return "", dec.SkipValue()
	}
	tok, err := dec.ReadToken()
	return tok.String(), err
}

// rawMember reads a value as rawString reads it (a string or a number).
func rawMember(dec *jsontext.Decoder) (string, error) {
	v, err := dec.ReadValue()
	return rawString(v), err
}

// members reads an object, calling member with each name; member reads
// (or skips) the value.
func members(dec *jsontext.Decoder, member func(name string) error) error {
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return err
		}
		if err := member(name.String()); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

// item counts one trace item. Its kind (event_type, else issue_id) may
// come after its children: children met before the kind is known are
// counted apart and added once it is known to be a span.
func (m *metaCounter) item(dec *jsontext.Decoder) error {
	if dec.PeekKind() != '{' {
		return dec.SkipValue()
	}
	var evType, op, txnID, evID, id string
	var issue bool
	var pending *metaCounter
	err := members(dec, func(name string) (err error) {
		switch name {
		case "event_type":
			evType, err = stringMember(dec)
		case "op":
			op, err = stringMember(dec)
		case "transaction_id":
			txnID, err = stringMember(dec)
		case "event_id":
			evID, err = stringMember(dec)
		case "id":
			id, err = rawMember(dec)
		case "issue_id":
			var v jsontext.Value
			if v, err = dec.ReadValue(); err == nil {
				var n wire.FlexInt
				issue = wire.Decode(v, &n) == nil && n != 0
			}
		case "children", "errors", "occurrences":
			into := m
			switch evType {
			case wire.TraceItemError, wire.TraceItemOccurrence:
				return dec.SkipValue() // an issue item's own items are not counted
			case "":
				if pending == nil {
					pending = newMetaCounter()
				}
				into = pending
			}
			if name == "children" {
				return into.items(dec)
			}
			return into.issues(dec, name == "errors")
		default:
			err = dec.SkipValue()
		}
		return err
	})
	if err != nil {
		return err
	}
	kind := evType
	switch evType {
	case wire.TraceItemError, wire.TraceItemOccurrence, wire.TraceItemUptime:
	case "":
		kind = wire.TraceItemSpan
		if issue {
			kind = wire.TraceItemError
		}
	default:
		kind = wire.TraceItemSpan
	}
	switch kind {
	case wire.TraceItemError:
		m.errs[cmp.Or(evID, id)] = true
		return nil
	case wire.TraceItemOccurrence:
		m.occs[cmp.Or(evID, id)] = true
		return nil
	case wire.TraceItemSpan:
		m.spans++
		m.ops[op]++
		if txnID != "" {
			m.perTxn[txnID]++
		}
	}
	if pending != nil {
		m.add(pending)
	}
	return nil
}

// issues counts the errors or occurrences of a span by their event id.
func (m *metaCounter) issues(dec *jsontext.Decoder, errs bool) error {
	if dec.PeekKind() != '[' {
		return dec.SkipValue()
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for dec.PeekKind() != ']' {
		if dec.PeekKind() != '{' {
			if err := dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		var evID, id string
		err := members(dec, func(name string) (err error) {
			switch name {
			case "event_id":
				evID, err = stringMember(dec)
			case "id":
				id, err = rawMember(dec)
			default:
				err = dec.SkipValue()
			}
			return err
		})
		if err != nil {
			return err
		}
		if errs {
			m.errs[cmp.Or(evID, id)] = true
		} else {
			m.occs[cmp.Or(evID, id)] = true
		}
	}
	_, err := dec.ReadToken()
	return err
}

func (m *metaCounter) add(o *metaCounter) {
	m.spans += o.spans
	for k, v := range o.ops {
		m.ops[k] += v
	}
	for k, v := range o.perTxn {
		m.perTxn[k] += v
	}
	for k := range o.errs {
		m.errs[k] = true
	}
	for k := range o.occs {
		m.occs[k] = true
	}
}
