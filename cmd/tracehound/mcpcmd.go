package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"

	"github.com/tracehound/tracehound/investigation"
	"github.com/tracehound/tracehound/mcp"
	"github.com/tracehound/tracehound/sentryapi"
)

func newMCPCmd(a *app) *cobra.Command {
	var (
		repos    []string
		window   int
		httpAddr string
	)
	cmd := &cobra.Command{
		Use:   "mcp [TARGET] [--demo | --data DIR | --local | Sentry flags]",
		Short: "Serve an incident's read-only tools to another agent over the Model Context Protocol (stdio)",
		Long: `Serve the Model Context Protocol on stdin/stdout, so that an AI editor or a
coding agent (Claude Code, Cursor, Codex…) can investigate the incident with
tracehound's own read-only tools: get_trace_tree (with a token budget),
get_error_event, get_transaction_spans, get_profile, compare_with_healthy,
list_repositories, search_code and read_file — the same definitions, the same scrubbing and the
same repository sandbox as tracehound's agent.

TARGET is what the other commands take (an issue id, short id, event or
trace id, URL); with --demo, --data or --local it may be omitted. Only the
protocol goes to stdout; logs go to stderr. A call with bad arguments
answers a tool error (isError), never a crash. With --http ADDR the
streamable HTTP transport is served on that loopback address instead.

Register it with an MCP client, for example:
  {"mcpServers": {"tracehound": {"command": "tracehound", "args": ["mcp", "--demo"]}}}`,
		Example: `  tracehound mcp --demo
  tracehound mcp --local --repo payments=~/src/payments
  tracehound mcp PAYMENTS-1AB --org acme
  tracehound mcp --demo --http 127.0.0.1:8765`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMCP(cmd.Context(), a, argOr(args), repos, window, httpAddr)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&repos, "repo", nil, "a local checkout for a project: PROJECT=PATH (repeatable; also [[repo]] in the config file)")
	f.IntVar(&window, "context-window", 0, "cap each tool result for a context window of this many tokens (default 128000)")
	f.StringVar(&httpAddr, "http", "", "serve the streamable HTTP transport on this loopback address instead of stdio")
	return cmd
}

func runMCP(ctx context.Context, a *app, arg string, repos []string, window int, httpAddr string) error {
	// Only the protocol goes to stdout: everything else the command (or
	// what it calls) prints goes to stderr.
	proto := a.stdout
	a.stdout = a.stderr
	defer func() { a.stdout = proto }()

	var ln net.Listener
	if httpAddr != "" {
		l, err := net.Listen("tcp", httpAddr)
		if err != nil {
			return usagef("--http %s: %w", httpAddr, err)
		}
		if tcp, ok := l.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
			l.Close()
			return usagef("--http %s: serve MCP on a loopback address only (127.0.0.1:PORT): the tools read your incident and code", httpAddr)
		}
		ln = l
		defer ln.Close()
	}
	inv, err := a.openInvestigation(ctx, arg, repos)
	if err != nil {
		return err
	}
	defer inv.Close()
	level := slog.LevelInfo
	if !a.debug {
		level = slog.LevelWarn
	}
	log := slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}))
	in := inv.Incident()
	about := "tracehound: the incident " + inv.Label()
	if in != nil && in.Issue != nil {
		about = fmt.Sprintf("tracehound: issue %s (%s) from %s", in.Issue.ShortID, in.Issue.Title, inv.Label())
	}
	srv := mcp.NewServer(inv, mcp.Options{
		Version: sentryapi.Version, Window: window, Logger: log,
		Instructions: about + ". Start with get_trace_tree: it shows the trace's services, transactions and connected errors with ids the other tools take.",
	})
	fmt.Fprintf(a.stderr, "%s\n", about)
	if ln != nil {
		h := sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return srv }, nil)
		fmt.Fprintf(a.stderr, "tracehound mcp: streamable HTTP on http://%s (stop with ctrl+c)\n", ln.Addr())
		return serveUntil(ctx, ln, h, nil)
	}
	fmt.Fprintln(a.stderr, "tracehound mcp: serving on stdio")
	err = srv.Run(ctx, &sdk.IOTransport{Reader: io.NopCloser(a.stdin), Writer: nopWriteCloser{proto}})
	if err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, io.EOF)) {
		return nil
	}
	return err
}

// openInvestigation opens the incident the flags and arg name as an
// investigation with its repositories (no model: its tools are what is
// used).
func (a *app) openInvestigation(ctx context.Context, arg string, repos []string) (*investigation.Investigation, error) {
	src, t, err := a.openTarget(ctx, arg)
	if err != nil {
		return nil, err
	}
	if src.Demo {
		fmt.Fprintln(a.stderr, "[demo data] an embedded sample incident, not from a real Sentry")
	}
	return investigation.Open(ctx, investigation.Options{
		Source: investigation.Source{
			Client: src.Client, Target: t, Label: src.Label, Dataset: src.Dataset, Demo: src.Demo, Ref: a.sourceRef(src),
		},
		Repos:    repos,
		Model:    investigation.ModelConfig{Offline: true},
		Policy:   investigation.Policy{Headless: true},
		Notify:   func(s string) { fmt.Fprintln(a.stderr, "tracehound: "+s) },
		Progress: func(s string) { fmt.Fprintln(a.stderr, "tracehound: "+s) },
	})
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
