package investigation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/demo"
	"github.com/tracehound/tracehound/sentryapi/wire"
)

// UsageError is an error in what the user asked for (a bad --repo, a bad
// config file): the command exits with its usage code.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// Repositories finds the source checkouts of an investigation: a
// dataset's own source trees (materialised as git repositories in the
// cache), else the config file's repositories, with Sentry's code
// mappings. --repo flags (opts.Repos) are honoured with every source:
// with a dataset a flag replaces the checkout of the repository its
// project maps to (or that has its name), else it adds a repository;
// otherwise flags add to the config file's repositories.
func Repositories(ctx context.Context, opts Options) (*agent.Repos, error) {
	flags := make([]agent.Repo, 0, len(opts.Repos))
	for _, f := range opts.Repos {
		r, err := agent.ParseRepoFlag(f)
		if err != nil {
			return nil, UsageError{err}
		}
		flags = append(flags, r)
	}
	if opts.Source.Dataset != nil {
		return datasetRepos(ctx, opts, flags)
	}
	var list []agent.Repo
	path := opts.RepoConfig
	if path == "" {
		path, _ = agent.DefaultRepoConfigPath()
	}
	if path != "" {
		if _, serr := os.Stat(path); serr == nil {
			rs, err := agent.LoadRepoConfig(path)
			if err != nil {
				return nil, UsageError{err}
			}
			list = append(list, rs...)
		}
	}
	list = append(list, flags...)
	var mappings []wire.CodeMapping
	if c := opts.Source.Client; c != nil {
		var err error
		if mappings, err = c.CodeMappings(ctx, "-1"); err != nil {
			notify(opts, fmt.Sprintf("code mappings unavailable (%s); frames are matched to files by path", firstLine(err.Error())))
		}
	}
	if len(list) == 0 {
		notify(opts, "no local repositories configured (--repo PROJECT=PATH or [[repo]] in the config file): the code cannot be read")
	}
	return agent.NewRepos(list, mappings)
}

// datasetRepos materialises a dataset's source trees and applies the
// --repo flags to them.
func datasetRepos(ctx context.Context, opts Options, flags []agent.Repo) (*agent.Repos, error) {
	src := opts.Source
	dir := opts.CacheDir
	if dir == "" {
		var err error
		if src.Demo {
			dir, err = demo.DefaultCacheDir()
		} else {
			dir, err = datasetCacheDir(src)
		}
		if err != nil {
			return nil, err
		}
	}
	checkouts, err := demo.MaterializeSources(src.Dataset, dir)
	if err != nil {
		return nil, fmt.Errorf("materialising the dataset's source trees: %w", err)
	}
	names := make([]string, 0, len(checkouts))
	for name := range checkouts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if note := backToMain(ctx, checkouts[name]); note != "" {
			notify(opts, name+": "+note)
		}
	}
	var mappings []wire.CodeMapping
	if err := dataset.ReadJSON(src.Dataset, dataset.CodeMappingsFile, &mappings); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	list := make([]agent.Repo, 0, len(names)+len(flags))
	for _, n := range names {
		list = append(list, agent.Repo{Name: n, Path: checkouts[n]})
	}
	for _, f := range flags {
		project := f.Projects[0]
		i := overridden(list, mappings, project)
		if i < 0 {
			list = append(list, f)
			notify(opts, fmt.Sprintf("--repo %s: adds %s to the dataset's repositories", project, f.Path))
			continue
		}
		notify(opts, fmt.Sprintf("--repo %s: reads %s instead of the dataset's copy of %s", project, f.Path, list[i].Name))
		list[i].Path = f.Path
		if !slices.Contains(list[i].Projects, project) {
			list[i].Projects = append(list[i].Projects, project)
		}
	}
	return agent.NewRepos(list, mappings)
}

// overridden is the index in list of the dataset repository a --repo flag
// for project replaces: the one its code mapping names, else the one
// named (or short-named) after it; -1 when none.
func overridden(list []agent.Repo, mappings []wire.CodeMapping, project string) int {
	for _, m := range mappings {
		if m.ProjectSlug != project {
			continue
		}
		for i, r := range list {
			if r.Name == m.RepoName {
				return i
			}
		}
	}
	for i, r := range list {
		if r.Name == project || r.ShortName() == project {
			return i
		}
	}
	return -1
}

func notify(opts Options, msg string) {
	if opts.Notify != nil {
		opts.Notify(msg)
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// backToMain puts a materialised checkout back on main when an earlier
// session left it on a patch branch (a clean tree only: local edits are the
// user's and are left alone, with a note).
func backToMain(ctx context.Context, dir string) string {
	git := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = dir
		out, err := cmd.Output()
		return strings.TrimSpace(string(out)), err
	}
	branch, err := git("rev-parse", "--abbrev-ref", "HEAD")
	if err != nil || branch == "main" {
		return ""
	}
	if status, err := git("status", "--porcelain"); err != nil || status != "" {
		return "left on branch " + branch + " with local changes; the investigation reads that code"
	}
	if _, err := git("checkout", "-q", "main"); err != nil {
		return "could not switch back to main from " + branch
	}
	return ""
}

// datasetCacheDir is where a dataset directory's sources are materialised:
// one directory per dataset label and sources version.
func datasetCacheDir(src Source) (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	v, err := demo.SourcesVersion(src.Dataset)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256([]byte(src.Label + "\x00" + v))
	return filepath.Join(base, "tracehound", "datasets", hex.EncodeToString(h[:8])), nil
}
