// Package ui is the Bubble Tea program: one top-level model that owns the
// state, and panes behind one small interface (Pane: title, key bindings
// carrying their help, update, view) — the trace tree, the detail tabs,
// the agent. The help screen and the status bar's hints are generated
// from the bindings. README.md says how to add a pane, a detail tab or a
// tool card renderer.
package ui
