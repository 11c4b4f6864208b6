// Package localtest holds a small, complete dataset for tests of
// sentryapi/local and of the packages above it: one organization, three
// projects, one issue with two events, a trace with a transaction, a
// connected error, a transaction profile and a continuous-profile chunk.
package localtest

import (
	"testing/fstest"

	"github.com/tracehound/tracehound/dataset"
)

// Ids of the dataset.
const (
	TraceID       = "4bf92f3577b34da6a3ce929d0e0e4736"
	ErrorEventID  = "0a1b2c3d4e5f40718293a4b5c6d7e8f9"
	OldEventID    = "1f1f1f1f1f1f4f1f8f1f1f1f1f1f1f1f"
	TransactionID = "9e9e9e9e9e9e4e9e8e9e9e9e9e9e9e9e"
	ProfileID     = "5c5c5c5c5c5c4c5c8c5c5c5c5c5c5c5c"
	ProfilerID    = "7a7a7a7a7a7a4a7a8a7a7a7a7a7a7a7a"
	RootSpanID    = "aaaaaaaaaaaaaaaa"
	ChildSpanID   = "bbbbbbbbbbbbbbbb"
)

// Dataset is a small, complete dataset: one org, three projects, one
// issue with two events, a trace with a transaction, an error, a profile
// and a continuous-profile chunk.
func Dataset() fstest.MapFS {
	f := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	return fstest.MapFS{
		dataset.OrganizationFile: f(`{"id":"1","slug":"acme","name":"Acme","links":{"regionUrl":"","organizationUrl":"https://acme.sentry.io"}}`),
		dataset.ProjectsFile: f(`[{"id":"11","slug":"backend","name":"backend","platform":"python"},
			{"id":"12","slug":"frontend","name":"frontend","platform":"javascript"},
			{"id":"13","slug":"worker","name":"worker","platform":"go"}]`),
		dataset.IssuePath("100"): f(`{"id":"100","shortId":"BACKEND-1AB","title":"ValueError: boom","culprit":"app.views.pay","count":"7","userCount":3,
			"project":{"id":"11","slug":"backend","platform":"python"},"metadata":{"type":"ValueError","value":"boom"},"unknownField":{"kept":true}}`),
		dataset.EventPath("backend", ErrorEventID): f(`{"id":"` + ErrorEventID + `","eventID":"` + ErrorEventID + `","groupID":"100","projectID":"11","type":"error",
			"title":"ValueError: boom","platform":"python","dateCreated":"2026-11-20T03:12:07Z",
			"entries":[{"type":"exception","data":{"values":[{"type":"ValueError","value":"boom","stacktrace":{"frames":[
				{"filename":"app/views.py","function":"pay","lineNo":"42","inApp":true,"context":[[41,"def pay():"],[42,"    raise ValueError('boom')"]]}]}}]}},
				{"type":"made-up-entry","data":{"anything":[1,2,3]}}],
			"contexts":{"trace":{"trace_id":"` + TraceID + `","span_id":"` + ChildSpanID + `","type":"trace"},"os":{"name":"Linux"}},
			"tags":[{"key":"environment","value":"production"}]}`),
		dataset.EventPath("backend", OldEventID): f(`{"id":"` + OldEventID + `","eventID":"` + OldEventID + `","groupID":"100","projectID":"11","type":"error",
			"title":"ValueError: boom","dateCreated":"2026-11-19T01:00:00Z","entries":[],"contexts":{}}`),
		dataset.EventPath("backend", TransactionID): f(`{"id":"` + TransactionID + `","eventID":"` + TransactionID + `","projectID":"11","type":"transaction","title":"POST /pay",
			"dateCreated":"2026-11-20T03:12:07Z","startTimestamp":1763608327.0,"endTimestamp":1763608327.5,
			"entries":[{"type":"spans","data":[{"span_id":"` + ChildSpanID + `","parent_span_id":"` + RootSpanID + `","op":"db","description":"SELECT 1",
				"start_timestamp":1763608327.1,"timestamp":"1763608327.2"}]}],
			"contexts":{"trace":{"trace_id":"` + TraceID + `","span_id":"` + RootSpanID + `"},"profile":{"profile_id":"` + ProfileID + `"}}}`),
		dataset.TracePath(TraceID): f(`[{"event_id":"` + RootSpanID + `","event_type":"span","transaction_id":"` + TransactionID + `","parent_span_id":null,
			"is_transaction":true,"project_id":11,"project_slug":"backend","op":"http.server","description":"POST /pay","transaction":"POST /pay",
			"start_timestamp":1763608327.0,"end_timestamp":1763608327.5,"duration":500,"profile_id":"` + ProfileID + `","profiler_id":"` + ProfilerID + `",
			"children":[{"event_id":"` + ChildSpanID + `","event_type":"span","transaction_id":"` + TransactionID + `","parent_span_id":"` + RootSpanID + `",
				"is_transaction":false,"project_id":11,"project_slug":"backend","op":"db","description":"SELECT 1",
				"start_timestamp":1763608327.1,"end_timestamp":1763608327.2,"duration":100,"profile_id":"","profiler_id":"",
				"children":[],"occurrences":[],
				"errors":[{"event_id":"` + ErrorEventID + `","event_type":"error","issue_id":100,"short_id":"BACKEND-1AB","project_id":11,
					"project_slug":"backend","description":"ValueError: boom","level":"error","start_timestamp":1763608327.15}]}],
			"errors":[],"occurrences":[]}]`),
		dataset.ProfilePath("backend", ProfileID): f(`{"event_id":"` + ProfileID + `","version":"1","platform":"python",
			"transaction":{"id":"` + TransactionID + `","name":"POST /pay","trace_id":"` + TraceID + `","active_thread_id":"1"},
			"profile":{"frames":[{"function":"pay","filename":"app/views.py","lineno":42,"in_app":true}],"stacks":[[0]],
				"samples":[{"stack_id":0,"thread_id":"1","elapsed_since_start_ns":"0"},{"stack_id":0,"thread_id":1,"elapsed_since_start_ns":10000000}],
				"thread_metadata":{"1":{"name":"MainThread"}}}}`),
		dataset.ChunkPath(ProfilerID, "c1"): f(`{"chunk_id":"c1","profiler_id":"` + ProfilerID + `","project_id":11,"version":"2","platform":"node",
			"profile":{"frames":[{"function":"handler","in_app":true}],"stacks":[[0]],
				"samples":[{"stack_id":0,"thread_id":"0","timestamp":1763608327.1},{"stack_id":0,"thread_id":"0","timestamp":1763608327.2},
					{"stack_id":0,"thread_id":"0","timestamp":1763608399.0}],"thread_metadata":{"0":{"name":"main"}}}}`),
		dataset.ReposFile:        f(`[{"id":"1","name":"acme/backend","url":"https://github.com/acme/backend","provider":{"id":"integrations:github","name":"GitHub"},"status":"active"}]`),
		dataset.CodeMappingsFile: f(`[{"id":"1","projectId":"11","projectSlug":"backend","repoId":"1","repoName":"acme/backend","stackRoot":"app/","sourceRoot":"src/app/","defaultBranch":"main"}]`),
		dataset.ManifestFile:     f(`{"name":"test","issue":"BACKEND-1AB"}`),
	}
}
