// Package wire holds the Sentry API's wire types — organizations, projects,
// issues, events and their entries, traces, profiles and chunks — with their
// tolerant decoding: unknown members survive a round trip, numbers may come
// as strings, times as ISO strings or epochs. It does no I/O: the HTTP client
// (package sentryapi), the local backend, ingest, tracetree and the views all
// read and write these types.
package wire
