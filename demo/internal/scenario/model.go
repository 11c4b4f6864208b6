// Package scenario describes small made-up incidents and renders each into a
// sentryapi/local dataset. An incident is a Go function that declares the
// services, one trace (transactions and spans whose timings nest), the
// errors, with stack frames named by a marker string that finds their line
// in the services' real source files, their issues, an optional N+1
// performance issue and an optional sampled (v1) profile, and the known root
// cause. Build turns that model into the JSON files of the dataset layout
// (see sentryapi/local/README.md), reading the source trees so that every
// frame's line number and context are those of the code.
//
// The demo incident checkout-auth has its own, story-specific generator
// (package incident); this package is for the smaller eval incidents, one
// file per incident.
package scenario

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo/internal/history"
	"github.com/tracehound/tracehound/demo/internal/incident"
)

// µs is a point in time in microseconds since the epoch.
type µs = int64

// MS converts milliseconds to microseconds (rounded).
func MS(v float64) µs {
	if v < 0 {
		return -µs(-v*1000 + 0.5)
	}
	return µs(v*1000 + 0.5)
}

// Platforms of the services (Sentry project platforms).
const (
	Browser = "javascript-react"
	Node    = "node"
	Python  = "python"
	Go      = "go"
	Java    = "java"
	Ruby    = "ruby"
)

// Service is one service: a Sentry project and its repository acme/<Slug>,
// whose source tree is sources/acme/<Slug>/ in the dataset.
type Service struct {
	Slug     string
	Platform string
	Version  string // release version, e.g. "3.4.0"
	Deployed string // RFC 3339: when Version was deployed
	Host     string // host:port other services call (backends)
	Server   string // server_name of the instance in the trace (backends)
	// DB describes the service's database for DB spans.
	DB DB
	// History are older commits replayed before the "Release <Version>"
	// commit when the repository is materialised (files overlaid from
	// history/acme/<Slug>/…, written by hand).
	History []history.Commit
	// NoHistory leaves the repository without a history file: it is
	// materialised as one import commit, with no release to compare.
	NoHistory bool

	id  int64
	inc *Incident
}

// DB is a service's database.
type DB struct {
	System, Name, Host string
	Port               int
}

// Release is the Sentry release name, slug@version.
func (s *Service) Release() string { return s.Slug + "@" + s.Version }

// Repo is the repository name, acme/<slug>.
func (s *Service) Repo() string { return OrgSlug + "/" + s.Slug }

// Incident is one made-up incident: the model Build renders.
type Incident struct {
	Name        string
	Description string
	// Ordinal makes project ids unique across the incidents.
	Ordinal  int
	Services []*Service
	Txns     []*Txn
	Errors   []*Error
	Perf     []*PerfIssue
	// Symptom is the error whose issue the user opens (dataset.json).
	Symptom  *Error
	Expected incident.Expected

	traceID string
	t0      µs
	shop    string
}

// New starts an incident whose trace begins at start.
func New(name string, ordinal int, start time.Time) *Incident {
	in := &Incident{Name: name, Ordinal: ordinal, t0: start.UnixMicro(), shop: "https://shop.acme.test"}
	in.traceID = in.hexID(32, "trace")
	return in
}

// T0 is when the trace starts.
func (in *Incident) T0() µs { return in.t0 }

// At is t0 plus ms.
func (in *Incident) At(ms float64) µs { return in.t0 + MS(ms) }

// TraceID is the id of the incident's trace.
func (in *Incident) TraceID() string { return in.traceID }

// Service adds a service.
func (in *Incident) Service(s *Service) *Service {
	s.inc = in
	s.id = 4508001112230000 + int64(in.Ordinal)*100 + int64(len(in.Services)) + 1
	if s.Platform == Browser && s.Host == "" {
		s.Host = "shop.acme.test"
	}
	in.Services = append(in.Services, s)
	return s
}

// Span is one span of the trace. Times are absolute microseconds.
type Span struct {
	ID, Parent string
	Op, Desc   string
	Status     string
	Origin     string
	Start, End µs
	Data       map[string]any

	children   []*Span
	txn        *Txn
	downstream []*Txn
	errors     []*Error
	offender   *PerfIssue
}

// Txn is one transaction (a service entry point) with its spans.
type Txn struct {
	Key     string
	EventID string
	Service *Service
	Name    string
	Source  string
	Root    *Span
	// Request is the request entry; Serve fills it in.
	Request      *wire.RequestData
	Breadcrumbs  []wire.Breadcrumb
	Measurements map[string]any
	User         *wire.User
	// Profile, when set, is rendered as a sampled (v1) profile linked by
	// contexts.profile.profile_id.
	Profile   *Profile
	ProfileID string

	spans   []*Span
	counter int
	perf    *PerfIssue
}

// Opt modifies a span being added.
type Opt func(*Span)

// With sets data members (key, value pairs).
func With(kv ...any) Opt {
	return func(s *Span) {
		if s.Data == nil {
			s.Data = map[string]any{}
		}
		for i := 0; i < len(kv); i += 2 {
			s.Data[kv[i].(string)] = kv[i+1]
		}
	}
}

// Status sets the span status.
func Status(st string) Opt { return func(s *Span) { s.Status = st } }

// Origin sets the span origin.
func Origin(o string) Opt { return func(s *Span) { s.Origin = o } }

// Root starts a transaction with no parent (the trace's entry point, or a
// second root such as a pageload before a click).
func (in *Incident) Root(key string, svc *Service, op, name, source string, atMS, durMS float64) *Txn {
	t := in.newTxn(key, svc, op, name, source, in.At(atMS), in.At(atMS+durMS))
	in.Txns = append(in.Txns, t)
	return t
}

func (in *Incident) newTxn(key string, svc *Service, op, name, source string, start, end µs) *Txn {
	t := &Txn{Key: key, EventID: in.hexID(32, "event", key), Service: svc, Name: name, Source: source}
	t.Root = &Span{ID: in.hexID(16, "span", key, "root"), Op: op, Desc: name, Status: "ok", Start: start, End: end, txn: t}
	if end < start {
		panic(fmt.Errorf("%s: transaction ends before it starts", key))
	}
	return t
}

// Txn is the transaction the span belongs to.
func (s *Span) Txn() *Txn { return s.txn }

// DurMS is the span's duration in milliseconds.
func (s *Span) DurMS() float64 { return float64(s.End-s.Start) / 1000 }

// Add creates a child span starting offMS after s starts and lasting durMS.
// It panics when the child would not fit inside s: timings must nest.
func (s *Span) Add(op, desc string, offMS, durMS float64, opts ...Opt) *Span {
	t := s.txn
	t.counter++
	in := t.Service.inc
	c := &Span{
		ID: in.hexID(16, "span", t.Key, strconv.Itoa(t.counter)), Parent: s.ID,
		Op: op, Desc: desc, Status: "ok", Start: s.Start + MS(offMS), txn: t,
	}
	c.End = c.Start + MS(durMS)
	for _, o := range opts {
		o(c)
	}
	if c.Origin == "" {
		c.Origin = "manual"
	}
	if c.Start < s.Start || c.End > s.End || c.End < c.Start {
		panic(fmt.Errorf("%s: span %q (%s) [+%.1f, +%.1f ms] does not fit in %q (%.1f ms)", t.Key, desc, op,
			float64(c.Start-s.Start)/1000, float64(c.End-s.Start)/1000, s.Desc, s.DurMS()))
	}
	s.children = append(s.children, c)
	t.spans = append(t.spans, c)
	return c
}

// exclusiveMS is the duration not covered by the span's children.
func (s *Span) exclusiveMS() float64 {
	kids := slices.Clone(s.children)
	slices.SortStableFunc(kids, func(a, b *Span) int { return cmp.Compare(a.Start, b.Start) })
	covered := µs(0)
	cur := s.Start
	for _, c := range kids {
		st, en := max(c.Start, cur), c.End
		if en > st {
			covered += en - st
			cur = en
		}
	}
	return float64(s.End-s.Start-covered) / 1000
}

// Issue is a Sentry issue (group). Several errors may share one.
type Issue struct {
	ShortID   string
	Count     int
	Users     int
	FirstSeen string // RFC 3339
	Substatus string // default "new"
	Priority  string // default "high"
	// FirstRelease defaults to the service's release.
	FirstRelease string

	id       int64
	svc      *Service
	title    string
	culprit  string
	level    string
	lastSeen µs
	metadata wire.IssueMetadata
	mix      string
	sdk      string
	unhandl  bool
	perf     *PerfIssue
}

// Error is one error event of the trace.
type Error struct {
	Key  string
	Span *Span // where the error happened
	At   µs
	// Level defaults to "error".
	Level     string
	Handled   bool
	Mechanism string
	// Chain runs oldest → newest (the cause first); the last exception is
	// the one reported.
	Chain    []Exception
	Crumbs   []wire.Breadcrumb
	Tags     [][2]string
	Contexts map[string]any
	User     *wire.User
	// Request defaults to the transaction's request.
	Request *wire.RequestData
	Issue   *Issue
	// Threads makes the error a message event (a logged error): the last
	// exception's Value is the message and its frames are the stack of the
	// current thread, as SDKs attach it (attach_stacktrace).
	Threads bool

	eventID string
}

// Exception is one exception of an error's chain.
type Exception struct {
	Type, Value, Module string
	Frames              []Frame
}

// Frame names a stack frame. In-app frames give Path (in the service's
// repository) and At, a marker found on exactly one line of the file ("=x"
// matches a line whose trimmed text is x); system frames give File, Abs,
// Line and Text.
type Frame struct {
	Path, At string
	Function string
	Module   string
	Col      string // optional: the column is where this text starts on the line
	File     string
	Abs      string
	Line     int
	ColNo    int
	Text     string
	Vars     map[string]any
}

// App names an in-app frame.
func App(path, at, function string) Frame { return Frame{Path: path, At: at, Function: function} }

// Sys names a system (library or runtime) frame.
func Sys(module, function, file, abs string, line int, text string) Frame {
	return Frame{Module: module, Function: function, File: file, Abs: abs, Line: line, Text: text}
}

// Error adds an error; it hangs under e.Span in the trace.
func (in *Incident) Error(e *Error) *Error {
	if e.Span == nil || e.Issue == nil || len(e.Chain) == 0 {
		panic(fmt.Errorf("error %s: Span, Issue and Chain are required", e.Key))
	}
	if e.At < e.Span.Start || e.At > e.Span.End {
		panic(fmt.Errorf("error %s happens outside its span %q", e.Key, e.Span.Desc))
	}
	if e.Level == "" {
		e.Level = "error"
	}
	e.eventID = in.hexID(32, "event", e.Key)
	e.Span.errors = append(e.Span.errors, e)
	in.Errors = append(in.Errors, e)
	return e
}

// PerfIssue is an N+1 query performance issue detected on a transaction.
type PerfIssue struct {
	Issue     *Issue
	Txn       *Txn
	Offenders []*Span
	Query     string
}

// NPlusOne records the N+1 query issue Sentry detects on t: the offender
// spans are the repeated queries.
func (in *Incident) NPlusOne(t *Txn, is *Issue, offenders []*Span) {
	p := &PerfIssue{Issue: is, Txn: t, Offenders: offenders, Query: offenders[0].Desc}
	is.perf = p
	t.perf = p
	for _, s := range offenders {
		s.offender = p
	}
	in.Perf = append(in.Perf, p)
}

// Profile is a sampled (v1) profile of a transaction: what its request
// thread was doing over time, plus idle threads.
type Profile struct {
	ThreadID, ThreadName string
	// Base frames (root first) are under every request-thread sample.
	Base []PFrame
	// Segments run in order: until UntilMS after the transaction start the
	// thread samples the segment's stacks (root first, below Base) in turn.
	Segments []Segment
	// Others are threads that sit in one stack the whole time.
	Others []ProfileThread
}

// Segment is a stretch of a profile.
type Segment struct {
	UntilMS float64
	Stacks  [][]PFrame
}

// ProfileThread is an idle thread of a profile.
type ProfileThread struct {
	ID, Name string
	Stack    []PFrame
}

// PFrame names a profile frame: in-app by Path and At (as Frame), system by
// Path (a file name), Abs and Line.
type PFrame struct {
	Function, Module string
	Path, At         string
	Abs              string
	Line             int
}
