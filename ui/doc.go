// Package ui is the Bubble Tea program: one top-level model that owns the
// state, with the trace tree, detail and chat panes as plain components.
package ui
