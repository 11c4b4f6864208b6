package ui

import (
	"fmt"
	"strings"
	"testing"

	xansi "github.com/charmbracelet/x/ansi"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/agent/llmtest"
)

// longMarkdown is n sections of headings, paragraphs, lists and code.
func longMarkdown(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "## Step %d\n\n", i+1)
		fmt.Fprintf(&b, "The span **%d** of `checkout` waits on payments; the retry loop calls it again before the first answer.\n\n", i)
		if i%3 == 0 {
			b.WriteString("```go\nfor attempt := range 3 {\n\tresp, err := client.Do(req)\n\n\tif err == nil {\n\t\treturn resp\n\t}\n}\n```\n\n")
		}
		if i%4 == 1 {
			b.WriteString("- first cause\n- second cause\n  continued on an indented line\n\n")
		}
	}
	return b.String()
}

// normLines is lines without styles or trailing spaces, blank lines
// dropped (chunks may be separated differently).
func normLines(lines []string) []string {
	var out []string
	for _, l := range lines {
		if l = strings.TrimRight(xansi.Strip(l), " "); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func TestStableEnd(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      string // the stable prefix
	}{
		{"one paragraph", "Hello wor", ""},
		{"paragraph then blank", "Hello.\n\n", ""},
		{"next paragraph started", "Hello.\n\nNext", "Hello.\n\n"},
		{"two boundaries", "A.\n\nB.\n\nC", "A.\n\nB.\n\n"},
		{"open fence hides blank lines", "A.\n\n```go\nx := 1\n\ny := 2\n", "A.\n\n"},
		{"closed fence", "A.\n\n```go\nx := 1\n\ny := 2\n```\n\nB", "A.\n\n```go\nx := 1\n\ny := 2\n```\n\n"},
		{"tilde fence", "~~~~\na\n\n~~~\nb\n~~~~\n\nC", "~~~~\na\n\n~~~\nb\n~~~~\n\n"},
		{"indented continuation", "- a\n\n  more of a\n\nB", "- a\n\n  more of a\n\n"},
		{"indented next line not yet a boundary", "- a\n\n  more", ""},
		{"several blank lines", "A.\n\n\n\nB", "A.\n\n\n\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.src[:stableEnd(tc.src, 0)]; got != tc.want {
				t.Errorf("stable prefix of %q = %q, want %q", tc.src, got, tc.want)
			}
		})
	}
	// Scanning from an earlier boundary finds the same end.
	src := "A.\n\nB.\n\nC.\n\nD"
	if a, b := stableEnd(src, 0), stableEnd(src, 4); a != b {
		t.Errorf("from 0: %d, from 4: %d", a, b)
	}
}

func TestMdStreamCachesPerWidthAndTheme(t *testing.T) {
	var r mdRenderer
	var s mdStream
	text := longMarkdown(6)
	for _, d := range strings.SplitAfter(text, "\n") {
		s.append(d)
		s.lines(&r, 80, true)
	}
	calls := r.calls
	s.lines(&r, 80, true)
	if r.calls != calls {
		t.Errorf("unchanged text rendered again")
	}
	narrow := s.lines(&r, 40, true)
	if r.calls-calls > 2 {
		t.Errorf("a new width took %d renders, want the stable prefix once (and no tail)", r.calls-calls)
	}
	for _, l := range narrow {
		if w := xansi.StringWidth(l); w > 40 {
			t.Errorf("line %d cells wide at width 40: %q", w, xansi.Strip(l))
		}
	}
	calls = r.calls
	s.lines(&r, 40, false)
	if r.calls == calls {
		t.Error("the light theme did not re-render")
	}
	if r.width != 40 || r.dark {
		t.Errorf("renderer memo is %d/%v", r.width, r.dark)
	}
}

func TestOnlySGR(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"\x1b[1mbold\x1b[0m", "\x1b[1mbold\x1b[0m"},
		{"\x1b[38;5;35;1mx\x1b[m", "\x1b[38;5;35;1mx\x1b[m"},
		{"\x1b]8;id=1;http://x\alink\x1b]8;;\a", "link"},
		{"\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"a\x1b[2Jb\x1b[Hc", "abc"},
		{"a\x1bPdcs\x1b\\b", "ab"},
		{"bell\a", "bell"},
		{"cut\x1b[", "cut"},
	} {
		if got := onlySGR(tc.in); got != tc.want {
			t.Errorf("onlySGR(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCleanText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a\tb", "a   b"},
		{"ab\tc\n\td", "ab  c\n    d"},
		{"crlf\r\nline\rcr", "crlf\nline\ncr"},
		{"esc \x1b[31m", `esc \x1b[31m`},
		{"bidi \u202e", `bidi \u202e`},
	} {
		if got := cleanText(tc.in); got != tc.want {
			t.Errorf("cleanText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for in, want := range map[string]string{"abc": "abc", "é": "é", "a\xc3": "a", "a\xe2\x94": "a", "": "", "\xe2\x94\x80": "─"} {
		if got := completeUTF8(in); got != want {
			t.Errorf("completeUTF8(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWrapStream(t *testing.T) {
	var w wrapStream
	w.append("first line that is long enough to wrap at twenty\nsecond")
	got := w.lines(20)
	if len(got) != 4 || got[3] != "second" {
		t.Errorf("lines = %q", got)
	}
	w.append(" half\nthird\n")
	got = w.lines(20)
	if got[len(got)-1] != "third" || got[len(got)-2] != "second half" {
		t.Errorf("lines = %q", got)
	}
	if l := w.lastLine(); l != "third" {
		t.Errorf("lastLine = %q", l)
	}
	if got := w.lines(200); len(got) != 3 {
		t.Errorf("at 200: %q", got)
	}
}

func TestTrimPadding(t *testing.T) {
	pad := "\x1b[38;5;252m \x1b[m"
	for _, tc := range []struct{ in, want string }{
		{"plain  ", "plain"},
		{"\x1b[38;5;252mtext\x1b[m" + pad + pad + pad, "\x1b[38;5;252mtext\x1b[m"},
		{pad + pad, "\x1b[m"},
		{"\x1b[38;5;252mtwo words\x1b[m" + pad, "\x1b[38;5;252mtwo words\x1b[m"},
		{"\x1b[38;2;1;2;3mx \x1b[m", "\x1b[38;2;1;2;3mx\x1b[m"},
		{"\x1b[1;48;5;236m title \x1b[m", "\x1b[1;48;5;236m title \x1b[m"}, // on a background: kept
		{"\x1b[7mrev \x1b[m", "\x1b[7mrev \x1b[m"},
		{"no padding", "no padding"},
	} {
		got := trimPadding(tc.in)
		if got != tc.want {
			t.Errorf("trimPadding(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if xansi.Strip(got) != strings.TrimRight(xansi.Strip(tc.in), " ") && !strings.Contains(tc.in, "48;") && !strings.Contains(tc.in, "[7m") {
			t.Errorf("trimPadding(%q) changed the text", tc.in)
		}
	}
}

// Glamour wraps a quote within a budget that must match its bar's
// width: every wrapped line of the quote keeps the bar and fits.
func TestMarkdownQuotesKeepTheirBar(t *testing.T) {
	var m mdRenderer
	src := "> Produced by tracehound's **offline analyzer** — deterministic heuristics over the trace, errors, spans, profiles and code. It is not an LLM: treat the root cause as a lead.\n"
	for w := 30; w <= 90; w++ {
		lines := m.render(src, w, true)
		if len(lines) < 2 {
			t.Fatalf("width %d: the quote did not wrap: %q", w, lines)
		}
		for _, l := range lines {
			plain := xansi.Strip(l)
			if !strings.HasPrefix(plain, "▏") || xansi.StringWidth(l) > w {
				t.Errorf("width %d: a quote line without its bar or too wide: %q", w, plain)
			}
		}
	}
}

// A report reads as text: headings without their "##", inline code
// without padding spaces (no doubled spaces, no " :" before a colon).
func TestMarkdownReportReadsAsText(t *testing.T) {
	src := "# Investigation of SHOP-1\n\n## Summary\n\nIt broke in `payments`.\n\n## Root cause\n\n**payments** — `payments/api/verify.py:12` in `verify_signature`\n\nEvidence:\n\n- error `a1b2c3d4`: ValueError in verify_signature\n- commit `8b6a508`: changed the signer\n\n### Notes\n\nnone\n"
	var r mdRenderer
	for _, dark := range []bool{true, false} {
		lines := r.render(src, 80, dark)
		for _, l := range lines {
			p := strings.TrimSpace(xansi.Strip(l))
			if strings.HasPrefix(p, "#") {
				t.Errorf("a literal heading: %q", p)
			}
			if strings.Contains(p, "  ") || strings.Contains(p, " :") {
				t.Errorf("a doubled space or a detached colon: %q", p)
			}
		}
		text := xansi.Strip(strings.Join(lines, "\n"))
		for _, want := range []string{"Summary", "error a1b2c3d4: ValueError", "in verify_signature"} {
			if !strings.Contains(text, want) {
				t.Errorf("the report lacks %q:\n%s", want, text)
			}
		}
	}
}

// TestStreamedMarkdownMatchesFullRender: an answer streamed word by word
// into the chat, drawn after every few words as the frames would, shows
// at the end exactly what rendering the whole answer from scratch shows
// (cell by cell, content and style) — at several widths, with the pane
// resized mid-stream and again after the end. The answer has headings,
// paragraphs with inline code and bold, nested lists continued across a
// blank line, numbered lists, code fences with blank lines inside,
// quotes and tables.
func TestStreamedMarkdownMatchesFullRender(t *testing.T) {
	text := llmtest.LongMarkdown(700) + "\n\n" + longMarkdown(8)
	deltas := chatDeltas(agent.EventTextDelta, 1, text, 5)
	for _, tc := range []struct {
		name           string
		before, during int // the width for the first half of the stream, then the rest
		after          []int
	}{
		{"narrow", 40, 40, nil},
		{"wide", 120, 120, nil},
		{"resized mid-stream", 80, 52, []int{80, 33}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestChat(t)
			for i, e := range deltas {
				c.Apply(e)
				w := tc.before
				if i >= len(deltas)/2 {
					w = tc.during
				}
				if i%3 == 0 || i == len(deltas)-1 {
					c.View(w, 30, true)
				}
			}
			it := c.items[len(c.items)-1]
			for _, w := range append([]int{tc.during}, tc.after...) {
				got := it.md.lines(&c.md, w, true)
				var r mdRenderer
				want := r.render(cleanText(text), w, true)
				if len(got) != len(want) {
					t.Fatalf("width %d: %d lines streamed, %d rendered whole", w, len(got), len(want))
				}
				for i := range got {
					if g, wa := cells(got[i], w, 1), cells(want[i], w, 1); g != wa {
						t.Fatalf("width %d, line %d differs:\nstreamed %q\nwhole    %q", w, i, got[i], want[i])
					}
				}
			}
		})
	}
}
