package local

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/go-json-experiment/json/jsontext"
)

// fileError is a problem with one dataset file. The server answers it with a
// 500 whose detail names the file, the way a broken Sentry answers a broken
// row: the client sees a server error, the person running the fake sees
// which file to fix.
type fileError struct {
	path string
	err  error
}

func (e *fileError) Error() string { return fmt.Sprintf("dataset file %s: %v", e.path, e.err) }
func (e *fileError) Unwrap() error { return e.err }

// dataset is the index of a dataset's files. File names are listed once, in
// New; file contents are read when a request needs them, and the few facts
// the server derives from many files (an issue's short id, an event's group)
// are decoded once, on first use, and cached.
type dataset struct {
	fsys fs.FS

	org       object // organization.json as stored
	orgSlug   string
	orgID     string
	issues    map[string]string            // issue id (file stem) → path
	events    map[string]map[string]string // project slug → event id → path
	eventByID map[string][]string          // event id → paths, sorted
	traces    map[string]string            // trace id → path
	traceMeta map[string]string            // trace id → path of .meta.json
	profiles  map[string]map[string]string // project slug → profile id → path
	chunks    map[string][]string          // profiler id → paths, sorted

	mu        sync.Mutex
	summaries map[string]*lazy // path → decoded summary
}

// lazy is a value decoded from one file at most once.
type lazy struct {
	once sync.Once
	v    any
	err  error
}

// normID normalises an event, trace, profile or profiler id: lower case,
// without the dashes of the UUID form.
func normID(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "-", ""))
}

// isHexID reports whether s is a 32-hex id after normID.
func isHexID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func openDataset(fsys fs.FS) (*dataset, error) {
	if fsys == nil {
		return nil, errors.New("local: no dataset (nil fs.FS)")
	}
	d := &dataset{
		fsys:      fsys,
		issues:    map[string]string{},
		events:    map[string]map[string]string{},
		eventByID: map[string][]string{},
		traces:    map[string]string{},
		traceMeta: map[string]string{},
		profiles:  map[string]map[string]string{},
		chunks:    map[string][]string{},
		summaries: map[string]*lazy{},
	}
	data, err := fs.ReadFile(fsys, "organization.json")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errors.New("local: the dataset has no organization.json at its root (the /organizations/{org}/ response); is this the dataset directory?")
	}
	if err != nil {
		return nil, fmt.Errorf("local: reading organization.json: %w", err)
	}
	org, err := decodeObject(data)
	if err != nil {
		return nil, fmt.Errorf("local: %w", &fileError{"organization.json", err})
	}
	var head struct {
		ID   wire.FlexString `json:"id"`
		Slug string          `json:"slug"`
	}
	if err := wire.Decode(data, &head); err != nil {
		return nil, fmt.Errorf("local: %w", &fileError{"organization.json", err})
	}
	if head.Slug == "" {
		return nil, fmt.Errorf("local: %w", &fileError{"organization.json", errors.New(`no "slug"`)})
	}
	d.org, d.orgSlug, d.orgID = org, head.Slug, string(head.ID)

	if err := d.index(); err != nil {
		return nil, fmt.Errorf("local: listing the dataset: %w", err)
	}
	return d, nil
}

// jsonFiles lists the *.json files directly in dir; a missing dir is empty.
func (d *dataset) jsonFiles(dir string) ([]string, error) {
	return d.entries(dir, func(e fs.DirEntry) bool { return !e.IsDir() && strings.HasSuffix(e.Name(), ".json") })
}

// subdirs lists the directories directly in dir; a missing dir is empty.
func (d *dataset) subdirs(dir string) ([]string, error) {
	return d.entries(dir, fs.DirEntry.IsDir)
}

// entries lists the names of the entries of dir that keep says to keep.
func (d *dataset) entries(dir string, keep func(fs.DirEntry) bool) ([]string, error) {
	ents, err := fs.ReadDir(d.fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if keep(e) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// index lists the file names of the dataset (never their contents).
func (d *dataset) index() error {
	names, err := d.jsonFiles("issues")
	if err != nil {
		return err
	}
	for _, n := range names {
		d.issues[strings.TrimSuffix(n, ".json")] = path.Join("issues", n)
	}

	projects, err := d.subdirs("events")
	if err != nil {
		return err
	}
	for _, p := range projects {
		names, err := d.jsonFiles(path.Join("events", p))
		if err != nil {
			return err
		}
		m := map[string]string{}
		for _, n := range names {
			id := normID(strings.TrimSuffix(n, ".json"))
			file := path.Join("events", p, n)
			m[id] = file
			d.eventByID[id] = append(d.eventByID[id], file)
		}
		d.events[p] = m
	}
	for _, paths := range d.eventByID {
		slices.Sort(paths)
	}

	names, err = d.jsonFiles("traces")
	if err != nil {
		return err
	}
	for _, n := range names {
		if id, ok := strings.CutSuffix(n, ".meta.json"); ok {
			d.traceMeta[normID(id)] = path.Join("traces", n)
			continue
		}
		d.traces[normID(strings.TrimSuffix(n, ".json"))] = path.Join("traces", n)
	}

	projects, err = d.subdirs("profiles")
	if err != nil {
		return err
	}
	for _, p := range projects {
		names, err := d.jsonFiles(path.Join("profiles", p))
		if err != nil {
			return err
		}
		m := map[string]string{}
		for _, n := range names {
			m[normID(strings.TrimSuffix(n, ".json"))] = path.Join("profiles", p, n)
		}
		d.profiles[p] = m
	}

	profilers, err := d.subdirs("chunks")
	if err != nil {
		return err
	}
	for _, p := range profilers {
		names, err := d.jsonFiles(path.Join("chunks", p))
		if err != nil {
			return err
		}
		id := normID(p)
		for _, n := range names {
			d.chunks[id] = append(d.chunks[id], path.Join("chunks", p, n))
		}
		slices.Sort(d.chunks[id])
	}
	return nil
}

// read returns a file's bytes after checking that they hold one JSON value
// of the wanted kind ('{', '[' or 0 for any).
func (d *dataset) read(file string, want jsontext.Kind) ([]byte, error) {
	data, err := fs.ReadFile(d.fsys, file)
	if err != nil {
		return nil, &fileError{file, err}
	}
	if err := checkJSON(data, want); err != nil {
		return nil, &fileError{file, err}
	}
	return data, nil
}

// readObject reads and parses a file holding one JSON object.
func (d *dataset) readObject(file string) (object, error) {
	data, err := fs.ReadFile(d.fsys, file)
	if err != nil {
		return nil, &fileError{file, err}
	}
	o, err := decodeObject(data)
	if err != nil {
		return nil, &fileError{file, err}
	}
	return o, nil
}

// decodeFile reads file into v with sentryapi.Decode.
func (d *dataset) decodeFile(file string, v any) error {
	data, err := fs.ReadFile(d.fsys, file)
	if err != nil {
		return &fileError{file, err}
	}
	if err := checkJSON(data, 0); err != nil {
		return &fileError{file, err}
	}
	if err := wire.Decode(data, v); err != nil {
		return &fileError{file, err}
	}
	return nil
}

// optionalArray reads a top-level file holding a JSON array (projects.json,
// repos.json, code-mappings.json). A missing file is an empty list.
func (d *dataset) optionalArray(file string) ([]jsontext.Value, error) {
	data, err := fs.ReadFile(d.fsys, file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &fileError{file, err}
	}
	if err := checkJSON(data, '['); err != nil {
		return nil, &fileError{file, err}
	}
	var elems []jsontext.Value
	if err := wire.Decode(data, &elems); err != nil {
		return nil, &fileError{file, err}
	}
	return elems, nil
}

// summary decodes a small view of a file once and caches it. decode must
// return a pointer to a fresh value.
func summary[T any](d *dataset, file string) (*T, error) {
	d.mu.Lock()
	l, ok := d.summaries[file]
	if !ok {
		l = &lazy{}
		d.summaries[file] = l
	}
	d.mu.Unlock()
	l.once.Do(func() {
		v := new(T)
		l.err = d.decodeFile(file, v)
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

// project is one element of projects.json, kept as stored.
type project struct {
	raw  jsontext.Value
	id   string
	slug string
}

// projects reads projects.json (a missing file is no projects).
func (d *dataset) projects() ([]project, error) {
	elems, err := d.optionalArray("projects.json")
	if err != nil {
		return nil, err
	}
	out := make([]project, 0, len(elems))
	for i, e := range elems {
		var p issueProject
		if err := wire.Decode(e, &p); err != nil {
			return nil, &fileError{"projects.json", fmt.Errorf("element %d: %w", i, err)}
		}
		out = append(out, project{raw: e, id: string(p.ID), slug: p.Slug})
	}
	return out, nil
}
