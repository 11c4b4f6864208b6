package sentryapi

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Error classes. Every *APIError matches exactly one of them with errors.Is,
// so callers branch on the class and print the error, which already says
// what the user can do.
var (
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")
	ErrNotFound     = errors.New("not found")
	ErrRateLimited  = errors.New("rate limited")
	ErrServer       = errors.New("server error")
	ErrBadResponse  = errors.New("bad response")
	ErrBadRequest   = errors.New("bad request")
)

// APIError is an answer from Sentry that is not the data asked for. Its
// message names the request (never the token) and says what to do.
type APIError struct {
	Class      error  // one of the Err* classes above
	StatusCode int    // 0 when the body, not the status, was wrong
	Method     string // GET
	Path       string // /api/0/organizations/acme/issues/1/ (no query, no host)
	Host       string // the host that answered
	Detail     string // Sentry's own message, when it sent one
	Scope      string // for ErrForbidden: the scope the endpoint needs
	Hint       string // what the user can do
	Reset      time.Time
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sentry: %s %s", e.Method, e.Path)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": %d", e.StatusCode)
	}
	fmt.Fprintf(&b, " %s", e.Class)
	if e.Detail != "" {
		fmt.Fprintf(&b, ": %s", e.Detail)
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, "\n  %s", e.Hint)
	}
	return b.String()
}

// Short is the error in a few words, without the request or the hint:
// "404 not found: The requested resource does not exist".
func (e *APIError) Short() string {
	var b strings.Builder
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, "%d ", e.StatusCode)
	}
	fmt.Fprint(&b, e.Class)
	if e.Detail != "" {
		fmt.Fprintf(&b, ": %s", e.Detail)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrNotFound) and friends work.
func (e *APIError) Is(target error) bool { return target == e.Class }

// RateLimitError is returned when Sentry keeps answering 429 or asks for a
// wait longer than the client is willing to do.
type RateLimitError struct {
	APIError
	Wait time.Duration
}

func (e *RateLimitError) Error() string { return e.APIError.Error() }

// Unwrap exposes the embedded APIError to errors.As.
func (e *RateLimitError) Unwrap() error { return &e.APIError }

func classify(status int) error {
	switch {
	case status == 401:
		return ErrUnauthorized
	case status == 403:
		return ErrForbidden
	case status == 404:
		return ErrNotFound
	case status == 429:
		return ErrRateLimited
	case status >= 500:
		return ErrServer
	case status >= 400:
		return ErrBadRequest
	}
	return ErrBadResponse
}

// hint says what the user can do about an error of the given class.
func (c *Client) hint(class error, scope string) string {
	tokens := strings.TrimSuffix(c.base.String(), "/") + "/settings/account/api/auth-tokens/"
	switch class {
	case ErrUnauthorized:
		if c.token == "" {
			return "No auth token is configured: set SENTRY_AUTH_TOKEN, pass --auth-token, or run `sentry-cli login`. Create one at " + tokens + " with scopes " + strings.Join(RequiredScopes, ", ") + "."
		}
		return "The auth token was rejected (expired, revoked or for another Sentry). Check SENTRY_AUTH_TOKEN / .sentryclirc (`tracehound config` shows which one is used); create one at " + tokens + "."
	case ErrForbidden:
		if scope != "" {
			return "The token lacks the " + scope + " scope or access to this project. Create a token with scopes " + strings.Join(RequiredScopes, ", ") + " at " + tokens + "."
		}
		return "The token lacks a scope or access to this project."
	case ErrNotFound:
		return "Check the id and the organization (--org / SENTRY_ORG). A feature that is not enabled for the organization also answers 404."
	case ErrServer:
		return "Sentry had a problem answering; try again in a minute."
	}
	return ""
}

// RequiredScopes are the token scopes tracehound needs, all read-only.
var RequiredScopes = []string{"org:read", "project:read", "event:read"}
