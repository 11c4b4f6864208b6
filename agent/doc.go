// Package agent owns the investigation loop: the LLM provider (openai-go),
// the tools over the trace and the services' code, the approval protocol,
// guardrails and transcripts, plus the offline analyzer. It emits typed
// events and takes decisions; it never draws anything.
package agent
