package scenario

import (
	"fmt"
	"slices"
	"strings"
	"testing/fstest"
	"time"

	"github.com/tracehound/tracehound/demo/internal/history"
	"github.com/tracehound/tracehound/demo/internal/incident"
	"github.com/tracehound/tracehound/sentryapi/wire"
)

// Spec is a compact incident: its services with their source files inline,
// one failing request through them (Hops), the errors it raised, unrelated
// noise and the known root cause. Build lays out the timings, so a spec
// says only what an engineer would write in a bug report; the generator
// writes the sources (and, for services with Changes, the history) into the
// dataset as well as the JSON files.
type Spec struct {
	Name, Description string
	Ordinal           int
	Start             time.Time
	// Holdout marks an incident scored only when a change is done (see
	// expected.json's holdout).
	Holdout  bool
	Services []SvcSpec
	// Hops is the failing request: Hops[0] is the entry transaction, every
	// next hop is called by the one before.
	Hops   []Hop
	Errors []ErrSpec
	Noise  []NoiseSpec
	// Expected is the known root cause (Holdout is copied into it).
	Expected incident.Expected
}

// SvcSpec is a service of a Spec.
type SvcSpec struct {
	Slug, Platform, Version string
	// Files are the repository's source files (path → content).
	Files map[string]string
	// Changes, when set, give the repository a history: the previous
	// release (with Old's file contents) and the commits since; without
	// them the repository has no history worth the name (one import
	// commit).
	Changes *Changes
}

// Changes is the history of a service's repository before its release.
type Changes struct {
	PrevVersion string
	// Old maps a path to its content in the previous release.
	Old     map[string]string
	Commits []history.Commit
}

// Hop is one transaction of the failing request.
type Hop struct {
	Svc string
	// Method and Path are the request the previous hop sends (for Hops[0]:
	// the page, or the route of a backend entry point).
	Method, Path string
	// Route is the route pattern (default Path).
	Route  string
	Status int
	// Body is the JSON request body the previous hop sent.
	Body map[string]any
	// Before and After are the spans before and after the call to the
	// next hop.
	Before, After []Work
}

// Work is a span of a hop's own work.
type Work struct {
	Op, Desc string
	MS       float64
}

// Q is a database query span.
func Q(sql string, ms float64) Work { return Work{"db", sql, ms} }

// Fn is a function span.
func Fn(name string, ms float64) Work { return Work{"function", name, ms} }

// Get is a cache lookup span.
func Get(key string, ms float64) Work { return Work{"cache.get", key, ms} }

// ErrSpec is an error the failing request raised in a hop.
type ErrSpec struct {
	Hop   int
	Level string
	// Chain is the exception chain (cause first). For a message event
	// (Threads) the last exception's Value is the message and its frames
	// are the thread's stack.
	Chain   []Exception
	Threads bool
	Logs    []string // log breadcrumbs, "level: message"
	Issue   string
	Count   int
	Symptom bool
	Tags    [][2]string
}

// NoiseSpec is an error unrelated to the failure: in a side request a hop
// makes (Path set) or on a hop itself (Path empty).
type NoiseSpec struct {
	From         int
	Svc          string
	Method, Path string
	Status       int
	Level        string
	Chain        []Exception
	Threads      bool
	Issue        string
	Count        int
}

// Log makes a log breadcrumb spec.
func Log(level, msg string) string { return level + ": " + msg }

// Ex is an exception with frames (innermost last).
func Ex(typ, value string, frames ...Frame) []Exception {
	return []Exception{{Type: typ, Value: value, Frames: frames}}
}

// specSources returns the dataset files a spec writes besides the JSON:
// the sources and the history overlays.
func (sp *Spec) specSources() map[string]string {
	out := map[string]string{}
	for _, s := range sp.Services {
		for p, c := range s.Files {
			out["sources/"+OrgSlug+"/"+s.Slug+"/"+p] = c
		}
		if s.Changes != nil {
			for p, c := range s.Changes.Old {
				out[historyPath(s.Slug, s.Changes.PrevVersion, p)] = c
			}
		}
	}
	return out
}

func historyPath(slug, version, p string) string {
	return "history/" + OrgSlug + "/" + slug + "/v" + version + "/" + p
}

// sourceFS is the spec's sources as a file system.
func (sp *Spec) sourceFS() fstest.MapFS {
	m := fstest.MapFS{}
	for p, c := range sp.specSources() {
		m[p] = &fstest.MapFile{Data: []byte(c)}
	}
	return m
}

const (
	hopIn, hopOut = 1.1, 0.9 // ms between a client span and the served transaction
	gap           = 0.35     // ms between spans of a hop
)

// incident lays the spec out as an Incident.
func (sp *Spec) incident() *Incident {
	in := New(sp.Name, sp.Ordinal, sp.Start)
	in.Description = sp.Description
	svcs := map[string]*Service{}
	for i, s := range sp.Services {
		deployed := sp.Start.Add(-time.Duration(3+i*29) * time.Hour).Add(-time.Duration(17*i+11) * time.Minute)
		svc := &Service{Slug: s.Slug, Platform: s.Platform, Version: s.Version, Deployed: deployed.Format("2006-01-02T15:04:05.000000Z"),
			Server: s.Slug + "-" + in.hexID(9, "pod", s.Slug)[:9] + "-" + in.hexID(5, "pod2", s.Slug)}
		if s.Platform != Browser {
			svc.Host = s.Slug + ".internal:8080"
			svc.DB = DB{System: "postgresql", Name: strings.ReplaceAll(s.Slug, "-", "_"), Host: "pg-" + s.Slug + ".internal", Port: 5432}
		} else {
			svc.Server = ""
		}
		if c := s.Changes; c != nil {
			files := map[string]string{}
			for p := range c.Old {
				files[p] = historyPath(s.Slug, c.PrevVersion, p)
			}
			svc.History = append([]history.Commit{{Message: "Release " + c.PrevVersion, Author: "Acme Shop CI <ci@acme.test>",
				Date: deployed.Add(-9 * 24 * time.Hour).Format(time.RFC3339), Tag: "v" + c.PrevVersion, Files: files}}, c.Commits...)
		} else {
			svc.NoHistory = true
		}
		svcs[s.Slug] = in.Service(svc)
	}
	get := func(slug string) *Service {
		s, ok := svcs[slug]
		if !ok {
			panic(fmt.Errorf("%s: no service %q", sp.Name, slug))
		}
		return s
	}
	// Durations, innermost first.
	n := len(sp.Hops)
	dur := make([]float64, n)
	client := make([]float64, n)
	for i := n - 1; i >= 0; i-- {
		h := sp.Hops[i]
		d := 1.2
		for _, w := range slices.Concat(h.Before, h.After) {
			d += w.MS + gap
		}
		if i < n-1 {
			client[i] = dur[i+1] + hopIn + hopOut
			d += client[i] + gap
		}
		dur[i] = max(d, 9)
	}
	txns := make([]*Txn, n)
	var call *Span
	for i, h := range sp.Hops {
		svc := get(h.Svc)
		key := fmt.Sprintf("hop%d/%s", i, h.Svc)
		route := cmpOr(h.Route, h.Path)
		var t *Txn
		switch {
		case i > 0:
			t = call.Serve(key, svc, route, h.Status, hopIn, hopOut)
			if h.Body != nil {
				t.Request.Data = raw(h.Body)
			}
		case svc.Platform == Browser:
			t = in.Click(key, svc, h.Path, "App", 812.6, dur[0]+60)
		default:
			t = in.Root(key, svc, "http.server", cmpOr(h.Method, "POST")+" "+route, "route", 0, dur[0])
			t.Request = &wire.RequestData{Method: cmpOr(h.Method, "POST"), URL: "https://api.acme.test" + h.Path,
				InferredContentType: "application/json", Headers: wire.Pairs{{"Content-Type", "application/json"}, {"User-Agent", "acme-client/3.2"}}}
			if h.Body != nil {
				t.Request.Data = raw(h.Body)
			}
			t.Root.Status = SpanStatus(h.Status)
			t.Root.Data = map[string]any{"http.request.method": cmpOr(h.Method, "POST"), "url.path": h.Path, "http.response.status_code": h.Status}
		}
		txns[i] = t
		off := 0.6
		for _, w := range h.Before {
			work(t.Root, w, off)
			off += w.MS + gap
		}
		if i < n-1 {
			next := sp.Hops[i+1]
			u := next.Path
			if get(next.Svc).Platform != Browser && svc.Platform != Browser {
				u = "http://" + get(next.Svc).Host + next.Path
			}
			call = t.Root.HTTP(cmpOr(next.Method, "POST"), u, next.Status, off, client[i])
			off += client[i] + gap
		}
		for _, w := range h.After {
			work(t.Root, w, off)
			off += w.MS + gap
		}
	}
	for _, ns := range sp.Noise {
		sp.noise(in, ns, txns, get)
	}
	for _, es := range sp.Errors {
		t := txns[es.Hop]
		e := &Error{Key: fmt.Sprintf("error/%d/%s", es.Hop, t.Service.Slug), Span: t.Root, At: t.Root.End - MS(0.4), Handled: true,
			Mechanism: "generic", Level: es.Level, Chain: es.Chain, Threads: es.Threads, Tags: es.Tags,
			Issue: &Issue{ShortID: es.Issue, Count: cmp0(es.Count, 412+37*es.Hop), FirstSeen: iso(in.At(-float64(3_400_000 + 600_000*es.Hop)))[:19] + "Z"}}
		e.Crumbs = append(workCrumbs(t.Root), logCrumbs(e.At, es.Logs)...)
		if t.Service.Platform == Browser {
			e.User = in.BrowserUser()
			e.Issue.Users = e.Issue.Count * 7 / 8
		}
		in.Error(e)
		if es.Symptom {
			in.Symptom = e
		}
	}
	in.Expected = sp.Expected
	in.Expected.Holdout = sp.Holdout
	return in
}

// noise adds an unrelated error: on a hop, or in a side request a hop makes
// alongside the failing one.
func (sp *Spec) noise(in *Incident, ns NoiseSpec, txns []*Txn, get func(string) *Service) {
	from := txns[ns.From]
	span := from.Root
	if ns.Path != "" {
		svc := get(ns.Svc)
		u := ns.Path
		if svc.Platform != Browser && from.Service.Platform != Browser {
			u = "http://" + svc.Host + ns.Path
		}
		c := from.Root.HTTP(cmpOr(ns.Method, "GET"), u, cmp0(ns.Status, 200), 0.3, min(6.5, from.Root.DurMS()-0.8))
		span = c.Serve(fmt.Sprintf("side%d/%s", ns.From, ns.Svc), svc, ns.Path, cmp0(ns.Status, 200), 0.5, 0.5).Root
	}
	at := span.Start + (span.End-span.Start)/2
	e := &Error{Key: "noise/" + ns.Issue, Span: span, At: at, Handled: true, Mechanism: "generic",
		Level: ns.Level, Chain: ns.Chain, Threads: ns.Threads, Crumbs: append(workCrumbs(span), logCrumbs(at, []string{"info: handling " + span.txn.Name})...),
		Issue: &Issue{ShortID: ns.Issue, Count: cmp0(ns.Count, 5210), FirstSeen: "2026-10-02T08:14:51Z", Substatus: "ongoing", Priority: "low"}}
	if span.txn.Service.Platform == Browser {
		e.User = in.BrowserUser()
		e.Issue.Users = e.Issue.Count / 3
	}
	in.Error(e)
}

func work(root *Span, w Work, off float64) {
	switch w.Op {
	case "db":
		root.DB(w.Desc, off, w.MS)
	case "cache.get":
		root.Cache("cache.get", w.Desc, false, off, w.MS)
	default:
		root.Add(w.Op, w.Desc, off, w.MS)
	}
}

// workCrumbs are the breadcrumbs SDKs leave for a transaction's queries and
// outgoing calls.
func workCrumbs(root *Span) []wire.Breadcrumb {
	var out []wire.Breadcrumb
	for _, c := range root.children {
		switch c.Op {
		case "http.client":
			out = append(out, c.HTTPCrumb())
		case "db":
			out = append(out, c.QueryCrumb())
		}
	}
	if len(out) == 0 {
		out = logCrumbs(root.Start+MS(0.2), []string{"info: handling " + root.txn.Name})
	}
	return out
}

func logCrumbs(at µs, logs []string) []wire.Breadcrumb {
	var out []wire.Breadcrumb
	for i, l := range logs {
		level, msg, ok := strings.Cut(l, ": ")
		if !ok {
			level, msg = "info", l
		}
		out = append(out, Crumb(at-MS(float64(len(logs)-i)*0.2), "default", "log", level, msg, map[string]any{"logger": "app"}))
	}
	return out
}

func cmp0(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// specByName finds a compact incident.
func specByName(name string) *Spec {
	for _, f := range specs {
		if sp := f(); sp.Name == name {
			return sp
		}
	}
	return nil
}

// specNames lists the compact incidents.
func specNames() []string {
	var out []string
	for _, f := range specs {
		out = append(out, f().Name)
	}
	return out
}
