// Package dataset owns the dataset layout: a directory (or any fs.FS) of
// JSON files in the shapes the Sentry API returns, plus the services'
// source trees, that tracehound reads offline. It is written down once
// here (README.md describes every file) and used by everything that
// writes or reads one: `export` writes it, `--data` and the demo read it,
// sentryapi/local serves it over HTTP, the ingest store presents its
// database as one, and tests build small ones.
//
// What it owns:
//   - the paths (OrganizationFile, IssuePath, EventPath, TracePath, …), so
//     no other package spells a file name of the layout;
//   - the writer: EncodeFile, the canonical bytes of a file, and
//     DirWriter, which writes files (and copies the extras: expected
//     root cause, source trees, history) into a directory;
//   - the reader: Open indexes a dataset's file names (never their
//     contents) and reads files, checking that each holds one JSON value of
//     the expected kind; ReadManifest reads dataset.json;
//   - the derivations that turn events into what the API would answer:
//     BuildTrace links transactions, spans and errors into the /trace/
//     array, and CompareIssues orders issues as Sentry's issue list does;
//   - MemFS, a read-only fs.FS of lazily read files, for datasets that
//     are not on disk (the ingest store's snapshot).
//
// It knows nothing of HTTP: serving a dataset is sentryapi/local's job.
package dataset
