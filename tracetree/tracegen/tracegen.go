// Package tracegen generates synthetic Sentry traces of any size, in the
// form of /organizations/{org}/trace/{trace_id}/ (sentry-api.md §8.3), for
// benchmarks and tests. A trace is a web shop seen end to end: a browser
// pageload calls the API gateway, which calls backend services, which call
// each other; every service is a project on its own platform. Output is a
// pure function of the Config: the same Config gives the same bytes.
package tracegen

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// Config sizes a trace. A zero field takes its default; a negative count
// (Errors, Occurrences, OrphanRoots) or Repeats means none.
type Config struct {
	// Spans is the number of span items, transactions included
	// (default 1,000).
	Spans int
	// Transactions is how many of the spans are transactions, that is
	// segment roots with is_transaction (default Spans/50, at least 1). It
	// is capped so that every non-orphan transaction below the first has its
	// own http.client parent span: 2·Transactions−1−OrphanRoots ≤ Spans.
	Transactions int
	// Services is the number of services (projects) that may appear
	// (default min(Transactions, 12)). The first is the browser front end
	// and the second the API gateway; beyond the 32 named ones, names repeat
	// with a suffix ("payments-2").
	Services int
	// Errors is the number of error events, each on its own span and
	// preferably a deep one (default Spans/2,500, at least 1; at most Spans).
	Errors int
	// Occurrences is the number of performance-issue occurrences (N+1
	// queries), each in its own transaction and attached to every span of
	// its run (default Transactions/400, at least 1). Fewer are made when
	// too few transactions have room for a run of five spans.
	Occurrences int
	// MaxDepth bounds the nesting: no item is deeper than MaxDepth, roots
	// being at depth 1 (default 32; values below 4 are raised to 4).
	MaxDepth int
	// Seed seeds the PCG generator every choice and id comes from.
	Seed uint64
	// OrphanRoots is the number of extra roots whose parent span is missing
	// from the trace (broken propagation); they are transactions, counted in
	// Transactions (default Transactions/500; at most Transactions−1).
	OrphanRoots int
	// Repeats is the fraction of spans emitted as runs of identical siblings
	// (N+1 style), default 0.05, at most 0.9.
	Repeats float64
}

// Default100k is the benchmark trace: 100,000 spans in 2,000 transactions
// over 30 services, with 40 errors, 5 N+1 occurrences and 3 orphan roots.
func Default100k() Config {
	return Config{Spans: 100_000, Transactions: 2_000, Services: 30, Errors: 40, Occurrences: 5, MaxDepth: 32, Seed: 1, OrphanRoots: 3, Repeats: 0.05}
}

// Wide20k is the wide-trace benchmark: 20,000 transactions (a fan-out
// over 30 services, as a batch job or a busy gateway makes) in 60,000
// spans, with 40 errors, 5 N+1 occurrences and 3 orphan roots. It is what
// the explorer's filter, n/N and cursor moves are measured on (ui's
// BenchmarkExplorer20k, e2e/perf_filter_test.go).
func Wide20k() Config {
	return Config{Spans: 60_000, Transactions: 20_000, Services: 30, Errors: 40, Occurrences: 5, MaxDepth: 32, Seed: 1, OrphanRoots: 3, Repeats: 0.05}
}

// Normalize returns the configuration with defaults and caps applied, as
// Generate uses it.
func (c Config) Normalize() Config {
	if c.Spans <= 0 {
		c.Spans = 1000
	}
	if c.Transactions == 0 {
		c.Transactions = c.Spans / 50
	}
	c.Transactions = min(max(c.Transactions, 1), c.Spans)
	if c.Services <= 0 {
		c.Services = min(c.Transactions, 12)
	}
	if c.OrphanRoots == 0 {
		c.OrphanRoots = c.Transactions / 500
	}
	c.OrphanRoots = min(max(c.OrphanRoots, 0), c.Transactions-1)
	for c.Transactions > 1 && 2*c.Transactions-1-c.OrphanRoots > c.Spans {
		c.Transactions--
		c.OrphanRoots = min(c.OrphanRoots, c.Transactions-1)
	}
	if c.Errors == 0 {
		c.Errors = max(1, c.Spans/2500)
	}
	c.Errors = min(max(c.Errors, 0), c.Spans)
	if c.Occurrences == 0 {
		c.Occurrences = max(1, c.Transactions/400)
	}
	c.Occurrences = min(max(c.Occurrences, 0), c.Transactions)
	if c.MaxDepth == 0 {
		c.MaxDepth = 32
	}
	c.MaxDepth = max(c.MaxDepth, 4)
	if c.Repeats == 0 {
		c.Repeats = 0.05
	}
	if !(c.Repeats > 0) { // negative or NaN
		c.Repeats = 0
	}
	c.Repeats = min(c.Repeats, 0.9)
	return c
}

// Result is a generated trace.
type Result struct {
	// Trace is the forest as the API sends it: the first root is the
	// pageload (or the first service's transaction), the orphan roots follow
	// by start time; children are nested and ordered by start time.
	Trace wire.Trace
	// TraceID is the 32-hex trace id.
	TraceID string
	// FocusEventID is the deepest error, to use as "the issue's event"
	// (empty when there are no errors).
	FocusEventID string
	// ErrorEventIDs are the error event ids, in the order they were placed.
	ErrorEventIDs []string
	// TransactionIDs are the transaction event ids, the first root's first.
	TransactionIDs []string

	Spans        int // span items
	Transactions int // span items with is_transaction
	Errors       int // error items
	Occurrences  int // distinct occurrences (each sits on every span of its run)
	Roots        int // top-level items: 1 + orphan roots
	Depth        int // depth of the deepest span (roots are at 1)

	// Config is the normalized configuration the trace was made from.
	Config Config

	once sync.Once
	json []byte
}

// Generate builds the trace that cfg describes.
func Generate(cfg Config) *Result {
	g := newGen(cfg.Normalize())
	g.plan()
	g.allocIDs()
	for t := range g.txns {
		g.buildTxn(int32(t))
	}
	g.layout()
	g.placeErrors()
	return g.result()
}

// GenerateJSON is Generate(cfg).JSON().
func GenerateJSON(cfg Config) []byte { return Generate(cfg).JSON() }

// JSON is the trace encoded as the API's JSON array, in the canonical form
// of sentryapi.Encode, so decoding it with sentryapi.Decode and encoding
// again gives the same bytes. (That form leaves out the empty members the
// live API spells out: "profile_id": "", "parent_span_id": null,
// "children": [].) It is computed once; do not modify it.
func (r *Result) JSON() []byte {
	r.once.Do(func() {
		b, err := wire.Encode(r.Trace)
		if err != nil {
			panic("tracegen: encoding the trace: " + err.Error())
		}
		r.json = b
	})
	return r.json
}

// Node kinds.
const (
	kLeaf uint8 = iota
	kCont       // a span that may have children (function, middleware, render)
	kLink       // http.client whose child is the next service's transaction
	kRoot       // transaction root
)

// node is a span while the trace is built; nodes are created parents first,
// so a parent's index is always below its children's.
type node struct {
	parent, first, last, next int32
	txn                       int32
	depth                     int32
	err                       int32 // index into gen.errs, or -1
	op, desc                  string
	self                      int64 // µs: a leaf's own duration, before scaling
	off, dur, start           int64 // µs: offset in the parent, duration, absolute start
	kind                      uint8
	conc                      bool // starts alongside the previous sibling
	rep                       bool // in a run of identical siblings: sequential
	occ                       bool // offender of its transaction's occurrence
}

type txn struct {
	parent     int32 // parent transaction, -1 for roots
	level      int32
	svc        int32
	route      int32
	kids       []int32
	extra      int32 // spans besides the root and the links
	rep        int32 // of which in runs of identical siblings
	link       int32 // the parent http.client node
	root       int32
	orphan     bool
	occ        bool
	eventID    string
	missing    string // orphans: the parent span id that is not in the trace
	profileID  string
	profilerID string
	name, op   string
	occFirst   int32
	occLen     int32
}

type errEvent struct {
	node    int32
	eventID string
	item    wire.TraceItem
}

type gen struct {
	cfg   Config
	rng   *rand.Rand
	svcs  []*service
	txns  []txn
	nodes []node
	errs  []errEvent

	levels, stride int32 // transaction levels and item depth per level
	capLocal       int32

	spanIDs  string // 16 hex per span, then the orphans' missing parents
	eventIDs string // 32 hex each
	nEvent   int

	issues   map[int]issue
	issueSeq int64
	issueKey int64

	conts []int32 // scratch: containers of the transaction being built
	runs  []int32 // scratch: run lengths
}

type issue struct {
	id    int64
	short string
}

func newGen(cfg Config) *gen {
	g := &gen{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x7f4a7c15bd3e9a1d)), issues: map[int]issue{}}
	d := int32(cfg.MaxDepth)
	g.levels = min(8, (d-2)/2+1)
	g.stride = (d - 2) / (g.levels - 1)
	g.capLocal = max(g.stride-1, 6)
	g.issueKey = 5_800_000_000 + g.rng.Int64N(400_000_000)
	// Services.
	k := cfg.Services
	pid := 4_508_000_000_000_000 + g.rng.Int64N(1_000_000_000_000_000)
	for i := 0; i < k; i++ {
		var sp svcSpec
		suffix := ""
		switch {
		case i < len(catalog):
			sp = catalog[i]
			if k == 1 {
				sp = catalog[1] // a lone service is the gateway, not a browser
			}
		default:
			// Beyond the catalog, the backends again: "payments-2".
			const first, n = 2, 27
			j := i - len(catalog)
			sp, suffix = catalog[first+j%n], "-"+itoa(2+j/n)
		}
		pid += 1 + g.rng.Int64N(50_000_000_000)
		g.svcs = append(g.svcs, newService(sp, suffix, g.rng, pid))
	}
	return g
}

// plan shapes the transaction tree and shares the spans out.
func (g *gen) plan() {
	cfg, rng := g.cfg, g.rng
	T := cfg.Transactions
	g.txns = make([]txn, T)
	for _, i := range rng.Perm(T - 1)[:cfg.OrphanRoots] {
		g.txns[i+1].orphan = true
	}
	var backends, workers []int32
	for i, s := range g.svcs {
		switch s.kind {
		case kindBackend:
			backends = append(backends, int32(i))
		case kindWorker:
			workers = append(workers, int32(i))
		}
	}
	if len(backends) == 0 {
		backends = []int32{int32(len(g.svcs) - 1)}
	}
	hasFront := g.svcs[0].kind == kindFrontend
	// pick draws a backend other than the caller's service.
	pick := func(not int32) int32 {
		pos := slices.Index(backends, not)
		if pos < 0 || len(backends) == 1 {
			return backends[rng.IntN(len(backends))]
		}
		j := rng.IntN(len(backends) - 1)
		if j >= pos {
			j++
		}
		return backends[j]
	}

	// The transaction tree: each transaction hangs below an earlier one
	// that is not on the last level, the shallower of two random picks, so
	// call chains stay a few services deep and fan out wide.
	eligible := make([]int32, 0, T)
	nkids := make([]int32, T)
	for i := range g.txns {
		t := &g.txns[i]
		t.parent = -1
		if i == 0 || t.orphan {
			if i == 0 {
				t.svc = 0
			} else if len(workers) > 0 {
				t.svc = workers[rng.IntN(len(workers))]
			} else {
				t.svc = pick(-1)
			}
		} else {
			p := eligible[rng.IntN(len(eligible))]
			if q := eligible[rng.IntN(len(eligible))]; g.txns[q].level < g.txns[p].level {
				p = q
			}
			t.parent, t.level = p, g.txns[p].level+1
			nkids[p]++
			ps := g.txns[p].svc
			if hasFront && ps == 0 {
				t.svc = 1
			} else {
				t.svc = pick(ps)
			}
		}
		if t.level < g.levels-1 {
			eligible = append(eligible, int32(i))
		}
		s := g.svcs[t.svc]
		t.route = int32(rng.IntN(len(s.routes)))
		t.name, t.op = s.routes[t.route].name, s.txnOp
	}
	kidsBuf := make([]int32, 0, T)
	for i := range g.txns {
		g.txns[i].kids = kidsBuf[len(kidsBuf) : len(kidsBuf) : len(kidsBuf)+int(nkids[i])]
		kidsBuf = kidsBuf[:len(kidsBuf)+int(nkids[i])]
	}
	for i := 1; i < T; i++ {
		if p := g.txns[i].parent; p >= 0 {
			g.txns[p].kids = append(g.txns[p].kids, int32(i))
		}
	}

	// Spans: one root per transaction and one link per child transaction;
	// the rest is shared out by log-normal weights.
	extra := cfg.Spans
	for i := range g.txns {
		extra -= 1 + len(g.txns[i].kids)
	}
	w := make([]float64, T)
	var sum float64
	for i := range w {
		w[i] = math.Exp(0.9 * rng.NormFloat64())
		if i == 0 && hasFront {
			w[i] *= 3
		}
		sum += w[i]
	}
	given := 0
	for i := range g.txns {
		e := int(float64(extra) * w[i] / sum)
		g.txns[i].extra = int32(e)
		given += e
	}
	for ; given > extra; given-- { // float rounding, in theory
		for i := range g.txns {
			if g.txns[i].extra > 0 {
				g.txns[i].extra--
				break
			}
		}
	}
	for ; given < extra; given++ {
		g.txns[rng.IntN(T)].extra++
	}

	// Repeats go to transactions with room for runs, by size; each keeps at
	// least two spans of its own.
	want := int(cfg.Repeats*float64(cfg.Spans) + 0.5)
	room, capacity := 0, 0
	var roomy []int32
	for i := range g.txns {
		if e := int(g.txns[i].extra); e >= 8 {
			room += e
			capacity += e - 2
			roomy = append(roomy, int32(i))
		}
	}
	if want = min(want, capacity); want > 0 {
		got := 0
		for _, i := range roomy {
			t := &g.txns[i]
			t.rep = min(int32(float64(want)*float64(t.extra)/float64(room)), t.extra-2)
			got += int(t.rep)
		}
		for j := rng.IntN(len(roomy)); got < want; j = (j + 1) % len(roomy) {
			if t := &g.txns[roomy[j]]; t.rep < t.extra-2 {
				t.rep++
				got++
			}
		}
	}

	// Occurrences: transactions that have a run of five, else room for one.
	var cands, spare []int32
	for i := range g.txns {
		t := &g.txns[i]
		if g.svcs[t.svc].lang == browser {
			continue // N+1 queries are a backend affair
		}
		switch {
		case t.rep >= 5:
			cands = append(cands, int32(i))
		case t.extra-t.rep >= 5:
			spare = append(spare, int32(i))
		}
	}
	rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	rng.Shuffle(len(spare), func(i, j int) { spare[i], spare[j] = spare[j], spare[i] })
	for n := 0; n < cfg.Occurrences; n++ {
		var t *txn
		if n < len(cands) {
			t = &g.txns[cands[n]]
		} else if n-len(cands) < len(spare) {
			t = &g.txns[spare[n-len(cands)]]
			t.rep += 5
		} else {
			break
		}
		t.occ = true
	}
}

const hexDigits = "0123456789abcdef"

func (g *gen) newNode(parent, t int32, op, desc string, kind uint8, depth int32) int32 {
	id := int32(len(g.nodes))
	g.nodes = append(g.nodes, node{parent: parent, first: -1, last: -1, next: -1, txn: t, depth: depth, err: -1, op: op, desc: desc, kind: kind})
	if parent >= 0 {
		p := &g.nodes[parent]
		if p.last < 0 {
			p.first = id
		} else {
			g.nodes[p.last].next = id
		}
		p.last = id
	}
	return id
}

func (g *gen) pickStr(s []string) string { return s[g.rng.IntN(len(s))] }

// lognormal draws a duration in µs around median.
func (g *gen) lognormal(median, sigma float64) int64 {
	v := median * math.Exp(sigma*g.rng.NormFloat64())
	return int64(min(max(v, 5), median*60))
}

// leaf picks a leaf span of the service's platform: op, description and
// duration.
func (g *gen) leaf(s *service) (op, desc string, dur int64) {
	r := g.rng.IntN(100)
	if s.lang == browser {
		switch {
		case r < 20:
			return "resource.script", g.pickStr(browserScripts), g.lognormal(70_000, 0.8)
		case r < 26:
			return "resource.css", g.pickStr(browserCSS), g.lognormal(40_000, 0.7)
		case r < 44:
			return "resource.img", g.pickStr(browserImgs), g.lognormal(60_000, 0.9)
		case r < 54:
			return "browser", g.pickStr(browserOps), g.lognormal(15_000, 0.8)
		case r < 76:
			return "ui.react.render", g.pickStr(s.funcs), g.lognormal(3_000, 1.0)
		case r < 80:
			return "mark", g.pickStr(browserMark), 5
		case r < 83:
			return "paint", "first-contentful-paint", 5
		case r < 88:
			return "ui.long-task", "Main UI thread blocked", 50_000 + g.lognormal(30_000, 0.5)
		}
		return "http.client", g.pickStr(s.external), g.lognormal(90_000, 0.6)
	}
	switch {
	case r < 40:
		return "db", g.pickStr(s.sqls), g.lognormal(1_500, 1.0)
	case r < 50:
		return "db.redis", g.pickStr(s.redis), g.lognormal(250, 0.6)
	case r < 62:
		return "cache.get", g.pickStr(s.cache), g.lognormal(180, 0.6)
	case r < 98:
		return "function", g.pickStr(s.funcs), g.lognormal(350, 1.1)
	}
	return "http.client", g.pickStr(s.external), g.lognormal(60_000, 0.6)
}

// buildTxn makes the spans of transaction ti below its parent link.
func (g *gen) buildTxn(ti int32) {
	t := &g.txns[ti]
	s := g.svcs[t.svc]
	rng := g.rng
	parent, depth := int32(-1), int32(1)
	if t.parent >= 0 {
		parent = t.link
		depth = g.nodes[parent].depth + 1
	}
	if g.nodes == nil {
		g.nodes = make([]node, 0, g.cfg.Spans)
	}
	root := g.newNode(parent, ti, t.op, t.name, kRoot, depth)
	t.root = root
	maxD := min(int32(g.cfg.MaxDepth), depth+g.capLocal) // deepest span
	linkD := depth + g.stride - 1                        // deepest link span

	regular := int(t.extra - t.rep)
	g.runs = g.runs[:0]
	for left := int(t.rep); left > 0; {
		k := 4 + rng.IntN(17)
		if len(g.runs) == 0 && t.occ {
			k = max(k, 5)
		}
		if left-k < 3 {
			k = left
		}
		g.runs = append(g.runs, int32(k))
		left -= k
	}
	g.conts = append(g.conts[:0], root)
	cursor := root

	// Middleware, then the handler, for HTTP servers.
	if t.op == "http.server" && s.mwOp != "" && regular > 1 && depth+1 < maxD {
		nm := min(1+rng.IntN(3), regular-1)
		at := root
		for j := 0; j < nm; j++ {
			d := g.nodes[at].depth + 1
			mw := g.newNode(at, ti, s.mwOp, s.mw[(j+int(ti))%len(s.mw)], kCont, d)
			g.conts = append(g.conts, mw)
			if s.lang == python && d+2 < maxD { // Django middleware nest
				at = mw
			}
		}
		regular -= nm
		cursor = g.newNode(at, ti, "function", g.pickStr(s.funcs), kCont, g.nodes[at].depth+1)
		g.conts = append(g.conts, cursor)
		regular--
	}

	links, ri, li := len(t.kids), 0, 0
	linkParent := int32(-1)
	for {
		total := regular + (links - li) + (len(g.runs) - ri)
		if total == 0 {
			break
		}
		r := rng.IntN(total)
		switch {
		case r < regular:
			regular--
			u := rng.Float64()
			switch {
			case u < 0.18 && cursor != root:
				cursor = g.nodes[cursor].parent
			case u < 0.26:
				cursor = g.conts[rng.IntN(len(g.conts))]
			}
			d := g.nodes[cursor].depth + 1
			if d < maxD && rng.Float64() < 0.3 {
				c := g.newNode(cursor, ti, s.contOp, g.pickStr(s.funcs), kCont, d)
				g.conts = append(g.conts, c)
				if rng.Float64() < 0.7 {
					cursor = c
				}
				continue
			}
			op, desc, dur := g.leaf(s)
			prev := g.nodes[cursor].last
			n := g.newNode(cursor, ti, op, desc, kLeaf, d)
			g.nodes[n].self = dur
			if prev >= 0 && (op == "http.client" && rng.Float64() < 0.5 || concurrentOp(op) && concurrentOp(g.nodes[prev].op) && rng.Float64() < 0.7) {
				g.nodes[n].conc = true
			}
		case r < regular+(links-li):
			child := t.kids[li]
			li++
			// Calls to other services cluster (one handler fans out) and
			// mostly go out concurrently.
			p := linkParent
			if p < 0 || rng.Float64() < 0.3 {
				p = cursor
				for g.nodes[p].depth >= linkD {
					p = g.nodes[p].parent
				}
			}
			linkParent = p
			prev := g.nodes[p].last
			n := g.newNode(p, ti, "http.client", g.linkDesc(t, child), kLink, g.nodes[p].depth+1)
			g.txns[child].link = n
			if prev >= 0 && rng.Float64() < 0.85 {
				g.nodes[n].conc = true
			}
		default:
			k := g.runs[ri]
			ri++
			occ := ri == 1 && t.occ
			var op, desc string
			var base int64
			switch u := rng.IntN(100); {
			case s.lang == browser:
				op, desc, base = "resource.img", browserImgs[0], g.lognormal(20_000, 0.5)
			case occ || u < 75:
				op, desc, base = "db", g.pickStr(s.byID), g.lognormal(900, 0.6)
			case u < 90:
				op, desc, base = "db.redis", s.redis[0], g.lognormal(200, 0.4)
			default:
				op, desc, base = "cache.get", s.cache[0], g.lognormal(150, 0.4)
			}
			d := g.nodes[cursor].depth + 1
			first := int32(len(g.nodes))
			for j := int32(0); j < k; j++ {
				n := g.newNode(cursor, ti, op, desc, kLeaf, d)
				g.nodes[n].self = max(5, int64(float64(base)*(0.75+0.5*rng.Float64())))
				g.nodes[n].occ = occ
				g.nodes[n].rep = true
			}
			if occ {
				t.occFirst, t.occLen = first, k
			}
		}
	}
}

func concurrentOp(op string) bool {
	switch op {
	case "resource.script", "resource.css", "resource.img", "http.client":
		return true
	}
	return false
}

// linkDesc is the http.client description of a call from t to child: a
// concrete URL whose route is the child's transaction name.
func (g *gen) linkDesc(t *txn, child int32) string {
	c := &g.txns[child]
	cs := g.svcs[c.svc]
	rt := cs.routes[c.route]
	path := rt.path
	if a, b, ok := strings.Cut(path, "{id}"); ok {
		path = a + itoa(1000+g.rng.IntN(900_000)) + b
	}
	return rt.method + " https://" + cs.host + path
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return string(b[i:])
}

// maxRoot is the longest the first root may last: a larger trace is laid
// out again with every duration scaled down to fit.
const maxRoot = 30_000_000 // µs

// layout sets durations and start times. It lays the forest out once and,
// if the first root lasts longer than maxRoot, once more scaled to fit.
func (g *gen) layout() {
	g.durations(1)
	if d := g.nodes[0].dur; d > maxRoot {
		g.durations(float64(maxRoot) / float64(d))
	}
	// 2025-01-01T00:00:00Z plus up to half a year.
	ns := g.nodes
	base := int64(1_735_689_600_000_000) + g.rng.Int64N(180*86_400_000_000)
	for i := range ns {
		n := &ns[i]
		switch {
		case i == 0:
			n.start = base
		case n.parent < 0:
			n.start = base + g.rng.Int64N(max(1, ns[0].dur))
		default:
			n.start = ns[n.parent].start + n.off
		}
	}
}

// durations sets durations bottom-up: children laid out one after another
// or alongside the previous sibling, inside the parent's own time. scale
// multiplies every duration and gap.
func (g *gen) durations(scale float64) {
	rng := g.rng
	ns := g.nodes
	sc := func(us int64) int64 { return max(1, int64(float64(us)*scale)) }
	for i := len(ns) - 1; i >= 0; i-- {
		n := &ns[i]
		if n.first < 0 {
			if n.kind == kLeaf {
				n.dur = sc(n.self)
			} else {
				n.dur = sc(20 + rng.Int64N(800))
			}
			continue
		}
		// Some handlers fan out: all their children at once (Promise.all,
		// errgroup, asyncio.gather); runs of identical spans never do.
		par := n.kind == kCont && rng.Float64() < 0.12
		var pre, post int64
		switch {
		case n.kind == kLink:
			pre, post = 150+rng.Int64N(1350), 150+rng.Int64N(1350)
		case n.kind == kRoot && n.op == "pageload":
			pre, post = 20_000+rng.Int64N(200_000), 1_000+rng.Int64N(50_000)
		default:
			pre, post = 20+rng.Int64N(280), 10+rng.Int64N(190)
		}
		pre, post = sc(pre), sc(post)
		end, prevOff := pre, pre
		for c := n.first; c >= 0; c = ns[c].next {
			ch := &ns[c]
			switch {
			case c == n.first:
				ch.off = pre
			case (ch.conc || par) && !ch.rep:
				ch.off = prevOff + sc(rng.Int64N(200))
			default:
				ch.off = end + sc(5+rng.Int64N(145))
			}
			prevOff = ch.off
			end = max(end, ch.off+ch.dur)
		}
		n.dur = end + post
	}
}

func family(op string) int {
	switch op {
	case "db":
		return famDB
	case "db.redis", "cache.get":
		return famCache
	case "http.client":
		return famHTTP
	}
	return famCode
}
