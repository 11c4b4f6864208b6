package local_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tracehound/tracehound/sentryapi/local"
)

const secret = "sntryu_0000000000000000000000000000000000000000000000000000000000000001"

func TestAuth(t *testing.T) {
	s := newServer(t, dataset(), local.WithToken(secret))
	forEach(t, s, func(t *testing.T, c conn) {
		const p = "/api/0/organizations/acme/issues/100/"
		if d := c.get(t, p).want(t, 401).detail(t); d != "Authentication credentials were not provided." {
			t.Errorf("no header: detail %q", d)
		}
		for _, h := range []string{"Bearer wrong", "Bearer " + secret + "x", secret, "Basic " + secret, "Bearer"} {
			if d := c.get(t, p, "Authorization", h).want(t, 401).detail(t); d != "Invalid token" {
				t.Errorf("%q: detail %q", h, d)
			}
		}
		c.get(t, p, "Authorization", "Bearer "+secret).want(t, 200)
		// Auth comes before routing: an unknown path is 401 too.
		c.get(t, "/api/0/nope/").want(t, 401)
	})
	// The records say whether a header was sent, never what it was.
	recs := s.Requests()
	if len(recs) == 0 {
		t.Fatal("no requests recorded")
	}
	for _, r := range recs {
		if strings.Contains(fmt.Sprintf("%+v", r), secret) {
			t.Fatalf("a record holds the token: %+v", r)
		}
	}
	if recs[0].Auth || !recs[1].Auth {
		t.Errorf("Auth flags = %v, %v; want false, true", recs[0].Auth, recs[1].Auth)
	}
	// No field can hold it: the record has no place for header values.
	typ := reflect.TypeOf(local.RequestRecord{})
	for i := range typ.NumField() {
		if name := typ.Field(i).Name; strings.Contains(strings.ToLower(name), "token") || strings.Contains(strings.ToLower(name), "header") {
			t.Errorf("RequestRecord has a field %s", name)
		}
	}
}

func TestNoAuthNeeded(t *testing.T) {
	s := newServer(t, dataset())
	forEach(t, s, func(t *testing.T, c conn) {
		c.get(t, "/api/0/organizations/acme/").want(t, 200)
		c.get(t, "/api/0/organizations/acme/", "Authorization", "Bearer anything").want(t, 200)
	})
}

func TestScopes(t *testing.T) {
	endpoints := map[string]string{
		"/api/0/organizations/":                                             "org",
		"/api/0/organizations/acme/":                                        "org",
		"/api/0/organizations/acme/repos/":                                  "org",
		"/api/0/organizations/acme/code-mappings/":                          "org",
		"/api/0/organizations/acme/projects/":                               "project",
		"/api/0/projects/acme/backend/":                                     "project",
		"/api/0/organizations/acme/issues/100/":                             "event",
		"/api/0/organizations/acme/shortids/BACKEND-1A/":                    "event",
		"/api/0/organizations/acme/issues/100/events/":                      "event",
		"/api/0/organizations/acme/issues/100/events/latest/":               "event",
		"/api/0/projects/acme/backend/events/" + evTxn + "/":                "event",
		"/api/0/organizations/acme/events/backend:" + evTxn + "/":           "event",
		"/api/0/organizations/acme/eventids/" + evTxn + "/":                 "event",
		"/api/0/organizations/acme/trace/" + traceID + "/":                  "event",
		"/api/0/organizations/acme/trace-meta/" + traceID + "/":             "event",
		"/api/0/organizations/acme/events-trace/" + traceID + "/":           "event",
		"/api/0/projects/acme/backend/profiling/profiles/" + profile1 + "/": "event",
		chunkPath("11", profiler, "100", "101"):                             "event",
	}
	for _, tc := range []struct {
		scopes []string
		grants map[string]bool
	}{
		{[]string{"org:read"}, map[string]bool{"org": true}},
		{[]string{"project:read"}, map[string]bool{"project": true}},
		{[]string{"event:read"}, map[string]bool{"event": true}},
		{[]string{"org:admin", "project:write", "event:admin"}, map[string]bool{"org": true, "project": true, "event": true}},
		{nil, map[string]bool{}},
		{[]string{"member:read", "team:read"}, map[string]bool{}},
	} {
		t.Run(strings.Join(tc.scopes, ","), func(t *testing.T) {
			s := newServer(t, dataset(), local.WithToken(secret), local.WithScopes(tc.scopes...))
			c := conns(t, s)[1]
			for p, res := range endpoints {
				r := c.get(t, p, "Authorization", "Bearer "+secret)
				if tc.grants[res] {
					r.want(t, 200)
					continue
				}
				if d := r.want(t, 403).detail(t); d != "You do not have permission to perform this action." {
					t.Errorf("%s: detail %q", p, d)
				}
			}
			// A missing resource is 404 whatever the scopes.
			c.get(t, "/api/0/organizations/other/issues/100/", "Authorization", "Bearer "+secret).want(t, 404)
		})
	}
	// Code mappings also accept the integration scopes.
	for _, sc := range []string{"org:integrations", "org:ci"} {
		s := newServer(t, dataset(), local.WithScopes(sc))
		c := conns(t, s)[1]
		c.get(t, "/api/0/organizations/acme/code-mappings/").want(t, 200)
		c.get(t, "/api/0/organizations/acme/repos/").want(t, 403)
	}
}

func TestMalformedFiles(t *testing.T) {
	for _, tc := range []struct {
		file, data string
		paths      []string
		reason     string
	}{
		{"traces/" + badTraceID + ".json", `[{"event_id": "x",`, []string{
			"/api/0/organizations/acme/trace/" + badTraceID + "/",
			"/api/0/organizations/acme/trace-meta/" + badTraceID + "/",
			"/api/0/organizations/acme/events-trace/" + badTraceID + "/",
		}, ""},
		{"traces/" + badTraceID + ".json", `{"not":"an array"}`, []string{
			"/api/0/organizations/acme/trace/" + badTraceID + "/",
		}, "want an array at the top level, got an object"},
		{"traces/" + badTraceID + ".json", `[{"event_id": 5}] trailing`, []string{
			"/api/0/organizations/acme/trace/" + badTraceID + "/",
		}, ""},
		{"traces/" + badTraceID + ".json", ``, []string{
			"/api/0/organizations/acme/trace/" + badTraceID + "/",
		}, "the file is empty"},
		{"traces/" + badTraceID + ".json", `[{"children": 7}]`, []string{
			"/api/0/organizations/acme/events-trace/" + badTraceID + "/",
			"/api/0/organizations/acme/trace-meta/" + badTraceID + "/",
		}, ""},
		{"traces/" + traceID + ".meta.json", `{"errors":`, []string{
			"/api/0/organizations/acme/trace-meta/" + traceID + "/",
		}, ""},
		{"issues/100.json", `{"id":"100",`, []string{
			"/api/0/organizations/acme/issues/100/",
			"/api/0/organizations/acme/issues/100/events/",
			"/api/0/organizations/acme/issues/BACKEND-1A/",
		}, ""},
		{"events/backend/" + evMid + ".json", `{"id":`, []string{
			"/api/0/organizations/acme/issues/100/events/",
			"/api/0/organizations/acme/issues/100/events/latest/",
			"/api/0/projects/acme/backend/events/" + evMid + "/",
			"/api/0/organizations/acme/events/backend:" + evMid + "/",
			"/api/0/organizations/acme/eventids/" + evMid + "/",
		}, ""},
		{"events/backend/" + evMid + ".json", `{"id":"x","groupID":{"an":"object"}}`, []string{
			"/api/0/organizations/acme/issues/100/events/",
		}, ""},
		{"projects.json", `[{"id":"11"`, []string{
			"/api/0/organizations/acme/projects/",
			"/api/0/projects/acme/backend/",
			"/api/0/projects/acme/backend/events/" + evTxn + "/",
		}, ""},
		{"profiles/backend/" + profile1 + ".json", `{"profile":`, []string{
			"/api/0/projects/acme/backend/profiling/profiles/" + profile1 + "/",
		}, ""},
		{"repos.json", `{"not":"a list"}`, []string{"/api/0/organizations/acme/repos/"}, "want an array"},
		{"code-mappings.json", `[1,`, []string{"/api/0/organizations/acme/code-mappings/"}, ""},
		{"code-mappings.json", `[{"projectId":{}}]`, []string{"/api/0/organizations/acme/code-mappings/?project=11"}, "element 0"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			fsys := dataset()
			fsys[tc.file] = &fstest.MapFile{Data: []byte(tc.data)}
			s := newServer(t, fsys)
			forEach(t, s, func(t *testing.T, c conn) {
				for _, p := range tc.paths {
					d := c.get(t, p).want(t, 500).detail(t)
					if !strings.HasPrefix(d, "dataset file "+tc.file+": ") || !strings.Contains(d, tc.reason) {
						t.Errorf("%s: detail %q, want it to name %s (%s)", p, d, tc.file, tc.reason)
					}
				}
			})
		})
	}
}

func TestMalformedFileSparesOthers(t *testing.T) {
	fsys := dataset()
	fsys["issues/200.json"] = &fstest.MapFile{Data: []byte(`{`)}
	fsys["events/frontend/"+evFront+".json"] = &fstest.MapFile{Data: []byte(`{`)}
	s := newServer(t, fsys)
	c := conns(t, s)[1]
	// Issue 100 and its events do not need the broken files.
	c.get(t, "/api/0/organizations/acme/issues/100/").want(t, 200)
	c.get(t, "/api/0/organizations/acme/issues/BACKEND-1A/").want(t, 200)
	c.get(t, "/api/0/organizations/acme/issues/100/events/").want(t, 200)
	c.get(t, "/api/0/organizations/acme/trace/"+traceID+"/").want(t, 200)
	// A short id that is nowhere may be in the broken file: 500, not 404.
	if d := c.get(t, "/api/0/organizations/acme/issues/NOPE-1/").want(t, 500).detail(t); !strings.HasPrefix(d, "dataset file issues/200.json: ") {
		t.Errorf("detail %q", d)
	}
	// Broken files are reported every time, not only the first.
	c.get(t, "/api/0/organizations/acme/issues/200/").want(t, 500)
	c.get(t, "/api/0/organizations/acme/issues/200/").want(t, 500)
}
