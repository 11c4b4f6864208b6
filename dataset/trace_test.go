package dataset_test

import (
	"encoding/json"
	"testing"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/sentryapi/wire"
)

const (
	txnID = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	errID = "cccccccccccccccccccccccccccccccc"
)

// txnEvent is an API-form transaction whose root span is root, with spans.
func txnEvent(root, parent string, spans string) []byte {
	return []byte(`{"id":"` + txnID + `","type":"transaction","title":"POST /pay","startTimestamp":10,"endTimestamp":11,
		"tags":[{"key":"transaction","value":"POST /pay"}],"sdk":{"name":"sentry.python"},
		"contexts":{"trace":{"trace_id":"11111111111111111111111111111111","span_id":"` + root + `","parent_span_id":"` + parent + `","op":"http.server","status":"ok"}},
		"entries":[{"type":"spans","data":[` + spans + `]}]}`)
}

func errEvent(span string) []byte {
	return []byte(`{"id":"` + errID + `","type":"error","title":"ValueError: boom","culprit":"pay","dateCreated":"2026-01-01T00:00:10.5Z",
		"tags":[{"key":"level","value":"fatal"}],
		"contexts":{"trace":{"trace_id":"11111111111111111111111111111111","span_id":"` + span + `"}}}`)
}

// shape walks a trace: spans and errors counted, and each span's parent.
func shape(tr wire.Trace) (spans, errs int, parent map[string]string) {
	parent = map[string]string{}
	var walk func([]wire.TraceItem, string)
	walk = func(items []wire.TraceItem, up string) {
		for _, it := range items {
			if it.EventType == wire.TraceItemError {
				errs++
				parent[it.EventID] = up
				continue
			}
			spans++
			parent[it.EventID] = up
			for _, e := range it.Errors {
				errs++
				parent[e.EventID] = it.EventID
			}
			walk(it.Children, it.EventID)
		}
	}
	walk(tr, "")
	return spans, errs, parent
}

func TestBuildTraceLinks(t *testing.T) {
	p := dataset.ProjectRef{ID: 1, Slug: "backend"}
	span := func(id, parent string, start float64) string {
		b, _ := json.Marshal(dataset.Span{TraceID: "11111111111111111111111111111111", SpanID: id, ParentSpanID: parent,
			Op: "db", Description: "SELECT 1", StartTimestamp: wire.Timestamp(start), EndTimestamp: wire.Timestamp(start + 0.5)})
		return string(b)
	}
	tr := dataset.BuildTrace([]dataset.Item{
		{Kind: dataset.KindTransaction, ID: txnID, Project: p, Payload: txnEvent("1000000000000001", "",
			`{"span_id":"1000000000000002","parent_span_id":"1000000000000001","op":"db","start_timestamp":10.1,"timestamp":10.2}`)},
		{Kind: dataset.KindSpan, ID: "2000000000000001", Project: p, Payload: []byte(span("2000000000000001", "1000000000000002", 10.15))},
		{Kind: dataset.KindError, ID: errID, Project: p, IssueID: 7, ShortID: "BACKEND-7", Payload: errEvent("2000000000000001")},
		{Kind: dataset.KindProfile, ID: "dddddddddddddddddddddddddddddddd", ParentID: txnID, Project: p},
		{Kind: dataset.KindError, ID: "e2", Project: p, Payload: []byte(`not json`)},
	})
	spans, errs, parent := shape(tr)
	if spans != 3 || errs != 1 || len(tr) != 1 {
		t.Fatalf("%d spans, %d errors, %d roots; want 3, 1, 1", spans, errs, len(tr))
	}
	want := map[string]string{"1000000000000001": "", "1000000000000002": "1000000000000001", "2000000000000001": "1000000000000002", errID: "2000000000000001"}
	for id, up := range want {
		if parent[id] != up {
			t.Errorf("parent of %s = %q, want %q", id, parent[id], up)
		}
	}
	root := tr[0]
	if !root.IsTransaction || root.ProfileID != "dddddddddddddddddddddddddddddddd" || root.Transaction != "POST /pay" ||
		root.SDKName != "sentry.python" || root.Duration != 1000 || root.ProjectSlug != "backend" {
		t.Errorf("root = %+v", root)
	}
	e := root.Children[0].Children[0].Errors[0]
	if e.ShortID != "BACKEND-7" || e.IssueID != 7 || e.Level != "fatal" || e.Description != "ValueError: boom" {
		t.Errorf("error = %+v", e)
	}
}

func TestBuildTraceSurvivesBadLinks(t *testing.T) {
	// A cycle (two spans each the other's parent), a duplicate span id
	// and an error whose span is unknown.
	p := dataset.ProjectRef{ID: 1, Slug: "p"}
	tr := dataset.BuildTrace([]dataset.Item{
		{Kind: dataset.KindTransaction, ID: txnID, Project: p, Payload: txnEvent("1000000000000001", "1000000000000003",
			`{"span_id":"1000000000000003","parent_span_id":"1000000000000001","op":"x","start_timestamp":1,"timestamp":2},
			 {"span_id":"1000000000000003","parent_span_id":"1000000000000001","op":"dup","start_timestamp":1,"timestamp":2}`)},
		{Kind: dataset.KindError, ID: errID, Project: p, Payload: errEvent("ffffffffffffffff")},
	})
	spans, errs, _ := shape(tr)
	if spans != 2 || errs != 1 {
		data, _ := json.Marshal(tr)
		t.Errorf("%d spans and %d errors kept, want 2 and 1: %s", spans, errs, data)
	}
}
