package ingest

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/ingest/sdkevent"
	"github.com/tracehound/tracehound/sentryapi/wire"

	bolt "go.etcd.io/bbolt"
)

// Item is one envelope item the store is given: its type and payload.
type Item struct {
	Type    string
	Payload []byte
}

// Outcome says what became of the items of one envelope.
type Outcome struct {
	Stored  map[string]int // by kind
	Ignored map[string]int // item types kept out (sessions, client reports, attachments…)
	Errors  []string       // items that could not be read, with why
	EventID string         // the first stored event's id
}

// Ingest stores the items of one envelope sent to project p, received
// now. An item that cannot be read is reported in the outcome and the
// others are kept.
func (s *Store) Ingest(p Project, envEventID string, items []Item) (Outcome, error) {
	out := Outcome{Stored: map[string]int{}, Ignored: map[string]int{}}
	at := s.now()
	var recs []*record
	events := map[*record]*wire.Event{}
	for i, it := range items {
		if it.Type == "span" {
			spans, err := convertSpans(p, it, at)
			if err != nil {
				out.Errors = append(out.Errors, fmt.Sprintf("item %d (span): %v", i+1, err))
			}
			recs = append(recs, spans...)
			out.Stored[KindSpan] += len(spans)
			continue
		}
		r, ev, err := convert(p, envEventID, it, at)
		switch {
		case err != nil:
			out.Errors = append(out.Errors, fmt.Sprintf("item %d (%s): %v", i+1, it.Type, err))
			continue
		case r == nil:
			out.Ignored[firstNonEmpty(it.Type, "(no type)")]++
			continue
		}
		recs = append(recs, r)
		if ev != nil {
			events[r] = ev
		}
		out.Stored[r.Kind]++
		if out.EventID == "" && (r.Kind == KindError || r.Kind == KindTransaction) {
			out.EventID = r.ID
		}
	}
	err := s.put(recs, func(tx *bolt.Tx, r *record) error {
		return assignIssue(tx, p, events[r], r, at)
	})
	return out, err
}

// convert turns one item into a record (nil for types that are not kept).
func convert(p Project, envEventID string, it Item, at time.Time) (*record, *wire.Event, error) {
	r := &record{ProjectID: p.ID, Received: at.UnixNano()}
	switch it.Type {
	case "event", "transaction":
		ev, err := sdkevent.Decode(it.Payload)
		if err != nil {
			return nil, nil, fmt.Errorf("not an event: %v", err)
		}
		if ev.ID == "" {
			ev.ID = normID(envEventID)
		}
		if ev.ID == "" {
			ev.ID = newID()
		}
		ev.EventID = ev.ID
		ev.ProjectID = wire.FlexString(fmt.Sprint(p.ID))
		ev.ProjectSlug = p.Slug
		if ev.DateReceived == "" {
			ev.DateReceived = at.UTC().Format(time.RFC3339Nano)
		}
		if ev.DateCreated == "" {
			ev.DateCreated = ev.DateReceived
		}
		if it.Type == "transaction" || ev.Type == "transaction" {
			ev.Type = "transaction"
			r.Kind = KindTransaction
		} else {
			if ev.Type == "" || ev.Type == "default" {
				ev.Type = "error"
			}
			r.Kind = KindError
		}
		r.ID, r.TraceID = ev.ID, normID(ev.TraceID())
		if r.Kind == KindError {
			// Encoded here, in the request's goroutine; its issue, known in
			// the write transaction, adds the groupID (assignIssue).
			ev.GroupID = ""
			bare, err := wire.Encode(ev)
			if err != nil {
				return nil, nil, err
			}
			r.bare = bare
			r.Time, r.Rank = eventOrder(bare)
			return r, ev, nil
		}
		payload, err := wire.Encode(ev)
		if err != nil {
			return nil, nil, err
		}
		r.Payload = payload
		r.Txn = transactionKey(p.Slug, r.ID, payload)
		return r, ev, nil
	case "profile":
		var pr wire.Profile
		if err := wire.Decode(it.Payload, &pr); err != nil {
			return nil, nil, fmt.Errorf("not a profile: %v", err)
		}
		id := normID(firstNonEmpty(pr.EventID, pr.ProfileID))
		if id == "" {
			return nil, nil, fmt.Errorf("a profile needs an event_id")
		}
		// The profile names its transaction (v1: transaction, the JS SDK:
		// transactions[0]); the trace links them through ParentID.
		if pr.Transaction != nil {
			r.TraceID, r.ParentID = normID(pr.Transaction.TraceID), normID(pr.Transaction.ID)
		} else if len(pr.Transactions) > 0 {
			r.TraceID, r.ParentID = normID(pr.Transactions[0].TraceID), normID(pr.Transactions[0].ID)
		}
		if pr.ProjectID == 0 {
			pr.ProjectID = wire.FlexInt(p.ID)
		}
		payload, err := wire.Encode(&pr)
		if err != nil {
			return nil, nil, err
		}
		r.Kind, r.ID, r.Payload = KindProfile, id, payload
		return r, nil, nil
	case "profile_chunk":
		var ch struct {
			ChunkID    string `json:"chunk_id"`
			ProfilerID string `json:"profiler_id"`
		}
		if err := json.Unmarshal(it.Payload, &ch); err != nil {
			return nil, nil, fmt.Errorf("not a profile chunk: %v", err)
		}
		chunk, profiler := normID(ch.ChunkID), normID(ch.ProfilerID)
		if chunk == "" || profiler == "" {
			return nil, nil, fmt.Errorf("a profile chunk needs chunk_id and profiler_id")
		}
		payload, err := withProjectID(it.Payload, p.ID)
		if err != nil {
			return nil, nil, err
		}
		r.Kind, r.ID, r.ParentID, r.Payload = KindChunk, profiler+"/"+chunk, profiler, payload
		return r, nil, nil
	}
	return nil, nil, nil
}

// withProjectID adds "project_id" to a JSON object that has none.
func withProjectID(payload []byte, id int64) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(payload, &m); err != nil {
		return nil, err
	}
	if _, ok := m["project_id"]; ok {
		return payload, nil
	}
	m["project_id"] = json.RawMessage(fmt.Sprint(id))
	return json.Marshal(m)
}

// normID lowercases an id and drops the dashes of the UUID form.
func normID(s string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "-", ""))
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// spanRecord is how a standalone span is stored, whichever form it came
// in: the v1 span item (one span, op and description at the top) or the
// v2 container ({"version": 2, "items": […]}, what @sentry/node 11 sends
// by default), with op, segment and SDK in typed attributes. It is the
// dataset's standalone span, which dataset.BuildTrace reads.
type spanRecord = dataset.Span

// rawSpan reads both span forms.
type rawSpan struct {
	TraceID        string                     `json:"trace_id"`
	SpanID         string                     `json:"span_id"`
	ParentSpanID   string                     `json:"parent_span_id"`
	SegmentID      string                     `json:"segment_id"`
	IsSegment      bool                       `json:"is_segment"`
	Op             string                     `json:"op"`
	Name           string                     `json:"name"`
	Description    string                     `json:"description"`
	Status         string                     `json:"status"`
	StartTimestamp wire.Timestamp             `json:"start_timestamp"`
	EndTimestamp   wire.Timestamp             `json:"end_timestamp"`
	Timestamp      wire.Timestamp             `json:"timestamp"`
	Data           map[string]json.RawMessage `json:"data"`
	Attributes     map[string]struct {
		Value json.RawMessage `json:"value"`
	} `json:"attributes"`
}

// attr is a string attribute (v2) or data member (v1), "" when absent.
func (s *rawSpan) attr(key string) string {
	var raw json.RawMessage
	if a, ok := s.Attributes[key]; ok {
		raw = a.Value
	} else if d, ok := s.Data[key]; ok {
		raw = d
	}
	var v string
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	return v
}

// convertSpans stores the spans of one span item; spans without ids are
// reported and the others kept.
func convertSpans(p Project, it Item, at time.Time) ([]*record, error) {
	var box struct {
		Version int       `json:"version"`
		Items   []rawSpan `json:"items"`
	}
	if err := json.Unmarshal(it.Payload, &box); err != nil {
		return nil, fmt.Errorf("not a span: %v", err)
	}
	spans := box.Items
	if box.Items == nil {
		var one rawSpan
		if err := json.Unmarshal(it.Payload, &one); err != nil {
			return nil, fmt.Errorf("not a span: %v", err)
		}
		spans = []rawSpan{one}
	}
	var out []*record
	missing := 0
	for _, s := range spans {
		if s.TraceID == "" || s.SpanID == "" {
			missing++
			continue
		}
		sr := spanRecord{
			TraceID: normID(s.TraceID), SpanID: strings.ToLower(s.SpanID), ParentSpanID: strings.ToLower(s.ParentSpanID),
			SegmentID: strings.ToLower(firstNonEmpty(s.SegmentID, s.attr("sentry.segment.id"))), IsSegment: s.IsSegment,
			Op: firstNonEmpty(s.Op, s.attr("sentry.op")), Name: s.Name, Description: s.Description, Status: s.Status,
			SDKName: s.attr("sentry.sdk.name"), StartTimestamp: s.StartTimestamp, EndTimestamp: cmp.Or(s.EndTimestamp, s.Timestamp),
		}
		// A v2 server span is named by its method alone ("GET"): add the
		// route or path, as a transaction name would have it.
		if sr.Description == "" && !strings.Contains(sr.Name, " ") {
			if route := firstNonEmpty(s.attr("http.route"), s.attr("url.path")); route != "" {
				sr.Name = strings.TrimSpace(sr.Name + " " + route)
			}
		}
		payload, err := json.Marshal(sr)
		if err != nil {
			return nil, err
		}
		out = append(out, &record{Kind: KindSpan, ID: sr.SpanID, ProjectID: p.ID, TraceID: sr.TraceID, Received: at.UnixNano(), Payload: payload})
	}
	if missing > 0 {
		return out, fmt.Errorf("%d of %d spans have no trace_id or span_id", missing, len(spans))
	}
	return out, nil
}
