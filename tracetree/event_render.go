// Rendering the prepared event at a detail level, and fitting lines into a token budget.

package tracetree

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tracehound/tracehound/redact"
)

// ---- rendering -----------------------------------------------------------------------

func (p *evPrepared) render(lv evLevel) string {
	var b strings.Builder
	for _, h := range p.header {
		b.WriteString(h)
		b.WriteByte('\n')
	}
	if lv.extras {
		if p.tags != "" {
			b.WriteString(p.tags + "\n")
		}
		for _, c := range p.contexts {
			b.WriteString(c + "\n")
		}
	}
	seen := map[string]string{}
	for _, s := range p.summary {
		b.WriteString(s + "\n")
	}
	if p.message != "" {
		b.WriteString("\nMessage\n")
		for _, l := range strings.Split(redact.Text(p.message), "\n") {
			b.WriteString("  " + Truncate(strings.TrimRight(l, " \t\r"), 300) + "\n")
		}
	}
	if len(p.stacks) > 0 {
		b.WriteString("\n" + p.stackTtl + "\n")
		for i := range p.stacks {
			if i > 0 && !lv.causes {
				b.WriteString(fmt.Sprintf("… %s omitted\n", plural(len(p.stacks)-1, "earlier exception")))
				break
			}
			p.renderStack(&b, i, lv, seen)
		}
		for _, l := range p.stackEnd {
			b.WriteString(l + "\n")
		}
	}
	if n := min(lv.crumbs, len(p.crumbs)); n > 0 {
		title := fmt.Sprintf("Breadcrumbs (last %d of %d, time relative to the error)", n, p.crumbAll)
		if n == p.crumbAll {
			title = fmt.Sprintf("Breadcrumbs (%d, time relative to the error)", n)
		}
		b.WriteString("\n" + title + "\n")
		shown := p.crumbs[len(p.crumbs)-n:]
		w := 0
		for _, c := range shown {
			rel, _, _ := strings.Cut(c, "\t")
			w = max(w, len([]rune(rel)))
		}
		for _, c := range shown {
			rel, rest, _ := strings.Cut(c, "\t")
			b.WriteString("  " + strings.Repeat(" ", w-len([]rune(rel))) + rel + "  " + rest + "\n")
		}
	} else if p.crumbAll > 0 {
		b.WriteString("\n" + plural(p.crumbAll, "breadcrumb") + " not shown\n")
	}
	if lv.extras && len(p.request) > 0 {
		b.WriteString("\nRequest\n")
		for _, l := range p.request {
			b.WriteString("  " + l + "\n")
		}
	}
	return b.String()
}

func (p *evPrepared) renderStack(b *strings.Builder, i int, lv evLevel, seen map[string]string) {
	st := &p.stacks[i]
	if st.head != "" {
		if i > 0 && p.stackTtl != "Thread" && !strings.HasPrefix(st.head, "thread ") {
			b.WriteString("caused by ")
		}
		b.WriteString(st.head + "\n")
	}
	if st.mech != "" {
		b.WriteString("  " + st.mech + "\n")
	}
	if st.note != "" {
		b.WriteString("  (" + st.note + ")\n")
	}
	frames := st.frames
	if i > 0 && !lv.causes {
		frames = nil
	}
	keep := evSelectFrames(frames, lv.frames, lv.sys)
	for j := 0; j < len(frames); {
		if !keep[j] {
			k := j
			for k < len(frames) && !keep[k] {
				k++
			}
			b.WriteString("  " + evOmitted(frames[j:k]) + "\n")
			j = k
			continue
		}
		crash := i == 0 && j == 0
		p.renderFrame(b, &frames[j], j == 0, crash, lv, seen)
		j++
	}
}

func (p *evPrepared) renderFrame(b *strings.Builder, f *evFrame, site, crash bool, lv evLevel, seen map[string]string) {
	b.WriteString("  " + f.label + "\n")
	if !f.inApp && !site {
		return
	}
	// Context window.
	lo, hi := 0, len(f.ctx)
	switch {
	case lv.ctx == -1:
	case lv.ctx == -2 && !crash:
		lo, hi = 0, 0
	case f.suspect < 0:
		if lv.ctx <= 0 {
			lo, hi = 0, 0
		} else {
			lo, hi = 0, min(len(f.ctx), 2*lv.ctx+1)
		}
	default:
		r := max(lv.ctx, 0)
		lo, hi = max(0, f.suspect-r), min(len(f.ctx), f.suspect+r+1)
	}
	// Trim blank lines at the window's edges.
	for lo < hi && lo != f.suspect && strings.TrimSpace(f.ctx[lo].text) == "" {
		lo++
	}
	for hi > lo && hi-1 != f.suspect && strings.TrimSpace(f.ctx[hi-1].text) == "" {
		hi--
	}
	if hi > lo {
		w := 0
		for _, c := range f.ctx[lo:hi] {
			w = max(w, len(strconv.FormatInt(c.no, 10)))
		}
		for k := lo; k < hi; k++ {
			c := f.ctx[k]
			mark := "   "
			if k == f.suspect {
				mark = " → "
			}
			text := Truncate(c.text, lv.maxCtxLen)
			line := fmt.Sprintf("   %s%*d | %s", mark, w, c.no, text)
			b.WriteString(strings.TrimRight(line, " ") + "\n")
		}
	}
	if lv.vars == 2 || (lv.vars == 1 && crash) {
		all := strings.Join(f.vars, "\n") + "\n" + strings.Join(f.hidden, ",")
		if len(f.vars)+len(f.hidden) > 0 && seen[f.key] == all {
			b.WriteString("    vars: as above\n")
			return
		}
		seen[f.key] = all
		for k, v := range f.vars {
			prefix := "      "
			if k == 0 {
				prefix = "    vars: "
			} else {
				prefix = "          "
			}
			b.WriteString(prefix + v + "\n")
		}
		if len(f.hidden) > 0 {
			prefix := "          "
			if len(f.vars) == 0 {
				prefix = "    vars: "
			}
			b.WriteString(prefix + "[filtered: " + evList(f.hidden, 8) + "]\n")
		}
	}
}

// renderMinimal is the last resort under a tight budget: lines are taken
// by priority (the title, the first exception line, the crash-site frame
// and its suspect line first; then ids, the other in-app frames and the
// causes) while they fit, and printed in their usual order.
func (p *evPrepared) renderMinimal(budget int) string {
	type item struct {
		line string
		prio int
	}
	var items []item
	title := ""
	for i, h := range p.header {
		prio := 6
		switch i {
		case 0:
			prio, title = 0, h
		case 1:
			prio = 4
		case 2:
			prio = 3
		}
		items = append(items, item{h, prio})
	}
	for i, st := range p.stacks {
		if st.head != "" && !(i == 0 && st.head == title) {
			head := st.head
			prio := 1
			if i > 0 {
				head, prio = "caused by "+head, 5
			}
			items = append(items, item{head, prio})
		}
		if i == 0 && st.mech != "" {
			items = append(items, item{"  " + st.mech, 7})
		}
		for j, f := range st.frames {
			switch {
			case i == 0 && j == 0:
				items = append(items, item{"  " + f.label, 1})
				if f.suspect >= 0 {
					c := f.ctx[f.suspect]
					items = append(items, item{fmt.Sprintf("    → %d | %s", c.no, Truncate(c.text, 120)), 2})
				}
			case i == 0 && f.inApp:
				items = append(items, item{"  " + f.label, 5})
			}
		}
	}
	lines := make([]string, len(items))
	prio := make([]int, len(items))
	for i, it := range items {
		lines[i], prio[i] = it.line, it.prio
	}
	return packLines(lines, prio, 1, budget)
}

// packLines fits prioritised lines into budget tokens: lines are taken in
// priority order (0 first) while they fit and printed in their original
// order. A line of priority <= must that does not fit is cut to fit
// instead, and nothing after it is taken.
func packLines(lines []string, prio []int, must, budget int) string {
	order := make([]int, len(lines))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return prio[order[a]] < prio[order[b]] })
	chosen := make([]bool, len(lines))
	join := func() []string {
		var out []string
		for i, l := range lines {
			if chosen[i] {
				out = append(out, l)
			}
		}
		return out
	}
	for _, i := range order {
		chosen[i] = true
		if CountTokens(strings.Join(join(), "\n")+"\n") <= budget {
			continue
		}
		if prio[i] <= must {
			// A required line does not fit whole: keep what came before
			// whole and cut the text after it.
			return fitLines(join(), budget)
		}
		chosen[i] = false
	}
	out := join()
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "\n") + "\n"
}

// fitLines joins lines, dropping lines from the end and then shortening
// the last one until the text takes at most budget tokens.
func fitLines(lines []string, budget int) string {
	for len(lines) > 0 {
		s := strings.Join(lines, "\n") + "\n"
		if CountTokens(s) <= budget {
			return s
		}
		last := lines[len(lines)-1]
		r := []rune(last)
		if len(lines) > 1 && CountTokens(strings.Join(lines[:len(lines)-1], "\n")+"\n") > budget {
			lines = lines[:len(lines)-1]
			continue
		}
		if len(r) <= 2 {
			lines = lines[:len(lines)-1]
			continue
		}
		lines[len(lines)-1] = Truncate(last, len(r)*3/4)
	}
	return ""
}
