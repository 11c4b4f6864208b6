package ingest

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io/fs"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/sentryapi/local"

	bolt "go.etcd.io/bbolt"
)

// Reads in constant time. The API is answered by sentryapi/local over a
// dataset; the whole store as a dataset (Snapshot) lists every item, so
// the first read after a write would grow with the store. Instead each
// request gets a dataset of its own holding just the files that request
// reads — the organization, the projects, and what its path names: an
// issue, the top issues, an issue's page of events or its latest, oldest
// or recommended one, an event, a trace, a profile, a profiler's chunks —
// found by seeks in the store's indexes, in one read transaction. What
// local answers from that dataset is what it would answer from the whole
// one. A path this does not know gets the whole snapshot.

// requestSnapshot returns the dataset for one API request (urlPath and
// query as the request has them); ok is false for a path it does not
// scope, which needs the whole snapshot.
func (s *Store) requestSnapshot(urlPath string, q url.Values) (fsys fs.FS, ok bool, err error) {
	segs, ok := apiSegments(urlPath)
	if !ok {
		return nil, false, nil
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		sc, err := newScope(tx)
		if err != nil {
			return err
		}
		ok, err = sc.route(segs, q)
		fsys = sc.sf
		return err
	})
	return fsys, ok, err
}

// apiSegments splits a path under /api/0/ as sentryapi/local matches it.
func apiSegments(urlPath string) ([]string, bool) {
	rest, ok := strings.CutPrefix(urlPath, "/api/0/")
	if !ok {
		return nil, false
	}
	rest = strings.TrimSuffix(rest, "/")
	if rest == "" {
		return nil, false
	}
	segs := strings.Split(rest, "/")
	if slices.Contains(segs, "") {
		return nil, false
	}
	return segs, true
}

// scope builds the dataset of one request inside a read transaction.
type scope struct {
	tx       *bolt.Tx
	sf       *dataset.MemFS
	projects map[int64]Project
}

func newScope(tx *bolt.Tx) (*scope, error) {
	sc := &scope{tx: tx, sf: dataset.NewMemFS(), projects: map[int64]Project{}}
	var list []Project
	err := tx.Bucket(bProjects).ForEach(func(_, v []byte) error {
		var p Project
		if err := json.Unmarshal(v, &p); err != nil {
			return err
		}
		list = append(list, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sortProjects(list)
	plist := make([]any, 0, len(list))
	for _, p := range list {
		sc.projects[p.ID] = p
		plist = append(plist, apiProject(p))
	}
	sc.sf.AddJSON(dataset.OrganizationFile, organization())
	sc.sf.AddJSON(dataset.ProjectsFile, plist)
	manifest := manifest()
	if k, _ := tx.Bucket(bSeen).Cursor().Last(); k != nil {
		manifest.Issue = strconv.FormatUint(beUint(k[8:]), 10)
	}
	sc.sf.AddJSON(dataset.ManifestFile, manifest)
	return sc, nil
}

// route adds the files the API path segs reads; false when the path is
// not one it knows.
func (sc *scope) route(segs []string, q url.Values) (bool, error) {
	n := len(segs)
	switch {
	case segs[0] == "organizations" && n <= 2,
		segs[0] == "organizations" && n == 3 && (segs[2] == "projects" || segs[2] == "repos" || segs[2] == "code-mappings"),
		segs[0] == "projects" && n == 3:
		return true, nil // the organization and the projects
	case segs[0] == "projects" && n == 5 && segs[3] == "events":
		return true, sc.event(segs[4])
	case segs[0] == "projects" && n == 6 && segs[3] == "profiling" && segs[4] == "profiles":
		return true, sc.item(KindProfile, dataset.NormID(segs[5]))
	case segs[0] == "organizations" && n == 3 && segs[2] == "issues":
		return true, sc.topIssues(q)
	case segs[0] == "organizations" && n == 3 && segs[2] == "events":
		return sc.discover(q)
	case segs[0] != "organizations" || n < 4:
		return false, nil
	}
	switch what, key := segs[2], segs[3]; {
	case what == "issues" && n == 4:
		_, err := sc.issue(key, false)
		return true, err
	case what == "issues" && n == 5 && segs[4] == "events":
		return true, sc.issueEvents(key, q)
	case what == "issues" && n == 6 && segs[4] == "events":
		return true, sc.issueEvent(key, segs[5])
	case what == "shortids" && n == 4:
		_, err := sc.issue(key, true)
		return true, err
	case what == "events" && n == 4:
		_, id, _ := strings.Cut(key, ":")
		return true, sc.event(id)
	case what == "eventids" && n == 4:
		return true, sc.event(key)
	case (what == "trace" || what == "trace-meta" || what == "events-trace") && n == 4:
		return true, sc.trace(dataset.NormID(key))
	case what == "profiling" && key == "chunks" && n == 4:
		return true, sc.chunks(dataset.NormID(q.Get("profiler_id")))
	}
	return false, nil
}

// topIssues adds the issues the issue list shows: the limit (default 100)
// most recently seen.
func (sc *scope) topIssues(q url.Values) error {
	limit := 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 || n > 100 {
			return nil // local answers the bad limit
		}
		limit = n
	}
	c := sc.tx.Bucket(bSeen).Cursor()
	for k, _ := c.Last(); k != nil && limit > 0; k, _ = c.Prev() {
		if _, err := sc.addIssue(beUint(k[8:])); err != nil {
			return err
		}
		limit--
	}
	return nil
}

// issue adds the issue with this numeric id (unless shortOnly) or short
// id, and returns its id (0 when there is none).
func (sc *scope) issue(key string, shortOnly bool) (uint64, error) {
	var id uint64
	if n, err := strconv.ParseUint(key, 10, 64); err == nil && !shortOnly && isDigits(key) {
		id = n
	} else if v := sc.tx.Bucket(bShort).Get(shortKey(key)); len(v) == 8 {
		id = beUint(v)
	}
	if id == 0 {
		return 0, nil
	}
	return sc.addIssue(id)
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// addIssue adds issues/{id}.json; 0 when there is no such issue (or its
// project is unknown).
func (sc *scope) addIssue(id uint64) (uint64, error) {
	v := sc.tx.Bucket(bIssues).Get(be64(id))
	if v == nil {
		return 0, nil
	}
	var is issueRecord
	if err := json.Unmarshal(v, &is); err != nil {
		return 0, err
	}
	p, ok := sc.projects[is.ProjectID]
	if !ok {
		return 0, nil
	}
	sc.sf.AddJSON(dataset.IssuePath(strconv.FormatInt(is.ID, 10)), apiIssue(&is, p))
	return id, nil
}

// issueEvents adds an issue and the events of the page asked for (newest
// first), and one more when there is one, so that the page's links say
// whether a next page exists.
func (sc *scope) issueEvents(key string, q url.Values) error {
	id, err := sc.issue(key, false)
	if err != nil || id == 0 {
		return err
	}
	perPage, offset := 100, 0
	if v, ok := q["per_page"]; ok && len(v) > 0 {
		if n, err := strconv.Atoi(strings.TrimSpace(v[len(v)-1])); err == nil && n >= 1 && n <= 100 {
			perPage = n
		}
	}
	if c := q.Get("cursor"); c != "" {
		if parts := strings.Split(c, ":"); len(parts) == 3 {
			if n, err := strconv.Atoi(parts[1]); err == nil && n >= 0 {
				offset = n
			}
		}
	}
	want := offset + perPage + 1
	prefix := be64(id)
	c := sc.tx.Bucket(bGroupTime).Cursor()
	for k := lastWithPrefix(c, prefix); k != nil && want > 0; k, _ = c.Prev() {
		if !bytes.HasPrefix(k, prefix) {
			break
		}
		if err := sc.item(KindError, string(k[16:])); err != nil {
			return err
		}
		want--
	}
	return nil
}

// issueEvent adds an issue and its event which: latest, oldest,
// recommended or an event id.
func (sc *scope) issueEvent(key, which string) error {
	id, err := sc.issue(key, false)
	if err != nil || id == 0 {
		return err
	}
	prefix := be64(id)
	var k []byte
	switch which {
	case "latest":
		k = lastWithPrefix(sc.tx.Bucket(bGroupTime).Cursor(), prefix)
	case "oldest":
		k, _ = sc.tx.Bucket(bGroupTime).Cursor().Seek(prefix)
	case "recommended":
		k = lastWithPrefix(sc.tx.Bucket(bGroupRank).Cursor(), prefix)
	default:
		eid := dataset.NormID(which)
		v := sc.tx.Bucket(bItems).Get([]byte(KindError + ":" + eid))
		var r record
		if v == nil || json.Unmarshal(v, &r) != nil || r.GroupID != int64(id) {
			return nil // local answers "event not found"
		}
		return sc.item(KindError, eid)
	}
	if k == nil || !bytes.HasPrefix(k, prefix) {
		return nil
	}
	// The event id ends both keys: it is what follows the fixed-size
	// parts (group id, [rank,] time).
	n := 16
	if which == "recommended" {
		n += 5
	}
	return sc.item(KindError, string(k[n:]))
}

// discover adds the transactions a Discover events query lists on the
// page asked for, and those before it and one more (local sorts and pages
// them), walking the transactions of the name it asks for in its order.
// False (the whole store) for a query that names no transaction.
func (sc *scope) discover(q url.Values) (bool, error) {
	projs := make([]dataset.Project, 0, len(sc.projects))
	for _, p := range sc.projects {
		projs = append(projs, dataset.Project{ID: strconv.FormatInt(p.ID, 10), Slug: p.Slug})
	}
	ds, ok := local.ParseDiscoverScope(q, projs)
	if !ok {
		return false, nil
	}
	prefix := txnNamePrefix(ds.Transaction)
	c := sc.tx.Bucket(bTxnName).Cursor()
	var k, v []byte
	if ds.Ascending {
		k, v = c.Seek(prefix)
	} else {
		k, v = lastWithPrefixOf(c, prefix)
	}
	for want := ds.Rows; k != nil && bytes.HasPrefix(k, prefix) && want > 0; {
		added, err := sc.transaction(v, &ds)
		if err != nil {
			return true, err
		}
		if added {
			want--
		}
		if ds.Ascending {
			k, v = c.Next()
		} else {
			k, v = c.Prev()
		}
	}
	return true, nil
}

// transaction adds the transaction stored under key when the query
// lists it.
func (sc *scope) transaction(key []byte, ds *local.DiscoverScope) (bool, error) {
	v := sc.tx.Bucket(bItems).Get(key)
	if v == nil {
		return false, nil
	}
	var r record
	if err := json.Unmarshal(v, &r); err != nil {
		return false, err
	}
	p, ok := sc.projects[r.ProjectID]
	if !ok {
		return false, nil
	}
	file := dataset.EventPath(p.Slug, r.ID)
	data := sc.tx.Bucket(bPayloads).Get(key)
	row, ok, err := local.ReadDiscoverRow(file, data)
	if err != nil || !ok || !ds.Match(row) {
		return false, err
	}
	data = bytes.Clone(data)
	sc.sf.Add(file, func() ([]byte, error) { return bytes.Clone(data), nil })
	return true, nil
}

// lastWithPrefixOf positions c on the last key starting with prefix (of
// any length) and returns it, or the key before, or nil.
func lastWithPrefixOf(c *bolt.Cursor, prefix []byte) ([]byte, []byte) {
	next := slices.Clone(prefix)
	for i := len(next) - 1; i >= 0; i-- {
		if next[i] < 0xff {
			next[i]++
			if k, _ := c.Seek(next[:i+1]); k != nil {
				return c.Prev()
			}
			break
		}
	}
	return c.Last()
}

// lastWithPrefix positions c on the last key starting with prefix (an
// 8-byte id) and returns it, or the key before, or nil.
func lastWithPrefix(c *bolt.Cursor, prefix []byte) []byte {
	next := be64(beUint(prefix) + 1)
	k, _ := c.Seek(next)
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	return k
}

// event adds the error or transaction with this id.
func (sc *scope) event(id string) error {
	id = dataset.NormID(id)
	if err := sc.item(KindError, id); err != nil {
		return err
	}
	return sc.item(KindTransaction, id)
}

// item adds the file of one stored item (when it is there).
func (sc *scope) item(kind, id string) error {
	key := []byte(kind + ":" + id)
	v := sc.tx.Bucket(bItems).Get(key)
	if v == nil {
		return nil
	}
	var r record
	if err := json.Unmarshal(v, &r); err != nil {
		return err
	}
	p, ok := sc.projects[r.ProjectID]
	if !ok {
		return nil
	}
	data := bytes.Clone(sc.tx.Bucket(bPayloads).Get(key))
	load := func() ([]byte, error) { return bytes.Clone(data), nil }
	switch r.Kind {
	case KindError, KindTransaction:
		sc.sf.Add(dataset.EventPath(p.Slug, r.ID), load)
	case KindProfile:
		sc.sf.Add(dataset.ProfilePath(p.Slug, r.ID), load)
	case KindChunk:
		sc.sf.Add(dataset.ChunkPath(r.ParentID, strings.TrimPrefix(r.ID, r.ParentID+"/")), load)
	}
	return nil
}

// trace adds the trace with this id, built now, when anything of it is
// stored.
func (sc *scope) trace(id string) error {
	if !dataset.IsHexID(id) {
		return nil
	}
	recs, shortIDs, err := traceRecordsIn(sc.tx, id)
	if err != nil || len(recs) == 0 {
		return err
	}
	data, err := encodeTrace(recs, shortIDs, sc.projects)
	if err != nil {
		return err
	}
	sc.sf.Add(dataset.TracePath(id), func() ([]byte, error) { return bytes.Clone(data), nil })
	return nil
}

// chunks adds the profile chunks of a profiler.
func (sc *scope) chunks(profiler string) error {
	if profiler == "" {
		return nil
	}
	prefix := []byte(KindChunk + ":" + profiler + "/")
	c := sc.tx.Bucket(bItems).Cursor()
	var ids []string
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		ids = append(ids, string(k[len(KindChunk)+1:]))
	}
	for _, id := range ids {
		if err := sc.item(KindChunk, id); err != nil {
			return err
		}
	}
	return nil
}

func beUint(b []byte) uint64 {
	if len(b) < 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}
