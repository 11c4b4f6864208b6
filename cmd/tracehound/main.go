// Command tracehound is a terminal debugger for distributed systems: point it
// at a Sentry issue and it shows the trace, its errors, spans and
// profiles, and investigates the incident with an LLM agent.
//
// This package is the only place that knows every other package: it parses
// flags, resolves configuration and wires sentryapi, tracetree, agent and ui
// together.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/sentryapi"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], newApp(os.Stdout, os.Stderr))
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string, a *app) int {
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.ExecuteContext(ctx)
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	switch code {
	case exitInterrupted:
		fmt.Fprintln(a.stderr, "tracehound: interrupted")
	default:
		// Errors may quote event data: masked and made visible like any output.
		fmt.Fprintln(a.stderr, "tracehound: "+redact.Text(strings.TrimPrefix(err.Error(), "tracehound: ")))
	}
	if code == exitUsage {
		fmt.Fprintln(a.stderr, "Run 'tracehound --help' for usage.")
	}
	return code
}

// usageError marks errors caused by how tracehound was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

func isUsage(err error) bool {
	var u usageError
	if errors.As(err, &u) {
		return true
	}
	// Cobra's own parse errors are not typed.
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "accepts ", "requires "} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// app holds the streams, the environment and the global flags.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	workDir        string
	homeDir        string

	url, org, token, project string
	demo                     bool
	local                    bool
	data                     string
	format                   string
	jsonOut                  bool     // --json: the same as --format json
	fields                   []string // --fields: only these JSON members
	debug                    bool

	// closers release what the command opened (a temporary store), in
	// reverse order, when it ends.
	closers []func()

	timeout time.Duration
	maxBody int64 // --max-body

	// clientOptions lets tests shorten retries and waits.
	clientOptions func(*sentryapi.Options)

	// Reports of slow requests (see waiting).
	waitMu     sync.Mutex
	waitHook   func(sentryapi.Progress)
	quietWaits bool
	lastWait   time.Time
}

func newApp(stdout, stderr io.Writer) *app {
	return &app{stdin: os.Stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
}
