// Package investigation is the core every front end shares: it opens an
// incident from a source (Sentry, a dataset, the demo, a local store —
// all through the one sentryapi.Client) with its repositories, tools,
// model provider (or the offline analyzer), approval policy and
// transcript, and runs the agent over it (agent.Run).
//
// Its events go to any number of subscribers through a hub with replay:
// a subscriber that joins late first receives the history, then the live
// stream, in order, with no gap or duplicate; a slow subscriber gets its
// text deltas merged and never slows the run or the others. Approval
// requests are events too; participants allowed to approve answer them
// (Decide), the first valid answer wins and records who made it. One
// reducer (Reducer) turns events into display items — the chat the
// explorer shows and the markdown export renders.
//
// It knows no screen: ui, analyze, eval, resume, and later the MCP server
// and the shared SSH session are front ends over it.
package investigation
