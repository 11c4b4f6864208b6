package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/demo"
	"github.com/tracehound/tracehound/ingest"
	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/sentryapi/local"
)

// source is where data comes from: real Sentry, the embedded demo, or a
// dataset directory. All three are read through the same sentryapi.Client;
// for the demo and datasets the client's transport is sentryapi/local,
// in-process.
type source struct {
	Client *sentryapi.Client
	// Label says where the data is from: "demo data", "dataset DIR",
	// "sentry.io org acme".
	Label string
	Demo  bool
	// Dataset is the dataset FS for demo and --data (nil for real Sentry).
	Dataset fs.FS
	// DefaultIssue is the issue commands use when given no target.
	DefaultIssue string
	Config       *sentryapi.Config
	// Flags are the command-line flags that open this source again
	// (" --demo", " --data DIR", " --local --url URL", " --org acme"), for
	// the commands tracehound suggests: pasted as printed, they work.
	Flags string
}

// load loads the incident of t from src. In demo, dataset and local mode
// an id that is not there is answered with the ids that are, instead of
// Sentry's advice about organizations.
func (a *app) load(ctx context.Context, src *source, t sentryapi.Target) (*agent.Incident, error) {
	in, err := agent.Load(ctx, src.Client, t)
	if err == nil || !errors.Is(err, sentryapi.ErrNotFound) || src.Config != nil {
		return in, err
	}
	what := t.Issue
	if what == "" {
		what = t.Event
	}
	if what == "" {
		what = t.Trace
	}
	msg := fmt.Sprintf("%s %s is not in %s", t.Kind, what, src.Label)
	issues, lerr := src.Client.LatestIssues(ctx, 10)
	if lerr == nil && len(issues) > 0 {
		var ids []string
		for _, is := range issues {
			ids = append(ids, fmt.Sprintf("  %-16s %s", line(is.ShortID), line(clip(is.Title, 70))))
		}
		msg += "; its issues are:\n" + strings.Join(ids, "\n") + "\n"
	} else {
		msg += "; "
	}
	msg += fmt.Sprintf("`tracehound tree%s` lists the event, transaction and trace ids of its trace", src.Flags)
	return nil, notInData(msg)
}

// notInData is an id that the local data does not have (exit code: not
// found).
type notInData string

func (e notInData) Error() string { return string(e) }
func (e notInData) Unwrap() error { return errNotFound }

// sourceFlags are the flags of this command line that choose the data
// source (never the token), shell-quoted.
func (a *app) sourceFlags() string {
	var b strings.Builder
	add := func(flag, v string) {
		b.WriteString(" " + flag)
		if v != "" {
			b.WriteString(" " + shellQuote(v))
		}
	}
	switch {
	case a.demo:
		add("--demo", "")
	case a.data != "":
		add("--data", a.data)
	case a.local || a.localURL():
		add("--local", "")
		if a.url != "" {
			add("--url", a.url)
		}
	default:
		if a.url != "" {
			add("--url", a.url)
		}
		if a.org != "" {
			add("--org", a.org)
		}
	}
	if a.project != "" {
		add("--project", a.project)
	}
	return b.String()
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// localHost is the base URL of in-process datasets; it never resolves.
const localHost = "http://dataset.tracehound.invalid"

// openSource opens the data source the flags ask for. target may be nil;
// when it comes from a pasted URL, its organization and (for an otherwise
// unconfigured URL) its host are used.
func (a *app) openSource(ctx context.Context, target *sentryapi.Target) (*source, error) {
	src, err := a.openSourceOnly(ctx, target)
	if src != nil {
		src.Flags = a.sourceFlags()
	}
	return src, err
}

func (a *app) openSourceOnly(ctx context.Context, target *sentryapi.Target) (*source, error) {
	if n := btoi(a.demo) + btoi(a.data != "") + btoi(a.local); n > 1 {
		return nil, usagef("--demo, --data and --local cannot be used together")
	}
	switch {
	case a.local || a.localURL():
		return a.openLocal(ctx)
	case a.demo:
		return a.openDataset(demo.Dataset(), demo.Label, true)
	case a.data != "":
		st, err := os.Stat(a.data)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, usagef("--data %s: no such directory (write a dataset with `tracehound export TARGET --out DIR`, or try --demo)", a.data)
		case err != nil:
			return nil, usagef("--data %s: %v", a.data, err)
		case !st.IsDir():
			return nil, usagef("--data %s: a file, not a dataset directory (the directory `tracehound export --out DIR` writes)", a.data)
		}
		abs, _ := filepath.Abs(a.data)
		return a.openDataDir(abs)
	}
	return a.openSentry(target)
}

// localURL reports a --url on this machine with no organization given:
// a `tracehound serve`, read like --local.
func (a *app) localURL() bool {
	if a.url == "" || a.org != "" || a.getenv("SENTRY_ORG") != "" {
		return false
	}
	u, err := url.Parse(a.url)
	if err != nil {
		return false
	}
	ip := net.ParseIP(u.Hostname())
	return u.Hostname() == "localhost" || ip != nil && ip.IsLoopback()
}

// openDataDir opens a dataset directory, or a directory of OTLP JSON files
// (the Collector's file exporter output), read into a temporary store
// that is deleted when the command ends.
func (a *app) openDataDir(dir string) (*source, error) {
	fsys := os.DirFS(dir)
	files, err := ingest.OTLPFiles(fsys)
	if err != nil {
		return nil, fmt.Errorf("--data %s: %w", a.data, err)
	}
	if len(files) == 0 {
		return a.openDataset(fsys, "dataset "+a.data, false)
	}
	st, closeStore, err := ingest.OpenOTLPFiles(dir, files)
	if err != nil {
		return nil, usagef("--data %s: no organization.json (not a dataset), and reading it as OTLP JSON files: %w", a.data, err)
	}
	a.closers = append(a.closers, closeStore)
	snap, err := st.Snapshot()
	if err != nil {
		return nil, err
	}
	src, err := a.openDataset(snap, fmt.Sprintf("OTLP files in %s", a.data), false)
	if err != nil {
		return nil, err
	}
	src.Dataset = nil // no source trees in OTLP files
	return src, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (a *app) openDataset(fsys fs.FS, label string, isDemo bool) (*source, error) {
	srv, err := local.New(fsys)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	var org wire.Organization
	if err := dataset.ReadJSON(fsys, dataset.OrganizationFile, &org); err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	m, err := dataset.ReadManifest(fsys)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	opts := sentryapi.Options{BaseURL: localHost, Org: org.Slug, Transport: srv.Transport()}
	a.applyClientOptions(&opts)
	c, err := sentryapi.New(opts)
	if err != nil {
		return nil, err
	}
	if m.Demo && !isDemo {
		label += " (" + demo.Label + ")"
	}
	return &source{Client: c, Label: label, Demo: isDemo || m.Demo, Dataset: fsys, DefaultIssue: m.Issue}, nil
}

// readJSON decodes a dataset file (see dataset.ReadJSON).
func readJSON(fsys fs.FS, name string, v any) error { return dataset.ReadJSON(fsys, name, v) }

// resolveConfig reads flags, environment and .sentryclirc files.
func (a *app) resolveConfig() (*sentryapi.Config, error) {
	return sentryapi.ResolveConfig(sentryapi.ConfigInput{
		FlagURL: a.url, FlagOrg: a.org, FlagProject: a.project, FlagToken: a.token,
		Getenv: a.getenv, WorkDir: a.workDir, HomeDir: a.homeDir,
	})
}

func (a *app) openSentry(target *sentryapi.Target) (*source, error) {
	cfg, err := a.resolveConfig()
	if err != nil {
		return nil, usageError{err}
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintln(a.stderr, "warning: "+w)
	}
	if target != nil {
		if target.Org != "" && target.Org != cfg.Org {
			if cfg.Org != "" && cfg.Source["org"] == "org auth token" {
				fmt.Fprintf(a.stderr, "warning: the URL is for organization %q but the org auth token is for %q\n", target.Org, cfg.Org)
			} else {
				cfg.Org, cfg.Source["org"] = target.Org, "the pasted URL"
			}
		}
		if target.BaseURL != "" && !sameBase(target.BaseURL, cfg.URL) {
			if cfg.Source["url"] == "default" {
				cfg.URL, cfg.Source["url"] = target.BaseURL, "the pasted URL"
			} else {
				// Never send the configured token to a host only a pasted
				// URL named.
				fmt.Fprintf(a.stderr, "warning: the URL is on %s but the configured Sentry is %s (from %s); using %s\n", target.BaseURL, cfg.URL, cfg.Source["url"], cfg.URL)
			}
		}
	}
	if a.debug {
		fmt.Fprint(a.stderr, cfg.Describe())
	}
	if cfg.Org == "" {
		return nil, usagef("no Sentry organization: pass --org, set SENTRY_ORG, add [defaults] org to .sentryclirc, or paste an issue URL (or try --demo)")
	}
	if cfg.Token == "" {
		fmt.Fprintln(a.stderr, "warning: no auth token configured (SENTRY_AUTH_TOKEN, --auth-token or .sentryclirc); Sentry will likely answer 401")
	}
	opts := sentryapi.Options{BaseURL: cfg.URL, Org: cfg.Org, Token: cfg.Token}
	a.applyClientOptions(&opts)
	c, err := sentryapi.New(opts)
	if err != nil {
		return nil, usageError{err}
	}
	return &source{Client: c, Label: hostLabel(cfg.URL) + " org " + cfg.Org, Config: cfg}, nil
}

func (a *app) applyClientOptions(o *sentryapi.Options) {
	// The client calls these from its requests' goroutines: one lock
	// keeps their lines whole. They can quote URLs and answers: masked and
	// made visible like any output.
	o.Notify = func(msg string) {
		a.waitMu.Lock()
		defer a.waitMu.Unlock()
		fmt.Fprintln(a.stderr, "tracehound: "+line(msg))
	}
	o.Timeout = a.timeout
	o.MaxBodyBytes = a.maxBody
	// Often enough for a progress bar; stderr gets one line every 2s.
	o.ProgressEvery = 200 * time.Millisecond
	o.Progress = a.waiting
	if a.debug {
		o.Debug = func(msg string) {
			a.waitMu.Lock()
			defer a.waitMu.Unlock()
			fmt.Fprintln(a.stderr, "debug: "+line(msg))
		}
	}
	if a.clientOptions != nil {
		a.clientOptions(o)
	}
}

// waiting reports a slow request: to the hook the explorer set (its
// loading screen), else as a line on stderr, at most one every 2 seconds
// however many requests are waiting. The end of a wait is not printed.
func (a *app) waiting(p sentryapi.Progress) {
	a.waitMu.Lock()
	defer a.waitMu.Unlock()
	if a.waitHook != nil {
		a.waitHook(p)
		return
	}
	if p.Done || a.quietWaits {
		return
	}
	if now := time.Now(); a.lastWait.IsZero() || now.Sub(a.lastWait) >= 2*time.Second {
		a.lastWait = now
		fmt.Fprintln(a.stderr, "tracehound: "+line(p.String()))
	}
}

// setWaitHook sends the reports of slow requests to hook instead of
// stderr (nil: back to stderr); quiet drops them when no hook is set.
func (a *app) setWaitHook(hook func(sentryapi.Progress), quiet bool) {
	a.waitMu.Lock()
	a.waitHook, a.quietWaits = hook, quiet
	a.waitMu.Unlock()
}

func sameBase(a, b string) bool {
	ua, err1 := parseHost(a)
	ub, err2 := parseHost(b)
	return err1 == nil && err2 == nil && ua == ub
}
