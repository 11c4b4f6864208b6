package agent

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/BurntSushi/toml"
)

// Repo is a service's source repository, checked out on this machine.
type Repo struct {
	// Name is the repository's name as Sentry knows it ("acme/auth-service").
	Name string
	// Path is the absolute path of the local checkout (symlinks resolved).
	Path string
	// Projects are the Sentry project slugs whose code lives here.
	Projects []string
	// DefaultBranch is the branch patches are usually based on ("main"),
	// or "" when unknown.
	DefaultBranch string
}

// ShortName is the last element of the repository's name ("auth-service").
func (r *Repo) ShortName() string {
	return r.Name[strings.LastIndex(r.Name, "/")+1:]
}

// Repos is the set of repositories the agent may read (and, after the
// user's approval, patch), with the Sentry code mappings that map stack
// frames to their files. Every path it accepts is confined to a repository
// root. It is safe for concurrent use.
type Repos struct {
	list     []*Repo
	byName   map[string]*Repo
	mappings []wire.CodeMapping // longest stack root first

	mu    sync.Mutex
	files map[*Repo]*repoFiles // cached file lists (Locate, list_repositories)
}

// repoFiles is the file list of a checkout: repository-relative slash
// paths, sorted, with an index by base name for suffix matching.
type repoFiles struct {
	paths  []string
	byBase map[string][]string
	capped bool
}

// maxRepoFiles bounds the files tracehound lists in one checkout.
const maxRepoFiles = 200_000

// NewRepos checks the repositories (each path must be an existing
// directory; names must be unique) and combines them with the code
// mappings: a repository without projects gets those of the mappings that
// name it, and one without a default branch gets the mappings' branch. A
// repository named after its only project (as --repo project=path gives
// it) takes the repository name of that project's code mapping, when
// there is exactly one and no other repository has it.
func NewRepos(repos []Repo, mappings []wire.CodeMapping) (*Repos, error) {
	rs := &Repos{byName: map[string]*Repo{}, files: map[*Repo]*repoFiles{}}
	var errs []error
	for i, in := range repos {
		r := &Repo{
			Name:          strings.TrimSpace(in.Name),
			DefaultBranch: strings.TrimSpace(in.DefaultBranch),
		}
		for _, p := range in.Projects {
			if p = strings.TrimSpace(p); p != "" && !slices.Contains(r.Projects, p) {
				r.Projects = append(r.Projects, p)
			}
		}
		if r.Name == "" && len(r.Projects) > 0 {
			r.Name = r.Projects[0]
		}
		label := r.Name
		if label == "" {
			label = fmt.Sprintf("#%d", i+1)
		}
		if err := checkRepoName(r.Name); err != nil {
			errs = append(errs, fmt.Errorf("repository %s: %w", label, err))
			continue
		}
		dir, err := checkoutDir(in.Path)
		if err != nil {
			errs = append(errs, fmt.Errorf("repository %s: %w", label, err))
			continue
		}
		r.Path = dir
		rs.list = append(rs.list, r)
	}
	rs.mappings = slices.Clone(mappings)
	sort.SliceStable(rs.mappings, func(i, j int) bool {
		return len(rs.mappings[i].StackRoot) > len(rs.mappings[j].StackRoot)
	})
	rs.adoptMappingNames()
	for _, r := range rs.list {
		if prev, ok := rs.byName[r.Name]; ok {
			errs = append(errs, fmt.Errorf("repository %s is configured twice (%s and %s); give each checkout its own name", r.Name, prev.Path, r.Path))
			continue
		}
		rs.byName[r.Name] = r
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, m := range rs.mappings {
		r := rs.byMappingName(m.RepoName)
		if r == nil {
			continue
		}
		if m.ProjectSlug != "" && !slices.Contains(r.Projects, m.ProjectSlug) {
			r.Projects = append(r.Projects, m.ProjectSlug)
		}
		if r.DefaultBranch == "" {
			r.DefaultBranch = m.DefaultBranch
		}
	}
	return rs, nil
}

// adoptMappingNames renames a repository named after its only project to
// the repository its project's code mappings name.
func (rs *Repos) adoptMappingNames() {
	taken := map[string]bool{}
	for _, r := range rs.list {
		taken[r.Name] = true
	}
	for _, r := range rs.list {
		if len(r.Projects) != 1 || r.Name != r.Projects[0] {
			continue
		}
		var names []string
		for _, m := range rs.mappings {
			if m.ProjectSlug == r.Name && m.RepoName != "" && !slices.Contains(names, m.RepoName) {
				names = append(names, m.RepoName)
			}
		}
		if len(names) == 1 && !taken[names[0]] && checkRepoName(names[0]) == nil {
			delete(taken, r.Name)
			r.Name = names[0]
			taken[r.Name] = true
		}
	}
}

func checkRepoName(name string) error {
	switch {
	case name == "":
		return errors.New("name is missing (give name = \"owner/repo\" or projects = [\"slug\"])")
	case strings.ContainsAny(name, ": \t\\") || strings.IndexFunc(name, unicode.IsControl) >= 0:
		return fmt.Errorf("name %q must look like owner/repo (no spaces, colons or backslashes)", name)
	case strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") || strings.Contains(name, "//"):
		return fmt.Errorf("name %q must look like owner/repo", name)
	}
	return nil
}

// checkoutDir resolves a checkout's path: absolute, symlinks resolved, an
// existing directory.
func checkoutDir(p string) (string, error) {
	if strings.TrimSpace(p) == "" {
		return "", errors.New("path is missing")
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	dir, err := filepath.EvalSymlinks(abs)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("path %s does not exist (clone the repository there or fix the path)", abs)
		}
		return "", fmt.Errorf("path %s: %w", abs, err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return "", fmt.Errorf("path %s: %w", abs, err)
	}
	if !st.IsDir() {
		return "", fmt.Errorf("path %s is a file, not a directory (give the repository's root directory)", abs)
	}
	return dir, nil
}

// List returns the repositories in configuration order.
func (rs *Repos) List() []Repo {
	if rs == nil {
		return nil
	}
	out := make([]Repo, len(rs.list))
	for i, r := range rs.list {
		out[i] = *r
		out[i].Projects = slices.Clone(r.Projects)
	}
	return out
}

// Len is the number of repositories.
func (rs *Repos) Len() int {
	if rs == nil {
		return 0
	}
	return len(rs.list)
}

// ForProject returns the repositories that hold a Sentry project's code.
func (rs *Repos) ForProject(slug string) []Repo {
	if rs == nil {
		return nil
	}
	var out []Repo
	for _, r := range rs.list {
		if slices.Contains(r.Projects, slug) {
			c := *r
			c.Projects = slices.Clone(r.Projects)
			out = append(out, c)
		}
	}
	return out
}

// Get finds a repository by its name ("acme/auth-service"), or by its
// short name ("auth-service") when only one repository has it. The error
// lists the repositories there are.
func (rs *Repos) Get(name string) (*Repo, error) {
	if rs == nil {
		return nil, fmt.Errorf("no repository %q: no repositories are configured", name)
	}
	name = strings.TrimSpace(name)
	if r, ok := rs.byName[name]; ok {
		return r, nil
	}
	var hits []*Repo
	for _, r := range rs.list {
		if strings.EqualFold(r.Name, name) {
			return r, nil
		}
		if strings.EqualFold(r.ShortName(), name) {
			hits = append(hits, r)
		}
	}
	switch {
	case len(hits) == 1:
		return hits[0], nil
	case len(hits) > 1:
		return nil, fmt.Errorf("%q could be %s; give the full name", name, rs.names(hits))
	case len(rs.list) == 0:
		return nil, fmt.Errorf("no repository %q: no repositories are configured", name)
	}
	return nil, fmt.Errorf("no repository %q; the repositories are %s", name, rs.names(rs.list))
}

func (rs *Repos) names(list []*Repo) string {
	names := make([]string, len(list))
	for i, r := range list {
		names[i] = r.Name
	}
	return strings.Join(names, ", ")
}

// byMappingName finds the repository a code mapping's repoName means: the
// same name, or the same short name when that is unique.
func (rs *Repos) byMappingName(name string) *Repo {
	if name == "" {
		return nil
	}
	if r, ok := rs.byName[name]; ok {
		return r
	}
	short := name[strings.LastIndex(name, "/")+1:]
	var hit *Repo
	for _, r := range rs.list {
		if strings.EqualFold(r.Name, name) {
			return r
		}
		if strings.EqualFold(r.ShortName(), short) {
			if hit != nil {
				return nil
			}
			hit = r
		}
	}
	return hit
}

// mappingRepo is the repository of a code mapping: by name, else the only
// repository of the mapping's project.
func (rs *Repos) mappingRepo(m wire.CodeMapping) *Repo {
	if r := rs.byMappingName(m.RepoName); r != nil {
		return r
	}
	var hit *Repo
	for _, r := range rs.list {
		if m.ProjectSlug != "" && slices.Contains(r.Projects, m.ProjectSlug) {
			if hit != nil {
				return nil
			}
			hit = r
		}
	}
	return hit
}

// mappingsFor are the code mappings of a project (slug or numeric id); all
// of them when project is "".
func (rs *Repos) mappingsFor(project string) []wire.CodeMapping {
	if project == "" {
		return rs.mappings
	}
	var out []wire.CodeMapping
	for _, m := range rs.mappings {
		if m.ProjectSlug == project || string(m.ProjectID) == project {
			out = append(out, m)
		}
	}
	return out
}

// ---- configuration ----

// repoConfigFile is the part of tracehound's config.toml that lists
// repositories. Other tables of the file belong to other settings.
type repoConfigFile struct {
	Repo []repoConfigEntry `toml:"repo"`
}

type repoConfigEntry struct {
	Name          string   `toml:"name"`
	Path          string   `toml:"path"`
	Projects      []string `toml:"projects"`
	DefaultBranch string   `toml:"default_branch"`
}

// LoadRepoConfig reads the [[repo]] tables of a TOML config file:
//
//	[[repo]]
//	name = "acme/payments"
//	path = "~/src/payments"   # ~ is the home directory; relative paths are relative to this file
//	projects = ["payments"]
//	default_branch = "main"   # optional
//
// Every problem of the file is reported at once: bad TOML (with its line),
// unknown keys, missing or non-existent paths, duplicate names. A file
// without [[repo]] tables gives no repositories and no error.
func LoadRepoConfig(file string) ([]Repo, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read repository config: %w", err)
	}
	var shape map[string]any
	if _, err := toml.Decode(string(b), &shape); err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return nil, fmt.Errorf("%s: line %d: %s", file, perr.Position.Line, perr.Message)
		}
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if v, ok := shape["repo"]; ok {
		if _, ok := v.([]map[string]any); !ok {
			return nil, fmt.Errorf("%s: repositories are an array of tables: write [[repo]] (two brackets) before each one", file)
		}
	}
	var cfg repoConfigFile
	md, err := toml.Decode(string(b), &cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var errs []error
	for _, k := range md.Undecoded() {
		if len(k) > 0 && k[0] == "repo" {
			errs = append(errs, fmt.Errorf("%s: unknown key %s (a [[repo]] has name, path, projects and default_branch)", file, k.String()))
		}
	}
	base := filepath.Dir(file)
	seen := map[string]int{}
	var repos []Repo
	for i, e := range cfg.Repo {
		r := Repo{Name: strings.TrimSpace(e.Name), Projects: e.Projects, DefaultBranch: e.DefaultBranch}
		if r.Name == "" && len(r.Projects) > 0 {
			r.Name = strings.TrimSpace(r.Projects[0])
		}
		label := fmt.Sprintf("[[repo]] #%d", i+1)
		if r.Name != "" {
			label = fmt.Sprintf("[[repo]] %q", r.Name)
		}
		if err := checkRepoName(r.Name); err != nil {
			errs = append(errs, fmt.Errorf("%s: %s: %w", file, label, err))
		} else if j, dup := seen[r.Name]; dup {
			errs = append(errs, fmt.Errorf("%s: [[repo]] #%d and #%d are both named %q; names must be unique", file, j+1, i+1, r.Name))
		} else {
			seen[r.Name] = i
		}
		p, err := expandRepoPath(e.Path, base)
		if err == nil {
			p, err = checkoutDir(p)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %s: %w", file, label, err))
			continue
		}
		r.Path = p
		repos = append(repos, r)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return repos, nil
}

// expandRepoPath expands a leading ~ to the home directory and makes a
// relative path relative to base.
func expandRepoPath(p, base string) (string, error) {
	p = strings.TrimSpace(p)
	if p == "" {
		return "", errors.New("path is missing (path = \"~/src/name\")")
	}
	if p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("path %s: no home directory to expand ~: %w", p, err)
		}
		return filepath.Join(home, p[1:]), nil
	}
	if strings.HasPrefix(p, "~") {
		return "", fmt.Errorf("path %s: ~user is not supported; write the full path", p)
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(base, p)
	}
	return filepath.Clean(p), nil
}

// DefaultRepoConfigPath is tracehound's config file:
// $XDG_CONFIG_HOME/tracehound/config.toml, else
// ~/.config/tracehound/config.toml.
func DefaultRepoConfigPath() (string, error) {
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "tracehound", "config.toml"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no config directory (set XDG_CONFIG_HOME or HOME): %w", err)
	}
	return filepath.Join(home, ".config", "tracehound", "config.toml"), nil
}

// ParseRepoFlag parses a --repo flag, project=path ("payments=~/src/payments"):
// the Sentry project payments has its code in ~/src/payments. The
// repository is named after the project; NewRepos renames it after the
// project's code mapping when there is one. A relative path is relative to
// the working directory; the path is not checked here (NewRepos does).
func ParseRepoFlag(s string) (Repo, error) {
	project, p, ok := strings.Cut(s, "=")
	project, p = strings.TrimSpace(project), strings.TrimSpace(p)
	if !ok || project == "" || p == "" {
		return Repo{}, fmt.Errorf("--repo %q: want project=path, e.g. --repo payments=~/src/payments", s)
	}
	if err := checkRepoName(project); err != nil {
		return Repo{}, fmt.Errorf("--repo %q: project: %w", s, err)
	}
	wd, err := os.Getwd()
	if err != nil {
		return Repo{}, err
	}
	abs, err := expandRepoPath(p, wd)
	if err != nil {
		return Repo{}, fmt.Errorf("--repo %q: %w", s, err)
	}
	return Repo{Name: project, Path: abs, Projects: []string{project}}, nil
}

// DatasetRepos builds the repositories of a dataset (its code-mappings.json)
// checked out at checkouts (repository name → directory, as
// demo.Materialize returns).
func DatasetRepos(fsys fs.FS, checkouts map[string]string) (*Repos, error) {
	var mappings []wire.CodeMapping
	if err := dataset.ReadJSON(fsys, dataset.CodeMappingsFile, &mappings); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	names := make([]string, 0, len(checkouts))
	for n := range checkouts {
		names = append(names, n)
	}
	slices.Sort(names)
	repos := make([]Repo, 0, len(names))
	for _, n := range names {
		repos = append(repos, Repo{Name: n, Path: checkouts[n]})
	}
	return NewRepos(repos, mappings)
}

// ---- frames → files ----

// Locate finds the file of a stack frame of a project: first through the
// project's Sentry code mappings (the stack root replaced by the source
// root, on the frame's path, its absolute path or, for JVM platforms, the
// path made from its module), then by the longest suffix of the frame's
// path that is a file of one of the project's repositories, then of any
// repository. A suffix matched by more than one file is ambiguous: ok is
// false. relPath is relative to the repository root, with slashes.
func (rs *Repos) Locate(project string, f wire.Frame) (repo *Repo, relPath string, ok bool) {
	if rs == nil || len(rs.list) == 0 {
		return nil, "", false
	}
	cands := framePaths(f)
	if len(cands) == 0 {
		return nil, "", false
	}
	for _, m := range rs.mappingsFor(project) {
		r := rs.mappingRepo(m)
		if r == nil {
			continue
		}
		for _, p := range cands {
			if !strings.HasPrefix(p, m.StackRoot) {
				continue
			}
			rel := strings.ReplaceAll(m.SourceRoot+p[len(m.StackRoot):], `\`, "/")
			if clean, ok := r.existingFile(rel); ok {
				return r, clean, true
			}
		}
	}
	var own, rest []*Repo
	for _, r := range rs.list {
		if project != "" && slices.Contains(r.Projects, project) {
			own = append(own, r)
		} else {
			rest = append(rest, r)
		}
	}
	for _, group := range [][]*Repo{own, rest} {
		if len(group) == 0 {
			continue
		}
		r, p, found, ambiguous := rs.suffixMatch(group, cands)
		if found {
			return r, p, true
		}
		if ambiguous {
			return nil, "", false
		}
	}
	return nil, "", false
}

// existingFile reports whether rel is a regular file inside the repository.
func (r *Repo) existingFile(rel string) (string, bool) {
	clean, abs, err := r.resolvePath(rel)
	if err != nil {
		return "", false
	}
	st, err := os.Stat(abs)
	return clean, err == nil && st.Mode().IsRegular()
}

var jvmPlatforms = []string{"java", "kotlin", "scala", "groovy", "clojure", "android"}

// framePaths are the paths a frame names, most specific first.
func framePaths(f wire.Frame) []string {
	var out []string
	add := func(p string) {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if jp := jvmFramePath(f); jp != "" {
		add(jp)
	}
	add(f.Filename)
	add(f.AbsPath)
	return out
}

// jvmFramePath is the source path Sentry derives for JVM frames, whose
// filename has no directory: the module's package as directories plus the
// filename (com.acme.pay.Charges$1 + Charges.java → com/acme/pay/Charges.java).
func jvmFramePath(f wire.Frame) string {
	if f.Module == "" || f.Filename == "" || strings.ContainsAny(f.Filename, `/\`) {
		return ""
	}
	jvm := slices.Contains(jvmPlatforms, strings.ToLower(f.Platform))
	switch path.Ext(f.Filename) {
	case ".java", ".kt", ".kts", ".scala", ".groovy", ".clj":
		jvm = true
	}
	if !jvm || !strings.Contains(f.Module, ".") {
		return ""
	}
	mod, _, _ := strings.Cut(f.Module, "$")
	parts := strings.Split(mod, ".")
	return strings.Join(append(parts[:len(parts)-1], f.Filename), "/")
}

// pathComponents splits a frame path into its meaningful elements: no URL
// scheme or host, no query, no ".", "..", "~" or empty elements.
func pathComponents(p string) []string {
	p = strings.ReplaceAll(p, `\`, "/")
	if i := strings.Index(p, "://"); i >= 0 {
		p = p[i+3:]
		if j := strings.Index(p, "/"); j >= 0 && !strings.HasPrefix(p, "/") {
			// app:///src/x.ts has an empty host; webpack://name/src/x.ts a named one
			if host := p[:j]; strings.Contains(host, ".") || strings.Contains(host, ":") {
				p = p[j:]
			}
		}
	}
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	var out []string
	for _, e := range strings.Split(p, "/") {
		if e == "" || e == "." || e == ".." || e == "~" {
			continue
		}
		out = append(out, e)
	}
	return out
}

// suffixMatch finds the file of a group of repositories that shares the
// longest trailing run of path elements with any of the frame's paths.
// A match on the base name alone counts only when one path is a suffix of
// the other (so /app/main.py finds main.py, but /usr/lib/x/util.py does not
// find src/util.py).
func (rs *Repos) suffixMatch(group []*Repo, cands []string) (repo *Repo, rel string, found, ambiguous bool) {
	best := 0
	type hit struct {
		r *Repo
		p string
	}
	var hits []hit
	for _, c := range cands {
		comps := pathComponents(c)
		if len(comps) == 0 {
			continue
		}
		base := comps[len(comps)-1]
		for _, r := range group {
			idx := rs.fileList(r)
			for _, p := range idx.byBase[base] {
				fc := strings.Split(p, "/")
				n := commonSuffix(comps, fc)
				if n < 2 && n != len(comps) && n != len(fc) {
					continue
				}
				h := hit{r, p}
				switch {
				case n > best:
					best, hits = n, []hit{h}
				case n == best && !slices.Contains(hits, h):
					hits = append(hits, h)
				}
			}
		}
	}
	switch len(hits) {
	case 0:
		return nil, "", false, false
	case 1:
		return hits[0].r, hits[0].p, true, false
	}
	return nil, "", false, true
}

func commonSuffix(a, b []string) int {
	n := 0
	for n < len(a) && n < len(b) && a[len(a)-1-n] == b[len(b)-1-n] {
		n++
	}
	return n
}

// ---- file lists ----

// fileList returns the cached file list of a repository, listing it on
// first use.
func (rs *Repos) fileList(r *Repo) *repoFiles {
	rs.mu.Lock()
	fl := rs.files[r]
	rs.mu.Unlock()
	if fl != nil {
		return fl
	}
	paths, capped, _ := listRepoFiles(context.Background(), r)
	fl = &repoFiles{paths: paths, byBase: map[string][]string{}, capped: capped}
	for _, p := range paths {
		b := path.Base(p)
		fl.byBase[b] = append(fl.byBase[b], p)
	}
	rs.mu.Lock()
	rs.files[r] = fl
	rs.mu.Unlock()
	return fl
}

// forget drops the cached file list of a repository (after a patch).
func (rs *Repos) forget(r *Repo) {
	rs.mu.Lock()
	delete(rs.files, r)
	rs.mu.Unlock()
}

// listRepoFiles lists the files of a checkout, relative, sorted: in a git
// work tree the tracked and untracked-but-not-ignored files (what a person
// would search), otherwise every file under the root except .git and
// dependency directories. Paths into .git are never listed. capped is true
// when the listing stopped at maxRepoFiles.
func listRepoFiles(ctx context.Context, r *Repo) (paths []string, capped bool, err error) {
	if out, err := repoGit(ctx, r.Path, nil, nil, "ls-files", "-z", "--cached", "--others", "--exclude-standard"); err == nil {
		seen := map[string]bool{}
		for _, p := range strings.Split(out, "\x00") {
			if p == "" || seen[p] || hasGitElem(p) {
				continue
			}
			seen[p] = true
			paths = append(paths, p)
			if len(paths) >= maxRepoFiles {
				capped = true
				break
			}
		}
		slices.Sort(paths)
		return paths, capped, nil
	}
	err = filepath.WalkDir(r.Path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == r.Path {
				return err
			}
			return nil // unreadable: skip
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d.IsDir() {
			switch d.Name() {
			case "node_modules", "__pycache__", ".venv":
				return fs.SkipDir
			}
			if strings.EqualFold(d.Name(), ".git") {
				return fs.SkipDir
			}
			return nil
		}
		if d.Name() == ".git" { // a worktree's .git file
			return nil
		}
		rel, err := filepath.Rel(r.Path, p)
		if err != nil {
			return nil
		}
		paths = append(paths, filepath.ToSlash(rel))
		if len(paths) >= maxRepoFiles {
			capped = true
			return fs.SkipAll
		}
		return nil
	})
	slices.Sort(paths)
	return paths, capped, err
}

func hasGitElem(p string) bool {
	for _, e := range strings.Split(p, "/") {
		if strings.EqualFold(e, ".git") {
			return true
		}
	}
	return false
}

// ---- sandbox ----

// resolvePath checks a path the model gave for a repository and returns
// it cleaned (slash-separated, relative to the root; "." for the root) and
// the absolute file it names, symlinks resolved. It refuses absolute paths,
// paths that climb out of the root with "..", anything in .git, and
// symlinks that lead out of the root. A path that does not exist gives an
// error wrapping fs.ErrNotExist (with abs still set, the lexical path).
func (r *Repo) resolvePath(p string) (rel, abs string, err error) {
	orig := p
	p = strings.TrimSpace(p)
	if p == "" {
		return "", "", errors.New("the path is empty; give a path relative to the repository root, e.g. src/main.go")
	}
	if strings.ContainsRune(p, 0) {
		return "", "", fmt.Errorf("path %q contains a NUL byte", orig)
	}
	p = strings.ReplaceAll(p, `\`, "/")
	if strings.HasPrefix(p, "/") || filepath.IsAbs(p) || (len(p) >= 2 && p[1] == ':' && unicode.IsLetter(rune(p[0]))) {
		return "", "", &pathError{Path: orig, Msg: "is absolute; paths are relative to the repository root (e.g. src/main.go, not /src/main.go)"}
	}
	if p == "~" || strings.HasPrefix(p, "~/") {
		return "", "", &pathError{Path: orig, Msg: "points into a home directory; paths are relative to the repository root"}
	}
	rel = path.Clean(p)
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return "", "", &pathError{Path: orig, Msg: "climbs out of the repository with \"..\"; only files inside " + r.Name + " can be read"}
	}
	if hasGitElem(rel) {
		return "", "", &pathError{Path: orig, Msg: "is inside .git; git's internals are off limits (read the working tree's files)"}
	}
	lexical := filepath.Join(r.Path, filepath.FromSlash(rel))
	real, err := filepath.EvalSymlinks(lexical)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return "", "", fmt.Errorf("%s: %w", rel, err)
		}
		// The nearest existing ancestor must not lead out either (a new
		// file under a symlinked directory).
		for dir := filepath.Dir(lexical); len(dir) >= len(r.Path); dir = filepath.Dir(dir) {
			rd, derr := filepath.EvalSymlinks(dir)
			if derr != nil {
				continue
			}
			if !insideDir(r.Path, rd) {
				return "", "", &pathError{Path: orig, Msg: "goes through a symlink that leads out of the repository"}
			}
			break
		}
		return rel, lexical, &pathError{Path: rel, Msg: "does not exist in " + r.Name, Err: fs.ErrNotExist}
	}
	if !insideDir(r.Path, real) {
		return "", "", &pathError{Path: orig, Msg: "is a symlink (or goes through one) that leads out of the repository; only files inside " + r.Name + " can be read"}
	}
	if rr, err := filepath.Rel(r.Path, real); err == nil && hasGitElem(filepath.ToSlash(rr)) {
		return "", "", &pathError{Path: orig, Msg: "is a symlink into .git; git's internals are off limits"}
	}
	return rel, real, nil
}

// pathError is a path the sandbox refused or could not find.
type pathError struct {
	Path, Msg string
	Err       error
}

func (e *pathError) Error() string { return fmt.Sprintf("%s %s", e.Path, e.Msg) }
func (e *pathError) Unwrap() error { return e.Err }

func insideDir(root, p string) bool {
	if p == root {
		return true
	}
	return strings.HasPrefix(p, strings.TrimSuffix(root, string(filepath.Separator))+string(filepath.Separator))
}

// ---- git ----

// errNoGit says git is not installed.
var errNoGit = errors.New("git is not installed (not found on PATH)")

// repoGit runs git in dir and returns its standard output. The
// environment is the user's (their identity and configuration count)
// without variables that would point git at another repository or index,
// plus extra; git never prompts.
func repoGit(ctx context.Context, dir string, extra []string, stdin io.Reader, args ...string) (string, error) {
	bin, err := exec.LookPath("git")
	if err != nil {
		return "", errNoGit
	}
	cmd := exec.CommandContext(ctx, bin, append([]string{"-c", "core.quotepath=off"}, args...)...)
	cmd.Dir = dir
	env := []string{"GIT_TERMINAL_PROMPT=0", "LC_ALL=C"}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY",
			"GIT_NAMESPACE", "GIT_TERMINAL_PROMPT", "LC_ALL":
			continue
		}
		env = append(env, kv)
	}
	cmd.Env = append(env, extra...)
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return stdout.String(), &gitError{Args: args, Msg: msg, Err: err}
	}
	return stdout.String(), nil
}

// gitError is a git command that failed.
type gitError struct {
	Args []string
	Msg  string
	Err  error
}

func (e *gitError) Error() string {
	return fmt.Sprintf("git %s: %s", strings.Join(e.Args, " "), e.Msg)
}

func (e *gitError) Unwrap() error { return e.Err }

// SourceContext reads the lines around a frame's line from the configured
// checkout its file is found in (for SDKs that send no source, such as
// sentry-go): around lines either side, and the repository-relative path.
// The checkout may differ from the code that ran.
func (rs *Repos) SourceContext(project string, f wire.Frame, around int) ([]wire.ContextLine, string, bool) {
	if f.LineNo <= 0 {
		return nil, "", false
	}
	r, rel, ok := rs.Locate(project, f)
	if !ok {
		return nil, "", false
	}
	lines, err := readRepoLines(r, rel)
	if err != nil || int(f.LineNo) > len(lines) {
		return nil, "", false
	}
	lo, hi := max(int(f.LineNo)-around, 1), min(int(f.LineNo)+around, len(lines))
	out := make([]wire.ContextLine, 0, hi-lo+1)
	for n := lo; n <= hi; n++ {
		out = append(out, wire.ContextLine{Line: wire.FlexInt(n), Text: lines[n-1]})
	}
	return out, r.Name + "/" + rel, true
}
