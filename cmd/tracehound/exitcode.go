package main

import (
	"context"
	"errors"
	"net"
	"net/url"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/sentryapi"
)

// Exit codes, by kind of failure: scripts and agents branch on them. They
// are listed in `tracehound --help` (exitCodesHelp) and the README.
const (
	exitOK          = 0
	exitUsage       = 1   // bad flags, arguments or target
	exitAuth        = 2   // the token is missing, rejected (401) or lacks a scope (403)
	exitNoRootCause = 3   // analyze: no root cause, or a partial report; eval: incidents not solved
	exitNotFound    = 4   // the issue, event, trace, profile or project does not exist
	exitAPI         = 5   // the source failed: unreachable, 5xx, rate limited, an answer that does not decode
	exitModel       = 6   // the model server failed: unreachable, refused the request, broke the stream
	exitFailure     = 7   // anything else (local files, a repository, …)
	exitInterrupted = 130 // ctrl+c
)

// exitCodesHelp is the exit codes as --help shows them.
const exitCodesHelp = `Exit codes:
  0  ok
  1  usage: bad flags, arguments or target
  2  auth: the Sentry token is missing, rejected or lacks a scope
  3  no root cause found (analyze; a partial report too), or incidents not solved (eval)
  4  not found: the issue, event, trace, profile or project does not exist
  5  API/network: the source is unreachable, failing (5xx), rate limited or answers garbage
  6  model: the model server is unreachable, refused the request or broke the stream
  7  other failure
  130 interrupted`

// Sentinels for failures found before (or without) an API answer.
var (
	errNotFound    = errors.New("not found")
	errUnreachable = errors.New("unreachable")
)

// exitCode is the exit code of a command's error.
func exitCode(err error) int {
	var modelErr *agent.ModelError
	var netErr net.Error
	var urlErr *url.Error
	var bigErr *sentryapi.BodyLimitError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errNoRootCause), errors.Is(err, errEvalFailed):
		return exitNoRootCause
	case isUsage(err):
		return exitUsage
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &modelErr):
		return exitModel
	case errors.Is(err, sentryapi.ErrUnauthorized), errors.Is(err, sentryapi.ErrForbidden):
		return exitAuth
	case errors.Is(err, sentryapi.ErrNotFound), errors.Is(err, errNotFound):
		return exitNotFound
	case errors.Is(err, sentryapi.ErrRateLimited), errors.Is(err, sentryapi.ErrServer), errors.Is(err, sentryapi.ErrBadResponse),
		errors.Is(err, sentryapi.ErrBadRequest), errors.Is(err, errUnreachable), errors.As(err, &urlErr), errors.As(err, &netErr), errors.As(err, &bigErr):
		return exitAPI
	}
	return exitFailure
}
