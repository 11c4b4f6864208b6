package ingest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tracehound/tracehound/sentryapi"
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
	events := map[*record]*sentryapi.Event{}
	for i, it := range items {
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
func convert(p Project, envEventID string, it Item, at time.Time) (*record, *sentryapi.Event, error) {
	r := &record{ProjectID: p.ID, Received: at.UnixNano()}
	switch it.Type {
	case "event", "transaction":
		ev, err := sentryapi.DecodeIngestEvent(it.Payload)
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
		ev.ProjectID = sentryapi.FlexString(fmt.Sprint(p.ID))
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
		payload, err := sentryapi.Encode(ev)
		if err != nil {
			return nil, nil, err
		}
		r.Payload = payload
		return r, ev, nil
	case "span":
		var sp struct {
			TraceID string `json:"trace_id"`
			SpanID  string `json:"span_id"`
		}
		if err := json.Unmarshal(it.Payload, &sp); err != nil {
			return nil, nil, fmt.Errorf("not a span: %v", err)
		}
		if sp.TraceID == "" || sp.SpanID == "" {
			return nil, nil, fmt.Errorf("a span needs trace_id and span_id")
		}
		r.Kind, r.ID, r.TraceID, r.Payload = KindSpan, strings.ToLower(sp.SpanID), normID(sp.TraceID), it.Payload
		return r, nil, nil
	case "profile":
		var pr sentryapi.Profile
		if err := sentryapi.Decode(it.Payload, &pr); err != nil {
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
			pr.ProjectID = sentryapi.FlexInt(p.ID)
		}
		payload, err := sentryapi.Encode(&pr)
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
