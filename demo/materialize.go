package demo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/demo/internal/history"
)

// markerName is the file at the root of a materialisation directory that
// records which dataset version it holds and which repositories it wrote.
const markerName = ".tracehound-demo.json"

type marker struct {
	Version string   `json:"version"`
	Repos   []string `json:"repos"`
}

var datasetVersion = sync.OnceValues(func() (string, error) { return SourcesVersion(Dataset()) })

// Version identifies the embedded dataset's source trees and history: it
// changes whenever a file under sources/ or history/ changes.
func Version() string {
	v, err := datasetVersion()
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return v
}

// DefaultCacheDir is where Materialize puts the demo repositories by default:
// <user cache dir>/tracehound/demo/<Version>.
func DefaultCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no user cache directory (set XDG_CACHE_HOME or HOME): %w", err)
	}
	return filepath.Join(dir, "tracehound", "demo", Version()), nil
}

// Materialize writes the repositories of the embedded dataset under dest (see
// MaterializeSources) and returns repository name → directory.
func Materialize(dest string) (map[string]string, error) {
	return MaterializeSources(Dataset(), dest)
}

// SourcesVersion hashes the sources/ and history/ trees of a dataset.
func SourcesVersion(fsys fs.FS) (string, error) {
	h := sha256.New()
	h.Write([]byte("tracehound materialize v1\n"))
	for _, root := range []string{dataset.SourcesDir, dataset.HistoryDir} {
		err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == root && errors.Is(err, fs.ErrNotExist) {
					return fs.SkipDir
				}
				return err
			}
			if d.IsDir() {
				return nil
			}
			if !d.Type().IsRegular() {
				return fmt.Errorf("%s: not a regular file", p)
			}
			b, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s\x00%d\x00", p, len(b))
			h.Write(b)
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*$`)

// Repos lists the repositories of a dataset: the owner/repo directories
// under sources/.
func Repos(fsys fs.FS) ([]string, error) {
	owners, err := fs.ReadDir(fsys, dataset.SourcesDir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var repos []string
	for _, o := range owners {
		if !o.IsDir() || !nameRE.MatchString(o.Name()) {
			return nil, fmt.Errorf("sources/%s: want a directory named like a repository owner", o.Name())
		}
		names, err := fs.ReadDir(fsys, dataset.SourcePath(o.Name()))
		if err != nil {
			return nil, err
		}
		for _, r := range names {
			if !r.IsDir() || !nameRE.MatchString(r.Name()) {
				return nil, fmt.Errorf("sources/%s/%s: want a directory named like a repository", o.Name(), r.Name())
			}
			repos = append(repos, o.Name()+"/"+r.Name())
		}
	}
	return repos, nil
}

// MaterializeSources writes each repository sources/{owner}/{repo} of fsys to
// dest/{owner}/{repo} and returns repository name → directory.
//
// When git is on PATH each repository is a git repository whose commits
// replay history/{owner}/{repo}.json (or one commit when there is none), with
// fixed authors and dates so the commit ids are the same on every machine;
// otherwise the directories are plain copies of the sources. A marker file in
// dest records the dataset version: a second call with the same dataset
// reuses the directories, a changed dataset replaces them. Directories that
// the marker does not list are never overwritten or removed. Paths that would
// escape a repository (absolute, "..", ".git") and symlinks are rejected.
func MaterializeSources(fsys fs.FS, dest string) (map[string]string, error) {
	version, err := SourcesVersion(fsys)
	if err != nil {
		return nil, fmt.Errorf("read dataset sources: %w", err)
	}
	repos, err := Repos(fsys)
	if err != nil {
		return nil, err
	}
	dest, err = filepath.Abs(dest)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(repos))
	for _, r := range repos {
		out[r] = filepath.Join(dest, filepath.FromSlash(r))
	}

	old, _ := readMarker(dest)
	if old.Version == version && slices.Equal(old.Repos, repos) && allDirs(out) {
		return out, nil
	}
	for _, r := range repos {
		if _, err := os.Lstat(out[r]); err == nil && !slices.Contains(old.Repos, r) {
			return nil, fmt.Errorf("%s already exists and was not written by tracehound; materialise into another directory", out[r])
		}
	}

	if err := os.MkdirAll(dest, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(dest, ".materialize-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	git, _ := exec.LookPath("git")
	for _, r := range repos {
		dir := filepath.Join(tmp, filepath.FromSlash(r))
		if err := buildRepo(fsys, r, dir, git); err != nil {
			return nil, fmt.Errorf("materialise %s: %w", r, err)
		}
	}
	for _, r := range old.Repos {
		if p, ok := validRepoName(r); ok {
			if err := os.RemoveAll(filepath.Join(dest, p)); err != nil {
				return nil, err
			}
		}
	}
	for _, r := range repos {
		if err := os.MkdirAll(filepath.Dir(out[r]), 0o755); err != nil {
			return nil, err
		}
		if err := os.Rename(filepath.Join(tmp, filepath.FromSlash(r)), out[r]); err != nil {
			return nil, err
		}
	}
	if err := writeMarker(dest, marker{Version: version, Repos: repos}); err != nil {
		return nil, err
	}
	return out, nil
}

func validRepoName(r string) (string, bool) {
	owner, name, ok := strings.Cut(r, "/")
	if !ok || !nameRE.MatchString(owner) || !nameRE.MatchString(name) || strings.Contains(name, "/") {
		return "", false
	}
	return filepath.Join(owner, name), true
}

func allDirs(m map[string]string) bool {
	for _, p := range m {
		if st, err := os.Stat(p); err != nil || !st.IsDir() {
			return false
		}
	}
	return true
}

func readMarker(dest string) (marker, error) {
	var m marker
	b, err := os.ReadFile(filepath.Join(dest, markerName))
	if err != nil {
		return m, err
	}
	err = json.Unmarshal(b, &m)
	return m, err
}

func writeMarker(dest string, m marker) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dest, markerName+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dest, markerName))
}

// validRepoPath reports whether p is a safe path inside a repository.
func validRepoPath(p string) bool {
	if !fs.ValidPath(p) || p == "." {
		return false
	}
	for _, elem := range strings.Split(p, "/") {
		if strings.EqualFold(elem, ".git") {
			return false
		}
	}
	return true
}

// tree reads the sources tree of repo: repository path → content.
func tree(fsys fs.FS, repo string) (map[string][]byte, error) {
	root := dataset.SourcePath(repo)
	files := map[string][]byte{}
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s: symlinks are not allowed in a dataset", p)
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file", p)
		}
		rel := strings.TrimPrefix(p, root+"/")
		if !validRepoPath(rel) {
			return fmt.Errorf("%s: path not allowed in a repository", p)
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files[rel] = b
		return nil
	})
	return files, err
}

func loadHistory(fsys fs.FS, repo string) (history.File, error) {
	var h history.File
	b, err := fs.ReadFile(fsys, dataset.HistoryPath(repo))
	if errors.Is(err, fs.ErrNotExist) {
		h.Commits = []history.Commit{{
			Message: "Import " + repo,
			Author:  "tracehound demo <demo@tracehound.invalid>",
			Date:    "2026-01-01T00:00:00Z",
		}}
		return h, nil
	}
	if err != nil {
		return h, err
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return h, fmt.Errorf("%s: %w", dataset.HistoryPath(repo), err)
	}
	if len(h.Commits) == 0 {
		return h, fmt.Errorf("%s: no commits", dataset.HistoryPath(repo))
	}
	return h, nil
}

// commitTree applies a commit's overrides to the head tree.
func commitTree(fsys fs.FS, head map[string][]byte, c history.Commit) (map[string][]byte, error) {
	t := make(map[string][]byte, len(head))
	for p, b := range head {
		t[p] = b
	}
	for p, src := range c.Files {
		if !validRepoPath(p) {
			return nil, fmt.Errorf("commit %q: path %q not allowed in a repository", c.Message, p)
		}
		if !fs.ValidPath(src) {
			return nil, fmt.Errorf("commit %q: content path %q is not a dataset path", c.Message, src)
		}
		b, err := fs.ReadFile(fsys, src)
		if err != nil {
			return nil, fmt.Errorf("commit %q: %w", c.Message, err)
		}
		t[p] = b
	}
	for _, p := range c.Delete {
		if !validRepoPath(p) {
			return nil, fmt.Errorf("commit %q: path %q not allowed in a repository", c.Message, p)
		}
		delete(t, p)
	}
	return t, nil
}

func buildRepo(fsys fs.FS, repo, dir, git string) error {
	head, err := tree(fsys, repo)
	if err != nil {
		return err
	}
	h, err := loadHistory(fsys, repo)
	if err != nil {
		return err
	}
	trees := make([]map[string][]byte, len(h.Commits))
	for i, c := range h.Commits {
		if trees[i], err = commitTree(fsys, head, c); err != nil {
			return err
		}
		if _, err := time.Parse(time.RFC3339, c.Date); err != nil {
			return fmt.Errorf("commit %q: date: %w", c.Message, err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if git == "" {
		return writeTree(dir, trees[len(trees)-1], nil)
	}
	if err := runGit(git, dir, nil, "init", "-q"); err != nil {
		return err
	}
	if err := runGit(git, dir, nil, "symbolic-ref", "HEAD", "refs/heads/main"); err != nil {
		return err
	}
	var prev map[string][]byte
	for i, c := range h.Commits {
		if err := writeTree(dir, trees[i], prev); err != nil {
			return err
		}
		prev = trees[i]
		name, email := splitAuthor(c.Author)
		env := []string{
			"GIT_AUTHOR_NAME=" + name, "GIT_AUTHOR_EMAIL=" + email, "GIT_AUTHOR_DATE=" + c.Date,
			"GIT_COMMITTER_NAME=" + name, "GIT_COMMITTER_EMAIL=" + email, "GIT_COMMITTER_DATE=" + c.Date,
		}
		if err := runGit(git, dir, env, "add", "-A"); err != nil {
			return err
		}
		if err := runGit(git, dir, env, "commit", "-q", "--no-verify", "--allow-empty", "-m", c.Message); err != nil {
			return err
		}
		if c.Tag != "" {
			if err := runGit(git, dir, env, "tag", c.Tag); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeTree makes dir hold exactly t, given that it held prev.
func writeTree(dir string, t, prev map[string][]byte) error {
	for p := range prev {
		if _, ok := t[p]; !ok {
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(p))); err != nil {
				return err
			}
		}
	}
	paths := make([]string, 0, len(t))
	for p := range t {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		if old, ok := prev[p]; ok && bytes.Equal(old, t[p]) {
			continue
		}
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, t[p], 0o644); err != nil {
			return err
		}
	}
	return nil
}

func splitAuthor(a string) (name, email string) {
	name, email, ok := strings.Cut(a, "<")
	if !ok {
		return strings.TrimSpace(a), "demo@tracehound.invalid"
	}
	return strings.TrimSpace(name), strings.TrimSuffix(strings.TrimSpace(email), ">")
}

// runGit runs git in dir, isolated from the user's and the system's git
// configuration (hooks, signing, templates) so the result is the same
// everywhere.
func runGit(git, dir string, env []string, args ...string) error {
	full := append([]string{
		"-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false",
		"-c", "core.autocrlf=false", "-c", "core.fileMode=false",
		"-c", "init.defaultBranch=main",
	}, args...)
	cmd := exec.Command(git, full...)
	cmd.Dir = dir
	cmd.Env = append(gitEnv(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

func gitEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") {
			env = append(env, kv)
		}
	}
	return append(env,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_TERMINAL_PROMPT=0",
	)
}
