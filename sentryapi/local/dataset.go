package local

import (
	"fmt"
	"io/fs"
	"sync"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/sentryapi/wire"
)

// files is the dataset the server answers from: the index of its file
// names (package dataset reads them), organization.json parsed for the
// fake's edits, and the few facts the server derives from many files (an
// issue's short id, an event's group), decoded once, on first use, and
// cached.
type files struct {
	*dataset.Dataset

	org object // organization.json as stored

	mu        sync.Mutex
	summaries map[string]*lazy // summary type and path → decoded summary
}

// lazy is a value decoded from one file at most once.
type lazy struct {
	once sync.Once
	v    any
	err  error
}

func openDataset(fsys fs.FS) (*files, error) {
	d, err := dataset.Open(fsys)
	if err != nil {
		return nil, fmt.Errorf("local: %w", err)
	}
	org, err := decodeObject(d.Org)
	if err != nil {
		return nil, fmt.Errorf("local: %w", &dataset.FileError{Path: dataset.OrganizationFile, Err: err})
	}
	return &files{Dataset: d, org: org, summaries: map[string]*lazy{}}, nil
}

// readObject reads and parses a file holding one JSON object.
func (d *files) readObject(file string) (object, error) {
	data, err := fs.ReadFile(d.FS(), file)
	if err != nil {
		return nil, &dataset.FileError{Path: file, Err: err}
	}
	o, err := decodeObject(data)
	if err != nil {
		return nil, &dataset.FileError{Path: file, Err: err}
	}
	return o, nil
}

// summary decodes a small view of a file once and caches it. decode must
// return a pointer to a fresh value.
func summary[T any](d *files, file string) (*T, error) {
	key := fmt.Sprintf("%T\x00%s", (*T)(nil), file) // one summary per kind and file
	d.mu.Lock()
	l, ok := d.summaries[key]
	if !ok {
		l = &lazy{}
		d.summaries[key] = l
	}
	d.mu.Unlock()
	l.once.Do(func() {
		v := new(T)
		l.err = d.Decode(file, v)
		l.v = v
	})
	if l.err != nil {
		return nil, l.err
	}
	return l.v.(*T), nil
}

// issueSummary is what the server needs to know of an issue file.
type issueSummary struct {
	ID       wire.FlexString `json:"id"`
	ShortID  string          `json:"shortId"`
	Project  issueProject    `json:"project"`
	LastSeen string          `json:"lastSeen"`
}

// issueProject is an issue's project. (Named types make decoding errors
// readable.)
type issueProject struct {
	ID   wire.FlexString `json:"id"`
	Slug string          `json:"slug"`
}

// eventSummary is what the server needs to know of an event file to list,
// order and choose events.
type eventSummary struct {
	ID          wire.FlexString `json:"id"`
	EventID     wire.FlexString `json:"eventID"`
	GroupID     wire.FlexString `json:"groupID"`
	DateCreated jsontext.Value  `json:"dateCreated"`
	Errors      jsontext.Value  `json:"errors"`
	Contexts    eventContexts   `json:"contexts"`
}

// eventContexts are the contexts the choice of a recommended event reads.
type eventContexts struct {
	Trace   *traceContext   `json:"trace"`
	Profile *profileContext `json:"profile"`
	Replay  *replayContext  `json:"replay"`
}

type traceContext struct {
	TraceID wire.FlexString `json:"trace_id"`
	Sampled jsontext.Value  `json:"sampled"`
}

type profileContext struct {
	ProfileID  wire.FlexString `json:"profile_id"`
	ProfilerID wire.FlexString `json:"profiler_id"`
}

type replayContext struct {
	ReplayID wire.FlexString `json:"replay_id"`
}

// time is the event's dateCreated in epoch seconds (0 when absent or
// unreadable: such events sort as the oldest).
func (e *eventSummary) time() float64 {
	t, err := wire.ParseTimestamp(rawString(e.DateCreated))
	if err != nil {
		return 0
	}
	return float64(t)
}

// hasTrace reports a sampled trace: a trace id, and sampled not false.
func (e *eventSummary) hasTrace() bool {
	t := e.Contexts.Trace
	return t != nil && t.TraceID != "" && string(t.Sampled) != "false"
}

func (e *eventSummary) hasProfile() bool {
	p := e.Contexts.Profile
	return p != nil && (p.ProfileID != "" || p.ProfilerID != "")
}

func (e *eventSummary) hasReplay() bool {
	r := e.Contexts.Replay
	return r != nil && r.ReplayID != ""
}

// processingErrors counts the event's processing errors.
func (e *eventSummary) processingErrors() int {
	var list []jsontext.Value
	if e.Errors.Kind() != '[' || wire.Decode(e.Errors, &list) != nil {
		return 0
	}
	return len(list)
}
