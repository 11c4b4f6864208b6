package ui

import (
	"strings"
	"unicode/utf8"

	"charm.land/glamour/v2"
	"charm.land/glamour/v2/ansi"
	"charm.land/glamour/v2/styles"
	xansi "github.com/charmbracelet/x/ansi"
	"github.com/tracehound/tracehound/redact"
)

// mdRenderer turns markdown into styled lines with glamour, memoising one
// glamour renderer per width and theme. It counts its work so tests can
// check that streaming does not re-render everything on every delta.
type mdRenderer struct {
	width int
	dark  bool
	r     *glamour.TermRenderer

	calls int // glamour renders performed
	bytes int // markdown bytes rendered
}

// render returns the lines of src (already sanitised) rendered at width
// for a dark or light background: no blank lines at either end, only SGR
// escape sequences (glamour's OSC 8 hyperlinks are dropped; the URL stays
// in the text).
func (m *mdRenderer) render(src string, width int, dark bool) []string {
	width = max(width, 8)
	if m.r == nil || m.width != width || m.dark != dark {
		// Code blocks in true colour (Bubble Tea converts colours to the
		// terminal's profile on output): chroma's 256-colour formatter
		// picks among equally close palette colours in map order, so two
		// renders of the same code could differ (and streaming could not
		// show exactly what a whole render shows); it also searches the
		// palette for every token type on every render.
		r, err := glamour.NewTermRenderer(glamour.WithStyles(mdStyle(dark)), glamour.WithWordWrap(width), glamour.WithChromaFormatter("terminal16m"))
		if err != nil {
			return plainLines(src, width)
		}
		m.r, m.width, m.dark = r, width, dark
	}
	lines, err := m.glamour(src)
	if err != nil {
		return plainLines(src, width)
	}
	return lines
}

// glamour renders src with the current renderer into trimmed lines.
func (m *mdRenderer) glamour(src string) ([]string, error) {
	m.calls++
	m.bytes += len(src)
	joined, ok := joinHyphens(src) // glamour breaks after hyphens too
	out, err := m.r.Render(joined)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(splitHyphens(onlySGR(out), ok), "\n")
	for i, l := range lines {
		lines[i] = trimPadding(l)
	}
	return trimBlankLines(lines), nil
}

// trimPadding drops the spaces glamour pads every line with to the wrap
// width, each in its own colour sequence (15 bytes a cell): the pane pads
// with plain spaces, and the screen is then a fraction of the size.
// Spaces on a background colour (or in reverse video) are kept.
func trimPadding(line string) string {
	keep := 0 // the end of the last cell that shows something
	bg := false
	for i := 0; i < len(line); {
		if line[i] == 0x1b && i+1 < len(line) && line[i+1] == '[' {
			j := i + 2
			for j < len(line) && (line[j] < 0x40 || line[j] > 0x7e) {
				j++
			}
			if j < len(line) && line[j] == 'm' {
				bg = sgrBackground(line[i+2:j], bg)
			}
			i = j + 1
			continue
		}
		if line[i] != ' ' || bg {
			_, size := utf8.DecodeRuneInString(line[i:])
			i += size
			keep = i
			continue
		}
		i++
	}
	rest := line[keep:]
	if !strings.ContainsRune(rest, ' ') {
		return line // no padding
	}
	out := line[:keep]
	if strings.Contains(line, "\x1b[") {
		out += "\x1b[m"
	}
	return out
}

// sgrBackground returns whether a background (or reverse video) is on
// after the SGR parameters params, given whether it was before.
func sgrBackground(params string, bg bool) bool {
	parts := strings.Split(params, ";")
	for k := 0; k < len(parts); k++ {
		switch p := parts[k]; {
		case p == "" || p == "0" || p == "49" || p == "27":
			bg = false
		case p == "38" || p == "48":
			if p == "48" {
				bg = true
			}
			if k+1 < len(parts) && parts[k+1] == "5" {
				k += 2
			} else if k+1 < len(parts) && parts[k+1] == "2" {
				k += 4
			}
		case p == "7", len(p) == 2 && p[0] == '4' && p[1] >= '0' && p[1] <= '7', len(p) == 3 && p[:2] == "10":
			bg = true
		}
	}
	return bg
}

// mdStyle is glamour's dark or light style without the document margins
// and blank lines around the document: the pane is narrow and draws its
// own spacing.
func mdStyle(dark bool) ansi.StyleConfig {
	cfg := styles.LightStyleConfig
	if dark {
		cfg = styles.DarkStyleConfig
	}
	zero, one := uint(0), uint(1)
	cfg.Document.Margin = &zero
	cfg.Document.BlockPrefix = ""
	cfg.Document.BlockSuffix = ""
	cfg.CodeBlock.Margin = &one
	// Glamour budgets one column per quote level but its "│ " token takes
	// two, so wrapped quotes overflow and the line breaks again without
	// the bar (glamour#172). A one-column bar drawn at the left of its
	// cell keeps the budget right and still leaves a gap before the text.
	bar := "▏"
	cfg.BlockQuote.Indent = &one
	cfg.BlockQuote.IndentToken = &bar
	// Headings read as headings, not as markdown: no "## " before them
	// (glamour's default), bold and coloured instead.
	for _, h := range []*ansi.StyleBlock{&cfg.H2, &cfg.H3, &cfg.H4, &cfg.H5, &cfg.H6} {
		h.Prefix = ""
	}
	underline := true
	cfg.H2.Underline = &underline
	// Inline code is padded with a space on each side by default, which
	// doubles the spaces around it and detaches punctuation ("error
	// 214e70f1 :"): its colour marks it already.
	cfg.Code.Prefix, cfg.Code.Suffix = "", ""
	return cfg
}

// plainLines is the fallback when glamour fails: the text wrapped.
func plainLines(src string, width int) []string {
	return wrapLines(src, width, "")
}

// trimBlankLines drops lines that show nothing at both ends.
func trimBlankLines(lines []string) []string {
	blank := func(l string) bool { return strings.TrimSpace(xansi.Strip(l)) == "" }
	for len(lines) > 0 && blank(lines[0]) {
		lines = lines[1:]
	}
	for len(lines) > 0 && blank(lines[len(lines)-1]) {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// onlySGR removes every escape sequence but SGR (colours and attributes):
// hyperlinks, cursor movement, titles. Text from models and tools is
// sanitised before rendering; this keeps the renderers' own output to
// what the pane's width arithmetic understands.
func onlySGR(s string) string {
	if !strings.ContainsRune(s, 0x1b) && !strings.ContainsRune(s, 0x07) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x07: // a stray BEL
			i++
		case c != 0x1b:
			b.WriteByte(c)
			i++
		case i+1 < len(s) && s[i+1] == '[': // CSI: parameters, then a final byte
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			if j < len(s) && s[j] == 'm' {
				b.WriteString(s[i : j+1])
			}
			i = j + 1
		case i+1 < len(s) && (s[i+1] == ']' || s[i+1] == 'P' || s[i+1] == '_' || s[i+1] == '^' || s[i+1] == 'X'):
			// OSC, DCS, APC, PM, SOS: up to BEL or ST.
			j := i + 2
			for j < len(s) && s[j] != 0x07 && !(s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\') {
				j++
			}
			switch {
			case j >= len(s):
				i = j
			case s[j] == 0x07:
				i = j + 1
			default:
				i = j + 2
			}
		default:
			i += 2
		}
	}
	return b.String()
}

// cleanText makes model or tool text safe to render: secrets masked and
// escape sequences and control characters visible text (redact.Text), line
// endings are normalised and tabs expanded, so that widths are right.
func cleanText(s string) string {
	s = redact.Text(s)
	if strings.ContainsRune(s, '\r') {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	if strings.ContainsRune(s, '\t') {
		s = expandTabs(s)
	}
	return s
}

// expandTabs replaces tabs with spaces to the next multiple of 4 columns.
func expandTabs(s string) string {
	var b strings.Builder
	col := 0
	for _, r := range s {
		switch r {
		case '\t':
			n := 4 - col%4
			b.WriteString(strings.Repeat(" ", n))
			col += n
		case '\n':
			b.WriteRune(r)
			col = 0
		default:
			b.WriteRune(r)
			col += xansi.StringWidth(string(r))
		}
	}
	return b.String()
}

// completeUTF8 drops an incomplete rune at the end of a streamed text, so
// it does not show as an invalid byte until its next delta arrives.
func completeUTF8(s string) string {
	for i := 1; i <= 3 && i <= len(s); i++ {
		if utf8.RuneStart(s[len(s)-i]) {
			if !utf8.FullRuneInString(s[len(s)-i:]) {
				return s[:len(s)-i]
			}
			break
		}
	}
	return s
}

// mdStream is the markdown of one streamed message, rendered
// incrementally: the stable prefix (up to the last blank line outside a
// code fence that is followed by an unindented line) is rendered once in
// chunks and kept, per width and theme; only the tail after it is
// rendered again while deltas arrive.
type mdStream struct {
	src string

	width int
	dark  bool
	valid bool // the cache is for width and dark

	stable int      // bytes of src rendered as chunks
	fixed  []string // the chunks' lines, chunks separated by one blank line

	out    []string // fixed + tail, for srcLen
	srcLen int
	outOK  bool
}

func (s *mdStream) append(text string) {
	s.src += text
	s.outOK = false
}

func (s *mdStream) set(text string) {
	s.src = text
	s.valid, s.outOK = false, false
}

// lines renders the message at width.
func (s *mdStream) lines(r *mdRenderer, width int, dark bool) []string {
	if !s.valid || s.width != width || s.dark != dark {
		s.width, s.dark, s.valid = width, dark, true
		s.stable, s.fixed, s.outOK = 0, nil, false
	}
	if s.outOK && s.srcLen == len(s.src) {
		return s.out
	}
	if end := stableEnd(s.src, s.stable); end > s.stable {
		chunk := r.render(cleanText(s.src[s.stable:end]), width, dark)
		if len(chunk) > 0 {
			if len(s.fixed) > 0 {
				s.fixed = append(s.fixed, "")
			}
			s.fixed = append(s.fixed, chunk...)
		}
		s.stable = end
	}
	out := s.fixed
	if tail := completeUTF8(s.src[s.stable:]); strings.TrimSpace(tail) != "" {
		t := r.render(cleanText(tail), width, dark)
		if len(t) > 0 {
			out = make([]string, 0, len(s.fixed)+1+len(t))
			out = append(out, s.fixed...)
			if len(out) > 0 {
				out = append(out, "")
			}
			out = append(out, t...)
		}
	}
	s.out, s.srcLen, s.outOK = out, len(s.src), true
	return out
}

// stableEnd returns the end of the stable prefix of src, scanning from
// from (which is outside any code fence): the start of the first line
// after the last blank line that is outside a fence and followed by a line
// that does not start with white space (an indented line may continue a
// list item or a code block across the blank line). It returns from when
// no later boundary is known yet.
func stableEnd(src string, from int) int {
	end := from
	var fence string // the open fence's marker, "" outside
	afterBlank := false
	for i := from; i < len(src); {
		nl := strings.IndexByte(src[i:], '\n')
		if nl < 0 {
			// The last, incomplete line: a boundary before it if it has
			// started and is not indented.
			if fence == "" && afterBlank && src[i] != ' ' && src[i] != '\t' {
				end = i
			}
			break
		}
		line := src[i : i+nl]
		trimmed := strings.TrimSpace(line)
		switch {
		case fence != "":
			if strings.HasPrefix(strings.TrimLeft(line, " "), fence) && strings.Trim(trimmed, fence[:1]) == "" {
				fence = ""
			}
		case trimmed == "":
			afterBlank = true
		default:
			if afterBlank && line[0] != ' ' && line[0] != '\t' {
				end = i
			}
			afterBlank = false
			if f := fenceMarker(line); f != "" {
				fence = f
			}
		}
		i += nl + 1
	}
	return end
}

// fenceMarker returns the run of ``` or ~~~ that opens a code fence on
// line, or "".
func fenceMarker(line string) string {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 || len(t) < 3 {
		return ""
	}
	c := t[0]
	if c != '`' && c != '~' {
		return ""
	}
	n := 0
	for n < len(t) && t[n] == c {
		n++
	}
	if n < 3 {
		return ""
	}
	return t[:n]
}

// wrapStream is plain text (reasoning) wrapped incrementally: complete
// lines are wrapped once per width, the last incomplete line again on
// each change.
type wrapStream struct {
	src   string
	width int
	done  int      // bytes of src wrapped into fixed
	fixed []string // wrapped complete lines (cleaned)
}

func (w *wrapStream) append(text string) { w.src += text }

func (w *wrapStream) lines(width int) []string {
	width = max(width, 1)
	if w.width != width {
		w.width, w.done, w.fixed = width, 0, nil
	}
	if nl := strings.LastIndexByte(w.src, '\n'); nl >= w.done {
		for _, l := range strings.Split(cleanText(w.src[w.done:nl]), "\n") {
			w.fixed = append(w.fixed, wrapLines(l, width, "")...)
		}
		w.done = nl + 1
	}
	tail := completeUTF8(w.src[w.done:])
	if tail == "" {
		return w.fixed
	}
	out := make([]string, len(w.fixed), len(w.fixed)+2)
	copy(out, w.fixed)
	return append(out, wrapLines(cleanText(tail), width, "")...)
}

// lastLine is the last line of the text that shows something, one line.
func (w *wrapStream) lastLine() string {
	s := strings.TrimRight(completeUTF8(w.src), " \t\r\n")
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return clean(strings.TrimSpace(s))
}

// wrapPlain wraps text (cleaned) to width, keeping its newlines.
func wrapPlain(text string, width int) []string {
	var out []string
	for _, l := range strings.Split(cleanText(text), "\n") {
		out = append(out, wrapLines(l, max(width, 1), "")...)
	}
	return out
}
