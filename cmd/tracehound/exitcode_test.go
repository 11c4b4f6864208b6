package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/sentryapi"
)

func TestExitCode(t *testing.T) {
	api := func(class error) error {
		return fmt.Errorf("loading: %w", &sentryapi.APIError{Class: class, StatusCode: 500})
	}
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, exitOK},
		{usagef("bad flag"), exitUsage},
		{errors.New("unknown flag: --nope"), exitUsage},
		{api(sentryapi.ErrUnauthorized), exitAuth},
		{api(sentryapi.ErrForbidden), exitAuth},
		{errNoRootCause, exitNoRootCause},
		{fmt.Errorf("%w: partial", errNoRootCause), exitNoRootCause},
		{errEvalFailed, exitNoRootCause},
		{api(sentryapi.ErrNotFound), exitNotFound},
		{fmt.Errorf("no issue yet: %w", errNotFound), exitNotFound},
		{api(sentryapi.ErrServer), exitAPI},
		{api(sentryapi.ErrBadResponse), exitAPI},
		{&sentryapi.RateLimitError{APIError: sentryapi.APIError{Class: sentryapi.ErrRateLimited}}, exitAPI},
		{&url.Error{Op: "Get", URL: "https://sentry.io", Err: errors.New("connection refused")}, exitAPI},
		{fmt.Errorf("nothing answers: %w", errUnreachable), exitAPI},
		{fmt.Errorf("run: %w", &agent.ModelError{StatusCode: 401, Msg: "model server refused"}), exitModel},
		{fmt.Errorf("stopped: %w", context.Canceled), exitInterrupted},
		{errors.New("writing the report: disk full"), exitFailure},
	} {
		if got := exitCode(tc.err); got != tc.want {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

// The codes are in --help, as the README lists them.
func TestExitCodesDocumented(t *testing.T) {
	r := runCLI(t, nil, "--help")
	for _, line := range strings.Split(exitCodesHelp, "\n") {
		if !strings.Contains(r.stdout, line) {
			t.Errorf("--help lacks %q", line)
		}
	}
}
