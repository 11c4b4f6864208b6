package ui

import (
	"errors"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/sentryapi/wire"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tracehound/tracehound/demo"
	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/tracetree"
)

// The demo incident's data the detail tests render.
const (
	dtGatewayTxn  = "events/api-gateway/1fdbda141bc53dd1b130ba1ba0b06967.json" // POST /api/checkout
	dtInventoryN1 = "events/inventory/e4212a75d058d54f046d2d1dd61b559c.json"   // /v1/stock, N+1
	dtAuthErr     = "events/auth-service/214e70f18088863d8dfec294da436369.json"
	dtPaymentsErr = "events/payments/0bae00036f60844109f6674d1cae98b9.json"
	dtPayProfile  = "profiles/payments/7abf05618b4455f9cc7d5ea4a986e312.json"
)

func dtDecode(t testing.TB, name string, v any) {
	t.Helper()
	data, err := fs.ReadFile(demo.Dataset(), name)
	if err != nil {
		t.Fatal(err)
	}
	if err := wire.Decode(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func dtEvent(t testing.TB, name string) *wire.Event {
	t.Helper()
	ev := new(wire.Event)
	dtDecode(t, name, ev)
	return ev
}

func dtSpans(t testing.TB, name string) *tracetree.SpanTree {
	t.Helper()
	st, err := tracetree.BuildSpanTree(dtEvent(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func dtProfile(t testing.TB) *tracetree.ProfileTree {
	t.Helper()
	p := new(wire.Profile)
	dtDecode(t, dtPayProfile, p)
	rel := tracetree.RelevantFunctions(dtEvent(t, dtPaymentsErr))
	pt, err := tracetree.BuildProfile(p, tracetree.ProfileOptions{RelevantFunctions: rel})
	if err != nil {
		t.Fatal(err)
	}
	return pt
}

// dtShortID is the short id of the event's issue in the demo dataset.
func dtShortID(t testing.TB, ev *wire.Event) string {
	t.Helper()
	var is wire.Issue
	dtDecode(t, "issues/"+string(ev.GroupID)+".json", &is)
	return is.ShortID
}

// dtDetails are detail panes showing each kind of content.
func dtDetails(t testing.TB) map[string]*Detail {
	t.Helper()
	st := NewStyles(true)
	out := map[string]*Detail{}

	d := NewDetail(st)
	d.SetTabs(TabSpans, TabProfile)
	d.ShowSpans("1fdbda141bc53dd1b130ba1ba0b06967", dtSpans(t, dtGatewayTxn))
	out["spans_gateway"] = d

	d = NewDetail(st)
	d.SetTabs(TabSpans)
	d.ShowSpans("e4212a75d058d54f046d2d1dd61b559c", dtSpans(t, dtInventoryN1))
	out["spans_inventory"] = d

	d = NewDetail(st)
	ev := dtEvent(t, dtAuthErr)
	d.SetTabs(TabError)
	d.ShowEvent(ev.EventID, ev, dtShortID(t, ev))
	out["error_auth"] = d

	d = NewDetail(st)
	ev = dtEvent(t, dtPaymentsErr)
	d.SetTabs(TabError)
	d.ShowEvent(ev.EventID, ev, dtShortID(t, ev))
	out["error_payments"] = d

	d = NewDetail(st)
	d.SetTabs(TabSpans, TabProfile)
	d.ShowProfile("3766ca994cc7b959748377bd0564cef3", dtProfile(t))
	out["profile_payments"] = d
	return out
}

// dtSGR matches the escape sequences the pane may print: SGR only.
var dtSGR = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// dtCheckScreen checks the frame is exactly w×h cells and carries no
// escape sequence other than SGR colours.
func dtCheckScreen(t *testing.T, name, out string, w, h int) {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) != h {
		t.Errorf("%s %dx%d: %d lines", name, w, h, len(lines))
	}
	for i, l := range lines {
		if got := lipgloss.Width(l); got != w {
			t.Errorf("%s %dx%d: line %d is %d cells: %q", name, w, h, i, got, ansi.Strip(l))
		}
	}
	if rest := dtSGR.ReplaceAllString(out, ""); strings.ContainsRune(rest, '\x1b') {
		i := strings.IndexRune(rest, '\x1b')
		t.Errorf("%s: escape sequence other than SGR: %q", name, rest[max(i-20, 0):min(i+20, len(rest))])
	}
	for _, r := range ansi.Strip(out) {
		if r != '\n' && (r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f)) {
			t.Errorf("%s: control character %U on screen", name, r)
			break
		}
	}
}

func TestDetailViewSizes(t *testing.T) {
	for name, d := range dtDetails(t) {
		for _, dark := range []bool{true, false} {
			d.SetStyles(NewStyles(dark))
			for _, sz := range [][2]int{{40, 10}, {100, 30}, {200, 60}, {1, 1}, {12, 3}} {
				for _, focused := range []bool{false, true} {
					dtCheckScreen(t, name, d.View(sz[0], sz[1], focused), sz[0], sz[1])
				}
			}
		}
	}
}

// TestDetailGolden keeps the screens a person reads at 100×30 (ANSI
// stripped). Review them when they change: they must read well.
func TestDetailGolden(t *testing.T) {
	ds := dtDetails(t)
	for _, name := range []string{"spans_gateway", "spans_inventory", "error_auth", "profile_payments"} {
		t.Run(name, func(t *testing.T) {
			out := ds[name].View(100, 30, true)
			golden(t, "detail_"+name+".txt", out)
		})
	}
}

func dtKey(s string) tea.KeyPressMsg {
	switch s {
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "ctrl+d":
		return tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

func TestDetailKeyNames(t *testing.T) {
	for _, k := range []string{"down", "up", "pgdown", "pgup", "enter", "ctrl+d", "ctrl+u", "j", "G", "[", "]"} {
		if got := dtKey(k).String(); got != k {
			t.Errorf("key %q reads %q", k, got)
		}
	}
}

// TestDetailScroll scrolls the error pane: content moves, and stops at
// both ends.
func TestDetailScroll(t *testing.T) {
	d := dtDetails(t)["error_auth"]
	const w, h = 100, 20
	top := d.View(w, h, true)
	if !strings.Contains(ansi.Strip(top), "1–19 of") {
		t.Fatalf("no scroll position on the tab line:\n%s", ansi.Strip(top))
	}
	d.Update(dtKey("k"))
	if d.View(w, h, true) != top {
		t.Error("scrolling up at the top moved the content")
	}
	d.Update(dtKey("j"))
	one := d.View(w, h, true)
	if one == top {
		t.Fatal("j did not scroll")
	}
	// The second content line is now the first.
	if got, want := dtLine(one, 1), dtLine(top, 2); got != want {
		t.Errorf("after j line 1 is %q, want %q", got, want)
	}
	d.Update(dtKey("G"))
	bottom := d.View(w, h, true)
	n := d.ts[TabError].pane.count()
	if !strings.Contains(ansi.Strip(bottom), "of "+strconv.Itoa(n)) || !strings.Contains(ansi.Strip(bottom), strconv.Itoa(n)+" of") {
		t.Errorf("G did not reach the end (%d lines):\n%s", n, ansi.Strip(bottom))
	}
	d.Update(dtKey("j"))
	d.Update(dtKey("pgdown"))
	d.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if d.View(w, h, true) != bottom {
		t.Error("scrolling down at the bottom moved the content")
	}
	d.Update(dtKey("pgup"))
	if d.View(w, h, true) == bottom {
		t.Error("pgup did not scroll")
	}
	d.Update(dtKey("g"))
	if d.View(w, h, true) != top {
		t.Error("g did not go back to the top")
	}
	d.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if d.View(w, h, true) == top {
		t.Error("the mouse wheel did not scroll")
	}
}

// dtLine is line i of a screen, stripped and trimmed.
func dtLine(screen string, i int) string {
	lines := strings.Split(ansi.Strip(screen), "\n")
	if i >= len(lines) {
		return ""
	}
	return strings.TrimRight(lines[i], " ")
}

// TestDetailHorizontalScroll scrolls wide lines sideways.
func TestDetailHorizontalScroll(t *testing.T) {
	d := dtDetails(t)["error_auth"]
	const w, h = 40, 30
	before := ansi.Strip(d.View(w, h, true))
	d.Update(dtKey("l"))
	after := ansi.Strip(d.View(w, h, true))
	if before == after {
		t.Fatal("l did not scroll sideways")
	}
	if !strings.Contains(strings.Split(after, "\n")[0], "→8") {
		t.Errorf("no horizontal position on the tab line: %q", strings.Split(after, "\n")[0])
	}
	d.Update(dtKey("h"))
	if got := ansi.Strip(d.View(w, h, true)); got != before {
		t.Error("h did not scroll back")
	}
}

func TestDetailTabs(t *testing.T) {
	ds := dtDetails(t)
	d := NewDetail(NewStyles(true))
	d.SetTabs(TabSpans, TabProfile)
	d.ShowSpans("1fdbda14", dtSpans(t, dtGatewayTxn))
	d.ShowProfile("3766ca99", ds["profile_payments"].ts[TabProfile].pane.(*detailProfile).t)
	if d.Tab() != TabSpans {
		t.Errorf("a profile arriving while the spans show switched the tab to %v", d.Tab())
	}
	head := dtLine(d.View(100, 10, true), 0)
	if !strings.Contains(head, "Spans") || !strings.Contains(head, "Profile") || strings.Contains(head, "Error") {
		t.Errorf("tab line %q", head)
	}
	d.Update(dtKey("]"))
	if d.Tab() != TabProfile {
		t.Fatalf("] went to %v", d.Tab())
	}
	if !strings.Contains(ansi.Strip(d.View(100, 10, true)), "Call tree") {
		t.Error("the Profile tab does not show the call tree")
	}
	d.Update(dtKey("]"))
	if d.Tab() != TabSpans {
		t.Errorf("] did not wrap around: %v", d.Tab())
	}
	d.Update(dtKey("["))
	if d.Tab() != TabProfile {
		t.Errorf("[ went to %v", d.Tab())
	}
	d.SetTabs(TabError)
	if d.Tab() != TabError {
		t.Errorf("SetTabs(TabError) left the tab at %v", d.Tab())
	}
	if got := ansi.Strip(d.View(100, 10, true)); !strings.Contains(got, "Select an error") {
		t.Errorf("an empty tab shows no hint:\n%s", got)
	}
}

func TestDetailLoadingAndFailed(t *testing.T) {
	d := NewDetail(NewStyles(false))
	d.SetTabs(TabSpans)
	d.Loading("fetching the spans of 1fdbda14…")
	a := d.View(80, 12, true)
	dtCheckScreen(t, "loading", a, 80, 12)
	if !strings.Contains(ansi.Strip(a), "fetching the spans of 1fdbda14…") {
		t.Errorf("loading screen:\n%s", ansi.Strip(a))
	}
	d.Tick()
	if b := d.View(80, 12, true); b == a {
		t.Error("Tick did not advance the spinner")
	}

	err := &sentryapi.APIError{Class: sentryapi.ErrForbidden, StatusCode: 403, Method: "GET", Path: "/api/0/organizations/acme/events/x/",
		Hint: "The token lacks the event:read scope or access to this project."}
	d.Failed("the spans of 1fdbda14", err)
	out := d.View(80, 14, true)
	dtCheckScreen(t, "failed", out, 80, 14)
	plain := ansi.Strip(out)
	for _, want := range []string{"Could not load the spans of 1fdbda14", "403 forbidden", "event:read scope", "select the node again"} {
		if !strings.Contains(plain, want) {
			t.Errorf("failed screen lacks %q:\n%s", want, plain)
		}
	}
	d.Failed("the profile of 3766ca99", errors.New("dial tcp: connection refused\x1b]0;pwned\x07\r\n\tsecond\rline"))
	out = d.View(80, 14, true)
	dtCheckScreen(t, "failed", out, 80, 14)
	if plain := ansi.Strip(out); !strings.Contains(plain, `connection refused\x1b]0;pwned\x07`) || !strings.Contains(plain, "Select the node again") {
		t.Errorf("failed screen:\n%s", plain)
	}
	d.ShowSpans("1fdbda14", dtSpans(t, dtGatewayTxn))
	if strings.Contains(ansi.Strip(d.View(80, 14, true)), "Could not load") {
		t.Error("ShowSpans did not clear the failure")
	}
}

// TestDetailCachesView checks that View reuses its text when nothing
// changed, and renders again when something did.
func TestDetailCachesView(t *testing.T) {
	d := dtDetails(t)["spans_gateway"]
	a := d.View(100, 30, true)
	p := d.ts[TabSpans].pane.(*detailSpans)
	rendered := 0
	for _, c := range p.cache {
		if c != "" {
			rendered++
		}
	}
	b := d.View(100, 30, true)
	if a != b {
		t.Error("the same View differs")
	}
	d.SetStyles(NewStyles(false))
	if c := d.View(100, 30, true); c == a {
		t.Error("SetStyles did not render again")
	}
	if rendered == 0 {
		t.Error("no row was rendered")
	}
}

// TestDetailNoEscapes shows data with escape sequences in every pane: it
// shows as visible text, never as a sequence.
func TestDetailNoEscapes(t *testing.T) {
	txn := `{"eventID":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","type":"transaction","title":"GET /x\u001b[2J",
	"projectSlug":"evil\u001b]8;;http://x\u0007",
	"startTimestamp":1700000000.0,"endTimestamp":1700000000.5,
	"contexts":{"trace":{"trace_id":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","span_id":"1111111111111111","op":"http.server\u001b[31m"}},
	"entries":[{"type":"spans","data":[
	 {"span_id":"2222222222222222","parent_span_id":"1111111111111111","op":"db","description":"SELECT 1\u001b[31m red \u001b]0;title\u0007 \u009b2J","start_timestamp":1700000000.1,"timestamp":1700000000.3,"status":"internal_error"}
	]}]}`
	ev := new(wire.Event)
	if err := wire.Decode([]byte(txn), ev); err != nil {
		t.Fatal(err)
	}
	tree, err := tracetree.BuildSpanTree(ev)
	if err != nil {
		t.Fatal(err)
	}
	d := NewDetail(NewStyles(true))
	d.ShowSpans("aaaa", tree)
	for _, sz := range [][2]int{{100, 20}, {60, 20}} {
		out := d.View(sz[0], sz[1], true)
		dtCheckScreen(t, "spans", out, sz[0], sz[1])
		if !strings.Contains(ansi.Strip(out), `SELECT 1\x1b[31m red`) {
			t.Errorf("the escape sequence is not shown as text:\n%s", ansi.Strip(out))
		}
	}
	d.Update(dtKey("enter"))
	dtCheckScreen(t, "spans open", d.View(100, 20, true), 100, 20)

	errEv := dtEscEvent(t)
	d = NewDetail(NewStyles(false))
	d.ShowEvent("cccc", errEv, "EVIL-1\x1b[5m")
	out := d.View(120, 60, true)
	dtCheckScreen(t, "error", out, 120, 60)
	plain := ansi.Strip(out)
	for _, want := range []string{`bad \x1b[31mvalue\x1b]0;x\x07`, `\x1b[2Jcode`} {
		if !strings.Contains(plain, want) {
			t.Errorf("error pane lacks %q:\n%s", want, plain)
		}
	}
}

// dtEscEvent is an error event with escape sequences everywhere.
func dtEscEvent(t *testing.T) *wire.Event {
	t.Helper()
	js := `{"eventID":"cccccccccccccccccccccccccccccccc","type":"error","title":"Boom\u001b[2J","platform":"python",
	"dateCreated":"2026-01-01T00:00:01Z",
	"tags":[{"key":"level\u001b[1m","value":"x\u001b[1m"}],
	"entries":[{"type":"exception","data":{"values":[{"type":"ValueError\u001b[1m","value":"bad \u001b[31mvalue\u001b]0;x\u0007",
	 "stacktrace":{"frames":[{"filename":"app/x\u001b[1m.py","function":"f\u001b[1m","lineNo":2,"inApp":true,
	  "context":[[1,"def f():"],[2,"    \u001b[2Jcode = 1 \u009b"],[3,"    return code"]],
	  "vars":{"code":"\u001b[31mv\u0007"}}]}}]}},
	 {"type":"breadcrumbs","data":{"values":[{"timestamp":"2026-01-01T00:00:00Z","category":"c\u001b[1m","message":"m\u001b]52;c;aGk=\u0007"}]}},
	 {"type":"request","data":{"method":"GET\u001b[1m","url":"http://x/\u001b[1m","headers":[["User-Agent","ua\u001b[1m"]]}}]}`
	ev := new(wire.Event)
	if err := wire.Decode([]byte(js), ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestDetailRevisit: going back to a node shows it where the user left
// it.
func TestDetailRevisit(t *testing.T) {
	gw, inv := dtSpans(t, dtGatewayTxn), dtSpans(t, dtInventoryN1)
	d := NewDetail(NewStyles(true))
	d.SetTabs(TabSpans)
	d.ShowSpans("1fdbda14", gw)
	d.View(100, 12, true)
	d.Update(dtKey("j"))
	d.Update(dtKey("enter"))
	before := d.View(100, 12, true)
	sel := d.ts[TabSpans].pane.(*detailSpans).sel

	d.Loading("fetching the spans of e4212a75…")
	d.ShowSpans("e4212a75", inv)
	if d.View(100, 12, true) == before {
		t.Fatal("the other transaction shows the same screen")
	}
	d.SetTabs(TabError) // an error node in between
	d.SetTabs(TabSpans)
	d.Loading("fetching the spans of 1fdbda14…")
	d.ShowSpans("1fdbda14", gw)
	if got := d.View(100, 12, true); got != before {
		t.Errorf("revisit shows\n%s\nwant\n%s", ansi.Strip(got), ansi.Strip(before))
	}
	if p := d.ts[TabSpans].pane.(*detailSpans); p.sel != sel || !p.open[sel] {
		t.Errorf("revisit: selection %d (want %d), open %v", p.sel, sel, p.open)
	}
	// New data for the same id starts afresh but keeps the position.
	d.ShowSpans("1fdbda14", dtSpans(t, dtGatewayTxn))
	if p := d.ts[TabSpans].pane.(*detailSpans); len(p.open) != 0 {
		t.Error("a new tree kept the old open rows")
	}
}
