package scenario

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo/internal/genkit"
	"github.com/tracehound/tracehound/demo/internal/history"
	"github.com/tracehound/tracehound/demo/internal/incident"
)

// defs are the incidents, in the order Names lists them.
var defs = []struct {
	name string
	fn   func() *Incident
}{
	{"bad-deploy-config", badDeployConfig},
	{"n-plus-one-timeout", nPlusOneTimeout},
	{"downstream-null", downstreamNull},
	{"cache-stampede", cacheStampede},
	{"cpu-hot-loop", cpuHotLoop},
	{"retry-storm", retryStorm},
	{"schema-mismatch", schemaMismatch},
}

// Names lists the incidents this package builds: the hand-laid ones, then
// the compact ones (see Spec).
func Names() []string {
	var out []string
	for _, d := range defs {
		out = append(out, d.name)
	}
	return append(out, specNames()...)
}

// Output is what Build produces.
type Output struct {
	// Files maps a dataset path to its content.
	Files map[string][]byte
}

// IsGenerated reports whether a dataset path is produced by Build (as
// opposed to the hand-written source trees and history overlays).
func IsGenerated(path string) bool { return incident.IsGenerated(path) }

// Build generates every JSON file of the named incident from its dataset
// directory src, which must hold the sources/ trees.
func Build(name string, src fs.FS) (out *Output, err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = fmt.Errorf("build incident %s: %w", name, e)
				return
			}
			err = fmt.Errorf("build incident %s: %v", name, r)
		}
	}()
	if sp := specByName(name); sp != nil {
		// A compact incident carries its sources: they are read from the
		// spec and written with the JSON files.
		r := &renderer{in: sp.incident(), src: genkit.NewSources(sp.sourceFS())}
		files := r.files()
		for p, c := range sp.specSources() {
			files[p] = []byte(c)
		}
		return &Output{Files: files}, nil
	}
	i := slices.IndexFunc(defs, func(d struct {
		name string
		fn   func() *Incident
	}) bool {
		return d.name == name
	})
	if i < 0 {
		return nil, fmt.Errorf("no incident %q", name)
	}
	in := defs[i].fn()
	if in.Name != name {
		return nil, fmt.Errorf("incident %q calls itself %q", name, in.Name)
	}
	r := &renderer{in: in, src: genkit.NewSources(src)}
	return &Output{Files: r.files()}, nil
}

type renderer struct {
	in  *Incident
	src *genkit.Sources
	out map[string][]byte
}

func (r *renderer) put(name string, v any) { genkit.Put(r.out, name, v) }

func (r *renderer) files() map[string][]byte {
	in := r.in
	r.out = map[string][]byte{}
	if in.Symptom == nil || in.Expected.Function == "" {
		panic(fmt.Errorf("incident %s has no symptom or no expected root cause", in.Name))
	}
	// Errors first: they fill in their issues.
	errs := map[*Error]*wire.Event{}
	for _, e := range in.Errors {
		errs[e] = r.errorEvent(e)
	}
	r.put(dataset.ManifestFile, dataset.Manifest{Name: in.Name, Description: in.Description, Demo: true, Issue: in.Symptom.Issue.ShortID})
	r.put(dataset.ExpectedFile, in.Expected)
	r.put(dataset.OrganizationFile, r.organization())
	r.put(dataset.ProjectsFile, r.projects())
	r.put(dataset.ReposFile, r.repos())
	r.put(dataset.CodeMappingsFile, r.codeMappings())
	seen := map[*Issue]bool{}
	for _, e := range in.Errors {
		if !seen[e.Issue] {
			seen[e.Issue] = true
			r.put(dataset.IssuePath(fmt.Sprint(e.Issue.id)), r.issue(e.Issue))
		}
		r.put(dataset.EventPath(e.Span.txn.Service.Slug, e.eventID), errs[e])
	}
	for _, p := range in.Perf {
		r.perfIssue(p)
		r.put(dataset.IssuePath(fmt.Sprint(p.Issue.id)), r.issue(p.Issue))
	}
	for _, t := range in.Txns {
		r.put(dataset.EventPath(t.Service.Slug, t.EventID), r.txnEvent(t))
		if t.Profile != nil {
			r.put(dataset.ProfilePath(t.Service.Slug, t.ProfileID), r.profile(t))
		}
	}
	r.put(dataset.TracePath(in.traceID), r.trace())
	for _, s := range in.Services {
		if !s.NoHistory {
			r.put(dataset.HistoryPath(s.Repo()), r.history(s))
		}
	}
	return r.out
}

func (r *renderer) history(s *Service) history.File {
	h := history.File{Commits: slices.Clone(s.History)}
	h.Commits = append(h.Commits, history.Commit{
		Message: "Release " + s.Version,
		Author:  "Acme Shop CI <ci@acme.test>",
		Date:    s.Deployed[:19] + "Z",
		Tag:     "v" + s.Version,
	})
	return h
}

func (r *renderer) organization() *wire.Organization {
	return &wire.Organization{
		ID: orgID, Slug: OrgSlug, Name: orgName,
		Links:    wire.OrgLinks{RegionURL: "", OrganizationURL: "https://" + OrgSlug + ".sentry.io"},
		Features: []string{"continuous-profiling", "performance-view", "profiling", "profiling-view", "session-replay", "trace-view-v1"},
		Extra: toExtra(map[string]any{
			"dateCreated": "2024-03-11T09:12:57.602517Z", "isEarlyAdopter": false, "require2FA": false,
			"status":          map[string]any{"id": "active", "name": "active"},
			"avatar":          map[string]any{"avatarType": "letter_avatar", "avatarUuid": nil, "avatarUrl": nil},
			"hasAuthProvider": false, "allowMemberInvite": true, "allowMemberProjectCreation": true,
		}),
	}
}

func (r *renderer) projects() []wire.Project {
	team := map[string]any{"id": "4508001", "slug": "shop", "name": "Shop"}
	var out []wire.Project
	for _, s := range r.in.Services {
		hasProfiles := false
		for _, t := range r.in.Txns {
			hasProfiles = hasProfiles || (t.Service == s && t.Profile != nil)
		}
		created := fmt.Sprintf("2024-%02d-%02dT09:%02d:41.118220Z", 3+len(s.Slug)%6, 11+len(s.Slug), 10+int(s.id%40))
		out = append(out, wire.Project{
			ID: wire.FlexString(fmt.Sprint(s.id)), Slug: s.Slug, Name: s.Slug, Platform: s.Platform,
			Platforms: []string{s.Platform}, HasProfiles: hasProfiles,
			Extra: toExtra(map[string]any{
				"dateCreated": created, "firstEvent": created, "firstTransactionEvent": true,
				"hasAccess": true, "isMember": true, "isBookmarked": false, "hasReplays": false, "hasSessions": s.Platform == Browser,
				"hasMonitors": false, "hasMinifiedStackTrace": s.Platform == Browser, "hasFeedbacks": false, "hasNewFeedbacks": false,
				"environments": []string{"production", "staging"}, "team": team, "teams": []any{team},
				"features":      []string{"alert-filters", "minidump", "race-free-group-creation", "similarity-indexing", "releases"},
				"latestRelease": map[string]any{"version": s.Release()},
				"status":        "active", "access": []string{"event:read", "project:read", "org:read", "team:read", "member:read"},
				"color": "#" + r.in.hexID(6, "color", s.Slug),
			}),
		})
	}
	return out
}

func (r *renderer) repoID(i int) string { return fmt.Sprint(312000 + r.in.Ordinal*10 + i) }

func (r *renderer) repos() []wire.Repository {
	var out []wire.Repository
	for i, s := range r.in.Services {
		out = append(out, wire.Repository{
			ID: wire.FlexString(r.repoID(i)), Name: s.Repo(), URL: "https://github.com/" + s.Repo(),
			Provider: raw(map[string]any{"id": "integrations:github", "name": "GitHub"}), Status: "active",
			IntegrationID: "176052", ExternalSlug: wire.FlexString(s.Repo()),
			Extra: toExtra(map[string]any{"dateCreated": "2024-03-11T10:02:44.210331Z", "externalId": fmt.Sprint(771004000 + r.in.Ordinal*10 + i)}),
		})
	}
	return out
}

// stackRoot is where a service's frames put its repository root.
func stackRoot(s *Service) string {
	switch s.Platform {
	case Browser:
		return "app:///"
	case Go:
		return "github.com/acme/" + s.Slug + "/"
	case Java:
		return "com/acme/"
	default:
		return "/app/"
	}
}

// sourceRoot is where the stack root is in the repository.
func sourceRoot(s *Service) string {
	if s.Platform == Java {
		return "src/main/java/com/acme/"
	}
	return ""
}

func (r *renderer) codeMappings() []wire.CodeMapping {
	var out []wire.CodeMapping
	for i, s := range r.in.Services {
		out = append(out, wire.CodeMapping{
			ID: wire.FlexString(fmt.Sprint(90400 + r.in.Ordinal*10 + i)), ProjectID: wire.FlexString(fmt.Sprint(s.id)), ProjectSlug: s.Slug,
			RepoID: wire.FlexString(r.repoID(i)), RepoName: s.Repo(), StackRoot: stackRoot(s), SourceRoot: sourceRoot(s), DefaultBranch: "main",
			Extra: toExtra(map[string]any{
				"integrationId": "176052", "automaticallyGenerated": false,
				"provider": map[string]any{"key": "github", "slug": "github", "name": "GitHub", "canAdd": true, "canDisable": false,
					"features": []string{"codeowners", "commits", "issue-basic", "stacktrace-link"}, "aspects": map[string]any{}},
			}),
		})
	}
	return out
}

func (r *renderer) releaseObj(s *Service) wire.Raw {
	return raw(map[string]any{
		"version": s.Release(), "shortVersion": s.Release(), "versionInfo": map[string]any{
			"package": s.Slug, "version": map[string]any{"raw": s.Version}, "description": s.Version, "buildHash": nil,
		},
		"ref": nil, "url": nil, "dateReleased": nil, "dateCreated": s.Deployed, "data": map[string]any{},
		"newGroups": 0, "owner": nil, "commitCount": 0, "lastCommit": nil, "deployCount": 1, "lastDeploy": map[string]any{
			"id": r.in.hexID(8, "deploy", s.Slug), "environment": "production", "dateStarted": nil, "dateFinished": s.Deployed, "name": nil, "url": nil,
		},
		"authors": []any{}, "projects": []any{map[string]any{"name": s.Slug, "slug": s.Slug}}, "firstEvent": s.Deployed, "lastEvent": nil, "currentProjectMeta": map[string]any{},
		"userAgent": nil,
	})
}

func eventPlatform(s *Service) string {
	if s.Platform == Browser {
		return "javascript"
	}
	return s.Platform
}

var sdks = map[string][2]string{
	Browser: {"sentry.javascript.react", "9.40.0"},
	Node:    {"sentry.javascript.node", "9.40.0"},
	Python:  {"sentry.python.flask", "2.33.0"},
	Go:      {"sentry.go", "0.34.1"},
	Java:    {"sentry.java.spring-boot.jakarta", "8.13.2"},
	Ruby:    {"sentry.ruby.rails", "5.22.1"},
}

func sdk(s *Service) *wire.SDK {
	v := sdks[s.Platform]
	return &wire.SDK{Name: v[0], Version: v[1]}
}

func runtimeContexts(s *Service) map[string]any {
	switch s.Platform {
	case Node:
		return map[string]any{
			"runtime": map[string]any{"name": "node", "version": "v22.17.0", "type": "runtime"},
			"os":      map[string]any{"name": "linux", "version": "6.1.0-27-cloud-amd64", "type": "os"},
		}
	case Python:
		return map[string]any{
			"runtime": map[string]any{"name": "CPython", "version": "3.12.7", "build": "3.12.7 (main, Oct 19 2024, 04:06:44) [GCC 12.2.0]", "type": "runtime"},
			"os":      map[string]any{"name": "Linux", "type": "os"},
		}
	case Java:
		return map[string]any{
			"runtime": map[string]any{"name": "OpenJDK Runtime Environment", "version": "21.0.5", "type": "runtime"},
			"os":      map[string]any{"name": "Linux", "version": "6.1.0-27-cloud-amd64", "type": "os"},
		}
	case Ruby:
		return map[string]any{
			"runtime": map[string]any{"name": "ruby", "version": "ruby 3.3.6 (2024-11-05 revision 75015d4c1f) [x86_64-linux]", "type": "runtime"},
			"os":      map[string]any{"name": "Linux", "type": "os"},
		}
	case Go:
		return map[string]any{
			"runtime": map[string]any{"name": "go", "version": "go1.26.4", "type": "runtime"},
			"os":      map[string]any{"name": "linux", "type": "os"},
			"device":  map[string]any{"arch": "amd64", "num_cpu": 4, "type": "device"},
		}
	default:
		return map[string]any{
			"browser": map[string]any{"name": "Chrome", "version": "131.0.0", "type": "browser"},
			"os":      map[string]any{"name": "macOS", "version": "10.15.7", "type": "os"},
		}
	}
}

func platformTags(s *Service) [][2]string {
	switch s.Platform {
	case Browser:
		return [][2]string{{"browser", "Chrome 131.0.0"}, {"browser.name", "Chrome"}, {"os.name", "macOS"}}
	case Node:
		return [][2]string{{"runtime.name", "node"}}
	case Python:
		return [][2]string{{"runtime.name", "CPython"}}
	case Java:
		return [][2]string{{"runtime.name", "OpenJDK Runtime Environment"}}
	case Ruby:
		return [][2]string{{"runtime.name", "ruby"}}
	default:
		return [][2]string{{"runtime.name", "go"}}
	}
}

func tags(s *Service, transaction, level string, more ...[2]string) []wire.Tag {
	all := [][2]string{{"environment", "production"}, {"level", level}, {"release", s.Release()}, {"transaction", transaction}}
	all = append(all, more...)
	slices.SortStableFunc(all, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	out := make([]wire.Tag, len(all))
	for i, t := range all {
		out[i] = wire.Tag{Key: t[0], Value: wire.FlexString(t[1])}
	}
	return out
}

func commonEventExtra(size int) map[string]any {
	return map[string]any{
		"size": size, "dist": nil, "context": map[string]any{}, "packages": map[string]any{}, "errors": []any{},
		"_meta": map[string]any{}, "nextEventID": nil, "previousEventID": nil, "userReport": nil, "sdkUpdates": []any{},
		"crashFile": nil, "resolvedWith": []any{}, "fingerprints": []string{"{{ default }}"},
		"groupingConfig": map[string]any{"id": "newstyle:2023-01-11", "enhancements": "KLUv_SAYwQAAkwKRs25ld3N0eWxlOjIwMjMtMDEtMTGQ"},
	}
}
