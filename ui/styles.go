package ui

import (
	"hash/fnv"
	"image/color"
	"os"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tracehound/tracehound/redact"
)

// Styles are every style of the UI, built for a dark or a light
// background. Bubble Tea's colour profile strips colours for NO_COLOR and
// dumb terminals; with NO_COLOR set the styles that only a colour told
// apart (the selection, the demo badge) use reverse video and underline
// instead, so the selection still shows.
type Styles struct {
	Dark    bool
	NoColor bool // NO_COLOR is set: nothing may rely on colour alone

	Title, Subtle, Faint, Bold     lipgloss.Style
	Error, Warn, OK, Info, Accent  lipgloss.Style
	Selected, SelectedUnfocused    lipgloss.Style
	Border, BorderFocused          lipgloss.Style
	StatusBar, StatusKey, StatusOn lipgloss.Style
	Tab, TabActive                 lipgloss.Style
	Bar, BarCritical, BarError     lipgloss.Style // waterfall bars
	Code, CodeSuspect, LineNo      lipgloss.Style
	Demo                           lipgloss.Style

	palette []color.Color
}

// NewStyles returns the styles for a dark (or light) background.
func NewStyles(dark bool) *Styles {
	ld := lipgloss.LightDark(dark)
	c := func(light, dk string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(dk)) }
	s := &Styles{Dark: dark}
	fg := c("#1f2328", "#e6edf3")
	subtle := c("#57606a", "#9198a1")
	faint := c("#8c959f", "#6e7681")
	red := c("#cf222e", "#ff7b72")
	yellow := c("#9a6700", "#d29922")
	green := c("#1a7f37", "#3fb950")
	blue := c("#0969da", "#58a6ff")
	purple := c("#8250df", "#bc8cff")
	selBg := c("#ddf4ff", "#1f3a5f")
	selBgDim := c("#eaeef2", "#262c36")
	barBg := c("#d0d7de", "#30363d")

	s.Title = lipgloss.NewStyle().Bold(true).Foreground(fg)
	s.Subtle = lipgloss.NewStyle().Foreground(subtle)
	s.Faint = lipgloss.NewStyle().Foreground(faint)
	s.Bold = lipgloss.NewStyle().Bold(true)
	s.Error = lipgloss.NewStyle().Foreground(red).Bold(true)
	s.Warn = lipgloss.NewStyle().Foreground(yellow)
	s.OK = lipgloss.NewStyle().Foreground(green)
	s.Info = lipgloss.NewStyle().Foreground(blue)
	s.Accent = lipgloss.NewStyle().Foreground(purple).Bold(true)
	s.Selected = lipgloss.NewStyle().Background(selBg).Reverse(false).Bold(true)
	s.SelectedUnfocused = lipgloss.NewStyle().Background(selBgDim)
	s.Border = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(faint)
	s.BorderFocused = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(blue)
	s.StatusBar = lipgloss.NewStyle().Foreground(subtle)
	s.StatusKey = lipgloss.NewStyle().Foreground(blue).Bold(true)
	s.StatusOn = lipgloss.NewStyle().Foreground(fg).Bold(true)
	s.Tab = lipgloss.NewStyle().Foreground(subtle).Padding(0, 1)
	s.TabActive = lipgloss.NewStyle().Foreground(fg).Bold(true).Underline(true).Padding(0, 1)
	s.Bar = lipgloss.NewStyle().Foreground(barBg)
	s.BarCritical = lipgloss.NewStyle().Foreground(blue)
	s.BarError = lipgloss.NewStyle().Foreground(red)
	s.Code = lipgloss.NewStyle().Foreground(fg)
	s.CodeSuspect = lipgloss.NewStyle().Background(c("#ffebe9", "#3d1f22")).Bold(true)
	s.LineNo = lipgloss.NewStyle().Foreground(faint)
	s.Demo = lipgloss.NewStyle().Foreground(c("#ffffff", "#0d1117")).Background(yellow).Bold(true).Padding(0, 1)

	if os.Getenv("NO_COLOR") != "" {
		s.NoColor = true
		s.Selected = lipgloss.NewStyle().Reverse(true).Bold(true)
		s.SelectedUnfocused = lipgloss.NewStyle().Underline(true)
		s.Demo = lipgloss.NewStyle().Reverse(true).Bold(true).Padding(0, 1)
		s.CodeSuspect = lipgloss.NewStyle().Bold(true).Underline(true)
	}

	// Service colours: distinct hues readable on both backgrounds.
	for _, pair := range [][2]string{
		{"#0969da", "#58a6ff"}, {"#8250df", "#bc8cff"}, {"#bf3989", "#f778ba"}, {"#1a7f37", "#56d364"},
		{"#9a6700", "#e3b341"}, {"#0550ae", "#79c0ff"}, {"#953800", "#ffa657"}, {"#116329", "#7ee787"},
		{"#6639ba", "#d2a8ff"}, {"#0a7a7a", "#39c5cf"},
	} {
		s.palette = append(s.palette, c(pair[0], pair[1]))
	}
	return s
}

// Service returns the stable style of a service: the same name gets the
// same colour in every pane and every session.
func (s *Styles) Service(name string) lipgloss.Style {
	if name == "" {
		return s.Subtle
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return lipgloss.NewStyle().Foreground(s.palette[h.Sum32()%uint32(len(s.palette))])
}

// clean makes event-derived text safe and one line (redact.Line): secrets
// masked, control and escape sequences visible text, before any styling.
func clean(s string) string { return redact.Line(s) }

// fit truncates a (possibly styled) line to w cells and pads it to
// exactly w.
func fit(line string, w int) string {
	if w <= 0 {
		return ""
	}
	if lipgloss.Width(line) > w {
		line = ansi.Truncate(line, w, "…")
	}
	if pad := w - lipgloss.Width(line); pad > 0 {
		line += strings.Repeat(" ", pad)
	}
	return line
}

// block renders lines into exactly w×h cells: truncated, padded, and cut
// or filled to h lines.
func block(lines []string, w, h int) string {
	out := make([]string, h)
	for i := range h {
		if i < len(lines) {
			out[i] = fit(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", max(w, 0))
		}
	}
	return strings.Join(out, "\n")
}
