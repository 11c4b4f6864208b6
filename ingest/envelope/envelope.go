// Package envelope parses what Sentry SDKs send to an ingest server: the
// envelope format (https://develop.sentry.dev/sdk/envelopes/), the bare
// event JSON of the legacy /store/ endpoint, the (possibly compressed)
// request body, and the DSN public key that authenticates a request.
//
// An envelope is a JSON header line followed by items; each item is a JSON
// item-header line and a payload. When the item header has a "length", the
// payload is exactly that many bytes (then an optional newline); otherwise it
// runs to the next newline or the end of the data.
//
// Errors wrap one of ErrTooLarge, ErrMalformed or ErrUnsupportedEncoding, so a
// server can pick its status with errors.Is (or HTTPStatus).
package envelope

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// Item types the ingest server acts on. Other types (attachment, session,
// log, replay_recording, …) are kept as they come, with their own strings.
const (
	TypeEvent        = "event"
	TypeTransaction  = "transaction"
	TypeProfile      = "profile"
	TypeProfileChunk = "profile_chunk"
	TypeSpan         = "span"
)

// jsonTypes are the item types whose payload must be one JSON object; an
// item of these types whose payload is not gets Item.Err.
var jsonTypes = map[string]bool{
	TypeEvent: true, TypeTransaction: true, TypeProfile: true,
	TypeProfileChunk: true, TypeSpan: true,
	"log": true, "check_in": true, "session": true, "sessions": true,
	"client_report": true, "user_report": true, "feedback": true,
	"replay_event": true,
}

// The error classes. Every error of this package wraps exactly one of them.
var (
	// ErrTooLarge: a limit was exceeded (body, decompressed body, envelope,
	// item count, one item). A server answers 413.
	ErrTooLarge = errors.New("too large")
	// ErrMalformed: the data cannot be read: bad framing, invalid JSON,
	// corrupt compressed stream, a body shorter or longer than its
	// Content-Length. A server answers 400.
	ErrMalformed = errors.New("malformed")
	// ErrUnsupportedEncoding: a Content-Encoding this package cannot decode.
	// A server answers 400 (415 would also be fair).
	ErrUnsupportedEncoding = errors.New("unsupported content encoding")
)

// HTTPStatus is the status a server answers for err from ReadBody, Parse
// or FromStore: 200 for nil, 413 for ErrTooLarge, 400 otherwise.
func HTTPStatus(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrTooLarge):
		return http.StatusRequestEntityTooLarge
	default:
		return http.StatusBadRequest
	}
}

// Limits bound what Parse accepts. A field ≤ 0 takes its DefaultLimits value.
type Limits struct {
	// MaxEnvelope is the largest (decompressed) envelope in bytes.
	MaxEnvelope int64
	// MaxItem is the largest payload of one item in bytes; a larger item is
	// kept with Err set and no payload.
	MaxItem int64
	// MaxItems is the most items in one envelope.
	MaxItems int
}

// DefaultLimits are sized for a local ingest server on a developer's
// machine, well under Sentry relay's (200 MiB envelopes, 1 MiB events,
// 50 MiB profiles and 100 MiB attachments), because here one process holds
// the whole envelope in memory and a local trace tool has no use for
// minidumps of hundreds of megabytes:
//   - MaxEnvelope 20 MiB: the largest real captures (a browser transaction
//     with its JS profile, replays) are a few hundred KiB to a few MiB, so
//     this leaves a wide margin while bounding a request's memory.
//   - MaxItem 10 MiB: room for big transactions, profiles and replay
//     segments; a bigger attachment is dropped alone, the rest survive.
//   - MaxItems 1000: SDKs batch spans and logs into one item (item_count),
//     so real envelopes have a handful of items; this caps the per-item
//     bookkeeping of a hostile envelope made of tiny items.
func DefaultLimits() Limits {
	return Limits{MaxEnvelope: 20 << 20, MaxItem: 10 << 20, MaxItems: 1000}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxEnvelope <= 0 {
		l.MaxEnvelope = d.MaxEnvelope
	}
	if l.MaxItem <= 0 {
		l.MaxItem = d.MaxItem
	}
	if l.MaxItems <= 0 {
		l.MaxItems = d.MaxItems
	}
	return l
}

// Envelope is a parsed envelope. Its byte slices alias the data given to
// Parse (nothing is copied): keep that data unchanged while they are used.
type Envelope struct {
	Header Header
	Items  []Item
}

// Header is the envelope header. The fields are "" when absent or not
// strings; Raw holds the whole header object.
type Header struct {
	EventID string
	DSN     string
	SentAt  string
	Raw     json.RawMessage
}

// Item is one envelope item.
type Item struct {
	// Type is the header's "type" ("" when missing, and then Err is set).
	Type string
	// Header is the raw item header object (type, length, content_type,
	// filename, item_count, platform, …).
	Header json.RawMessage
	// Payload is the item's bytes; nil when Err is set.
	Payload []byte
	// Note says what was tolerated in reading it (a declared length longer
	// than its JSON payload); "" normally.
	Note string
	// Err is why this item alone is unusable (over MaxItem, invalid JSON for
	// a JSON type, no type); the other items are unaffected. It wraps
	// ErrTooLarge or ErrMalformed and names the item ("item 2 (event): …").
	Err error
}

// Parse parses an envelope. Items are numbered from 0, as in
// Envelope.Items, in error messages. It returns an error (wrapping
// ErrTooLarge or ErrMalformed) when the data cannot be framed: an empty or
// invalid envelope header, an item header that is not a JSON object, a
// length that is not a non-negative integer or runs past the end, more than
// lim.MaxItems items, or data over lim.MaxEnvelope — except that a JSON
// item whose length overstates a one-line JSON payload is read to the end
// of its line, with Item.Note saying so. Problems confined to one
// item set that Item's Err instead. Lines may end in "\r\n", and blank lines
// where an item header is expected are skipped.
func Parse(data []byte, lim Limits) (*Envelope, error) {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxEnvelope {
		return nil, fmt.Errorf("%w: envelope of %d bytes exceeds the limit of %d", ErrTooLarge, len(data), lim.MaxEnvelope)
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: empty envelope", ErrMalformed)
	}
	line, pos := readLine(data, 0)
	h, err := parseHeader(line)
	if err != nil {
		return nil, err
	}
	env := &Envelope{Header: h}
	for pos < len(data) {
		line, next := readLine(data, pos)
		if len(bytes.TrimSpace(line)) == 0 {
			pos = next
			continue
		}
		n := len(env.Items)
		if n >= lim.MaxItems {
			return nil, fmt.Errorf("%w: more than %d items", ErrTooLarge, lim.MaxItems)
		}
		item, end, err := parseItem(data, line, next, n, lim)
		if err != nil {
			return nil, err
		}
		env.Items = append(env.Items, item)
		pos = end
	}
	return env, nil
}

// readLine returns the line starting at pos without its "\n" (or "\r\n")
// and the position after it.
func readLine(data []byte, pos int) (line []byte, next int) {
	i := bytes.IndexByte(data[pos:], '\n')
	if i < 0 {
		line, next = data[pos:], len(data)
	} else {
		line, next = data[pos:pos+i], pos+i+1
	}
	return bytes.TrimSuffix(line, []byte("\r")), next
}

// object returns the members of b, which must be one JSON object.
func object(b []byte) (map[string]json.RawMessage, error) {
	t := bytes.TrimSpace(b)
	if len(t) == 0 {
		return nil, errors.New("empty")
	}
	if t[0] != '{' {
		if !json.Valid(t) {
			return nil, syntaxError(t)
		}
		return nil, errors.New("not a JSON object")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(t, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// isObject reports why b is not one JSON object (nil when it is) without
// decoding it.
func isObject(b []byte) error {
	t := bytes.TrimSpace(b)
	switch {
	case len(t) == 0:
		return errors.New("empty")
	case !json.Valid(t):
		return syntaxError(t)
	case t[0] != '{':
		return errors.New("not a JSON object")
	}
	return nil
}

// syntaxError describes why b (known not to be valid JSON) is invalid.
func syntaxError(b []byte) error {
	var v struct{}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	return errors.New("invalid JSON")
}

// str is the string value of raw, "" when raw is absent or not a string.
func str(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

func parseHeader(line []byte) (Header, error) {
	m, err := object(line)
	if err != nil {
		return Header{}, fmt.Errorf("%w: envelope header: %v", ErrMalformed, err)
	}
	return Header{
		EventID: str(m["event_id"]),
		DSN:     str(m["dsn"]),
		SentAt:  str(m["sent_at"]),
		Raw:     json.RawMessage(bytes.TrimSpace(line)),
	}, nil
}

// parseItem parses item n whose header is line; its payload starts at
// start. It returns the item and where the next one starts.
func parseItem(data, line []byte, start, n int, lim Limits) (Item, int, error) {
	m, err := object(line)
	if err != nil {
		return Item{}, 0, fmt.Errorf("%w: item %d: header: %v", ErrMalformed, n, err)
	}
	item := Item{Type: str(m["type"]), Header: json.RawMessage(bytes.TrimSpace(line))}
	var payload []byte
	end := start
	if raw, ok := m["length"]; ok && string(raw) != "null" {
		length, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil || length < 0 {
			return Item{}, 0, fmt.Errorf("%w: item %d: length %s is not a non-negative integer", ErrMalformed, n, raw)
		}
		if remain := int64(len(data) - start); length > remain {
			// Hand-written envelopes (tools' fixtures, edited captures)
			// sometimes overstate a JSON item's length. When the line that
			// follows is one complete JSON object, take it, as Spotlight
			// does, and say so; otherwise the framing is lost.
			line, next := readLine(data, start)
			if !jsonTypes[item.Type] || isObject(line) != nil {
				return Item{}, 0, fmt.Errorf("%w: item %d: length %d but only %d bytes remain", ErrMalformed, n, length, remain)
			}
			payload, end = line, next
			item.Note = fmt.Sprintf("item %d (%s): length %d but the JSON payload is %d bytes; read to the end of its line", n, item.Type, length, len(line))
		} else {
			end = start + int(length)
			payload = data[start:end]
			switch {
			case bytes.HasPrefix(data[end:], []byte("\r\n")):
				end += 2
			case bytes.HasPrefix(data[end:], []byte("\n")):
				end++
			}
		}
	} else {
		payload, end = readLine(data, start)
	}
	label := fmt.Sprintf("item %d (%s)", n, item.Type)
	switch {
	case item.Type == "":
		label = fmt.Sprintf("item %d", n)
		item.Err = fmt.Errorf("%w: %s: header has no string \"type\"", ErrMalformed, label)
	case int64(len(payload)) > lim.MaxItem:
		item.Err = fmt.Errorf("%w: %s: payload of %d bytes exceeds the limit of %d", ErrTooLarge, label, len(payload), lim.MaxItem)
	case jsonTypes[item.Type]:
		if err := isObject(payload); err != nil {
			item.Err = fmt.Errorf("%w: %s: payload: %v", ErrMalformed, label, err)
		}
	}
	if item.Err == nil {
		item.Payload = payload
	}
	return item, end, nil
}

// FromStore turns the body of the legacy /store/ endpoint, one event JSON
// object, into an envelope with one item: "transaction" when the event's
// "type" is "transaction", else "event". The header carries the event's
// event_id. The payload aliases body, which should already be bounded
// (ReadBody does).
func FromStore(body []byte) (*Envelope, error) {
	if err := isObject(body); err != nil {
		return nil, fmt.Errorf("%w: store body: %v", ErrMalformed, err)
	}
	// Only these two members are copied out of the event.
	var m struct {
		Type    json.RawMessage `json:"type"`
		EventID json.RawMessage `json:"event_id"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("%w: store body: %v", ErrMalformed, err)
	}
	typ := TypeEvent
	if str(m.Type) == TypeTransaction {
		typ = TypeTransaction
	}
	hdr := map[string]string{}
	id := str(m.EventID)
	if id != "" {
		hdr["event_id"] = id
	}
	rawHdr, err := json.Marshal(hdr)
	if err != nil {
		return nil, err
	}
	rawItem, err := json.Marshal(struct {
		Type   string `json:"type"`
		Length int    `json:"length"`
	}{typ, len(body)})
	if err != nil {
		return nil, err
	}
	return &Envelope{
		Header: Header{EventID: id, Raw: rawHdr},
		Items:  []Item{{Type: typ, Header: rawItem, Payload: body}},
	}, nil
}
