package agent

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"
	"github.com/tracehound/tracehound/tracetree"
)

// Facts are what a hand-off (a postmortem, a chat summary, a PR
// description) needs to know about the incident beyond the report: the
// issue's impact and the trace's timeline. They are recorded in the
// transcript's header when the investigation opens, so a saved
// investigation can be handed off without its source.
type Facts struct {
	Issue     string `json:"issue,omitempty"` // short id
	Title     string `json:"title,omitempty"`
	Project   string `json:"project,omitempty"`
	Culprit   string `json:"culprit,omitempty"`
	Level     string `json:"level,omitempty"`
	Status    string `json:"status,omitempty"`
	Events    string `json:"events,omitempty"` // the issue's event count, as Sentry gives it
	Users     int    `json:"users,omitempty"`
	FirstSeen string `json:"first_seen,omitempty"`
	LastSeen  string `json:"last_seen,omitempty"`
	Permalink string `json:"permalink,omitempty"`
	// Environments and Releases are those of the issue's event (and of
	// the trace's error events loaded with it).
	Environments []string `json:"environments,omitempty"`
	Releases     []string `json:"releases,omitempty"`
	TraceID      string   `json:"trace_id,omitempty"`
	// Timeline is the trace's transactions and errors in time order (at
	// most MaxTimeline; TimelineDropped says how many more there were).
	Timeline        []TimelineEntry `json:"timeline,omitempty"`
	TimelineDropped int             `json:"timeline_dropped,omitempty"`
}

// TimelineEntry is one transaction or error of the trace.
type TimelineEntry struct {
	At         time.Time `json:"at"`
	Kind       string    `json:"kind"` // transaction, error
	Service    string    `json:"service,omitempty"`
	Op         string    `json:"op,omitempty"`
	Name       string    `json:"name"`
	DurationMS float64   `json:"duration_ms,omitempty"`
	Status     string    `json:"status,omitempty"`
	Issue      string    `json:"issue,omitempty"` // an error's issue short id
	ID         string    `json:"id"`              // the event's short id
	Focus      bool      `json:"focus,omitempty"` // the issue's own event
}

// MaxTimeline bounds Facts.Timeline.
const MaxTimeline = 40

// IncidentFacts are the facts of an incident (nil for nil).
func IncidentFacts(in *Incident) *Facts {
	if in == nil {
		return nil
	}
	f := &Facts{TraceID: in.TraceID()}
	if is := in.Issue; is != nil {
		f.Issue, f.Title, f.Project, f.Culprit = is.ShortID, is.Title, is.Project.Slug, is.Culprit
		f.Level, f.Status, f.Events, f.Users = is.Level, is.Status, string(is.Count), int(is.UserCount)
		f.FirstSeen, f.LastSeen, f.Permalink = is.FirstSeen, is.LastSeen, is.Permalink
	}
	addTags := func(e *wire.Event) {
		if e == nil {
			return
		}
		if v := e.Tag("environment"); v != "" && !slices.Contains(f.Environments, v) {
			f.Environments = append(f.Environments, v)
		}
		if v := e.Tag("release"); v != "" && !slices.Contains(f.Releases, v) {
			f.Releases = append(f.Releases, v)
		}
	}
	addTags(in.Event)
	if in.Tree == nil {
		return f
	}
	var entries []TimelineEntry
	for _, n := range in.Tree.Nodes {
		e := TimelineEntry{At: n.Start.Time().UTC(), Service: n.Project, Name: n.Name, ID: tracetree.ShortID(n.ID), Focus: n.Focus, Status: n.Status}
		switch n.Kind {
		case tracetree.KindTransaction:
			e.Kind, e.Op, e.DurationMS = "transaction", n.Op, n.DurationMS
		case tracetree.KindError:
			e.Kind, e.Issue = "error", n.IssueShortID
		default:
			continue
		}
		if n.Start.IsZero() {
			e.At = time.Time{}
		}
		entries = append(entries, e)
		if n.Kind == tracetree.KindError {
			in.mu.Lock()
			ev := in.events[n.ID]
			in.mu.Unlock()
			addTags(ev)
		}
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].At.Before(entries[j].At) })
	if len(entries) > MaxTimeline {
		// Keep the errors and the focus first, then the earliest.
		keep := map[int]bool{}
		for i, e := range entries {
			if (e.Kind == "error" || e.Focus) && len(keep) < MaxTimeline {
				keep[i] = true
			}
		}
		for i := range entries {
			if len(keep) >= MaxTimeline {
				break
			}
			keep[i] = true
		}
		var kept []TimelineEntry
		for i, e := range entries {
			if keep[i] {
				kept = append(kept, e)
			}
		}
		f.TimelineDropped = len(entries) - len(kept)
		entries = kept
	}
	f.Timeline = entries
	for i := range f.Timeline {
		f.Timeline[i].Name = strings.TrimSpace(f.Timeline[i].Name)
	}
	return f
}
