package main

import (
	"github.com/tracehound/tracehound/tracetree"
)

// The JSON of the spans and profile views: stable snake_case names (the
// README lists them), independent of the Go structs the UI draws from.

type spanRowJSON struct {
	Kind            string   `json:"kind"` // span, group, gap, loop…
	Depth           int      `json:"depth"`
	Label           string   `json:"label"`
	Op              string   `json:"op,omitempty"`
	SpanID          string   `json:"span_id,omitempty"`
	StartMS         *float64 `json:"start_ms,omitempty"` // from the transaction's start; absent when unknown
	EndMS           *float64 `json:"end_ms,omitempty"`
	SelfMS          float64  `json:"self_ms"`
	TotalMS         float64  `json:"total_ms"`
	Status          string   `json:"status,omitempty"`
	HTTPStatus      int      `json:"http_status,omitempty"`
	Failed          bool     `json:"failed"`
	Critical        bool     `json:"critical"`
	Repeat          int      `json:"repeat"`
	MaxParallel     int      `json:"max_parallel,omitempty"`
	Attrs           string   `json:"attrs,omitempty"`
	Note            string   `json:"note,omitempty"`
	ServiceBoundary bool     `json:"service_boundary,omitempty"`
}

func spansJSON(rows []tracetree.WaterfallRow) []spanRowJSON {
	out := make([]spanRowJSON, len(rows))
	for i, r := range rows {
		o := spanRowJSON{
			Kind: waterfallKind(r.Kind), Depth: r.Depth, Label: r.Label, Op: r.Op, SpanID: r.SpanID,
			SelfMS: r.SelfMS, TotalMS: r.TotalMS, Status: r.Status, HTTPStatus: r.HTTPStatus, Failed: r.Failed,
			Critical: r.Critical, Repeat: r.Repeat, MaxParallel: r.MaxParallel, Attrs: r.Attrs, Note: r.Note,
			ServiceBoundary: r.ServiceBoundary,
		}
		if r.HasTime {
			start, end := r.StartMS, r.EndMS
			o.StartMS, o.EndMS = &start, &end
		}
		out[i] = o
	}
	return out
}

type profileJSON struct {
	Kind          string              `json:"kind"`
	ProfileID     string              `json:"profile_id,omitempty"`
	ChunkID       string              `json:"chunk_id,omitempty"`
	ProfilerID    string              `json:"profiler_id,omitempty"`
	Platform      string              `json:"platform,omitempty"`
	Release       string              `json:"release,omitempty"`
	Environment   string              `json:"environment,omitempty"`
	Transaction   string              `json:"transaction,omitempty"`
	TransactionID string              `json:"transaction_id,omitempty"`
	TraceID       string              `json:"trace_id,omitempty"`
	DurationMS    float64             `json:"transaction_duration_ms,omitempty"`
	Thread        profileThreadJSON   `json:"thread"`
	IntervalMS    float64             `json:"interval_ms"`
	TotalMS       float64             `json:"total_ms"`
	CallTree      *profileNodeJSON    `json:"call_tree,omitempty"`
	Hot           []profileHotJSON    `json:"hot"`
	HotSystem     []profileHotJSON    `json:"hot_system,omitempty"`
	Notes         []string            `json:"notes,omitempty"`
	OtherThreads  []profileThreadJSON `json:"other_threads,omitempty"`
}

type profileThreadJSON struct {
	ID         string  `json:"id"`
	Name       string  `json:"name,omitempty"`
	Samples    int     `json:"samples"`
	DurationMS float64 `json:"duration_ms"`
}

type profileNodeJSON struct {
	Function string             `json:"function"`
	Module   string             `json:"module,omitempty"`
	File     string             `json:"file,omitempty"`
	Line     int                `json:"line,omitempty"`
	TotalMS  float64            `json:"total_ms"`
	SelfMS   float64            `json:"self_ms"`
	SystemMS float64            `json:"system_ms,omitempty"`
	Children []*profileNodeJSON `json:"children,omitempty"`
}

type profileHotJSON struct {
	Function string  `json:"function"`
	Location string  `json:"location,omitempty"`
	SelfMS   float64 `json:"self_ms"`
	Caller   string  `json:"caller,omitempty"`
}

func profileToJSON(p *tracetree.ProfileTree) profileJSON {
	thread := func(t tracetree.ProfileThread) profileThreadJSON {
		return profileThreadJSON{ID: t.ID, Name: t.Name, Samples: t.Samples, DurationMS: t.DurationMS}
	}
	hot := func(hs []tracetree.ProfileHot) []profileHotJSON {
		out := make([]profileHotJSON, len(hs))
		for i, h := range hs {
			out[i] = profileHotJSON{Function: h.Function, Location: h.Location, SelfMS: h.SelfMS, Caller: h.Caller}
		}
		return out
	}
	out := profileJSON{
		Kind: p.Kind, ProfileID: p.ProfileID, ChunkID: p.ChunkID, ProfilerID: p.ProfilerID, Platform: p.Platform,
		Release: p.Release, Environment: p.Environment, Transaction: p.Transaction, TransactionID: p.TransactionID,
		TraceID: p.TraceID, DurationMS: p.TxnDurationMS, Thread: thread(p.Thread), IntervalMS: p.IntervalMS,
		TotalMS: p.TotalMS, CallTree: profileNode(p.Root, 0), Hot: hot(p.Hot), HotSystem: hot(p.HotSystem), Notes: p.Notes,
	}
	for _, t := range p.OtherThreads {
		out.OtherThreads = append(out.OtherThreads, thread(t))
	}
	return out
}

func profileNode(n *tracetree.ProfileNode, depth int) *profileNodeJSON {
	if n == nil || depth > 200 {
		return nil
	}
	o := &profileNodeJSON{Function: n.Function, Module: n.Module, File: n.File, Line: n.Line, TotalMS: n.TotalMS, SelfMS: n.SelfMS}
	if n.System != nil {
		o.SystemMS = n.System.TotalMS
	}
	for _, c := range n.Children {
		if cj := profileNode(c, depth+1); cj != nil {
			o.Children = append(o.Children, cj)
		}
	}
	return o
}

func waterfallKind(k tracetree.WaterfallKind) string {
	switch k {
	case tracetree.WaterfallGroup:
		return "group"
	case tracetree.WaterfallGap:
		return "gap"
	case tracetree.WaterfallLoop:
		return "loop"
	}
	return "span"
}
