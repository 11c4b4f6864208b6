// Package compare shows how a failing trace differs from a healthy trace of
// the same transaction: the spans that appear or vanish, durations that
// changed beyond noise, status and attribute changes, the errors only the
// failing trace has, the repeats whose count changed (N+1 loops), and the
// first point where the two diverge, in trace order.
//
// Spans are matched by a structural key, never by id: the service
// (project), the operation and the normalised description (numbers, ids,
// hex and quoted values replaced), along the path from the compared
// transaction. Siblings with the same key are paired in time order; when
// their counts differ the difference is one "repeated N → M" change, not M
// separate spans.
//
// The noise rule for durations (Options): a single span's duration
// changed when it moved by at least MinDeltaMS and by a factor of at least
// MinRatio; for repeated spans the medians are compared, and the change
// must also exceed the spread (max − min) of the healthy repeats.
//
// The first divergence is found by walking the merged tree in trace order
// (children by start time): at each level the first child whose subtree
// differs is followed; a span that appears or vanishes, or one whose own
// change is not explained by a differing descendant, is the answer. So a
// status that propagated up from a callee points at the callee.
//
// It holds pure functions over tracetree's trees and does no I/O; the
// caller finds the healthy trace and supplies the attributes (tags, span
// data) it fetched.
package compare
