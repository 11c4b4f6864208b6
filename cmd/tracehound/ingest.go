package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tracehound/tracehound/ingest"
	"github.com/tracehound/tracehound/sentryapi"
)

// defaultIngestAddr is where `tracehound serve` listens and `--local` reads.
const defaultIngestAddr = "127.0.0.1:8969"

func newServeCmd(a *app) *cobra.Command {
	var (
		addr, db    string
		ret         = ingest.DefaultRetention()
		tui, remote bool
		rate        float64
		grpcAddr    string
	)
	cmd := &cobra.Command{
		Use:   "serve [PROJECT...] [--addr 127.0.0.1:8969]",
		Short: "Receive events from Sentry SDKs (point their DSN here) and OpenTelemetry traces (OTLP/HTTP), and serve them to tracehound",
		Long: `Receive what Sentry SDKs send — errors, transactions with their spans, spans,
profiles and profile chunks — and keep it in a local database, so that
tracehound (the explorer, the views, the agent) works on your own services
with no Sentry account: point each service's DSN at a DSN printed here.

OpenTelemetry SDKs and Collectors send OTLP/HTTP traces (protobuf or JSON)
to /v1/traces on the same address: set OTEL_EXPORTER_OTLP_ENDPOINT to it.
Each service.name becomes a project the first time it is seen.

Each PROJECT named is created if it does not exist (a service = a project,
with its own DSN); with none and no project yet, a project "default" is
created. Data is kept for --retention after it was received, and at most
--max-items items, oldest first. Reading needs no token, from this
machine only.`,
		Example: `  tracehound serve                          # the default project; prints its DSN
  tracehound serve storefront orders payments
  SENTRY_DSN=http://KEY@127.0.0.1:8969/1 ./my-service
  OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:8969 ./my-otel-service
  tracehound --local                        # the latest issue, in the explorer
  tracehound analyze --local --offline      # investigate it`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServe(cmd.Context(), a, args, addr, db, ret, rate, remote, tui, grpcAddr)
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", defaultIngestAddr, "address to listen on")
	f.StringVar(&db, "db", "", "database file (default $XDG_DATA_HOME/tracehound/ingest.db)")
	f.DurationVar(&ret.MaxAge, "retention", ret.MaxAge, "drop items received longer ago than this (0: keep)")
	f.IntVar(&ret.MaxItems, "max-items", ret.MaxItems, "keep at most this many items, dropping the oldest (0: no limit)")
	f.Float64Var(&rate, "rate", 2000, "envelopes accepted per second (with a burst of twice as many) before answering 429")
	f.BoolVar(&remote, "allow-remote-reads", false, "serve what was received to other machines too (by default only to this one)")
	f.BoolVar(&tui, "tui", false, "open the explorer on the latest issue while receiving")
	f.StringVar(&grpcAddr, "otlp-grpc-addr", "", "also receive OTLP/gRPC traces on this address (off by default; the OTLP/gRPC port is usually 4317)")
	return cmd
}

func (a *app) dataDir() (string, error) {
	if d := a.getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "tracehound"), nil
	}
	home := a.homeDir
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no home directory to keep the database in: pass --db")
		}
		home = h
	}
	return filepath.Join(home, ".local", "share", "tracehound"), nil
}

func runServe(ctx context.Context, a *app, names []string, addr, db string, ret ingest.Retention, rate float64, remote, tui bool, grpcAddr string) error {
	if db == "" {
		dir, err := a.dataDir()
		if err != nil {
			return usageError{err}
		}
		db = filepath.Join(dir, "ingest.db")
	}
	store, err := ingest.Open(db, ret, ingest.WithNotice(func(msg string) { fmt.Fprintln(a.stderr, "tracehound serve: "+msg) }))
	if err != nil {
		return err
	}
	defer store.Close()
	existing, err := store.Projects()
	if err != nil {
		return err
	}
	if len(names) == 0 && len(existing) == 0 {
		names = []string{"default"}
	}
	for _, n := range names {
		if _, err := store.EnsureProject(n, ""); err != nil {
			return usageError{err}
		}
	}
	projects, err := store.Projects()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another tracehound serve running? pass --addr)", addr, err)
	}
	host := ln.Addr().String()
	loop := true
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		loop = false
		fmt.Fprintf(a.stderr, "warning: %s is reachable from other machines: SDKs there can send with a DSN; reading stays local unless --allow-remote-reads\n", host)
	}
	logOut := a.stderr
	held := &lockedBuffer{}
	if tui {
		logOut = held // the explorer owns the screen; the log is printed after
	}
	level := slog.LevelInfo
	if !a.debug {
		level = slog.LevelWarn
	}
	log := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: level}))
	updates := make(chan struct{}, 1)
	srv := ingest.NewServer(store, ingest.Options{
		Logger: log, RatePerSecond: rate, AllowRemoteReads: remote,
		OnIngest: func(p ingest.Project, out ingest.Outcome) {
			if !tui {
				fmt.Fprintf(a.stdout, "%s  %-16s %s\n", time.Now().Format("15:04:05"), p.Slug, describeOutcome(out))
			}
			select {
			case updates <- struct{}{}:
			default:
			}
		},
	})
	base := "http://" + host
	grpcLine := ""
	if grpcAddr != "" {
		gln, err := net.Listen("tcp", grpcAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("--otlp-grpc-addr %s: %w", grpcAddr, err)
		}
		gctx, stop := context.WithCancel(ctx)
		defer stop()
		go func() {
			if err := srv.ServeOTLPGRPC(gctx, gln); err != nil {
				log.Error("OTLP/gRPC server", "err", err)
			}
		}()
		grpcLine = fmt.Sprintf("  %-16s OTEL_EXPORTER_OTLP_PROTOCOL=grpc OTEL_EXPORTER_OTLP_ENDPOINT=http://%s  (OTLP/gRPC)\n", "OpenTelemetry", gln.Addr())
	}
	fmt.Fprintf(a.stdout, "tracehound serve: receiving on %s (database %s)\n", base, db)
	for _, p := range projects {
		fmt.Fprintf(a.stdout, "  %-16s SENTRY_DSN=%s\n", p.Slug, ingest.DSN(p, host))
	}
	fmt.Fprintf(a.stdout, "  %-16s OTEL_EXPORTER_OTLP_ENDPOINT=%s  (OTLP/HTTP traces; each service.name is a project)\n", "OpenTelemetry", base)
	fmt.Fprint(a.stdout, grpcLine)
	if loop {
		fmt.Fprintf(a.stdout, "then: tracehound --local%s    (the latest issue)\n", localFlagSuffix(host))
	}
	if tui {
		defer func() {
			if held.b.Len() > 0 {
				a.stderr.Write(held.b.Bytes())
			}
		}()
		return serveUntil(ctx, ln, srv, func() error { return runLiveTUI(ctx, a, base, updates) })
	}
	fmt.Fprintln(a.stdout, "stop with ctrl+c")
	return serveUntil(ctx, ln, srv, nil)
}

func localFlagSuffix(host string) string {
	if host == defaultIngestAddr {
		return ""
	}
	return " --url http://" + host
}

func describeOutcome(out ingest.Outcome) string {
	var parts []string
	for _, k := range []string{ingest.KindError, ingest.KindTransaction, ingest.KindSpan, ingest.KindProfile, ingest.KindChunk} {
		if n := out.Stored[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, k))
		}
	}
	for k, n := range out.Ignored {
		parts = append(parts, fmt.Sprintf("%d %s (ignored)", n, k))
	}
	if len(out.Errors) > 0 {
		parts = append(parts, fmt.Sprintf("%d unreadable item(s): %s", len(out.Errors), strings.Join(out.Errors, "; ")))
	}
	if len(parts) == 0 {
		return "nothing to keep"
	}
	return strings.Join(parts, ", ")
}

// openLocal opens the server of `tracehound serve` (at --url, or the
// default address): organization "local", no token.
func (a *app) openLocal(ctx context.Context) (*source, error) {
	base := a.url
	if base == "" {
		base = "http://" + defaultIngestAddr
	}
	// A quick probe first: when nothing listens there, say so at once
	// rather than after the client's retries.
	probe := &http.Client{Timeout: 3 * time.Second}
	if resp, err := probe.Get(strings.TrimSuffix(base, "/") + "/"); err != nil {
		return nil, fmt.Errorf("nothing answers at %s: start `tracehound serve` (or pass --url where it listens): %w", base, errUnreachable)
	} else {
		resp.Body.Close()
	}
	opts := sentryapi.Options{BaseURL: base, Org: ingest.OrgSlug, MaxRetries: -1}
	a.applyClientOptions(&opts)
	c, err := sentryapi.New(opts)
	if err != nil {
		return nil, usageError{err}
	}
	src := &source{Client: c, Label: "local ingest at " + base}
	issues, err := c.LatestIssues(ctx, 1)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w (is `tracehound serve` running there?)", base, err)
	}
	if len(issues) > 0 {
		src.DefaultIssue = string(issues[0].ID)
	}
	return src, nil
}

// runLiveTUI waits for the first error, then opens the explorer on the
// latest issue, reloading as data arrives.
func runLiveTUI(ctx context.Context, a *app, base string, updates chan struct{}) error {
	a.local, a.url = true, base
	for {
		src, err := a.openLocal(ctx)
		if err != nil {
			return err
		}
		if src.DefaultIssue != "" {
			break
		}
		fmt.Fprintln(a.stdout, "waiting for the first error event… (ctrl+c to stop)")
		select {
		case <-ctx.Done():
			return nil
		case <-updates:
		}
	}
	var m modelFlags
	return runTUI(ctx, a, &m, "", nil, "", updates)
}
