package ui

import (
	"strconv"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/charmbracelet/x/ansi"

	"github.com/tracehound/tracehound/tracetree"
)

// TestProfilePane: the payments profile's call tree with bars, shares
// and times, the error's function marked, system frames folded, the hot
// list.
func TestProfilePane(t *testing.T) {
	d := dtDetails(t)["profile_payments"]
	out := d.View(140, 80, true)
	plain := ansi.Strip(out)
	for _, want := range []string{
		"Profile 7abf0561 · transaction profile · python · payments@3.8.1 · production",
		"transaction /v1/charges (3766ca99) · 464ms",
		"the transaction's active thread: 47 samples ~10ms apart, 470ms",
		"◀ marks functions in the error's stack: create_charge; not sampled: introspect",
		"87%  410ms  ├─ create_charge payments/charges.py:25 ◀",
		"_basket_similarity payments/risk.py:48 · own 90ms",
		"└─ + 5 system frames: redis.client.execute_command → … → socket.recv_into",
		"+ 19 system frames, no app code",
		"Hottest app functions (own time)",
		"57%  269ms  _jaccard payments/risk.py:55",
		"← _all (payments/db.py)",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("profile lacks %q:\n%s", want, plain)
		}
	}
	// Bars: the root fills the bar column, _jaccard (57%, all its own
	// time) is in the darker shade.
	p := d.ts[TabProfile].pane.(*detailProfile)
	r := &ppRender{p: p, st: p.st, w: 140, bw: 20, selfStyle: ppSelfStyle(p.st)}
	if got := ansi.Strip(r.bar(p.t.TotalMS, 0, p.st.BarCritical)); got != strings.Repeat("█", 20) {
		t.Errorf("root bar %q", got)
	}
	self := r.bar(269, 269, p.st.BarCritical)
	if ansi.Strip(self) != strings.Repeat("█", 11)+strings.Repeat(" ", 9) || !strings.Contains(self, strings.Split(ppSelfStyle(p.st).Render("█"), "█")[0]) {
		t.Errorf("own-time bar %q", self)
	}
}

// TestProfilePaneSmallNodes folds nodes under 1% into one line that
// enter expands.
func TestProfilePaneSmallNodes(t *testing.T) {
	// One hot function and five tiny ones under main.
	js := `{"event_id":"abababababababababababababababab","platform":"python","version":"1",
	"transactions":[{"id":"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd","name":"job","trace_id":"efefefefefefefefefefefefefefefef","active_thread_id":"1","relative_start_ns":"0","relative_end_ns":"1000000000"}],
	"profile":{"frames":[
	  {"function":"main","filename":"app/main.py","in_app":true},
	  {"function":"hot","filename":"app/hot.py","in_app":true},
	  {"function":"t1","filename":"app/t.py","in_app":true},{"function":"t2","filename":"app/t.py","in_app":true},
	  {"function":"t3","filename":"app/t.py","in_app":true}],
	 "stacks":[[1,0],[2,0],[3,0],[4,0]],
	 "samples":[` + ppSamples() + `],
	 "thread_metadata":{"1":{"name":"MainThread"}}}}`
	p := new(wire.Profile)
	if err := wire.Decode([]byte(js), p); err != nil {
		t.Fatal(err)
	}
	pt, err := tracetree.BuildProfile(p, tracetree.ProfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d := NewDetail(NewStyles(true))
	d.ShowProfile("abab", pt)
	plain := ansi.Strip(d.View(120, 40, true))
	if !strings.Contains(plain, "… 3 more under 1%") || strings.Contains(plain, "─ t2") {
		t.Errorf("small nodes not folded:\n%s", plain)
	}
	d.Update(dtKey("enter"))
	plain = ansi.Strip(d.View(120, 40, true))
	if strings.Contains(plain, "more under 1%") || !strings.Contains(plain, "─ t2 app/t.py") {
		t.Errorf("enter did not show the small nodes:\n%s", plain)
	}
	dtCheckScreen(t, "small nodes", d.View(120, 40, true), 120, 40)
}

// ppSamples is 400 samples of the hot stack, then one of each tiny one.
func ppSamples() string {
	var b strings.Builder
	n := 0
	add := func(stack int) {
		if n > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"stack_id":` + strconv.Itoa(stack) + `,"thread_id":"1","elapsed_since_start_ns":"` + strconv.Itoa(n*1_000_000) + `"}`)
		n++
	}
	for range 400 {
		add(0)
	}
	for s := 1; s <= 3; s++ {
		add(s)
	}
	return b.String()
}
