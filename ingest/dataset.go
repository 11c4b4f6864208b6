package ingest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"

	bolt "go.etcd.io/bbolt"
)

// OrgSlug is the organization everything ingested belongs to.
const OrgSlug = "local"

// Snapshot is the store as a dataset in the layout sentryapi/local serves
// (see sentryapi/local/README.md): the names are listed when the snapshot
// is taken, file contents are read when opened, so a large event is never
// read unless asked for. Traces and issues are built from the stored
// items: nothing is stored twice.
func (s *Store) Snapshot() (fs.FS, error) {
	sf := &snapFS{dirs: map[string]map[string]bool{".": {}}, files: map[string]func() ([]byte, error){}}
	projects, err := s.Projects()
	if err != nil {
		return nil, err
	}
	byID := map[int64]Project{}
	var plist []any
	for _, p := range projects {
		byID[p.ID] = p
		plist = append(plist, apiProject(p))
	}
	if plist == nil {
		plist = []any{}
	}
	sf.addJSON("organization.json", map[string]any{
		"id": "1", "slug": OrgSlug, "name": "Local ingest", "status": map[string]string{"id": "active", "name": "active"},
		"links": map[string]string{"organizationUrl": "", "regionUrl": ""}, "features": []string{},
	})
	sf.addJSON("projects.json", plist)

	var latest string
	err = s.db.View(func(tx *bolt.Tx) error {
		issues, err := issuesIn(tx, byID)
		if err != nil {
			return err
		}
		for _, is := range issues {
			sf.addJSON("issues/"+string(is.ID)+".json", is)
		}
		if len(issues) > 0 {
			latest = string(issues[0].ID)
		}
		traces := map[string]bool{}
		return tx.Bucket(bItems).ForEach(func(k, v []byte) error {
			var r record
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			p, ok := byID[r.ProjectID]
			if !ok {
				return nil
			}
			key := string(k)
			payload := func() ([]byte, error) { return s.payload(key) }
			switch r.Kind {
			case KindError, KindTransaction:
				sf.add("events/"+p.Slug+"/"+r.ID+".json", payload)
			case KindProfile:
				sf.add("profiles/"+p.Slug+"/"+r.ID+".json", payload)
			case KindChunk:
				sf.add("chunks/"+r.ID+".json", payload)
			}
			if r.TraceID != "" && !traces[r.TraceID] {
				traces[r.TraceID] = true
				id := r.TraceID
				sf.add("traces/"+id+".json", func() ([]byte, error) { return s.traceJSON(id, byID) })
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	manifest := map[string]any{"name": "local ingest", "description": "events received by tracehound serve"}
	if latest != "" {
		manifest["issue"] = latest
	}
	sf.addJSON("dataset.json", manifest)
	return sf, nil
}

// Issues lists the issues, the most recently seen first.
func (s *Store) Issues() ([]*wire.Issue, error) {
	projects, err := s.Projects()
	if err != nil {
		return nil, err
	}
	byID := map[int64]Project{}
	for _, p := range projects {
		byID[p.ID] = p
	}
	var out []*wire.Issue
	err = s.db.View(func(tx *bolt.Tx) error {
		out, err = issuesIn(tx, byID)
		return err
	})
	return out, err
}

// issuesIn lists the issues of known projects as the API shows them, the
// most recently seen first.
func issuesIn(tx *bolt.Tx, projects map[int64]Project) ([]*wire.Issue, error) {
	var recs []*issueRecord
	err := tx.Bucket(bIssues).ForEach(func(_, v []byte) error {
		is := &issueRecord{}
		if err := json.Unmarshal(v, is); err != nil {
			return err
		}
		if _, ok := projects[is.ProjectID]; ok {
			recs = append(recs, is)
		}
		return nil
	})
	slices.SortFunc(recs, func(a, b *issueRecord) int {
		return cmp.Or(b.LastSeen.Compare(a.LastSeen), cmp.Compare(b.ID, a.ID))
	})
	out := make([]*wire.Issue, 0, len(recs))
	for _, is := range recs {
		out = append(out, apiIssue(is, projects[is.ProjectID]))
	}
	return out, err
}

func apiProject(p Project) map[string]any {
	return map[string]any{
		"id": strconv.FormatInt(p.ID, 10), "slug": p.Slug, "name": p.Name, "platform": p.Platform,
		"dateCreated": p.Created.UTC().Format(time.RFC3339Nano), "isMember": true, "hasAccess": true,
		"features": []string{}, "status": "active",
	}
}

func (s *Store) payload(key string) ([]byte, error) {
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bPayloads).Get([]byte(key))
		if v == nil {
			return fs.ErrNotExist // pruned since the snapshot
		}
		out = append([]byte(nil), v...)
		return nil
	})
	return out, err
}

// traceJSON builds the /trace/ array of a trace from its stored items.
func (s *Store) traceJSON(traceID string, projects map[int64]Project) ([]byte, error) {
	recs, shortIDs, err := s.traceRecords(traceID)
	if err != nil {
		return nil, err
	}
	return wire.Encode(buildTrace(recs, projects, shortIDs))
}

// node is a trace item while the tree is put together.
type node struct {
	item     wire.TraceItem
	children []*node
	errors   []wire.TraceItem
}

func (n *node) value() wire.TraceItem {
	it := n.item
	slices.SortStableFunc(n.children, func(a, b *node) int { return cmp.Compare(a.item.StartTimestamp, b.item.StartTimestamp) })
	for _, c := range n.children {
		it.Children = append(it.Children, c.value())
	}
	slices.SortStableFunc(n.errors, func(a, b wire.TraceItem) int { return cmp.Compare(a.StartTimestamp, b.StartTimestamp) })
	it.Errors = n.errors
	return it
}

// buildTrace links transactions (their root and child spans), standalone
// spans and errors by span id. What has no parent in the trace is a root;
// an error whose span is unknown is a top-level item.
func buildTrace(recs []*record, projects map[int64]Project, shortIDs map[int64]string) wire.Trace {
	spans := map[string]*node{}
	var order []*node
	addSpan := func(n *node) {
		if n.item.EventID == "" {
			return
		}
		if old, ok := spans[n.item.EventID]; ok && old.item.IsTransaction && !n.item.IsTransaction {
			return // a transaction's root span wins over the same span seen as a child
		}
		spans[n.item.EventID] = n
		order = append(order, n)
	}
	var errs []wire.TraceItem
	var errSpans []string
	profileOf := map[string]string{} // transaction event id → profile id
	for _, r := range recs {
		if r.Kind == KindProfile && r.ParentID != "" {
			profileOf[r.ParentID] = r.ID
		}
	}
	for _, r := range recs {
		p := projects[r.ProjectID]
		switch r.Kind {
		case KindTransaction:
			var ev wire.Event
			if wire.Decode(r.Payload, &ev) != nil || ev.Contexts.Trace == nil {
				continue
			}
			tc := ev.Contexts.Trace
			name := firstNonEmpty(ev.Tag("transaction"), ev.Title)
			sdk := ""
			if ev.SDK != nil {
				sdk = ev.SDK.Name
			}
			root := wire.TraceItem{
				EventID: strings.ToLower(tc.SpanID), EventType: wire.TraceItemSpan, TransactionID: ev.ID,
				ParentSpanID: strings.ToLower(tc.ParentSpanID), IsTransaction: true, ProjectID: wire.FlexInt(p.ID),
				ProjectSlug: p.Slug, Op: tc.Op, Name: tc.Op, Description: name, Transaction: name, SDKName: sdk,
				StartTimestamp: ev.StartTimestamp, EndTimestamp: ev.EndTimestamp, Status: tc.Status,
				Duration: ms(ev.StartTimestamp, ev.EndTimestamp),
			}
			if pc := ev.Contexts.Profile; pc != nil {
				root.ProfileID, root.ProfilerID = normID(pc.ProfileID), normID(pc.ProfilerID)
			}
			if root.ProfileID == "" {
				root.ProfileID = profileOf[ev.ID]
			}
			addSpan(&node{item: root})
			for _, sp := range ev.Spans() {
				addSpan(&node{item: wire.TraceItem{
					EventID: strings.ToLower(sp.SpanID), EventType: wire.TraceItemSpan, TransactionID: ev.ID,
					ParentSpanID: strings.ToLower(sp.ParentSpanID), ProjectID: wire.FlexInt(p.ID), ProjectSlug: p.Slug,
					Op: sp.Op, Name: sp.Op, Description: sp.Description, Transaction: name, SDKName: sdk,
					StartTimestamp: sp.StartTimestamp, EndTimestamp: sp.Timestamp, Status: sp.Status,
					Duration: ms(sp.StartTimestamp, sp.Timestamp), ProfileID: root.ProfileID, ProfilerID: root.ProfilerID,
				}})
			}
		case KindSpan:
			var sp spanRecord
			if json.Unmarshal(r.Payload, &sp) != nil {
				continue
			}
			name := firstNonEmpty(sp.Name, sp.Description)
			addSpan(&node{item: wire.TraceItem{
				EventID: r.ID, EventType: wire.TraceItemSpan, TransactionID: sp.SegmentID,
				ParentSpanID: sp.ParentSpanID, IsTransaction: sp.IsSegment, ProjectID: wire.FlexInt(p.ID),
				ProjectSlug: p.Slug, Op: sp.Op, Name: sp.Op, Description: firstNonEmpty(sp.Description, sp.Name),
				Transaction: name, SDKName: sp.SDKName, StartTimestamp: sp.StartTimestamp, EndTimestamp: sp.EndTimestamp,
				Status: sp.Status, Duration: ms(sp.StartTimestamp, sp.EndTimestamp),
			}})
		case KindError:
			var ev wire.Event
			if wire.Decode(r.Payload, &ev) != nil {
				continue
			}
			at, _ := wire.ParseTimestamp(ev.DateCreated)
			spanID := ""
			if ev.Contexts.Trace != nil {
				spanID = strings.ToLower(ev.Contexts.Trace.SpanID)
			}
			errs = append(errs, wire.TraceItem{
				EventID: ev.ID, EventType: wire.TraceItemError, IssueID: wire.FlexInt(r.GroupID), ShortID: shortIDs[r.GroupID],
				ProjectID: wire.FlexInt(p.ID), ProjectSlug: p.Slug, Description: ev.Title, Level: firstNonEmpty(levelOf(&ev), "error"),
				Culprit: ev.Culprit, Transaction: ev.Tag("transaction"), StartTimestamp: at, IssueType: 1,
			})
			errSpans = append(errSpans, spanID)
		}
	}
	var roots []*node
	for _, n := range order {
		if spans[n.item.EventID] != n {
			continue // replaced by a transaction's root span
		}
		if par, ok := spans[n.item.ParentSpanID]; ok && n.item.ParentSpanID != "" && par != n && !ancestor(n, par, spans) {
			par.children = append(par.children, n)
		} else {
			roots = append(roots, n)
		}
	}
	out := wire.Trace{}
	var loose []wire.TraceItem
	for i, e := range errs {
		if n, ok := spans[errSpans[i]]; ok {
			n.errors = append(n.errors, e)
		} else {
			loose = append(loose, e)
		}
	}
	slices.SortStableFunc(roots, func(a, b *node) int { return cmp.Compare(a.item.StartTimestamp, b.item.StartTimestamp) })
	for _, r := range roots {
		out = append(out, r.value())
	}
	return append(out, loose...)
}

// ancestor reports whether n is an ancestor of par (linking them would
// make a cycle); span ids come from SDKs and can repeat.
func ancestor(n, par *node, spans map[string]*node) bool {
	seen := map[*node]bool{}
	for p := par; p != nil && !seen[p]; {
		if p == n {
			return true
		}
		seen[p] = true
		next, ok := spans[p.item.ParentSpanID]
		if !ok || p.item.ParentSpanID == "" {
			break
		}
		p = next
	}
	return false
}

func ms(start, end wire.Timestamp) wire.FlexFloat {
	if end <= start {
		return 0
	}
	return wire.FlexFloat((float64(end) - float64(start)) * 1000)
}

// snapFS is a read-only fs.FS of named files with lazy contents.
type snapFS struct {
	dirs  map[string]map[string]bool // dir → child name → is a dir
	files map[string]func() ([]byte, error)
}

func (f *snapFS) add(name string, load func() ([]byte, error)) {
	f.files[name] = load
	for dir, base := path.Dir(name), path.Base(name); ; dir, base = path.Dir(dir), path.Base(dir) {
		isDir := f.files[path.Join(dir, base)] == nil
		if f.dirs[dir] == nil {
			f.dirs[dir] = map[string]bool{}
		}
		f.dirs[dir][base] = isDir
		if dir == "." {
			return
		}
	}
}

func (f *snapFS) addJSON(name string, v any) {
	data, err := wire.Encode(v)
	f.add(name, func() ([]byte, error) { return data, err })
}

func (f *snapFS) ReadFile(name string) ([]byte, error) {
	load, ok := f.files[name]
	if !ok {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	data, err := load()
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return data, nil
}

func (f *snapFS) ReadDir(name string) ([]fs.DirEntry, error) {
	kids, ok := f.dirs[name]
	if !ok {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	out := make([]fs.DirEntry, 0, len(kids))
	for n, isDir := range kids {
		out = append(out, fs.FileInfoToDirEntry(fileInfo{name: n, dir: isDir}))
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

func (f *snapFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if _, ok := f.dirs[name]; ok {
		return &snapDir{fs: f, name: name}, nil
	}
	data, err := f.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return &snapFile{Reader: bytes.NewReader(data), info: fileInfo{name: path.Base(name), size: int64(len(data))}}, nil
}

type fileInfo struct {
	name string
	size int64
	dir  bool
}

func (i fileInfo) Name() string { return i.name }
func (i fileInfo) Size() int64  { return i.size }
func (i fileInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
func (i fileInfo) ModTime() time.Time { return time.Time{} }
func (i fileInfo) IsDir() bool        { return i.dir }
func (i fileInfo) Sys() any           { return nil }

type snapFile struct {
	*bytes.Reader
	info fileInfo
}

func (f *snapFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *snapFile) Close() error               { return nil }

type snapDir struct {
	fs   *snapFS
	name string
	read bool
}

func (d *snapDir) Stat() (fs.FileInfo, error) {
	return fileInfo{name: path.Base(d.name), dir: true}, nil
}
func (d *snapDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: errors.New("is a directory")}
}
func (d *snapDir) Close() error { return nil }
func (d *snapDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if d.read {
		if n > 0 {
			return nil, io.EOF
		}
		return nil, nil
	}
	d.read = true
	return d.fs.ReadDir(d.name)
}
