package ui

import "charm.land/lipgloss/v2"

// laidLines is a tab's content laid out as lines for one width and theme,
// with the dtPane accessors over them. ver counts changes of the content
// (enter's toggles); the lines are laid out again only when it, the width
// or the styles change.
type laidLines struct {
	ver      int
	st       *Styles
	w        int
	layVer   int
	laidOut  bool
	lines    []string
	maxWidth int
}

func (l *laidLines) version() int      { return l.ver }
func (l *laidLines) count() int        { return len(l.lines) }
func (l *laidLines) line(i int) string { return l.lines[i] }
func (l *laidLines) wide() int         { return l.maxWidth }

// stale reports whether the lines must be laid out for st and w, and
// records them as laid out for those.
func (l *laidLines) stale(st *Styles, w int) bool {
	if l.laidOut && st == l.st && w == l.w && l.layVer == l.ver {
		return false
	}
	l.st, l.w, l.layVer, l.laidOut = st, w, l.ver, true
	return true
}

// setLines keeps lines laid out for width w; wide is the widest of them,
// at least w.
func (l *laidLines) setLines(lines []string, w int) {
	l.lines, l.maxWidth = lines, w
	for _, s := range lines {
		l.maxWidth = max(l.maxWidth, lipgloss.Width(s))
	}
}
