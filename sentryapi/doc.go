// Package sentryapi is the Sentry REST client: configuration resolution
// compatible with sentry-cli, region discovery, authentication, pagination,
// retries and rate limits (the response types and their tolerant decoding
// live in package wire, which does no I/O), and the
// parsing of targets (issue ids, short ids, event and trace ids, pasted URLs).
//
// The demo, tests, benchmarks and real Sentry all go through the same Client;
// only the base URL and the transport differ (see package local).
package sentryapi
