// Package local is a Sentry-compatible HTTP backend that serves a dataset of
// Sentry API responses from an fs.FS: the embedded demo incident, a
// directory of exported JSON (tracehound serve-data), or a test's
// fstest.MapFS. It is the fake Sentry of every test and benchmark and the
// engine of --demo, so the client code under test is the code users run.
//
// A Server is an http.Handler. Mount it in httptest.NewServer or an
// http.Server, or call it in process with Server.Transport, which needs no
// socket. It answers the read-only endpoints tracehound uses, under
// /api/0/, with Sentry's shapes, pagination (Link headers with cursors),
// error bodies, auth (WithToken) and scopes (WithScopes). Package dataset
// owns the layout and reads the files (see dataset/README.md); README.md
// here says how each endpoint is answered from them.
//
// Faults (WithFaults, Server.Inject) make it misbehave the way Sentry, a
// proxy or the network does: latency, error statuses, 429 with Sentry's
// rate-limit headers or a Retry-After, bodies cut short, HTML pages.
// Server.Requests records what was asked, so tests can check retries and
// region routing.
package local
