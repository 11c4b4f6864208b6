package incident

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// project is one Sentry project (one service).
type project struct {
	id         int64
	slug       string
	name       string
	platform   string
	sdkName    string
	sdkVersion string
	release    string
	repo       string
	dateCreate string
}

// span is one span of the trace. Times are absolute microseconds.
type span struct {
	id, parent string
	op, desc   string
	status     string
	origin     string
	start, end µs
	data       map[string]any
	tags       map[string]string
	children   []*span
	up         *span // parent within the same transaction, nil for a root
	txn        *txn
	downstream []*txn // transactions this span (an http.client call) caused
	errors     []*errEvent
	offender   bool // an offender span of the N+1 occurrence
}

// txn is one transaction (a service entry point) with its spans.
type txn struct {
	key, eventID string
	proj         *project
	name, source string
	root         *span
	spans        []*span // every span but the root, in creation order
	serverName   string
	profileID    string
	profilerID   string
	threadID     string
	threadName   string
	request      *wire.RequestData
	contexts     map[string]any
	tags         [][2]string
	user         *wire.User
	measurements map[string]any
	breadcrumbs  []wire.Breadcrumb
	dateReceived µs
	perfIssue    *issue
	occurrence   map[string]any
	counter      int
}

type spanOpt func(*span)

func withData(kv ...any) spanOpt {
	return func(s *span) {
		if s.data == nil {
			s.data = map[string]any{}
		}
		for i := 0; i < len(kv); i += 2 {
			s.data[kv[i].(string)] = kv[i+1]
		}
	}
}

func withStatus(st string) spanOpt { return func(s *span) { s.status = st } }
func withOrigin(o string) spanOpt  { return func(s *span) { s.origin = o } }
func withTag(k, v string) spanOpt {
	return func(s *span) {
		if s.tags == nil {
			s.tags = map[string]string{}
		}
		s.tags[k] = v
	}
}

func newTxn(key string, p *project, op, name, source string, start µs, durMS float64) *txn {
	t := &txn{key: key, eventID: hexID(32, "event", key), proj: p, name: name, source: source}
	t.root = &span{
		id: hexID(16, "span", key, "root"), op: op, desc: name, status: "ok",
		start: start, end: start + ms(durMS), txn: t,
	}
	return t
}

// add creates a child span starting offMS after s starts and lasting durMS.
// It panics when the child would not fit inside s: timings must add up.
func (s *span) add(op, desc string, offMS, durMS float64, opts ...spanOpt) *span {
	t := s.txn
	t.counter++
	c := &span{
		id: hexID(16, "span", t.key, strconv.Itoa(t.counter)), parent: s.id,
		op: op, desc: desc, status: "ok",
		start: s.start + ms(offMS), txn: t, up: s,
	}
	c.end = c.start + ms(durMS)
	for _, o := range opts {
		o(c)
	}
	if c.start < s.start || c.end > s.end || c.end < c.start {
		panic(fmt.Errorf("%s: span %q (%s) [%d, %d] does not fit in %q [%d, %d]", t.key, desc, op, c.start, c.end, s.desc, s.start, s.end))
	}
	s.children = append(s.children, c)
	t.spans = append(t.spans, c)
	return c
}

// serve creates the downstream transaction that an http.client span caused:
// it starts inMS after the client span and ends outMS before it.
func (s *span) serve(key string, p *project, op, name, source string, inMS, outMS float64) *txn {
	start := s.start + ms(inMS)
	end := s.end - ms(outMS)
	t := newTxn(key, p, op, name, source, start, 0)
	t.root.end = end
	t.root.parent = s.id
	if end <= start {
		panic(fmt.Errorf("%s: no room for the downstream transaction in %q", key, s.desc))
	}
	s.downstream = append(s.downstream, t)
	return t
}

// durMS is the span's duration in milliseconds.
func (s *span) durMS() float64 { return float64(s.end-s.start) / 1000 }

// exclusiveMS is the duration not covered by the span's children.
func (s *span) exclusiveMS() float64 {
	kids := slices.Clone(s.children)
	slices.SortStableFunc(kids, func(a, b *span) int { return cmp.Compare(a.start, b.start) })
	covered := µs(0)
	cur := s.start
	for _, c := range kids {
		st, en := max(c.start, cur), c.end
		if en > st {
			covered += en - st
			cur = en
		}
	}
	return float64(s.end-s.start-covered) / 1000
}

// errEvent is one error event of the trace.
type errEvent struct {
	key, eventID string
	proj         *project
	span         *span
	at           µs
	issue        *issue
	platform     string
	title        string
	culprit      string
	location     string
	level        string
	exception    *wire.ExceptionData
	metadata     wire.IssueMetadata
	breadcrumbs  []wire.Breadcrumb
	request      *wire.RequestData
	contexts     map[string]any
	tags         [][2]string
	user         *wire.User
	serverName   string
	handled      bool
	mechanism    string
	extraFields  map[string]any
}

// issue is one Sentry issue (group).
type issue struct {
	id            int64
	shortID       string
	proj          *project
	title         string
	culprit       string
	level         string
	status        string
	substatus     string
	priority      string
	typ           string
	issueType     string
	issueCategory string
	groupType     int
	count         int
	userCount     int
	firstSeen     µs
	lastSeen      µs
	unhandled     bool
	metadata      map[string]any
	firstRelease  string
}
