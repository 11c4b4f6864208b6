package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/spf13/cobra"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/sentryapi"
)

func newExportCmd(a *app) *cobra.Command {
	var out string
	var force bool
	cmd := &cobra.Command{
		Use:   "export [TARGET] --out DIR",
		Short: "Save an incident (issue, events, whole trace, profiles) as a dataset directory",
		Long: `Write everything tracehound reads about an incident into DIR, in the dataset
layout of sentryapi/local: the issue, its event, the whole trace, every
connected error and transaction event, their issues and profiles, the
projects, repositories and code mappings. Replay it offline, or hand it to a
colleague, with --data DIR.

Exporting from --demo or --data also copies the services' source trees.`,
		Example: `  tracehound export PAYMENTS-1AB --org acme --out incident-1ab
  tracehound issue --data incident-1ab`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usagef("--out DIR is required")
			}
			return runExport(cmd.Context(), a, argOr(args), out, force)
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "directory to write the dataset to")
	cmd.Flags().BoolVar(&force, "force", false, "write into a directory that is not empty")
	return cmd
}

type exporter struct {
	dir   string
	mu    sync.Mutex
	files int
	warns []string
}

func (x *exporter) write(name string, v any) error {
	b, err := wire.EncodeIndent(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	p := filepath.Join(x.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(p, append(b, '\n'), 0o644); err != nil {
		return err
	}
	x.mu.Lock()
	x.files++
	x.mu.Unlock()
	return nil
}

func (x *exporter) warn(format string, args ...any) {
	x.mu.Lock()
	x.warns = append(x.warns, fmt.Sprintf(format, args...))
	x.mu.Unlock()
}

// safeName keeps a path element from the API inside the export directory.
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < 0x20 {
			return '_'
		}
		return r
	}, s)
	if s == "" || s == "." || s == ".." {
		return "_"
	}
	return s
}

func runExport(ctx context.Context, a *app, arg, out string, force bool) error {
	if _, err := a.parseTargetArg(arg); err != nil {
		return err
	}
	if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 && !force {
		return usagef("%s is not empty; choose a new directory or pass --force", out)
	}
	src, t, err := a.openTarget(ctx, arg)
	if err != nil {
		return err
	}
	inc, err := agent.Load(ctx, src.Client, t)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	x := &exporter{dir: out}
	c := src.Client
	start := time.Now()

	// Organization-wide data, in parallel.
	traceID := inc.TraceID()
	tr := inc.Trace
	var (
		org      *wire.Organization
		projects []wire.Project
		repos    []wire.Repository
		mappings []wire.CodeMapping
		orgErr   error
		wg       sync.WaitGroup
	)
	wg.Go(func() { org, orgErr = c.Organization(ctx) })
	wg.Go(func() {
		var err error
		if projects, err = c.Projects(ctx); err != nil {
			x.warn("projects: %v", firstLine(err.Error()))
		}
	})
	wg.Go(func() {
		var err error
		if repos, err = c.Repos(ctx); err != nil {
			x.warn("repositories: %v", firstLine(err.Error()))
		}
	})
	wg.Go(func() {
		var err error
		if mappings, err = c.CodeMappings(ctx, "-1"); err != nil {
			x.warn("code mappings: %v", firstLine(err.Error()))
		}
	})
	wg.Wait()
	if orgErr != nil {
		return orgErr
	}
	org.Links.RegionURL = ""
	if err := x.write("organization.json", org); err != nil {
		return err
	}
	for name, v := range map[string]any{"projects.json": nonNil(projects), "repos.json": nonNil(repos), "code-mappings.json": nonNil(mappings)} {
		if err := x.write(name, v); err != nil {
			return err
		}
	}

	// The events of the trace, their issues and profiles.
	refs := map[sentryapi.EventRef]bool{}
	issueIDs := map[string]bool{}
	var profiles []sentryapi.EventRef // project + profile id
	var chunks []chunkRef
	if inc.Event != nil {
		refs[sentryapi.EventRef{Project: eventProject(inc.Event, inc.Issue), EventID: inc.Event.EventID}] = true
	}
	if inc.Issue != nil {
		issueIDs[string(inc.Issue.ID)] = true
	}
	if tr != nil && len(tr.Items) > 0 {
		if err := x.write("traces/"+safeName(traceID)+".json", tr.Items); err != nil {
			return err
		}
		walkTrace(tr.Items, func(it *wire.TraceItem) {
			switch it.EventType {
			case wire.TraceItemError, wire.TraceItemOccurrence:
				refs[sentryapi.EventRef{Project: it.ProjectSlug, EventID: it.EventID}] = true
				if it.IssueID != 0 {
					issueIDs[fmt.Sprint(int64(it.IssueID))] = true
				}
				return
			}
			if it.IsTransaction && it.TransactionID != "" {
				refs[sentryapi.EventRef{Project: it.ProjectSlug, EventID: it.TransactionID}] = true
				if it.ProfileID != "" {
					profiles = append(profiles, sentryapi.EventRef{Project: it.ProjectSlug, EventID: it.ProfileID})
				}
				if it.ProfilerID != "" && it.ProjectID != 0 {
					chunks = append(chunks, chunkRef{projectID: fmt.Sprint(int64(it.ProjectID)), profilerID: it.ProfilerID, txn: it.TransactionID,
						start: it.StartTimestamp.Time(), end: it.EndTimestamp.Time()})
				}
			}
		})
	}
	meta := inc.Meta
	var eventList []sentryapi.EventRef
	for r := range refs {
		if r.Project != "" && r.EventID != "" {
			eventList = append(eventList, r)
		}
	}
	sort.Slice(eventList, func(i, j int) bool { return eventList[i].EventID < eventList[j].EventID })

	var evs []*wire.Event
	var evErrs []error
	wg.Go(func() { evs, evErrs = c.Events(ctx, eventList) })
	issues := map[string]*wire.Issue{}
	var issuesMu sync.Mutex
	if inc.Issue != nil {
		issues[string(inc.Issue.ID)] = inc.Issue
	}
	for id := range issueIDs {
		if inc.Issue != nil && id == string(inc.Issue.ID) {
			continue // already have it (and the map is written concurrently below)
		}
		wg.Go(func() {
			is, err := c.Issue(ctx, id)
			if err != nil {
				x.warn("issue %s: %v", id, firstLine(err.Error()))
				return
			}
			issuesMu.Lock()
			issues[id] = is
			issuesMu.Unlock()
		})
	}
	profs := make([]*wire.Profile, len(profiles))
	for i, p := range profiles {
		wg.Go(func() {
			var err error
			if profs[i], err = c.Profile(ctx, p.Project, p.EventID); err != nil {
				x.warn("profile %s: %v", p.EventID, firstLine(err.Error()))
			}
		})
	}
	chunkData := make([]*wire.ProfileChunk, len(chunks))
	for i, ch := range chunks {
		wg.Go(func() {
			var err error
			if chunkData[i], err = c.ProfileChunk(ctx, ch.projectID, ch.profilerID, ch.start, ch.end); err != nil {
				x.warn("profile chunk of transaction %s: %v", ch.txn, firstLine(err.Error()))
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}

	nEvents := 0
	if inc.Event != nil {
		// The event we already have, in case the batch could not fetch it.
		p := eventProject(inc.Event, inc.Issue)
		if err := x.write(path.Join("events", safeName(p), safeName(inc.Event.EventID)+".json"), inc.Event); err != nil {
			return err
		}
	}
	for i, ev := range evs {
		if evErrs[i] != nil {
			x.warn("event %s/%s: %v", eventList[i].Project, eventList[i].EventID, firstLine(evErrs[i].Error()))
			continue
		}
		if err := x.write(path.Join("events", safeName(eventList[i].Project), safeName(ev.EventID)+".json"), ev); err != nil {
			return err
		}
		nEvents++
	}
	for id, is := range issues {
		if err := x.write("issues/"+safeName(id)+".json", is); err != nil {
			return err
		}
	}
	if meta != nil {
		if err := x.write("traces/"+safeName(traceID)+".meta.json", meta); err != nil {
			return err
		}
	}
	nProfiles := 0
	for i, p := range profs {
		if p == nil {
			continue
		}
		if err := x.write(path.Join("profiles", safeName(profiles[i].Project), safeName(profiles[i].EventID)+".json"), p); err != nil {
			return err
		}
		nProfiles++
	}
	nChunks := 0
	for i, ch := range chunkData {
		if ch == nil {
			continue
		}
		id := ch.ChunkID
		if id == "" {
			id = chunks[i].txn
		}
		if err := x.write(path.Join("chunks", safeName(chunks[i].profilerID), safeName(id)+".json"), ch); err != nil {
			return err
		}
		nChunks++
	}
	nSources, err := copyDatasetExtras(src, out)
	if err != nil {
		return err
	}
	m := dataset.Manifest{Name: filepath.Base(filepath.Clean(out)), Demo: src.Demo}
	if inc.Issue != nil {
		m.Issue = inc.Issue.ShortID
		if m.Issue == "" {
			m.Issue = string(inc.Issue.ID)
		}
		m.Description = inc.Issue.Title
	}
	if err := x.write("dataset.json", m); err != nil {
		return err
	}
	for _, w := range x.warns {
		fmt.Fprintln(a.stderr, "warning: "+w)
	}
	fmt.Fprintf(a.stdout, "exported %s from %s to %s in %s: %s, %s, %s, %s, %s",
		m.Issue, src.Label, out, time.Since(start).Round(time.Millisecond),
		plural(len(issues), "issue"), plural(nEvents, "event"), plural(boolInt(tr != nil && len(tr.Items) > 0), "trace"),
		plural(nProfiles, "profile"), plural(nChunks, "profile chunk"))
	if nSources > 0 {
		fmt.Fprintf(a.stdout, ", %s", plural(nSources, "source file"))
	}
	fmt.Fprintf(a.stdout, "\nopen it with: tracehound issue --data %s\n", out)
	return nil
}

type chunkRef struct {
	projectID, profilerID, txn string
	start, end                 time.Time
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func eventProject(ev *wire.Event, is *wire.Issue) string {
	switch {
	case ev.ProjectSlug != "":
		return ev.ProjectSlug
	case is != nil && is.Project.Slug != "":
		return is.Project.Slug
	}
	return string(ev.ProjectID)
}

// walkTrace visits every item of the trace forest, errors included.
func walkTrace(items []wire.TraceItem, fn func(*wire.TraceItem)) {
	for i := range items {
		it := &items[i]
		fn(it)
		walkTrace(it.Errors, fn)
		walkTrace(it.Occurrences, fn)
		walkTrace(it.Children, fn)
	}
}

// copyDatasetExtras copies what only a dataset has (the services' source
// trees, their history and the expected root cause) when exporting from
// --demo or --data.
func copyDatasetExtras(src *source, out string) (int, error) {
	if src.Dataset == nil {
		return 0, nil
	}
	n := 0
	if b, err := fs.ReadFile(src.Dataset, "expected.json"); err == nil {
		if err := os.WriteFile(filepath.Join(out, "expected.json"), b, 0o644); err != nil {
			return 0, err
		}
	}
	for _, root := range []string{"sources", "history"} {
		m, err := copyTree(src.Dataset, root, out)
		if err != nil {
			return n, err
		}
		n += m
	}
	return n, nil
}

// copyTree copies the regular files under root of fsys into out.
func copyTree(fsys fs.FS, root, out string) (int, error) {
	n := 0
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == root {
				return fs.SkipAll
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		dst := filepath.Join(out, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		n++
		return os.WriteFile(dst, b, 0o644)
	})
	return n, err
}
