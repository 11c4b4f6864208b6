package investigation

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// --repo with a dataset replaces the checkout of the repository its
// project maps to, or adds one; either way it says so.
func TestRepoFlagsWithADataset(t *testing.T) {
	mine := t.TempDir()
	if err := os.WriteFile(filepath.Join(mine, "verify.go"), []byte("package auth\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	extra := t.TempDir()
	var notes []string
	opts := Options{
		Source:   demoSource(t),
		CacheDir: t.TempDir(),
		Repos:    []string{"auth-service=" + mine, "billing=" + extra},
		Notify:   func(s string) { notes = append(notes, s) },
	}
	rs, err := Repositories(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	auth, err := rs.Get("acme/auth-service")
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := filepath.EvalSymlinks(mine); auth.Path != want {
		t.Errorf("acme/auth-service reads %s, want the --repo checkout %s", auth.Path, want)
	}
	billing, err := rs.Get("billing")
	if err != nil {
		t.Fatalf("the added repository: %v (have %v)", err, rs.List())
	}
	if len(billing.Projects) != 1 || billing.Projects[0] != "billing" {
		t.Errorf("billing projects %v", billing.Projects)
	}
	if pay, err := rs.Get("acme/payments"); err != nil || strings.HasPrefix(pay.Path, mine) {
		t.Errorf("acme/payments should keep the dataset's checkout: %+v %v", pay, err)
	}
	all := strings.Join(notes, "\n")
	for _, want := range []string{"--repo auth-service: reads " + mine + " instead of the dataset's copy of acme/auth-service", "--repo billing: adds " + extra} {
		if !strings.Contains(all, want) {
			t.Errorf("notes lack %q:\n%s", want, all)
		}
	}
}

// A bad --repo flag is a usage error, whatever the source.
func TestRepoFlagErrors(t *testing.T) {
	for _, flag := range []string{"no-equals-sign", "auth-service=" + filepath.Join(t.TempDir(), "missing")} {
		_, err := Repositories(context.Background(), Options{Source: demoSource(t), CacheDir: t.TempDir(), Repos: []string{flag}})
		if err == nil {
			t.Errorf("--repo %s was accepted", flag)
		}
		if flag == "no-equals-sign" {
			if !errors.As(err, new(UsageError)) {
				t.Errorf("--repo %s: %v is not a usage error", flag, err)
			}
		}
	}
}

// Without a dataset, flags add to the config file's repositories.
func TestRepoFlagsWithSentry(t *testing.T) {
	dir := t.TempDir()
	src := demoSource(t)
	src.Dataset = nil
	cfg := filepath.Join(t.TempDir(), "repos.toml")
	rs, err := Repositories(context.Background(), Options{Source: src, RepoConfig: cfg, Repos: []string{"payments=" + dir}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range rs.List() {
		names = append(names, r.Name)
	}
	// The demo's code mappings name the payments project's repository.
	if len(names) != 1 || names[0] != "acme/payments" {
		t.Errorf("repositories %v", names)
	}
}

// A materialised checkout left on a patch branch goes back to main when
// its tree is clean, and is left alone (with a note) when it is not.
func TestBackToMain(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@t"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q", "-b", "main")
	os.WriteFile(filepath.Join(dir, "a.go"), []byte("package a\n"), 0o644)
	git("add", ".")
	git("commit", "-q", "-m", "one")
	git("checkout", "-q", "-b", "tracehound/fix")
	if note := backToMain(context.Background(), dir); note != "" || git("rev-parse", "--abbrev-ref", "HEAD") != "main" {
		t.Errorf("clean tree not switched back: %q", note)
	}
	git("checkout", "-q", "tracehound/fix")
	os.WriteFile(filepath.Join(dir, "a.go"), []byte("package a // edited\n"), 0o644)
	if note := backToMain(context.Background(), dir); !strings.Contains(note, "local changes") || git("rev-parse", "--abbrev-ref", "HEAD") != "tracehound/fix" {
		t.Errorf("a dirty tree must be left alone: %q", note)
	}
}
