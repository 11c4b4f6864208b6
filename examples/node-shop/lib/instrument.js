'use strict';
// The Sentry SDK of every service: required first by each entry point, so
// that its OpenTelemetry instrumentation of http and fetch is in place
// before anything else is loaded.
const Sentry = require('@sentry/node');

// init starts the SDK for the named service from the environment:
// SENTRY_DSN (required), SENTRY_RELEASE, SENTRY_ENVIRONMENT, SENTRY_DEBUG.
function init(service) {
  const dsn = process.env.SENTRY_DSN;
  if (!dsn) {
    console.error(`${service}: SENTRY_DSN is not set (run \`tracehound serve gateway inventory\` and use the DSN it prints)`);
    process.exit(2);
  }
  Sentry.init({
    dsn,
    release: process.env.SENTRY_RELEASE || `${service}@1.0.0`,
    environment: process.env.SENTRY_ENVIRONMENT || 'local',
    serverName: service,
    // Every request is a transaction; every outgoing call carries the
    // trace (sentry-trace and baggage headers) to the next service.
    tracesSampleRate: 1.0,
    // "stream" (the SDK's default since 11: spans in batches of span v2
    // items) or "static" (one transaction event per request, with its
    // spans).
    traceLifecycle: process.env.SENTRY_TRACE_LIFECYCLE || undefined,
    tracePropagationTargets: [/^http:\/\/(127\.0\.0\.1|localhost)[:/]/],
    debug: process.env.SENTRY_DEBUG === '1',
  });
  return Sentry;
}

module.exports = { init };
