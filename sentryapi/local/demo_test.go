package local_test

import (
	"io/fs"
	"path"
	"strconv"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo"
	"github.com/tracehound/tracehound/sentryapi/local"
)

// TestDemoDatasetServes walks the embedded demo dataset and asks the server
// for every file it holds, by each route that reads it: nothing may answer
// anything but 200, and what comes back must decode into the client's types.
func TestDemoDatasetServes(t *testing.T) {
	fsys := demo.Dataset()
	s, err := local.New(fsys)
	if err != nil {
		t.Fatal(err)
	}
	c := conns(t, s)[1]
	var org wire.Organization
	c.get(t, "/api/0/organizations/"+demo.OrgSlug+"/").want(t, 200).decode(t, &org)
	base := "/api/0/organizations/" + org.Slug
	var projects []wire.Project
	c.get(t, base+"/projects/").want(t, 200).decode(t, &projects)
	var repos []wire.Repository
	c.get(t, base+"/repos/").want(t, 200).decode(t, &repos)
	var maps []wire.CodeMapping
	c.get(t, base+"/code-mappings/?project=-1").want(t, 200).decode(t, &maps)
	if len(projects) == 0 || len(repos) == 0 {
		t.Fatalf("demo: %d projects, %d repos", len(projects), len(repos))
	}

	glob := func(pattern string) []string {
		m, err := fs.Glob(fsys, pattern)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	stem := func(f string) string { return strings.TrimSuffix(path.Base(f), ".json") }

	issues := glob("issues/*.json")
	if len(issues) == 0 {
		t.Fatal("demo: no issues")
	}
	for _, f := range issues {
		var is wire.Issue
		c.get(t, base+"/issues/"+stem(f)+"/").want(t, 200).decode(t, &is)
		c.get(t, base+"/issues/"+strings.ToLower(is.ShortID)+"/").want(t, 200)
		c.get(t, base+"/shortids/"+is.ShortID+"/").want(t, 200)
		var evs []wire.Event
		c.get(t, base+"/issues/"+stem(f)+"/events/?full=true").want(t, 200).decode(t, &evs)
		if len(evs) > 0 {
			var ev wire.Event
			c.get(t, base+"/issues/"+stem(f)+"/events/recommended/").want(t, 200).decode(t, &ev)
		}
	}
	for _, f := range glob("events/*/*.json") {
		proj := path.Base(path.Dir(f))
		var ev wire.Event
		c.get(t, base+"/events/"+proj+":"+stem(f)+"/").want(t, 200).decode(t, &ev)
		c.get(t, base+"/eventids/"+stem(f)+"/").want(t, 200)
	}
	for _, f := range glob("traces/*.json") {
		if strings.HasSuffix(f, ".meta.json") {
			continue
		}
		var tr wire.Trace
		c.get(t, base+"/trace/"+stem(f)+"/").want(t, 200).decode(t, &tr)
		var m wire.TraceMeta
		c.get(t, base+"/trace-meta/"+stem(f)+"/").want(t, 200).decode(t, &m)
		var lt wire.LegacyTrace
		c.get(t, base+"/events-trace/"+stem(f)+"/").want(t, 200).decode(t, &lt)
		if m.Spans() == 0 || len(lt.Transactions) == 0 {
			t.Errorf("trace %s: %d spans, %d legacy roots", stem(f), m.Spans(), len(lt.Transactions))
		}
	}
	for _, f := range glob("profiles/*/*.json") {
		var p wire.Profile
		c.get(t, "/api/0/projects/"+org.Slug+"/"+path.Base(path.Dir(f))+"/profiling/profiles/"+stem(f)+"/").want(t, 200).decode(t, &p)
	}
	for _, f := range glob("chunks/*/*.json") {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			t.Fatal(err)
		}
		var ch wire.ProfileChunk
		if err := wire.Decode(data, &ch); err != nil || len(ch.Profile.Samples) == 0 {
			t.Fatalf("%s: %v", f, err)
		}
		first, last := ch.Profile.Samples[0].Time(), ch.Profile.Samples[len(ch.Profile.Samples)-1].Time()
		q := "?project=" + strconv.FormatInt(int64(ch.ProjectID), 10) + "&profiler_id=" + path.Base(path.Dir(f)) +
			"&start=" + strconv.FormatFloat(float64(first), 'f', -1, 64) + "&end=" + strconv.FormatFloat(float64(last), 'f', -1, 64)
		var res wire.ChunkResponse
		c.get(t, base+"/profiling/chunks/"+q).want(t, 200).decode(t, &res)
		if res.Merged() == nil || len(res.Merged().Profile.Samples) == 0 {
			t.Errorf("%s: empty merged chunk", f)
		}
	}
}
