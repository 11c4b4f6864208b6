package ui

import (
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	uv "github.com/charmbracelet/ultraviolet"
)

// lipglossBox is how the panes' boxes were drawn before frame: lipgloss's
// border around the content, the title spliced into the top line.
func lipglossBox(st *Styles, inner, title string, w, h int, focused bool) string {
	s := st.Border
	if focused {
		s = st.BorderFocused
	}
	out := s.Width(w).Height(h).Render(inner)
	t := " " + title + " "
	if focused {
		t = st.StatusOn.Render(t)
	} else {
		t = st.Subtle.Render(t)
	}
	lines := strings.SplitN(out, "\n", 2)
	if len(lines) == 2 && w > lipgloss.Width(t)+3 {
		top := ansiCut(lines[0], 2) + t
		top += ansiTail(lines[0], 2+lipgloss.Width(t))
		out = top + "\n" + lines[1]
	}
	return out
}

// cells is what a terminal shows for s on a w×h screen: each cell's
// content and style.
func cells(s string, w, h int) string {
	buf := uv.NewScreenBuffer(w, h)
	uv.NewStyledString(s).Draw(buf, buf.Bounds())
	var b strings.Builder
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := buf.CellAt(x, y)
			if c == nil {
				b.WriteString("<nil>")
				continue
			}
			b.WriteString(c.Content + "|" + c.Style.String() + ";")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestFrameMatchesLipglossBorder: the hand-drawn box (frame) shows, cell
// for cell and style for style, what lipgloss's rounded border showed,
// focused or not, dark or light, wide or narrower than its title.
func TestFrameMatchesLipglossBorder(t *testing.T) {
	for _, dark := range []bool{true, false} {
		st := NewStyles(dark)
		c := NewChat(st)
		for _, foc := range []bool{true, false} {
			for _, wh := range [][2]int{{60, 12}, {10, 5}, {8, 4}} {
				w, h := wh[0], wh[1]
				inner := c.View(w-2, h-2, foc)
				a := lipglossBox(st, inner, "3 Agent · gpt", w, h, foc)
				b := strings.Join(frame(st, inner, "3 Agent · gpt", w, h, foc), "\n")
				if ca, cb := cells(a, w, h), cells(b, w, h); ca != cb {
					t.Errorf("dark %v, focused %v, %d×%d:\nlipgloss %q\nframe    %q", dark, foc, w, h, a, b)
				}
			}
		}
	}
}
