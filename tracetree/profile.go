package tracetree

import (
	"errors"
	"fmt"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// ProfileOptions tune how a profile becomes a call tree and text.
type ProfileOptions struct {
	// ThreadID selects the thread ("": the transaction's active thread,
	// else the thread with the most samples in app code).
	ThreadID string
	// RelevantFunctions are function names to mark and to centre the text
	// on, typically RelevantFunctions(errorEvent).
	RelevantFunctions []string
	// TopN is the length of the hot-function lists (0: 10; negative: none).
	TopN int
	// Budget is the most model tokens the text may take (0: no limit).
	Budget int
}

func (o ProfileOptions) topN() int {
	switch {
	case o.TopN < 0:
		return 0
	case o.TopN == 0:
		return 10
	}
	return o.TopN
}

// ProfileTree is the call tree of one thread of a sampled profile (v1
// transaction profile or v2 chunk), with app frames as nodes and system
// frames folded into their nearest app caller.
type ProfileTree struct {
	Kind        string // "transaction profile" or "profile chunk"
	ProfileID   string // v1
	ChunkID     string // v2
	ProfilerID  string // v2
	Platform    string
	Release     string
	Environment string

	Transaction   string // v1: the profiled transaction
	TransactionID string
	TraceID       string
	TxnDurationMS float64

	// Window limits a chunk to [Start, End] (zero: the whole chunk).
	Start, End     wire.Timestamp
	WindowSamples  int // samples inside the window, all threads
	ChunkSamples   int // samples in the chunk, all threads
	Thread         ProfileThread
	ThreadReason   string
	OtherThreads   []ProfileThread
	IntervalMS     float64 // median sampling interval of the thread
	TotalMS        float64 // the thread's sampled time
	Root           *ProfileNode
	AllFrames      bool   // no app frames on the thread: every frame is a node
	InAppInferred  bool   // in_app was missing and was inferred from paths
	PathPrefix     string // removed from app file paths (shared by all)
	Notes          []string
	Hot, HotSystem []ProfileHot

	opts ProfileOptions
}

// ProfileThread summarises one sampled thread.
type ProfileThread struct {
	ID         string
	Name       string
	Samples    int
	AppSamples int // samples with at least one app frame
	DurationMS float64
}

// ProfileNode is one app function on a call path. TotalMS includes
// everything below it; SelfMS is time in its own code; System is the time
// it spent in system code it called directly (folded frames).
type ProfileNode struct {
	Function string
	Module   string
	File     string
	Line     int // the line where it spent the most time
	TotalMS  float64
	SelfMS   float64
	Samples  int
	System   *ProfileFolded
	Children []*ProfileNode

	key   string
	lines map[int]float64
	index map[string]*ProfileNode
}

// ProfileFolded describes the system frames folded into an app node: the
// time the node was the innermost app frame with system code running.
type ProfileFolded struct {
	Frames  int      // distinct system functions
	TotalMS float64  // time
	Entry   string   // the system function the app called (hottest)
	Hottest []string // system functions with the most self time, hottest first

	entry map[string]float64
	self  map[string]float64
	seen  map[string]bool
}

// ProfileHot is one line of a hot-function list.
type ProfileHot struct {
	Function string // display name
	Location string // file:line
	SelfMS   float64
	Caller   string // system functions: the app function that called in
}

// pfSample is a sample with its time in milliseconds.
type pfSample struct {
	stack  int
	thread string
	t      float64
	w      float64
}

// BuildProfile builds the call tree of a sampled (v1) transaction profile.
// A sample lasts until the next sample of its thread
// (elapsed_since_start_ns); the last one of each thread gets the median
// interval. Empty or malformed profiles give an error that says what is
// wrong; bad samples among good ones are dropped and noted.
func BuildProfile(p *wire.Profile, opts ProfileOptions) (*ProfileTree, error) {
	if p == nil {
		return nil, errors.New("no profile")
	}
	pt := &ProfileTree{
		Kind:        "transaction profile",
		ProfileID:   p.EventID,
		Platform:    p.Platform,
		Release:     pfRelease(p.Release),
		Environment: p.Environment,
		opts:        opts,
	}
	if pt.ProfileID == "" {
		pt.ProfileID = p.ProfileID
	}
	active := ""
	if tx := p.MainTransaction(); tx != nil {
		pt.Transaction, pt.TransactionID, pt.TraceID = tx.Name, tx.ID, tx.TraceID
		active = tx.ActiveThreadID.String()
		switch {
		case tx.DurationNS > 0:
			pt.TxnDurationMS = float64(tx.DurationNS) / 1e6
		case tx.RelativeEndNS > tx.RelativeStartNS:
			pt.TxnDurationMS = float64(tx.RelativeEndNS-tx.RelativeStartNS) / 1e6
		}
	}
	samples := make([]pfSample, 0, len(p.Profile.Samples))
	neg := 0
	for _, s := range p.Profile.Samples {
		if s.ElapsedSinceStartNS < 0 {
			neg++
			continue
		}
		samples = append(samples, pfSample{stack: int(s.StackID), thread: s.ThreadID.String(), t: float64(s.ElapsedSinceStartNS) / 1e6})
	}
	if neg > 0 {
		pt.Notes = append(pt.Notes, fmt.Sprintf("%s with a negative time dropped", plural(neg, "sample")))
	}
	if err := pt.build(&p.Profile, samples, len(p.Profile.Samples), active, 0, 0); err != nil {
		return nil, err
	}
	return pt, nil
}

// BuildChunkProfile builds the call tree of a continuous-profiling chunk
// (v2) limited to [start, end] (epoch seconds; zero values leave that side
// open), typically a transaction's startTimestamp and endTimestamp. Sample
// durations are measured on the whole chunk and clipped to the window.
func BuildChunkProfile(ch *wire.ProfileChunk, start, end wire.Timestamp, opts ProfileOptions) (*ProfileTree, error) {
	if ch == nil {
		return nil, errors.New("no profile chunk")
	}
	if start != 0 && end != 0 && end < start {
		return nil, fmt.Errorf("profile window ends before it starts (%s > %s)", evFormatTime(start), evFormatTime(end))
	}
	pt := &ProfileTree{
		Kind:        "profile chunk",
		ChunkID:     ch.ChunkID,
		ProfilerID:  ch.ProfilerID,
		Platform:    ch.Platform,
		Release:     pfRelease(ch.Release),
		Environment: ch.Environment,
		Start:       start,
		End:         end,
		opts:        opts,
	}
	samples := make([]pfSample, 0, len(ch.Profile.Samples))
	bad := 0
	for _, s := range ch.Profile.Samples {
		t := float64(s.Time())
		if t <= 0 || math.IsNaN(t) || math.IsInf(t, 0) {
			bad++
			continue
		}
		samples = append(samples, pfSample{stack: int(s.StackID), thread: s.ThreadID.String(), t: t * 1000})
	}
	if bad > 0 {
		pt.Notes = append(pt.Notes, fmt.Sprintf("%s without a valid timestamp dropped", plural(bad, "sample")))
	}
	if err := pt.build(&ch.Profile, samples, len(ch.Profile.Samples), "", float64(start)*1000, float64(end)*1000); err != nil {
		return nil, err
	}
	return pt, nil
}

func pfRelease(raw wire.Raw) string {
	if v := evRawField(raw, "version"); v != "" {
		return v
	}
	return evRawString(raw)
}

// build weighs the samples, chooses the thread and builds its tree. lo and
// hi (ms, 0 = open) are the window.
func (pt *ProfileTree) build(d *wire.ProfileData, samples []pfSample, total int, active string, lo, hi float64) error {
	if total == 0 {
		return errors.New("the profile has no samples")
	}
	// Drop samples whose stack or frames do not exist.
	badStack, badFrame := 0, 0
	valid := samples[:0]
	for _, s := range samples {
		if s.stack < 0 || s.stack >= len(d.Stacks) {
			badStack++
			continue
		}
		ok := true
		for _, fi := range d.Stacks[s.stack] {
			if fi < 0 || fi >= len(d.Frames) {
				ok = false
				break
			}
		}
		if !ok {
			badFrame++
			continue
		}
		valid = append(valid, s)
	}
	samples = valid
	if badStack > 0 {
		pt.Notes = append(pt.Notes, fmt.Sprintf("%s refer to stacks that do not exist (the profile has %s) and were dropped", plural(badStack, "sample"), plural(len(d.Stacks), "stack")))
	}
	if badFrame > 0 {
		pt.Notes = append(pt.Notes, fmt.Sprintf("%s have stacks referring to frames that do not exist (the profile has %s) and were dropped", plural(badFrame, "sample"), plural(len(d.Frames), "frame")))
	}
	if len(samples) == 0 {
		return fmt.Errorf("the profile has no usable samples: %s", strings.Join(pt.Notes, "; "))
	}
	pt.Notes = pfUniq(pt.Notes)

	// Per-thread order and weights.
	byThread := map[string][]pfSample{}
	var order []string
	for _, s := range samples {
		if _, ok := byThread[s.thread]; !ok {
			order = append(order, s.thread)
		}
		byThread[s.thread] = append(byThread[s.thread], s)
	}
	var all []float64
	medians := map[string]float64{}
	for _, id := range order {
		ss := byThread[id]
		sort.SliceStable(ss, func(i, j int) bool { return ss[i].t < ss[j].t })
		var gaps []float64
		for i := 1; i < len(ss); i++ {
			if g := ss[i].t - ss[i-1].t; g > 0 {
				gaps = append(gaps, g)
			}
		}
		all = append(all, gaps...)
		medians[id] = pfMedian(gaps)
	}
	global := pfMedian(all)
	if global == 0 {
		if len(samples) == 1 {
			return errors.New("the profile has only 1 usable sample: too few to measure time (at least 2 are needed)")
		}
		return errors.New("all samples of the profile have the same time: durations cannot be measured")
	}
	pt.ChunkSamples = len(samples)
	threads := map[string]*ProfileThread{}
	inWindow := map[string][]pfSample{}
	for _, id := range order {
		ss := byThread[id]
		med := medians[id]
		if med == 0 {
			med = global
		}
		for i := range ss {
			w := med
			if i+1 < len(ss) {
				w = ss[i+1].t - ss[i].t
			}
			a, b := ss[i].t, ss[i].t+w
			if lo != 0 {
				a = math.Max(a, lo)
			}
			if hi != 0 {
				b = math.Min(b, hi)
			}
			if b <= a && !(w == 0 && (lo == 0 || ss[i].t >= lo) && (hi == 0 || ss[i].t <= hi)) {
				continue
			}
			s := ss[i]
			s.w = math.Max(b-a, 0)
			inWindow[id] = append(inWindow[id], s)
		}
		if len(inWindow[id]) == 0 {
			continue
		}
		th := &ProfileThread{ID: id, Name: pfThreadName(d, id)}
		for _, s := range inWindow[id] {
			th.Samples++
			th.DurationMS += s.w
			if pt.stackHasApp(d, s.stack) {
				th.AppSamples++
			}
		}
		threads[id] = th
		pt.WindowSamples += th.Samples
	}
	if len(threads) == 0 {
		return fmt.Errorf("none of the profile's %s fall inside the window %s – %s", plural(len(samples), "sample"), evFormatTime(wire.Timestamp(lo/1000)), evFormatTime(wire.Timestamp(hi/1000)))
	}

	// Choose the thread.
	ids := make([]string, 0, len(threads))
	for id := range threads {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		a, b := threads[ids[i]], threads[ids[j]]
		if a.AppSamples != b.AppSamples {
			return a.AppSamples > b.AppSamples
		}
		if a.Samples != b.Samples {
			return a.Samples > b.Samples
		}
		return pfLessID(a.ID, b.ID)
	})
	chosen := ""
	switch {
	case pt.opts.ThreadID != "":
		if threads[pt.opts.ThreadID] == nil {
			return fmt.Errorf("thread %s has no samples in this profile; threads with samples: %s", oneLine(pt.opts.ThreadID, 64), pfThreadList(ids, threads))
		}
		chosen, pt.ThreadReason = pt.opts.ThreadID, "chosen by the caller"
	case active != "" && threads[active] != nil:
		chosen, pt.ThreadReason = active, "the transaction's active thread"
	default:
		chosen = ids[0]
		switch {
		case len(ids) == 1:
			pt.ThreadReason = "the only thread with samples"
		case threads[chosen].AppSamples > 0:
			pt.ThreadReason = fmt.Sprintf("the thread with the most samples in app code (%d of %d)", threads[chosen].AppSamples, threads[chosen].Samples)
		default:
			pt.ThreadReason = "the thread with the most samples (no thread has app frames)"
		}
		if active != "" {
			pt.Notes = append(pt.Notes, "the transaction's active thread "+oneLine(active, 64)+" has no samples")
		}
	}
	pt.Thread = *threads[chosen]
	for _, id := range ids {
		if id != chosen {
			pt.OtherThreads = append(pt.OtherThreads, *threads[id])
		}
	}
	pt.IntervalMS = medians[chosen]
	if pt.IntervalMS == 0 {
		pt.IntervalMS = global
	}
	pt.AllFrames = pt.Thread.AppSamples == 0

	// The tree.
	pt.Root = &ProfileNode{Function: pfThreadLabel(&pt.Thread)}
	hotApp := map[string]*pfHot{}
	hotSys := map[string]*pfHot{}
	for _, s := range inWindow[chosen] {
		pt.addSample(d, d.Stacks[s.stack], s.w, hotApp, hotSys)
	}
	pt.TotalMS = pt.Root.TotalMS
	pt.finish(pt.Root)
	pt.relativePaths()
	for _, h := range hotApp {
		h.Location = h.node.File
	}
	for _, h := range hotSys {
		h.Caller = "no app caller"
		if c := h.caller; c != nil {
			h.Caller = c.Function
			if c.File != "" {
				h.Caller += " (" + Truncate(c.File, 60) + ")"
			}
		}
	}
	pt.Hot = pfHotList(hotApp)
	pt.HotSystem = pfHotList(hotSys)
	return nil
}

// relativePaths strips a long directory prefix shared by every app file
// ("/home/runner/work/app/") and notes it.
func (pt *ProfileTree) relativePaths() {
	var files []string
	var walk func(n *ProfileNode)
	walk = func(n *ProfileNode) {
		if n != pt.Root && n.File != "" {
			files = append(files, n.File)
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(pt.Root)
	if len(files) < 2 {
		return
	}
	prefix := files[0]
	distinct := false
	for _, f := range files[1:] {
		distinct = distinct || f != files[0]
		for !strings.HasPrefix(f, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		prefix = prefix[:i+1]
	} else {
		prefix = ""
	}
	if !distinct || len(prefix) < 12 || !strings.HasPrefix(prefix, "/") {
		return
	}
	var strip func(n *ProfileNode)
	strip = func(n *ProfileNode) {
		if n != pt.Root {
			n.File = strings.TrimPrefix(n.File, prefix)
		}
		for _, c := range n.Children {
			strip(c)
		}
	}
	strip(pt.Root)
	pt.PathPrefix = prefix
}

type pfHot struct {
	ProfileHot
	node   *ProfileNode // app functions: a node of the function (for its file)
	caller *ProfileNode // system functions: the app caller (nil: none)
	lines  map[int]float64
}

func pfHotList(m map[string]*pfHot) []ProfileHot {
	out := make([]ProfileHot, 0, len(m))
	for _, h := range m {
		if h.SelfMS <= 0 {
			continue
		}
		if l := pfTopLine(h.lines); l > 0 && h.Location != "" {
			h.Location += ":" + strconv.Itoa(l)
		}
		out = append(out, h.ProfileHot)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].SelfMS != out[j].SelfMS {
			return out[i].SelfMS > out[j].SelfMS
		}
		return out[i].Function+out[i].Caller < out[j].Function+out[j].Caller
	})
	return out
}

func pfMedian(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func pfUniq(xs []string) []string {
	var out []string
	for _, x := range xs {
		dup := false
		for _, y := range out {
			dup = dup || x == y
		}
		if !dup {
			out = append(out, x)
		}
	}
	return out
}

// pfLessID orders thread ids numerically when both are numbers.
func pfLessID(a, b string) bool {
	x, err1 := strconv.ParseUint(a, 0, 64)
	y, err2 := strconv.ParseUint(b, 0, 64)
	if err1 == nil && err2 == nil {
		return x < y
	}
	return a < b
}

func pfThreadName(d *wire.ProfileData, id string) string {
	if m, ok := d.ThreadMetadata[id]; ok && m.Name != "" {
		return m.Name
	}
	return ""
}

func pfThreadLabel(t *ProfileThread) string {
	if t.Name != "" {
		return oneLine(t.Name, 80)
	}
	return "thread " + oneLine(t.ID, 64)
}

func pfThreadList(ids []string, threads map[string]*ProfileThread) string {
	var parts []string
	for _, id := range ids {
		t := threads[id]
		s := oneLine(id, 64)
		if t.Name != "" {
			s += " (" + oneLine(t.Name, 80) + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// isApp reports whether a frame is app code: its in_app flag, else a guess
// from its path (no path, site-packages, node_modules, node: and standard
// library paths are system code).
func (pt *ProfileTree) isApp(f *wire.ProfileFrame) bool {
	if f.InApp != nil {
		return *f.InApp
	}
	pt.InAppInferred = true
	p := f.AbsPath
	if p == "" {
		p = f.Filename
	}
	if p == "" || strings.HasPrefix(p, "<") || strings.HasPrefix(p, "node:") || strings.HasPrefix(p, "internal/") {
		return false
	}
	lp := strings.ToLower(p)
	for _, s := range []string{"node_modules/", "site-packages/", "dist-packages/", "/usr/lib/", "/usr/local/lib/", "/lib/python", "/vendor/", "/gems/", "/go/pkg/mod/", "/.cargo/registry/", "/system/library/", "/usr/include/"} {
		if strings.Contains(lp, s) {
			return false
		}
	}
	return true
}

func (pt *ProfileTree) stackHasApp(d *wire.ProfileData, stack int) bool {
	for _, fi := range d.Stacks[stack] {
		if pt.isApp(&d.Frames[fi]) {
			return true
		}
	}
	return false
}

func pfFuncName(f *wire.ProfileFrame) string {
	fn := strings.TrimSpace(f.Function)
	if fn == "" {
		fn = strings.TrimSpace(f.Symbol)
	}
	if fn == "" {
		if f.InstructionAddr != "" {
			fn = f.InstructionAddr
		} else {
			fn = "<anonymous>"
		}
	}
	return fn
}

func pfFile(f *wire.ProfileFrame) string {
	if f.Filename != "" {
		return f.Filename
	}
	return f.AbsPath
}

// pfSysShort is module.function, or the function alone.
func pfSysShort(f *wire.ProfileFrame) string {
	fn := pfFuncName(f)
	if f.Module != "" && !strings.HasPrefix(fn, f.Module+".") {
		fn = f.Module + "." + fn
	}
	return oneLine(fn, 160)
}

// pfSysName names a system function compactly: module.function, or
// function (file).
func pfSysName(f *wire.ProfileFrame) string {
	fn := pfFuncName(f)
	switch {
	case f.Module != "":
		return pfSysShort(f)
	case f.Package != "":
		return oneLine(fn, 120) + " (" + oneLine(path.Base(f.Package), 60) + ")"
	case pfFile(f) != "":
		return oneLine(fn, 120) + " (" + oneLine(pfShortPath(pfFile(f)), 80) + ")"
	}
	return oneLine(fn, 160)
}

// pfShortPath shortens a library path to the part after its package
// directory ("…/node_modules/helmet/index.cjs" → "helmet/index.cjs").
func pfShortPath(p string) string {
	for _, dir := range []string{"node_modules/", "site-packages/", "dist-packages/"} {
		if i := strings.LastIndex(p, dir); i >= 0 {
			return p[i+len(dir):]
		}
	}
	return p
}

func pfKey(f *wire.ProfileFrame) string {
	return pfFuncName(f) + "\x00" + f.Module + "\x00" + pfFile(f) + "\x00" + f.Package
}

func (n *ProfileNode) child(f *wire.ProfileFrame) *ProfileNode {
	k := pfKey(f)
	if c := n.index[k]; c != nil {
		return c
	}
	c := &ProfileNode{
		Function: oneLine(pfFuncName(f), 160),
		Module:   oneLine(f.Module, 100),
		File:     oneLine(pfFile(f), 300),
		key:      k,
		lines:    map[int]float64{},
	}
	if n.index == nil {
		n.index = map[string]*ProfileNode{}
	}
	n.index[k] = c
	n.Children = append(n.Children, c)
	return c
}

func (pt *ProfileTree) addSample(d *wire.ProfileData, stack []int, w float64, hotApp, hotSys map[string]*pfHot) {
	node := pt.Root
	node.TotalMS += w
	node.Samples++
	var below []*wire.ProfileFrame // system frames under the innermost app frame, caller first
	line := 0
	for i := len(stack) - 1; i >= 0; i-- {
		f := &d.Frames[stack[i]]
		if pt.AllFrames || pt.isApp(f) {
			node = node.child(f)
			node.TotalMS += w
			node.Samples++
			line = int(f.LineNo)
			node.lines[line] += w
			below = below[:0]
			continue
		}
		below = append(below, f)
	}
	if len(below) == 0 {
		node.SelfMS += w
		if node != pt.Root {
			h := hotApp[node.key]
			if h == nil {
				h = &pfHot{ProfileHot: ProfileHot{Function: node.Function}, node: node, lines: map[int]float64{}}
				hotApp[node.key] = h
			}
			h.SelfMS += w
			h.lines[line] += w
		}
		return
	}
	fo := node.System
	if fo == nil {
		fo = &ProfileFolded{entry: map[string]float64{}, self: map[string]float64{}, seen: map[string]bool{}}
		node.System = fo
	}
	fo.TotalMS += w
	for _, f := range below {
		fo.seen[pfKey(f)] = true
	}
	leaf := below[len(below)-1]
	fo.entry[pfSysName(below[0])] += w
	fo.self[pfSysName(leaf)] += w
	var caller *ProfileNode
	ck := ""
	if node != pt.Root {
		caller, ck = node, node.key
	}
	k := pfKey(leaf) + "\x00" + ck
	h := hotSys[k]
	if h == nil {
		h = &pfHot{ProfileHot: ProfileHot{Function: pfSysShort(leaf), Location: oneLine(pfShortPath(pfFile(leaf)), 200)}, caller: caller, lines: map[int]float64{}}
		hotSys[k] = h
	}
	h.SelfMS += w
	h.lines[int(leaf.LineNo)] += w
}

// finish fixes display lines, sorts children and summarises folded frames.
func (pt *ProfileTree) finish(n *ProfileNode) {
	n.Line = pfTopLine(n.lines)
	if fo := n.System; fo != nil {
		fo.Frames = len(fo.seen)
		fo.Entry = pfTopNames(fo.entry, 1)[0]
		fo.Hottest = pfTopNames(fo.self, 3)
	}
	sort.SliceStable(n.Children, func(i, j int) bool { return n.Children[i].TotalMS > n.Children[j].TotalMS })
	for _, c := range n.Children {
		pt.finish(c)
	}
}

func pfTopLine(m map[int]float64) int {
	best, bw := 0, -1.0
	for l, w := range m {
		if w > bw || (w == bw && l < best) {
			best, bw = l, w
		}
	}
	return best
}

func pfTopNames(m map[string]float64, n int) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if m[names[i]] != m[names[j]] {
			return m[names[i]] > m[names[j]]
		}
		return names[i] < names[j]
	})
	if len(names) > n {
		names = names[:n]
	}
	if len(names) == 0 {
		names = []string{""}
	}
	return names
}

// ---- text ------------------------------------------------------------------------

// pfLevel is one step of detail for the budget.
type pfLevel struct {
	minPct   float64 // collapse nodes below this share of the thread
	topN     int
	topSys   int
	pathOnly bool // only the relevant paths
	terse    bool // shorter header
}

// Text renders the tree. opts overrides the options given to the builder
// where set (RelevantFunctions when non-nil, TopN and Budget when
// non-zero):
//
//	Profile 7abf0561 (7abf0561…) · transaction profile · python · payments@3.8.1 · production
//	thread ThreadPoolExecutor-0_0 (id 140234561738432), the transaction's active thread: 47 samples ~10ms apart, 470ms
//	…
//	ThreadPoolExecutor-0_0 470ms 100%
//	├─ create_charge (payments/charges.py:25) 400ms 85% ◀
//	│  ├─ score_transaction (payments/risk.py:23) 370ms 79%
//	│  │  └─ _basket_similarity (payments/risk.py:48) 360ms 77%, self 90ms
//	…
//	│  └─ + 6 system frames 20ms 4%: psycopg.connection.execute → psycopg_binary._psycopg.wait_c
//
// Each node shows its total time, its share of the thread's time and its
// own (self) time; children are sorted by time and those under ~1% are
// collapsed into "… N more (4ms)". With relevant functions, matching nodes
// are marked ◀ and the text keeps their paths and the nodes beside them,
// eliding the rest. With a budget the text fits it, keeping the header,
// the relevant paths and the top of the hot lists.
func (t *ProfileTree) Text(opts ProfileOptions) string {
	if t == nil || t.Root == nil {
		return "(no profile)\n"
	}
	o := t.opts
	if opts.RelevantFunctions != nil {
		o.RelevantFunctions = opts.RelevantFunctions
	}
	if opts.TopN != 0 {
		o.TopN = opts.TopN
	}
	if opts.Budget != 0 {
		o.Budget = opts.Budget
	}
	r := &pfRender{t: t, topN: o.topN()}
	r.mark(o.RelevantFunctions)
	// Nodes are shed by share of the thread's time (a child never has more
	// than its parent, so what stays is always a connected tree with the
	// hottest paths); the relevant paths always stay.
	n := r.topN
	levels := []pfLevel{
		{minPct: 1, topN: n, topSys: n},
		{minPct: 2, topN: n, topSys: n},
		{minPct: 2, topN: n, topSys: min(n, 5), terse: true},
		{minPct: 3, topN: min(n, 5), topSys: min(n, 3), terse: true},
		{minPct: 5, topN: min(n, 5), topSys: min(n, 3), terse: true},
		{minPct: 8, topN: min(n, 3), topSys: min(n, 2), terse: true},
		{minPct: 12, topN: min(n, 3), terse: true},
		{minPct: 20, topN: min(n, 2), terse: true},
		{minPct: 30, topN: min(n, 1), terse: true},
		{minPct: 50, topN: min(n, 1), terse: true},
		{minPct: 70, topN: min(n, 1), terse: true},
		{minPct: 101, pathOnly: true, topN: min(n, 1), terse: true},
		{minPct: 101, pathOnly: true, terse: true},
	}
	if o.Budget <= 0 {
		return r.render(levels[0])
	}
	for _, lv := range levels {
		if s := r.render(lv); CountTokens(s) <= o.Budget {
			return s
		}
	}
	ls := append(r.lines(levels[len(levels)-1]), pfLine{"… (cut to fit the token budget)", 2})
	text := make([]string, len(ls))
	prio := make([]int, len(ls))
	for i, l := range ls {
		text[i], prio[i] = l.s, l.prio
	}
	return packLines(text, prio, 1, o.Budget)
}

// pfLine is one output line and its priority under a budget (0 first).
type pfLine struct {
	s    string
	prio int
}

type pfRender struct {
	t        *ProfileTree
	topN     int
	relevant []string
	marked   map[*ProfileNode]bool
	onPath   map[*ProfileNode]bool // marked nodes and their ancestors
	inMarked map[*ProfileNode]bool // below a marked node
	found    []string
	missing  []string
}

// pfMatches reports whether a profile function is one of the relevant
// names, allowing for qualification ("pkg.(*T).M" matches "(*T).M").
func pfMatches(fn, want string) bool {
	fn = strings.TrimPrefix(fn, "async ")
	want = strings.TrimPrefix(strings.TrimSpace(want), "async ")
	if fn == "" || want == "" {
		return false
	}
	return fn == want || strings.HasSuffix(fn, "."+want) || strings.HasSuffix(want, "."+fn)
}

func (r *pfRender) mark(relevant []string) {
	r.marked = map[*ProfileNode]bool{}
	r.onPath = map[*ProfileNode]bool{}
	r.inMarked = map[*ProfileNode]bool{}
	seen := map[string]bool{}
	for _, f := range relevant {
		if f = strings.TrimSpace(f); f != "" && !seen[f] {
			seen[f] = true
			r.relevant = append(r.relevant, f)
		}
	}
	if len(r.relevant) == 0 {
		return
	}
	hit := map[string]bool{}
	var walk func(n *ProfileNode, under bool) bool
	walk = func(n *ProfileNode, under bool) bool {
		m := false
		if n != r.t.Root {
			for _, f := range r.relevant {
				if pfMatches(n.Function, f) {
					m = true
					hit[f] = true
				}
			}
		}
		if under {
			r.inMarked[n] = true
		}
		any := m
		for _, c := range n.Children {
			if walk(c, under || m) {
				any = true
			}
		}
		if m {
			r.marked[n] = true
		}
		if any {
			r.onPath[n] = true
		}
		return any
	}
	walk(r.t.Root, false)
	for _, f := range r.relevant {
		if hit[f] {
			r.found = append(r.found, f)
		} else {
			r.missing = append(r.missing, f)
		}
	}
}

func (r *pfRender) pct(ms float64) string {
	if r.t.TotalMS <= 0 {
		return "?%"
	}
	p := ms / r.t.TotalMS * 100
	if p < 1 && ms > 0 {
		return "<1%"
	}
	if p >= 99.5 && ms < r.t.TotalMS*0.9999 {
		return ">99%"
	}
	return fmt.Sprintf("%d%%", int(math.Round(p)))
}

func (r *pfRender) header(terse bool) []pfLine {
	t := r.t
	var h []pfLine
	id := ""
	switch {
	case t.ProfileID != "" && terse:
		id = "Profile " + ShortID(oneLine(t.ProfileID, 64))
	case t.ProfileID != "":
		id = "Profile " + pfID(t.ProfileID)
	case t.ChunkID != "" && terse:
		id = "Profile chunk " + ShortID(oneLine(t.ChunkID, 64))
	case t.ChunkID != "":
		id = "Profile chunk " + pfID(t.ChunkID)
	default:
		id = "Profile"
	}
	kind := t.Kind
	if t.ChunkID != "" {
		kind = ""
	}
	first := joinNonEmpty(" · ", id, kind, oneLine(t.Platform, 40), oneLine(t.Release, 80), oneLine(t.Environment, 40))
	if t.ProfilerID != "" && terse {
		first += " · profiler " + ShortID(oneLine(t.ProfilerID, 64))
	} else if t.ProfilerID != "" {
		first += " · profiler " + pfID(t.ProfilerID)
	}
	h = append(h, pfLine{first, 0})
	if t.Transaction != "" || t.TraceID != "" {
		txn := ""
		if t.Transaction != "" {
			txn = "transaction " + oneLine(t.Transaction, 120)
			if t.TransactionID != "" {
				txn += " (" + ShortID(oneLine(t.TransactionID, 64)) + ")"
			}
		}
		dur := ""
		if t.TxnDurationMS > 0 {
			dur = FormatDuration(t.TxnDurationMS)
		}
		tr := ""
		if t.TraceID != "" && !terse {
			tr = "trace " + oneLine(t.TraceID, 64)
		}
		h = append(h, pfLine{joinNonEmpty(" · ", txn, dur, tr), 3})
	}
	if t.Start != 0 || t.End != 0 {
		win := "window "
		switch {
		case t.Start != 0 && t.End != 0:
			endTime := evFormatTime(t.End)
			if t.Start.Time().Format("2006-01-02") == t.End.Time().Format("2006-01-02") {
				endTime = t.End.Time().Format("15:04:05.000") + " UTC"
			}
			win += strings.TrimSuffix(evFormatTime(t.Start), " UTC") + " – " + endTime + " (" + FormatDuration(float64(t.End-t.Start)*1000) + ")"
		case t.Start != 0:
			win += "from " + evFormatTime(t.Start)
		default:
			win += "until " + evFormatTime(t.End)
		}
		h = append(h, pfLine{fmt.Sprintf("%s: %d of the chunk's %s", win, t.WindowSamples, plural(t.ChunkSamples, "sample")), 3})
	}
	th := "thread " + oneLine(t.Thread.ID, 64)
	if t.Thread.Name != "" {
		th = "thread " + oneLine(t.Thread.Name, 80) + " (id " + oneLine(t.Thread.ID, 64) + ")"
	}
	h = append(h, pfLine{fmt.Sprintf("%s, %s: %s ~%s apart, %s", th, t.ThreadReason, plural(t.Thread.Samples, "sample"), FormatDuration(t.IntervalMS), FormatDuration(t.TotalMS)), 1})
	if len(t.OtherThreads) > 0 && terse {
		h = append(h, pfLine{fmt.Sprintf("other threads: %d", len(t.OtherThreads)), 5})
	} else if len(t.OtherThreads) > 0 {
		var parts []string
		for i, o := range t.OtherThreads {
			if i == 6 {
				parts = append(parts, fmt.Sprintf("… %d more", len(t.OtherThreads)-6))
				break
			}
			s := pfThreadLabel(&o) + " " + plural(o.Samples, "sample")
			if o.AppSamples == 0 && !t.AllFrames {
				s += " (no app code)"
			} else if !t.AllFrames {
				s += fmt.Sprintf(" (%d in app code)", o.AppSamples)
			}
			parts = append(parts, s)
		}
		h = append(h, pfLine{"other threads: " + strings.Join(parts, ", "), 5})
	}
	if t.AllFrames {
		h = append(h, pfLine{"note: no frame on this thread is app code, so every frame is shown", 4})
	} else if t.InAppInferred {
		h = append(h, pfLine{"note: frames carry no in_app flag; app code was inferred from file paths", 4})
	}
	if idle := r.idleMS(); t.TotalMS > 0 && idle/t.TotalMS >= 0.3 {
		h = append(h, pfLine{fmt.Sprintf("note: the thread was idle %s of the time (%s): waiting on I/O, timers or other services, not computing", r.pct(idle), FormatDuration(idle)), 3})
	}
	if t.PathPrefix != "" {
		h = append(h, pfLine{"note: app file paths are relative to " + Truncate(t.PathPrefix, 120), 4})
	}
	for _, n := range t.Notes {
		h = append(h, pfLine{"note: " + n, 4})
	}
	if len(r.relevant) > 0 {
		switch {
		case len(r.found) == 0:
			h = append(h, pfLine{"none of the error's functions were sampled on this thread: " + pfList(r.relevant, 8), 1})
		default:
			s := "◀ marks functions in the error's stack: " + pfList(r.found, 8)
			if len(r.missing) > 0 {
				s += "; not sampled: " + pfList(r.missing, 8)
			}
			h = append(h, pfLine{s, 1})
		}
	}
	return h
}

// idleMS is the time the runtime reported as idle ("(idle)" frames, as
// V8 and other sampling profilers name them).
func (r *pfRender) idleMS() float64 {
	ms := 0.0
	for _, h := range r.t.HotSystem {
		if h.Function == "(idle)" {
			ms += h.SelfMS
		}
	}
	return ms
}

func pfID(id string) string {
	id = oneLine(id, 64)
	if len(id) <= ShortIDLen {
		return id
	}
	return ShortID(id) + " (" + id + ")"
}

func pfList(xs []string, n int) string {
	var out []string
	for i, x := range xs {
		if i == n {
			out = append(out, fmt.Sprintf("… %d more", len(xs)-n))
			break
		}
		out = append(out, oneLine(x, 80))
	}
	return strings.Join(out, ", ")
}

func (r *pfRender) render(lv pfLevel) string {
	var b strings.Builder
	for _, l := range r.lines(lv) {
		b.WriteString(l.s)
		b.WriteByte('\n')
	}
	return b.String()
}

func (r *pfRender) lines(lv pfLevel) []pfLine {
	out := r.header(lv.terse)
	t := r.t
	what := "app code only, system frames folded into their app caller"
	if t.AllFrames {
		what = "all frames"
	}
	title := "Call tree (" + what + "; total time, % of the thread, self = own code)"
	if lv.terse {
		title = "Call tree (total, % of thread, self)"
	}
	out = append(out, pfLine{"", 4}, pfLine{title, 2})
	out = append(out, pfLine{fmt.Sprintf("%s %s 100%%", t.Root.Function, FormatDuration(t.TotalMS)), 2})
	out = r.children(out, t.Root, "", lv)

	if n := lv.topN; n > 0 && len(t.Hot) > 0 {
		title := "Hottest app functions (self time)"
		if t.AllFrames {
			title = "Hottest functions (self time)"
		}
		out = append(out, pfLine{"", 4}, pfLine{title, 3})
		out = r.hot(out, t.Hot, n)
	}
	if n := lv.topSys; n > 0 && len(t.HotSystem) > 0 && !t.AllFrames {
		out = append(out, pfLine{"", 6}, pfLine{"Hottest system functions (self time ← the app function that called into them)", 6})
		out = r.hot(out, t.HotSystem, n)
	}
	return out
}

func (r *pfRender) hot(out []pfLine, hs []ProfileHot, n int) []pfLine {
	if len(hs) > n {
		hs = hs[:n]
	}
	w := 0
	for _, h := range hs {
		w = max(w, len([]rune(FormatDuration(h.SelfMS))))
	}
	for i, h := range hs {
		d := FormatDuration(h.SelfMS)
		line := fmt.Sprintf("  %s%s %4s  %s", strings.Repeat(" ", w-len([]rune(d))), d, r.pct(h.SelfMS), Truncate(h.Function, 100))
		if h.Location != "" {
			line += " (" + Truncate(h.Location, 80) + ")"
		}
		if h.Caller != "" {
			line += " ← " + h.Caller
		}
		prio := 6
		if i == 0 && h.Caller == "" {
			prio = 3
		}
		out = append(out, pfLine{line, prio})
	}
	return out
}

// pfItem is a child line: a node or the folded system frames.
type pfItem struct {
	node *ProfileNode
	fold *ProfileFolded
	ms   float64
}

func (r *pfRender) children(out []pfLine, n *ProfileNode, prefix string, lv pfLevel) []pfLine {
	var items []pfItem
	for _, c := range n.Children {
		items = append(items, pfItem{node: c, ms: c.TotalMS})
	}
	if n.System != nil {
		items = append(items, pfItem{fold: n.System, ms: n.System.TotalMS})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].ms > items[j].ms })

	// Relevant paths are always shown. With a window, context nodes (beside
	// a path, not under a relevant function) show their line but not their
	// children. Elsewhere the share threshold applies.
	windowed := len(r.onPath) > 0
	context := windowed && !r.onPath[n] && !r.inMarked[n]
	show := make([]bool, len(items))
	for i, it := range items {
		switch {
		case it.node != nil && r.onPath[it.node]:
			show[i] = true
		case lv.pathOnly, context:
		default:
			show[i] = r.t.TotalMS <= 0 || it.ms/r.t.TotalMS*100 >= lv.minPct
		}
	}
	// One item under the threshold is shown rather than counted (unless the
	// budget is tight: its subtree may cost more than a "… 1 more" line).
	if !context && !lv.pathOnly && !lv.terse {
		off := -1
		for i := range show {
			if !show[i] {
				if off >= 0 {
					off = -2
					break
				}
				off = i
			}
		}
		if off >= 0 {
			show[off] = true
		}
	}
	last := -1
	hidden, hiddenMS := 0, 0.0
	for i := range items {
		if show[i] {
			last = i
		} else {
			hidden++
			hiddenMS += items[i].ms
		}
	}
	for i, it := range items {
		if !show[i] {
			continue
		}
		end := i == last && hidden == 0
		branch, next := "├─ ", "│  "
		if end {
			branch, next = "└─ ", "   "
		}
		if it.fold != nil {
			out = append(out, pfLine{prefix + branch + r.foldLine(it.fold, n == r.t.Root), 5})
			continue
		}
		prio := 5
		if r.onPath[it.node] {
			prio = 2
		}
		out = append(out, pfLine{prefix + branch + r.nodeLine(it.node), prio})
		out = r.children(out, it.node, prefix+next, lv)
	}
	if hidden > 0 {
		out = append(out, pfLine{fmt.Sprintf("%s└─ … %d more (%s)", prefix, hidden, FormatDuration(hiddenMS)), 6})
	}
	return out
}

func (r *pfRender) nodeLine(n *ProfileNode) string {
	s := Truncate(n.Function, 100)
	if n.File != "" {
		loc := Truncate(n.File, 80)
		if n.Line > 0 {
			loc += ":" + strconv.Itoa(n.Line)
		}
		s += " (" + loc + ")"
	} else if n.Module != "" {
		s += " (" + Truncate(n.Module, 60) + ")"
	}
	s += " " + FormatDuration(n.TotalMS) + " " + r.pct(n.TotalMS)
	if n.SelfMS > 0 {
		s += ", self " + FormatDuration(n.SelfMS)
	}
	if r.marked[n] {
		s += " ◀"
	}
	return s
}

func (r *pfRender) foldLine(f *ProfileFolded, root bool) string {
	s := "+ " + plural(f.Frames, "system frame")
	if root {
		s += ", no app code"
	}
	s += " " + FormatDuration(f.TotalMS) + " " + r.pct(f.TotalMS) + ": "
	if root {
		return s + strings.Join(f.Hottest, ", ")
	}
	hot := ""
	if len(f.Hottest) > 0 {
		hot = f.Hottest[0]
	}
	switch {
	case f.Entry == hot || hot == "":
		return s + f.Entry
	case f.Frames == 2:
		return s + f.Entry + " → " + hot
	}
	return s + f.Entry + " → … → " + hot
}
