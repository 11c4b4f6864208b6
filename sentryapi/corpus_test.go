package sentryapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/sentryapi/local"
	"github.com/tracehound/tracehound/tracetree"
)

// The type-mismatch corpus: for every value of a real issue, event
// (error and transaction), trace and profile payload, a payload where that
// one value has an unexpected JSON type, served by sentryapi/local and read
// by the real client. Only the values a view cannot work without may fail
// the call; every other mismatch is dropped with a debug note naming it,
// and the views still render. Every payload is read both ways: held whole,
// and decoded as it arrives (as a body over StreamAboveBytes is).
func TestTypeMismatchCorpus(t *testing.T) {
	t.Run("whole", func(t *testing.T) { typeMismatchCorpus(t, 0) })
	t.Run("streamed", func(t *testing.T) { typeMismatchCorpus(t, 1) })
}

func typeMismatchCorpus(t *testing.T, streamAbove int64) {
	ctx := context.Background()
	var debug []string
	h := newHarness(t, false, nil, func(o *sentryapi.Options) {
		o.Debug = func(s string) { debug = append(debug, s) }
		o.StreamAboveBytes = streamAbove
	})
	c := h.client
	endpoints := []struct {
		name     string
		path     string         // served path
		required *regexp.Regexp // pointers that must fail the call
		call     func() error
	}{
		{name: "issue", path: "/api/0/organizations/acme/issues/100/",
			required: regexp.MustCompile(`^/id$`),
			call: func() error {
				is, err := c.Issue(ctx, "100")
				if err == nil && is.ID == "" {
					return fmt.Errorf("the issue lost its id: %+v", is)
				}
				return err
			}},
		{name: "error event", path: "/api/0/projects/acme/backend/events/" + errEventID + "/",
			required: regexp.MustCompile(`^/eventID$`),
			call: func() error {
				ev, err := c.Event(ctx, "backend", errEventID)
				if err != nil {
					return err
				}
				if ev.EventID != errEventID {
					return fmt.Errorf("the event lost its id")
				}
				_ = tracetree.ErrorView(ev, tracetree.DefaultEventOptions())
				return nil
			}},
		{name: "transaction event", path: "/api/0/projects/acme/backend/events/" + txnID + "/",
			required: regexp.MustCompile(`^/eventID$`),
			call: func() error {
				ev, err := c.Event(ctx, "backend", txnID)
				if err != nil {
					return err
				}
				_, _ = tracetree.BuildSpanTree(ev)
				_ = tracetree.ErrorView(ev, tracetree.DefaultEventOptions())
				return nil
			}},
		{name: "trace", path: "/api/0/organizations/acme/trace/" + traceID + "/",
			required: regexp.MustCompile(`/event_id$`),
			call: func() error {
				tr, err := c.Trace(ctx, traceID, sentryapi.TraceOptions{})
				if err != nil {
					return err
				}
				tree := tracetree.Build(tr.Items, tracetree.BuildOptions{TraceID: traceID, FocusEventID: errEventID})
				_ = tracetree.Render(tree, tracetree.RenderOptions{})
				return nil
			}},
		{name: "trace meta", path: "/api/0/organizations/acme/trace-meta/" + traceID + "/",
			call: func() error {
				m, err := c.TraceMeta(ctx, traceID, sentryapi.TraceOptions{})
				if err == nil {
					_ = m.Errors() + m.Spans() + m.Transactions()
				}
				return err
			}},
		{name: "profile", path: "/api/0/projects/acme/backend/profiling/profiles/" + profileID + "/",
			required: regexp.MustCompile(`^/profile/(frames|stacks|samples)$`),
			call: func() error {
				p, err := c.Profile(ctx, "backend", profileID)
				if err == nil {
					_, _ = tracetree.BuildProfile(p, tracetree.ProfileOptions{})
				}
				return err
			}},
	}
	cases, refused := 0, 0
	for _, ep := range endpoints {
		raw := fetchRaw(t, h.srv, ep.path)
		muts := mutations(t, raw)
		if len(muts) < 5 {
			t.Fatalf("%s: only %d values to vary", ep.name, len(muts))
		}
		for _, m := range muts {
			cases++
			debug = nil
			h.srv.Inject(local.Fault{Path: "^" + regexp.QuoteMeta(ep.path) + "$", Body: string(m.body), Times: 1})
			err := ep.call()
			required := ep.required != nil && ep.required.MatchString(m.ptr)
			switch {
			case required && err == nil:
				// A flexible type took it (an id as a number).
			case required && !strings.Contains(err.Error(), m.ptr+", which tracehound needs"):
				t.Errorf("%s %s as %s: %v", ep.name, m.ptr, m.as, err)
			case required:
				refused++
			case !required && err != nil:
				t.Errorf("%s %s as %s failed the call: %v", ep.name, m.ptr, m.as, err)
			}
			if m.mismatch && !required && !anyContains(debug, m.ptr) && !anyContains(debug, "kept raw") {
				// A value the Go type does not name is kept raw (no note); a
				// typed one must be noted when it is dropped.
				if d := strings.Join(debug, "\n"); strings.Contains(d, "dropped") {
					t.Errorf("%s %s as %s: the debug notes do not name it:\n%s", ep.name, m.ptr, m.as, d)
				}
			}
		}
	}
	if refused < 4 {
		t.Errorf("only %d payloads were refused for a required value", refused)
	}
	t.Logf("%d payloads, %d refused for a required value", cases, refused)
}

func anyContains(list []string, s string) bool {
	for _, x := range list {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

// fetchRaw reads what the server answers on path, byte for byte.
func fetchRaw(t *testing.T, srv *local.Server, path string) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://sentry.test"+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := srv.Transport().RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
	}
	return b
}

type mutation struct {
	ptr, as  string
	mismatch bool // the new value's kind differs in a way a typed field rejects
	body     []byte
}

// mutations returns, for every value of the document but the root, the
// document with that value replaced by one of another JSON type.
func mutations(t *testing.T, raw []byte) []mutation {
	t.Helper()
	doc := decodeAny(t, raw)
	var ptrs []string
	var walk func(v any, ptr string)
	walk = func(v any, ptr string) {
		if ptr != "" {
			ptrs = append(ptrs, ptr)
		}
		switch v := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(v[k], ptr+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"))
			}
		case []any:
			for i, x := range v {
				walk(x, ptr+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(doc, "")
	var out []mutation
	for _, ptr := range ptrs {
		d := decodeAny(t, raw)
		old := getAt(d, ptr)
		var repl any
		as := ""
		switch old.(type) {
		case string:
			repl, as = json.Number("12.5"), "a number"
		case json.Number:
			repl, as = "not a number", "a string"
		case bool:
			repl, as = "yes", "a string"
		case map[string]any:
			repl, as = "an object was here", "a string"
		case []any:
			repl, as = map[string]any{"unexpected": true}, "an object"
		default: // null
			repl, as = []any{"x"}, "an array"
		}
		setAt(d, ptr, repl)
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, mutation{ptr: ptr, as: as, mismatch: true, body: b})
	}
	return out
}

func decodeAny(t *testing.T, raw []byte) any {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func unescape(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
}

func getAt(v any, ptr string) any {
	for _, tok := range strings.Split(ptr, "/")[1:] {
		switch x := v.(type) {
		case map[string]any:
			v = x[unescape(tok)]
		case []any:
			i, _ := strconv.Atoi(tok)
			v = x[i]
		}
	}
	return v
}

func setAt(v any, ptr string, repl any) {
	toks := strings.Split(ptr, "/")[1:]
	parent := getAt(v, "/"+strings.Join(toks[:len(toks)-1], "/"))
	if len(toks) == 1 {
		parent = v
	}
	last := toks[len(toks)-1]
	switch x := parent.(type) {
	case map[string]any:
		x[unescape(last)] = repl
	case []any:
		i, _ := strconv.Atoi(last)
		x[i] = repl
	}
}

// The examples from the bug report, with the exact notes.
func TestTypeMismatchNotes(t *testing.T) {
	ctx := context.Background()
	var debug []string
	h := newHarness(t, false, nil, func(o *sentryapi.Options) {
		o.Debug = func(s string) { debug = append(debug, s) }
	})
	c := h.client
	swap := func(path, old, new string) {
		raw := string(fetchRaw(t, h.srv, path))
		if !strings.Contains(raw, old) {
			t.Fatalf("%s has no %s", path, old)
		}
		h.srv.Inject(local.Fault{Path: "^" + regexp.QuoteMeta(path) + "$", Body: strings.Replace(raw, old, new, 1), Times: 1})
	}
	debug = nil
	swap("/api/0/organizations/acme/issues/100/", `"userCount":3`, `"userCount":"3 users"`)
	is, err := c.Issue(ctx, "100")
	if err != nil || is.ShortID != "BACKEND-1AB" || is.UserCount != 0 {
		t.Fatalf("issue: %+v %v", is, err)
	}
	if !anyContains(debug, "dropped /userCount: a string where an integer was expected (a field tracehound can do without)") {
		t.Errorf("notes: %q", debug)
	}

	debug = nil
	swap("/api/0/projects/acme/backend/events/"+errEventID+"/", `"dateCreated":"`, `"dateCreated":1763608327,"x":"`)
	ev, err := c.Event(ctx, "backend", errEventID)
	if err != nil || ev.EventID != errEventID || ev.DateCreated != "" || ev.Exception() == nil {
		t.Fatalf("event: %+v %v", ev, err)
	}
	if !anyContains(debug, "dropped /dateCreated: a number where a string was expected") {
		t.Errorf("notes: %q", debug)
	}

	debug = nil
	swap("/api/0/organizations/acme/trace/"+traceID+"/", `"transaction_id":"`+txnID+`"`, `"transaction_id":{"id":"`+txnID+`"}`)
	tr, err := c.Trace(ctx, traceID, sentryapi.TraceOptions{})
	if err != nil || len(tr.Items) != 1 || tr.Items[0].TransactionID != "" || len(tr.Items[0].Children) == 0 {
		t.Fatalf("trace: %+v %v", tr, err)
	}
	if !anyContains(debug, "dropped /0/transaction_id: an object where a string was expected") {
		t.Errorf("notes: %q", debug)
	}
}
