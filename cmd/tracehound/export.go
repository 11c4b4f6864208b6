package main

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
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
layout (dataset/README.md): the issue, its event, the whole trace, every
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

// exporter writes one incident as a dataset: what it fetched, what it
// could not (warnings, printed at the end), and how much it wrote.
type exporter struct {
	w *dataset.DirWriter
	c *sentryapi.Client

	mu    sync.Mutex
	warns []string
}

func (x *exporter) warn(format string, args ...any) {
	x.mu.Lock()
	x.warns = append(x.warns, fmt.Sprintf(format, args...))
	x.mu.Unlock()
}

// exportCounts is what an export wrote, for the summary line.
type exportCounts struct {
	issues, events, traces, profiles, chunks, sources int
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
	start := time.Now()
	x := &exporter{w: dataset.NewDirWriter(out), c: src.Client}
	if err := x.organization(ctx); err != nil {
		return err
	}
	n, err := x.incident(ctx, inc)
	if err != nil {
		return err
	}
	if src.Dataset != nil { // --demo or --data: the source trees too
		if n.sources, err = x.w.CopyExtras(src.Dataset); err != nil {
			return err
		}
	}
	m := dataset.Manifest{Name: filepath.Base(filepath.Clean(out)), Demo: src.Demo}
	if inc.Issue != nil {
		m.Issue = cmp.Or(inc.Issue.ShortID, string(inc.Issue.ID))
		m.Description = inc.Issue.Title
	}
	if err := x.w.Put(dataset.ManifestFile, m); err != nil {
		return err
	}
	for _, w := range x.warns {
		fmt.Fprintln(a.stderr, "warning: "+w)
	}
	fmt.Fprintf(a.stdout, "exported %s from %s to %s in %s: %s, %s, %s, %s, %s",
		m.Issue, src.Label, out, time.Since(start).Round(time.Millisecond),
		plural(n.issues, "issue"), plural(n.events, "event"), plural(n.traces, "trace"),
		plural(n.profiles, "profile"), plural(n.chunks, "profile chunk"))
	if n.sources > 0 {
		fmt.Fprintf(a.stdout, ", %s", plural(n.sources, "source file"))
	}
	fmt.Fprintf(a.stdout, "\nopen it with: tracehound issue --data %s\n", out)
	return nil
}

// organization writes the organization-wide files, fetched in parallel:
// the organization (required), its projects, repositories and code
// mappings (a failure is a warning and an empty list).
func (x *exporter) organization(ctx context.Context) error {
	var (
		org      *wire.Organization
		projects []wire.Project
		repos    []wire.Repository
		mappings []wire.CodeMapping
		orgErr   error
		wg       sync.WaitGroup
	)
	wg.Go(func() { org, orgErr = x.c.Organization(ctx) })
	wg.Go(func() {
		var err error
		if projects, err = x.c.Projects(ctx); err != nil {
			x.warn("projects: %v", firstLine(err.Error()))
		}
	})
	wg.Go(func() {
		var err error
		if repos, err = x.c.Repos(ctx); err != nil {
			x.warn("repositories: %v", firstLine(err.Error()))
		}
	})
	wg.Go(func() {
		var err error
		if mappings, err = x.c.CodeMappings(ctx, "-1"); err != nil {
			x.warn("code mappings: %v", firstLine(err.Error()))
		}
	})
	wg.Wait()
	if orgErr != nil {
		return orgErr
	}
	org.Links.RegionURL = ""
	if err := x.w.Put(dataset.OrganizationFile, org); err != nil {
		return err
	}
	for name, v := range map[string]any{dataset.ProjectsFile: nonNil(projects), dataset.ReposFile: nonNil(repos), dataset.CodeMappingsFile: nonNil(mappings)} {
		if err := x.w.Put(name, v); err != nil {
			return err
		}
	}
	return nil
}

// exportRefs is what an incident refers to: the events of its trace (and
// its own), their issues, the profiles and profile chunks of its
// transactions.
type exportRefs struct {
	events   []sentryapi.EventRef // sorted by event id
	issueIDs map[string]bool
	profiles []sentryapi.EventRef // project + profile id
	chunks   []chunkRef
}

type chunkRef struct {
	projectID, profilerID, txn string
	start, end                 time.Time
}

// refsOf lists what the incident refers to.
func refsOf(inc *agent.Incident) exportRefs {
	r := exportRefs{issueIDs: map[string]bool{}}
	events := map[sentryapi.EventRef]bool{}
	if inc.Event != nil {
		events[sentryapi.EventRef{Project: eventProject(inc.Event, inc.Issue), EventID: inc.Event.EventID}] = true
	}
	if inc.Issue != nil {
		r.issueIDs[string(inc.Issue.ID)] = true
	}
	if tr := inc.Trace; tr != nil {
		walkTrace(tr.Items, func(it *wire.TraceItem) {
			switch it.EventType {
			case wire.TraceItemError, wire.TraceItemOccurrence:
				events[sentryapi.EventRef{Project: it.ProjectSlug, EventID: it.EventID}] = true
				if it.IssueID != 0 {
					r.issueIDs[fmt.Sprint(int64(it.IssueID))] = true
				}
				return
			}
			if it.IsTransaction && it.TransactionID != "" {
				events[sentryapi.EventRef{Project: it.ProjectSlug, EventID: it.TransactionID}] = true
				if it.ProfileID != "" {
					r.profiles = append(r.profiles, sentryapi.EventRef{Project: it.ProjectSlug, EventID: it.ProfileID})
				}
				if it.ProfilerID != "" && it.ProjectID != 0 {
					r.chunks = append(r.chunks, chunkRef{projectID: fmt.Sprint(int64(it.ProjectID)), profilerID: it.ProfilerID, txn: it.TransactionID,
						start: it.StartTimestamp.Time(), end: it.EndTimestamp.Time()})
				}
			}
		})
	}
	for e := range events {
		if e.Project != "" && e.EventID != "" {
			r.events = append(r.events, e)
		}
	}
	sort.Slice(r.events, func(i, j int) bool { return r.events[i].EventID < r.events[j].EventID })
	return r
}

// fetched is what the export fetched for an incident's references; a nil
// element could not be fetched (and was warned about).
type fetched struct {
	events   []*wire.Event
	evErrs   []error
	issues   map[string]*wire.Issue
	profiles []*wire.Profile
	chunks   []*wire.ProfileChunk
}

// fetch fetches every reference in parallel.
func (x *exporter) fetch(ctx context.Context, inc *agent.Incident, r exportRefs) (*fetched, error) {
	f := &fetched{issues: map[string]*wire.Issue{}, profiles: make([]*wire.Profile, len(r.profiles)), chunks: make([]*wire.ProfileChunk, len(r.chunks))}
	var wg sync.WaitGroup
	wg.Go(func() { f.events, f.evErrs = x.c.Events(ctx, r.events) })
	var issuesMu sync.Mutex
	if inc.Issue != nil {
		f.issues[string(inc.Issue.ID)] = inc.Issue
	}
	for id := range r.issueIDs {
		if inc.Issue != nil && id == string(inc.Issue.ID) {
			continue // already have it (and the map is written concurrently below)
		}
		wg.Go(func() {
			is, err := x.c.Issue(ctx, id)
			if err != nil {
				x.warn("issue %s: %v", id, firstLine(err.Error()))
				return
			}
			issuesMu.Lock()
			f.issues[id] = is
			issuesMu.Unlock()
		})
	}
	for i, p := range r.profiles {
		wg.Go(func() {
			var err error
			if f.profiles[i], err = x.c.Profile(ctx, p.Project, p.EventID); err != nil {
				x.warn("profile %s: %v", p.EventID, firstLine(err.Error()))
			}
		})
	}
	for i, ch := range r.chunks {
		wg.Go(func() {
			var err error
			if f.chunks[i], err = x.c.ProfileChunk(ctx, ch.projectID, ch.profilerID, ch.start, ch.end); err != nil {
				x.warn("profile chunk of transaction %s: %v", ch.txn, firstLine(err.Error()))
			}
		})
	}
	wg.Wait()
	return f, ctx.Err()
}

// incident writes the incident's trace, events, issues, trace meta,
// profiles and profile chunks.
func (x *exporter) incident(ctx context.Context, inc *agent.Incident) (exportCounts, error) {
	var n exportCounts
	traceID := inc.TraceID()
	if tr := inc.Trace; tr != nil && len(tr.Items) > 0 {
		if err := x.w.Put(dataset.TracePath(traceID), tr.Items); err != nil {
			return n, err
		}
		n.traces = 1
	}
	refs := refsOf(inc)
	f, err := x.fetch(ctx, inc, refs)
	if err != nil {
		return n, err
	}
	if inc.Event != nil {
		// The event we already have, in case the batch could not fetch it.
		if err := x.w.Put(dataset.EventPath(eventProject(inc.Event, inc.Issue), inc.Event.EventID), inc.Event); err != nil {
			return n, err
		}
	}
	for i, ev := range f.events {
		ref := refs.events[i]
		if f.evErrs[i] != nil {
			x.warn("event %s/%s: %v", ref.Project, ref.EventID, firstLine(f.evErrs[i].Error()))
			continue
		}
		if err := x.w.Put(dataset.EventPath(ref.Project, ev.EventID), ev); err != nil {
			return n, err
		}
		n.events++
	}
	for id, is := range f.issues {
		if err := x.w.Put(dataset.IssuePath(id), is); err != nil {
			return n, err
		}
	}
	n.issues = len(f.issues)
	if inc.Meta != nil {
		if err := x.w.Put(dataset.TraceMetaPath(traceID), inc.Meta); err != nil {
			return n, err
		}
	}
	for i, p := range f.profiles {
		if p == nil {
			continue
		}
		if err := x.w.Put(dataset.ProfilePath(refs.profiles[i].Project, refs.profiles[i].EventID), p); err != nil {
			return n, err
		}
		n.profiles++
	}
	for i, ch := range f.chunks {
		if ch == nil {
			continue
		}
		if err := x.w.Put(dataset.ChunkPath(refs.chunks[i].profilerID, cmp.Or(ch.ChunkID, refs.chunks[i].txn)), ch); err != nil {
			return n, err
		}
		n.chunks++
	}
	return n, nil
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
