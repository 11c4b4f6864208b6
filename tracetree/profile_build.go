// Building the call tree from samples: thread choice, sample gaps, folding stacks into app-frame nodes, and finishing nodes.

package tracetree

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

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
