// Package tracetree turns raw Sentry telemetry into trees and text: the
// trace tree of transactions, the span tree of one transaction, the error
// event view and profile call trees, with focus marking, repetition
// collapsing and token budgets. It holds pure functions over sentryapi types
// and does no I/O.
package tracetree
