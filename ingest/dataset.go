package ingest

import (
	"encoding/json"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/sentryapi/wire"

	bolt "go.etcd.io/bbolt"
)

// OrgSlug is the organization everything ingested belongs to.
const OrgSlug = "local"

// Snapshot is the store as a dataset (see dataset/README.md): the names are
// listed when the snapshot is taken, file contents are read when opened, so
// a large event is never read unless asked for. Traces and issues are
// derived from the stored items (dataset.BuildTrace): nothing is stored
// twice.
func (s *Store) Snapshot() (fs.FS, error) {
	sf := dataset.NewMemFS()
	projects, err := s.Projects()
	if err != nil {
		return nil, err
	}
	byID := map[int64]Project{}
	plist := []any{}
	for _, p := range projects {
		byID[p.ID] = p
		plist = append(plist, apiProject(p))
	}
	sf.AddJSON(dataset.OrganizationFile, organization())
	sf.AddJSON(dataset.ProjectsFile, plist)

	manifest := manifest()
	err = s.db.View(func(tx *bolt.Tx) error {
		issues, err := issuesIn(tx, byID)
		if err != nil {
			return err
		}
		for _, is := range issues {
			sf.AddJSON(dataset.IssuePath(string(is.ID)), is)
		}
		if len(issues) > 0 {
			manifest.Issue = string(issues[0].ID)
		}
		return s.addItems(tx, sf, byID)
	})
	if err != nil {
		return nil, err
	}
	sf.AddJSON(dataset.ManifestFile, manifest)
	return sf, nil
}

// organization is organization.json of the store's dataset.
func organization() map[string]any {
	return map[string]any{
		"id": "1", "slug": OrgSlug, "name": "Local ingest", "status": map[string]string{"id": "active", "name": "active"},
		"links": map[string]string{"organizationUrl": "", "regionUrl": ""}, "features": []string{},
	}
}

// manifest is manifest.json of the store's dataset, without its issue.
func manifest() dataset.Manifest {
	return dataset.Manifest{Name: "local ingest", Description: "events received by tracehound serve"}
}

// addItems adds the stored items of known projects to the snapshot: each
// event, profile and chunk as its file, read when opened, and each trace
// they belong to, built when opened.
func (s *Store) addItems(tx *bolt.Tx, sf *dataset.MemFS, byID map[int64]Project) error {
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
			sf.Add(dataset.EventPath(p.Slug, r.ID), payload)
		case KindProfile:
			sf.Add(dataset.ProfilePath(p.Slug, r.ID), payload)
		case KindChunk:
			sf.Add(dataset.ChunkPath(r.ParentID, strings.TrimPrefix(r.ID, r.ParentID+"/")), payload)
		}
		if r.TraceID != "" && !traces[r.TraceID] {
			traces[r.TraceID] = true
			id := r.TraceID
			sf.Add(dataset.TracePath(id), func() ([]byte, error) { return s.traceJSON(id, byID) })
		}
		return nil
	})
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
		return dataset.CompareIssues(wire.TimestampOf(a.LastSeen), strconv.FormatInt(a.ID, 10), wire.TimestampOf(b.LastSeen), strconv.FormatInt(b.ID, 10))
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
	return encodeTrace(recs, shortIDs, projects)
}

// encodeTrace builds the /trace/ array of a trace's records.
func encodeTrace(recs []*record, shortIDs map[int64]string, projects map[int64]Project) ([]byte, error) {
	items := make([]dataset.Item, 0, len(recs))
	for _, r := range recs {
		p := projects[r.ProjectID]
		items = append(items, dataset.Item{
			Kind: r.Kind, ID: r.ID, Project: dataset.ProjectRef{ID: p.ID, Slug: p.Slug}, ParentID: r.ParentID,
			IssueID: r.GroupID, ShortID: shortIDs[r.GroupID], Payload: r.Payload,
		})
	}
	return wire.Encode(dataset.BuildTrace(items))
}
