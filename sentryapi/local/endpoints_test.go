package local_test

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/sentryapi/local"
)

func TestNew(t *testing.T) {
	t.Run("no organization.json", func(t *testing.T) {
		fsys := dataset()
		delete(fsys, "organization.json")
		_, err := local.New(fsys)
		if err == nil || !strings.Contains(err.Error(), "organization.json") {
			t.Fatalf("err = %v, want one naming organization.json", err)
		}
	})
	t.Run("malformed organization.json", func(t *testing.T) {
		fsys := dataset()
		fsys["organization.json"] = &fstest.MapFile{Data: []byte(`{"slug": "acme",`)}
		_, err := local.New(fsys)
		if err == nil || !strings.Contains(err.Error(), "dataset file organization.json:") {
			t.Fatalf("err = %v, want one naming organization.json", err)
		}
	})
	t.Run("organization without slug", func(t *testing.T) {
		fsys := dataset()
		fsys["organization.json"] = &fstest.MapFile{Data: []byte(`{"id": "1"}`)}
		if _, err := local.New(fsys); err == nil || !strings.Contains(err.Error(), "slug") {
			t.Fatalf("err = %v, want one about the slug", err)
		}
	})
	t.Run("nil fs", func(t *testing.T) {
		if _, err := local.New(nil); err == nil {
			t.Fatal("New(nil) succeeded")
		}
	})
	t.Run("bad options", func(t *testing.T) {
		for name, opt := range map[string]local.Option{
			"per page 0":   local.WithPerPage(0),
			"per page 101": local.WithPerPage(101),
			"empty token":  local.WithToken(""),
			"fault regexp": local.WithFaults(local.Fault{Path: "("}),
		} {
			if _, err := local.New(dataset(), opt); err == nil {
				t.Errorf("%s: New succeeded", name)
			}
		}
	})
	t.Run("minimal dataset", func(t *testing.T) {
		s := newServer(t, fstest.MapFS{"organization.json": {Data: []byte(`{"id":"1","slug":"solo"}`)}})
		forEach(t, s, func(t *testing.T, c conn) {
			var projects []wire.Project
			c.get(t, "/api/0/organizations/solo/projects/").want(t, 200).decode(t, &projects)
			if len(projects) != 0 {
				t.Errorf("projects = %v, want none", projects)
			}
			c.get(t, "/api/0/organizations/solo/repos/").want(t, 200)
			c.get(t, "/api/0/organizations/solo/issues/1/").want(t, 404)
		})
	})
}

func TestOrganization(t *testing.T) {
	for _, tc := range []struct {
		name   string
		org    string
		opts   []local.Option
		region string
	}{
		{"sentry.io region is hidden", orgJSON, nil, ""},
		{"self-hosted region is kept", `{"id":"1","slug":"acme","links":{"regionUrl":"https://sentry.example.com","organizationUrl":"x"}}`, nil, "https://sentry.example.com"},
		{"WithRegionURL", orgJSON, []local.Option{local.WithRegionURL("http://region.local")}, "http://region.local"},
		{"WithRegionURL without links", `{"id":"1","slug":"acme"}`, []local.Option{local.WithRegionURL("http://region.local")}, "http://region.local"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := dataset()
			fsys["organization.json"] = &fstest.MapFile{Data: []byte(tc.org)}
			s := newServer(t, fsys, tc.opts...)
			forEach(t, s, func(t *testing.T, c conn) {
				for _, key := range []string{"acme", "1", "4509106740723712"} {
					if key != "acme" && !strings.Contains(tc.org, `"`+key+`"`) {
						continue
					}
					var org wire.Organization
					c.get(t, "/api/0/organizations/"+key+"/").want(t, 200).decode(t, &org)
					if org.Slug != "acme" || org.Links.RegionURL != tc.region {
						t.Errorf("%s: slug %q regionUrl %q, want acme %q", key, org.Slug, org.Links.RegionURL, tc.region)
					}
				}
				var orgs []wire.Organization
				r := c.get(t, "/api/0/organizations/").want(t, 200)
				r.decode(t, &orgs)
				if len(orgs) != 1 || orgs[0].Links.RegionURL != tc.region {
					t.Errorf("organizations = %+v", orgs)
				}
				if !strings.Contains(r.header.Get("Link"), `rel="next"; results="false"`) {
					t.Errorf("Link = %q", r.header.Get("Link"))
				}
			})
		})
	}
	// Members the fake does not interpret are served as stored.
	s := newServer(t, dataset())
	forEach(t, s, func(t *testing.T, c conn) {
		var org wire.Organization
		c.get(t, "/api/0/organizations/acme").want(t, 200).decode(t, &org)
		if org.Links.OrganizationURL != "https://acme.sentry.io" || !slices.Equal(org.Features, []string{"performance-view"}) || string(org.Extra["status"]) != `{"id":"active"}` {
			t.Errorf("org = %+v", org)
		}
	})
}

func TestProjects(t *testing.T) {
	s := newServer(t, dataset())
	forEach(t, s, func(t *testing.T, c conn) {
		var projects []wire.Project
		c.get(t, "/api/0/organizations/acme/projects/").want(t, 200).decode(t, &projects)
		if len(projects) != 3 || projects[0].Slug != "backend" || projects[2].Platform != "python" {
			t.Errorf("projects = %+v", projects)
		}
		r := c.get(t, "/api/0/organizations/acme/projects/?all_projects=1").want(t, 200)
		if r.header.Get("Link") != "" {
			t.Errorf("all_projects answered a Link header: %q", r.header.Get("Link"))
		}
		for _, key := range []string{"frontend", "12"} {
			var p wire.Project
			c.get(t, "/api/0/projects/acme/"+key+"/").want(t, 200).decode(t, &p)
			if p.Slug != "frontend" || p.ID != "12" {
				t.Errorf("project %s = %+v", key, p)
			}
		}
		if d := c.get(t, "/api/0/projects/acme/nope/").want(t, 404).detail(t); d != "The requested resource does not exist" {
			t.Errorf("detail = %q", d)
		}
	})
}

func TestIssues(t *testing.T) {
	s := newServer(t, dataset())
	forEach(t, s, func(t *testing.T, c conn) {
		for _, key := range []string{"100", "BACKEND-1A", "backend-1a", "Backend-1A"} {
			var is wire.Issue
			c.get(t, "/api/0/organizations/acme/issues/"+key+"/").want(t, 200).decode(t, &is)
			if is.ID != "100" || is.ShortID != "BACKEND-1A" || is.Count != "3" {
				t.Errorf("issue %s = %+v", key, is)
			}
		}
		for _, key := range []string{"999", "BACKEND-ZZ"} {
			if d := c.get(t, "/api/0/organizations/acme/issues/"+key+"/").want(t, 404).detail(t); d != "The requested resource does not exist" {
				t.Errorf("%s: detail %q", key, d)
			}
		}
		var lk wire.ShortIDLookup
		c.get(t, "/api/0/organizations/acme/shortids/backend-1a/").want(t, 200).decode(t, &lk)
		if lk.OrganizationSlug != "acme" || lk.ProjectSlug != "backend" || lk.GroupID != "100" || lk.ShortID != "BACKEND-1A" || lk.Group == nil || lk.Group.Title != "ZeroDivisionError" {
			t.Errorf("shortids = %+v", lk)
		}
		c.get(t, "/api/0/organizations/acme/shortids/100/").want(t, 404)
		c.get(t, "/api/0/organizations/acme/shortids/NOPE-1/").want(t, 404)
	})
}

func TestIssueEvents(t *testing.T) {
	s := newServer(t, dataset())
	forEach(t, s, func(t *testing.T, c conn) {
		var evs []wire.Event
		r := c.get(t, "/api/0/organizations/acme/issues/100/events/").want(t, 200)
		r.decode(t, &evs)
		if ids := eventIDs(evs); !slices.Equal(ids, []string{evNew, evMid, evOld}) {
			t.Errorf("events = %v, want newest first", ids)
		}
		if bytes.Contains(r.body, []byte(`"entries"`)) {
			t.Errorf("list without full=true has entries: %s", r.body)
		}
		if !strings.Contains(r.header.Get("Link"), `rel="next"; results="false"`) {
			t.Errorf("Link = %q", r.header.Get("Link"))
		}
		c.get(t, "/api/0/organizations/acme/issues/BACKEND-1A/events/?full=true").want(t, 200).decode(t, &evs)
		if len(evs) != 3 || evs[0].Entry(wire.EntryMessage) == nil || evs[0].Entry(wire.EntryMessage).Message.Formatted != "boom" {
			t.Errorf("full=true events = %+v", evs)
		}

		for which, want := range map[string]string{
			"latest": evNew, "oldest": evOld, "recommended": evMid, evOld: evOld,
			// the UUID form of an id is accepted
			"e1000000-0000-0000-0000-000000000002": evMid,
		} {
			var ev wire.Event
			c.get(t, "/api/0/organizations/acme/issues/100/events/"+which+"/").want(t, 200).decode(t, &ev)
			if ev.ID != want || ev.Entry(wire.EntryMessage) == nil {
				t.Errorf("%s = %s (entries %d), want %s with entries", which, ev.ID, len(ev.Entries), want)
			}
		}
		for _, which := range []string{"latest", "oldest", "recommended"} {
			d := c.get(t, "/api/0/organizations/acme/issues/200/events/"+which+"/").want(t, 404).detail(t)
			if d != "No matching event found, try changing the environments, date range, or query." {
				t.Errorf("%s of an issue without events: detail %q", which, d)
			}
		}
		// An event of another issue is not an event of this one.
		if d := c.get(t, "/api/0/organizations/acme/issues/100/events/"+evFront+"/").want(t, 404).detail(t); d != "Event not found" {
			t.Errorf("detail %q", d)
		}
		c.get(t, "/api/0/organizations/acme/issues/999/events/").want(t, 404)
		c.get(t, "/api/0/organizations/acme/issues/200/events/").want(t, 200).decode(t, &evs)
		if len(evs) != 0 {
			t.Errorf("issue 200 events = %v", eventIDs(evs))
		}
	})
}

func TestRecommendedPrefersTraceAndProfile(t *testing.T) {
	fsys := dataset()
	ctx := func(trace, profile bool) string {
		s := `,"contexts":{`
		if trace {
			s += `"trace":{"trace_id":"` + traceID + `"}`
		}
		if profile {
			if trace {
				s += ","
			}
			s += `"profile":{"profiler_id":"` + profiler + `"}`
		}
		return s + "}"
	}
	// Newest first: no trace; trace only; trace and profile; trace, profile
	// and processing errors.
	fsys["events/backend/"+evNew+".json"] = &fstest.MapFile{Data: []byte(event(evNew, "100", "2024-05-01T10:05:00Z", ctx(false, true)))}
	fsys["events/backend/"+evMid+".json"] = &fstest.MapFile{Data: []byte(event(evMid, "100", "2024-05-01T10:04:00Z", ctx(true, false)))}
	fsys["events/backend/"+evOld+".json"] = &fstest.MapFile{Data: []byte(event(evOld, "100", "2024-05-01T10:03:00Z", ctx(true, true)))}
	const evErr = "e1000000000000000000000000000004"
	fsys["events/backend/"+evErr+".json"] = &fstest.MapFile{Data: []byte(event(evErr, "100", "2024-05-01T10:06:00Z",
		ctx(true, true)+`,"errors":[{"type":"js_no_source"}]`))}
	s := newServer(t, fsys)
	c := conns(t, s)[1]
	var ev wire.Event
	c.get(t, "/api/0/organizations/acme/issues/100/events/recommended/").want(t, 200).decode(t, &ev)
	if ev.ID != evOld {
		t.Errorf("recommended = %s, want %s (trace and profile, no processing errors)", ev.ID, evOld)
	}
	c.get(t, "/api/0/organizations/acme/issues/100/events/latest/").want(t, 200).decode(t, &ev)
	if ev.ID != evErr {
		t.Errorf("latest = %s, want %s", ev.ID, evErr)
	}
}

func eventIDs(evs []wire.Event) []string {
	var ids []string
	for _, e := range evs {
		ids = append(ids, e.ID)
	}
	return ids
}

func TestEvents(t *testing.T) {
	s := newServer(t, dataset())
	forEach(t, s, func(t *testing.T, c conn) {
		for _, proj := range []string{"backend", "11"} {
			r := c.get(t, "/api/0/projects/acme/"+proj+"/events/"+evTxn+"/").want(t, 200)
			var ev wire.Event
			r.decode(t, &ev)
			if ev.Type != "transaction" || ev.ProjectSlug != "" || ev.StartTimestamp != 1000.2 {
				t.Errorf("project %s event = %+v", proj, ev)
			}
		}
		if d := c.get(t, "/api/0/projects/acme/backend/events/"+unknownID+"/").want(t, 404).detail(t); d != "Event not found" {
			t.Errorf("detail %q", d)
		}
		// An event of another project is not found in this one.
		c.get(t, "/api/0/projects/acme/frontend/events/"+evTxn+"/").want(t, 404)
		c.get(t, "/api/0/projects/acme/nope/events/"+evTxn+"/").want(t, 404)

		var ev wire.Event
		c.get(t, "/api/0/organizations/acme/events/backend:"+evTxn+"/").want(t, 200).decode(t, &ev)
		if ev.ProjectSlug != "backend" || ev.ID != evTxn || len(ev.Spans()) != 0 || ev.Entry(wire.EntrySpans) == nil {
			t.Errorf("org event = %+v", ev)
		}
		c.get(t, "/api/0/organizations/acme/events/11:"+evNew+"/").want(t, 200).decode(t, &ev)
		if ev.ProjectSlug != "backend-stored" {
			t.Errorf("a stored projectSlug was replaced: %q", ev.ProjectSlug)
		}
		if d := c.get(t, "/api/0/organizations/acme/events/backend:"+unknownID+"/").want(t, 404).detail(t); d != "Event not found" {
			t.Errorf("detail %q", d)
		}
		c.get(t, "/api/0/organizations/acme/events/"+evTxn+"/").want(t, 404)

		var lk wire.EventIDLookup
		c.get(t, "/api/0/organizations/acme/eventids/"+evFront+"/").want(t, 200).decode(t, &lk)
		if lk.OrganizationSlug != "acme" || lk.ProjectSlug != "frontend" || lk.GroupID != "300" || lk.EventID != evFront || lk.Event == nil || lk.Event.ID != evFront {
			t.Errorf("eventids = %+v", lk)
		}
		r := c.get(t, "/api/0/organizations/acme/eventids/"+evTxn+"/").want(t, 200)
		if !bytes.Contains(r.body, []byte(`"groupId":null`)) {
			t.Errorf("transaction lookup: want groupId null, got %s", r.body[:min(len(r.body), 120)])
		}
		c.get(t, "/api/0/organizations/acme/eventids/"+unknownID+"/").want(t, 404)
	})
}

func TestTrace(t *testing.T) {
	s := newServer(t, dataset())
	forEach(t, s, func(t *testing.T, c conn) {
		r := c.get(t, "/api/0/organizations/acme/trace/"+traceID+"/?statsPeriod=14d&per_page=1&cursor=0:1:0").want(t, 200)
		if string(r.body) != traceJSON {
			t.Errorf("trace is not served as stored")
		}
		if r.header.Get("Link") != "" {
			t.Errorf("trace Link = %q", r.header.Get("Link"))
		}
		var tr wire.Trace
		r.decode(t, &tr)
		if len(tr) != 3 || tr[0].Children[0].Children[0].ProfileID != profile1 {
			t.Errorf("trace = %+v", tr)
		}
		// An unknown trace is an empty list, as in Sentry; a non-id is 404.
		if r := c.get(t, "/api/0/organizations/acme/trace/"+unknownID+"/").want(t, 200); string(r.body) != "[]" {
			t.Errorf("unknown trace = %s", r.body)
		}
		c.get(t, "/api/0/organizations/acme/trace/not-a-trace/").want(t, 404)
	})
}

func TestTraceMeta(t *testing.T) {
	s := newServer(t, dataset())
	forEach(t, s, func(t *testing.T, c conn) {
		var m wire.TraceMeta
		c.get(t, "/api/0/organizations/acme/trace-meta/"+traceID+"/").want(t, 200).decode(t, &m)
		if m.ErrorsCount == nil {
			t.Fatalf("counted meta is not in the camelCase shape: %+v", m)
		}
		if m.Errors() != 4 || m.PerformanceIssues() != 1 || m.Spans() != 7 || m.Transactions() != 4 {
			t.Errorf("errors %d perf %d spans %d txns %d, want 4 1 7 4", m.Errors(), m.PerformanceIssues(), m.Spans(), m.Transactions())
		}
		counts := map[string]string{}
		for _, e := range m.TransactionChildCountMap {
			counts[wire.RawText(e["transaction.event_id"])] = wire.RawText(e["count()"])
		}
		if want := map[string]string{txnA: "2", txnB: "3", txnC: "1", txnZ: "1"}; !mapsEqual(counts, want) {
			t.Errorf("transactionChildCountMap = %v, want %v", counts, want)
		}
		if ops := m.SpansCountMap; ops["db"] != 2 || ops["http.client"] != 1 || ops["pageload"] != 1 || ops["queue.task"] != 1 || ops["function"] != 1 || len(ops) != 6 {
			t.Errorf("spansCountMap = %v", ops)
		}

		// A stored .meta.json is served as is (here the older snake_case).
		r := c.get(t, "/api/0/organizations/acme/trace-meta/"+trace2ID+"/").want(t, 200)
		var stored wire.TraceMeta
		r.decode(t, &stored)
		if stored.Spans() != 112 || stored.Errors() != 1 || stored.SpanCountOld == nil || stored.ErrorsCount != nil {
			t.Errorf("stored meta = %s", r.body)
		}
		var empty wire.TraceMeta
		c.get(t, "/api/0/organizations/acme/trace-meta/"+unknownID+"/").want(t, 200).decode(t, &empty)
		if empty.Spans() != 0 || empty.ErrorsCount == nil || *empty.ErrorsCount != 0 {
			t.Errorf("unknown trace meta = %+v", empty)
		}
	})
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestLegacyTrace(t *testing.T) {
	s := newServer(t, dataset())
	forEach(t, s, func(t *testing.T, c conn) {
		r := c.get(t, "/api/0/organizations/acme/events-trace/"+traceID+"/?detailed=1").want(t, 200)
		var lt wire.LegacyTrace
		r.decode(t, &lt)
		if len(lt.Transactions) != 1 {
			t.Fatalf("transactions = %+v", lt.Transactions)
		}
		a := lt.Transactions[0]
		if a.EventID != txnA || a.SpanID != "a000000000000001" || a.ParentSpanID != "" || a.Generation != 0 ||
			a.Op != "pageload" || a.DurationMS != 2500 || a.Transaction != "GET /checkout" || a.ProjectSlug != "frontend" {
			t.Errorf("root = %+v", a)
		}
		if len(a.Errors) != 1 || a.Errors[0].EventID != evFront || a.Errors[0].Span != "a000000000000002" || a.Errors[0].Issue != "FRONTEND-3" || a.Errors[0].IssueID != 300 {
			t.Errorf("root errors = %+v", a.Errors)
		}
		if len(a.Children) != 1 {
			t.Fatalf("root children = %+v", a.Children)
		}
		b := a.Children[0]
		if b.EventID != txnB || b.SpanID != "b000000000000001" || b.ParentSpanID != "a000000000000002" || b.ParentEventID != txnA ||
			b.Generation != 1 || b.ProfileID != profile1 || b.DurationMS != 2100 || b.SDKName != "sentry.python" {
			t.Errorf("backend = %+v", b)
		}
		if len(b.Errors) != 1 || b.Errors[0].EventID != evOld || b.Errors[0].Span != "b000000000000002" || b.Errors[0].Title != "ZeroDivisionError: division by zero" {
			t.Errorf("backend errors = %+v", b.Errors)
		}
		if len(b.PerformanceIssues) != 1 {
			t.Fatalf("backend performance issues = %+v", b.PerformanceIssues)
		}
		pi := b.PerformanceIssues[0]
		if pi.IssueShortID != "BACKEND-4" || !slices.Equal(pi.SuspectSpans, []string{"b000000000000002", "b000000000000003"}) ||
			!slices.Equal(pi.Span, []string{"b000000000000001"}) || pi.Type != 1006 {
			t.Errorf("performance issue = %+v", pi)
		}
		if len(b.Children) != 1 || b.Children[0].EventID != txnC || b.Children[0].Generation != 2 || b.Children[0].ParentEventID != txnB || len(b.Children[0].Children) != 0 {
			t.Errorf("backend children = %+v", b.Children)
		}
		var orphans []string
		for _, e := range lt.OrphanErrors {
			orphans = append(orphans, e.EventID)
		}
		if !slices.Equal(orphans, []string{"e2000000000000000000000000000009", "e2000000000000000000000000000008"}) {
			t.Errorf("orphan errors = %v", orphans)
		}
		// Sentry's nulls and empty lists are kept.
		for _, frag := range []string{`"parent_span_id":null`, `"parent_event_id":null`, `"children":[]`, `"performance_issues":[]`} {
			if !bytes.Contains(r.body, []byte(frag)) {
				t.Errorf("legacy trace lacks %s", frag)
			}
		}
		r = c.get(t, "/api/0/organizations/acme/events-trace/"+unknownID+"/").want(t, 200)
		if string(r.body) != `{"transactions":[],"orphan_errors":[]}` {
			t.Errorf("unknown legacy trace = %s", r.body)
		}
	})
}

func TestProfile(t *testing.T) {
	s := newServer(t, dataset())
	forEach(t, s, func(t *testing.T, c conn) {
		for _, proj := range []string{"backend", "11"} {
			var p wire.Profile
			c.get(t, "/api/0/projects/acme/"+proj+"/profiling/profiles/"+profile1+"/").want(t, 200).decode(t, &p)
			if p.EventID != profile1 || len(p.Profile.Frames) != 1 || p.MainTransaction().ActiveThreadID.String() != "1" {
				t.Errorf("profile via %s = %+v", proj, p)
			}
		}
		c.get(t, "/api/0/projects/acme/backend/profiling/profiles/"+unknownID+"/").want(t, 404)
		c.get(t, "/api/0/projects/acme/frontend/profiling/profiles/"+profile1+"/").want(t, 404)
	})
}

func TestReposAndCodeMappings(t *testing.T) {
	s := newServer(t, dataset())
	forEach(t, s, func(t *testing.T, c conn) {
		var repos []wire.Repository
		c.get(t, "/api/0/organizations/acme/repos/").want(t, 200).decode(t, &repos)
		if len(repos) != 3 || repos[0].Name != "acme/backend" || repos[0].URL != "https://github.com/acme/backend" {
			t.Errorf("repos = %+v", repos)
		}
		for q, want := range map[string][]string{
			"":            {"1", "2", "3"},
			"?project=-1": {"1", "2", "3"},
			"?project=11": {"1", "3"}, // projectId as string and as number
			"?project=12": {"2"},
			"?project=99": nil,
		} {
			var cms []wire.CodeMapping
			c.get(t, "/api/0/organizations/acme/code-mappings/"+q).want(t, 200).decode(t, &cms)
			var ids []string
			for _, cm := range cms {
				ids = append(ids, string(cm.ID))
			}
			if !slices.Equal(ids, want) {
				t.Errorf("code-mappings%s = %v, want %v", q, ids, want)
			}
		}
		if d := c.get(t, "/api/0/organizations/acme/code-mappings/?project=backend").want(t, 400).detail(t); !strings.Contains(d, "project") {
			t.Errorf("detail %q", d)
		}
	})
}

func TestRouting(t *testing.T) {
	s := newServer(t, dataset())
	forEach(t, s, func(t *testing.T, c conn) {
		for _, p := range []string{
			"/api/0/organizations/other/",
			"/api/0/organizations/other/issues/100/",
			"/api/0/projects/other/backend/",
			"/api/0/organizations/acme/nope/",
			"/api/0/issues/100/", // the org-less route is not served
			"/api/0/",
			"/api/1/organizations/acme/",
			"/organizations/acme/",
			"/api/0/organizations//issues/100/",
			"/api/0/organizations/acme/issues/100/events/latest/extra/",
		} {
			r := c.get(t, p).want(t, 404)
			if d := r.detail(t); d != "The requested resource does not exist" {
				t.Errorf("%s: detail %q", p, d)
			}
		}
		// Both with and without the trailing slash.
		c.get(t, "/api/0/organizations/acme/issues/100").want(t, 200)
		c.get(t, "/api/0/organizations/acme/issues/100/events/latest").want(t, 200)

		r := c.do(t, t.Context(), http.MethodPost, "/api/0/organizations/acme/issues/100/").want(t, 405)
		if r.header.Get("Allow") != "GET, HEAD" || !strings.Contains(r.detail(t), "POST") {
			t.Errorf("405: Allow %q detail %q", r.header.Get("Allow"), r.detail(t))
		}
		c.do(t, t.Context(), http.MethodDelete, "/api/0/organizations/acme/").want(t, 405)

		// HEAD answers the headers of GET.
		get := c.get(t, "/api/0/organizations/acme/projects/")
		head := c.do(t, t.Context(), http.MethodHead, "/api/0/organizations/acme/projects/").want(t, 200)
		if len(head.body) != 0 || head.header.Get("Content-Length") != strconv.Itoa(len(get.body)) || head.header.Get("Link") != get.header.Get("Link") {
			t.Errorf("HEAD: %q, headers %v", head.body, head.header)
		}
		c.do(t, t.Context(), http.MethodPost, "/api/0/nope/").want(t, 404)
	})
}

func TestIssueList(t *testing.T) {
	fsys := dataset()
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	fsys["issues/100.json"] = file(`{"id":"100","shortId":"BACKEND-1A","title":"old","lastSeen":"2026-01-01T00:00:00Z","project":{"id":"11","slug":"backend"}}`)
	fsys["issues/200.json"] = file(`{"id":"200","shortId":"FRONTEND-2","title":"newest","lastSeen":"2026-03-01T00:00:00Z","project":{"id":"12","slug":"frontend"}}`)
	fsys["issues/300.json"] = file(`{"id":"300","shortId":"FRONTEND-3","title":"middle","lastSeen":"2026-02-01T00:00:00Z","project":{"id":"12","slug":"frontend"}}`)
	s := newServer(t, fsys)
	forEach(t, s, func(t *testing.T, c conn) {
		var all []wire.Issue
		c.get(t, "/api/0/organizations/acme/issues/?sort=date").want(t, 200).decode(t, &all)
		var got []string
		for _, is := range all {
			got = append(got, is.Title)
		}
		if strings.Join(got, ",") != "newest,middle,old" {
			t.Errorf("order: %v", got)
		}
		var one []wire.Issue
		c.get(t, "/api/0/organizations/acme/issues/?limit=1").want(t, 200).decode(t, &one)
		if len(one) != 1 || one[0].ID != "200" {
			t.Errorf("limit=1: %+v", one)
		}
		for _, bad := range []string{"0", "101", "x"} {
			c.get(t, "/api/0/organizations/acme/issues/?limit="+bad).want(t, 400)
		}
	})
}
