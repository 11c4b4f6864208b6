// Package sdkevent reads events in the form SDKs send them (the payload of
// an envelope's "event" and "transaction" items, and what Sentry's
// /events/{id}/json/ returns): snake_case frames with
// pre_context/context_line/post_context, interfaces at the top level
// (exception, request, breadcrumbs…, or their legacy "sentry.interfaces.*"
// names), tags as a map or [key, value] pairs. Decode turns such an event
// into the API form (wire.Event) every other part of tracehound reads, so
// that events received by `tracehound serve` look exactly like events
// fetched from Sentry.
//
// It does no I/O and imports no HTTP: ingest uses it for envelopes, and
// anything that holds SDK-form events (a dataset of raw events, a test) can
// use it too.
package sdkevent

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

type sdkFrame struct {
	Filename        string       `json:"filename,omitempty"`
	AbsPath         string       `json:"abs_path,omitempty"`
	Module          string       `json:"module,omitempty"`
	Package         string       `json:"package,omitempty"`
	Platform        string       `json:"platform,omitempty"`
	Function        string       `json:"function,omitempty"`
	RawFunction     string       `json:"raw_function,omitempty"`
	Symbol          string       `json:"symbol,omitempty"`
	InstructionAddr string       `json:"instruction_addr,omitempty"`
	LineNo          wire.FlexInt `json:"lineno,omitzero"`
	ColNo           wire.FlexInt `json:"colno,omitzero"`
	InApp           *bool        `json:"in_app,omitempty"`
	PreContext      []string     `json:"pre_context,omitempty"`
	ContextLine     *string      `json:"context_line,omitempty"`
	PostContext     []string     `json:"post_context,omitempty"`
	Vars            wire.Raw     `json:"vars,omitempty"`
	Extra           wire.Extra   `json:",embed"`
}

func (f *sdkFrame) api() wire.Frame {
	out := wire.Frame{
		Filename: f.Filename, AbsPath: f.AbsPath, Module: f.Module, Package: f.Package, Platform: f.Platform,
		Function: f.Function, RawFunction: f.RawFunction, Symbol: f.Symbol, InstructionAddr: f.InstructionAddr,
		LineNo: f.LineNo, ColNo: f.ColNo, InApp: f.InApp, Vars: f.Vars,
	}
	out.Extra = withoutKnown(f.Extra, out)
	if f.ContextLine != nil && f.LineNo > 0 {
		n := int64(f.LineNo) - int64(len(f.PreContext))
		for _, l := range f.PreContext {
			out.Context = append(out.Context, wire.ContextLine{Line: wire.FlexInt(n), Text: l})
			n++
		}
		out.Context = append(out.Context, wire.ContextLine{Line: f.LineNo, Text: *f.ContextLine})
		n = int64(f.LineNo) + 1
		for _, l := range f.PostContext {
			out.Context = append(out.Context, wire.ContextLine{Line: wire.FlexInt(n), Text: l})
			n++
		}
	}
	return out
}

type sdkStacktrace struct {
	Frames []sdkFrame `json:"frames"`
	Extra  wire.Extra `json:",embed"`
}

func (s *sdkStacktrace) api() *wire.Stacktrace {
	if s == nil {
		return nil
	}
	out := &wire.Stacktrace{Frames: make([]wire.Frame, 0, len(s.Frames))}
	out.Extra = withoutKnown(s.Extra, *out)
	for i := range s.Frames {
		out.Frames = append(out.Frames, s.Frames[i].api())
	}
	return out
}

type sdkException struct {
	Type          string          `json:"type"`
	Value         string          `json:"value"`
	Module        string          `json:"module,omitempty"`
	ThreadID      wire.FlexString `json:"thread_id,omitempty"`
	Mechanism     *wire.Mechanism `json:"mechanism,omitempty"`
	Stacktrace    *sdkStacktrace  `json:"stacktrace,omitempty"`
	RawStacktrace *sdkStacktrace  `json:"raw_stacktrace,omitempty"`
	Extra         wire.Extra      `json:",embed"`
}

type sdkThread struct {
	ID         wire.FlexString `json:"id"`
	Name       string          `json:"name,omitempty"`
	Current    bool            `json:"current,omitzero"`
	Crashed    bool            `json:"crashed,omitzero"`
	State      string          `json:"state,omitempty"`
	Stacktrace *sdkStacktrace  `json:"stacktrace,omitempty"`
	Extra      wire.Extra      `json:",embed"`
}

// sdkEvent lists the members the conversion reads; everything else is
// kept in Extra and re-emitted.
type sdkEvent struct {
	EventID        string             `json:"event_id"`
	Type           string             `json:"type"`
	Platform       string             `json:"platform"`
	Timestamp      wire.Timestamp     `json:"timestamp,omitzero"`
	StartTimestamp wire.Timestamp     `json:"start_timestamp,omitzero"`
	Datetime       string             `json:"datetime"`
	Received       wire.Timestamp     `json:"received,omitzero"`
	Level          string             `json:"level"`
	Logger         string             `json:"logger"`
	Transaction    string             `json:"transaction"`
	Culprit        string             `json:"culprit"`
	Title          string             `json:"title"`
	Location       string             `json:"location"`
	Release        wire.Raw           `json:"release"`
	Environment    string             `json:"environment"`
	ServerName     string             `json:"server_name"`
	Dist           string             `json:"dist"`
	Message        wire.Raw           `json:"message"`
	LogEntry       *wire.MessageData  `json:"logentry"`
	Exception      wire.Raw           `json:"exception"`
	Threads        wire.Raw           `json:"threads"`
	Stacktrace     *sdkStacktrace     `json:"stacktrace"`
	Request        *wire.RequestData  `json:"request"`
	Breadcrumbs    wire.Raw           `json:"breadcrumbs"`
	Spans          []wire.Span        `json:"spans"`
	Contexts       wire.Contexts      `json:"contexts,omitzero"`
	Tags           wire.Raw           `json:"tags"`
	User           *wire.User         `json:"user"`
	SDK            *wire.SDK          `json:"sdk"`
	Metadata       wire.IssueMetadata `json:"metadata,omitzero"`
	Measurements   wire.Raw           `json:"measurements"`
	Project        wire.FlexString    `json:"project"`
	GroupID        wire.FlexString    `json:"group_id"`

	LegacyException   wire.Raw          `json:"sentry.interfaces.Exception"`
	LegacyMessage     *wire.MessageData `json:"sentry.interfaces.Message"`
	LegacyHTTP        *wire.RequestData `json:"sentry.interfaces.Http"`
	LegacyBreadcrumbs wire.Raw          `json:"sentry.interfaces.Breadcrumbs"`
	LegacyUser        *wire.User        `json:"sentry.interfaces.User"`
	LegacyStacktrace  *sdkStacktrace    `json:"sentry.interfaces.Stacktrace"`

	Extra wire.Extra `json:",embed"`
}

// Decode decodes an event in the SDK form and returns it in the API form.
// Unknown members are kept in Extra.
func Decode(data []byte) (*wire.Event, error) {
	var in sdkEvent
	if err := wire.Decode(data, &in); err != nil {
		return nil, err
	}
	ev := &wire.Event{
		ID: normalizeEventID(in.EventID), Type: in.Type, Platform: in.Platform, Culprit: in.Culprit,
		Location: in.Location, Contexts: in.Contexts, User: in.User, SDK: in.SDK, Metadata: in.Metadata,
		Measurements: in.Measurements, GroupID: in.GroupID,
	}
	ev.Extra = withoutKnown(in.Extra, *ev)
	ev.EventID = ev.ID
	if in.Project != "" {
		ev.ProjectID = in.Project
	}
	if ev.User == nil {
		ev.User = in.LegacyUser
	}
	// Time: timestamp (end, for transactions), else datetime, else received.
	when := in.Timestamp
	if when == 0 && in.Datetime != "" {
		when, _ = wire.ParseTimestamp(in.Datetime)
	}
	if when == 0 {
		when = in.Received
	}
	if when != 0 {
		ev.DateCreated = when.Time().Format(time.RFC3339Nano)
	}
	if in.Received != 0 {
		ev.DateReceived = in.Received.Time().Format(time.RFC3339Nano)
	}
	if len(in.Release) > 0 && string(in.Release) != "null" {
		if v := wire.RawText(in.Release); v != "" && in.Release[0] == '"' {
			ev.Release = wire.Raw(fmt.Sprintf(`{"version":%q}`, v))
		} else {
			ev.Release = in.Release
		}
	}

	// Entries, in the order Sentry's API lists them.
	exc, err := decodeExceptions(firstRaw(in.Exception, in.LegacyException))
	if err != nil {
		return nil, fmt.Errorf("exception: %w", err)
	}
	if exc != nil {
		ev.Entries = append(ev.Entries, wire.Entry{Type: wire.EntryException, Exception: exc})
	}
	msg := in.LogEntry
	if msg == nil {
		msg = in.LegacyMessage
	}
	if msg == nil && len(in.Message) > 0 && string(in.Message) != "null" {
		if in.Message[0] == '"' {
			if s := wire.RawText(in.Message); s != "" {
				msg = &wire.MessageData{Formatted: s}
			}
		} else {
			var m wire.MessageData
			if err := wire.Decode(in.Message, &m); err == nil {
				msg = &m
			}
		}
	}
	if msg != nil && msg.Formatted == "" {
		msg.Formatted = msg.Message
	}
	if msg != nil && msg.Formatted != "" {
		ev.Message = msg.Formatted
		ev.Entries = append(ev.Entries, wire.Entry{Type: wire.EntryMessage, Message: msg})
	}
	st := in.Stacktrace
	if st == nil {
		st = in.LegacyStacktrace
	}
	if st != nil {
		ev.Entries = append(ev.Entries, wire.Entry{Type: wire.EntryStacktrace, Stacktrace: st.api()})
	}
	if threads, err := decodeThreads(in.Threads); err != nil {
		return nil, fmt.Errorf("threads: %w", err)
	} else if threads != nil {
		ev.Entries = append(ev.Entries, wire.Entry{Type: wire.EntryThreads, Threads: threads})
	}
	if in.Spans != nil || in.Type == "transaction" {
		spans := in.Spans
		if spans == nil {
			spans = []wire.Span{}
		}
		ev.Entries = append(ev.Entries, wire.Entry{Type: wire.EntrySpans, Spans: spans})
	}
	req := in.Request
	if req == nil {
		req = in.LegacyHTTP
	}
	if req != nil {
		ev.Entries = append(ev.Entries, wire.Entry{Type: wire.EntryRequest, Request: req})
	}
	if bc, err := decodeBreadcrumbs(firstRaw(in.Breadcrumbs, in.LegacyBreadcrumbs)); err != nil {
		return nil, fmt.Errorf("breadcrumbs: %w", err)
	} else if bc != nil {
		ev.Entries = append(ev.Entries, wire.Entry{Type: wire.EntryBreadcrumbs, Breadcrumbs: bc})
	}
	if ev.Entries == nil {
		ev.Entries = []wire.Entry{}
	}

	ev.Tags = decodeTags(in.Tags)
	addTag := func(k, v string) {
		if v != "" && ev.Tag(k) == "" {
			ev.Tags = append(ev.Tags, wire.Tag{Key: k, Value: wire.FlexString(v)})
		}
	}
	addTag("environment", in.Environment)
	if ev.Release != nil {
		var r struct {
			Version string `json:"version"`
		}
		if wire.Decode(ev.Release, &r) == nil {
			addTag("release", r.Version)
		}
	}
	addTag("level", in.Level)
	addTag("transaction", in.Transaction)
	addTag("server_name", in.ServerName)
	addTag("dist", in.Dist)
	addTag("logger", in.Logger)

	if ev.Type == "" {
		switch {
		case in.StartTimestamp != 0 && in.Spans != nil && exc == nil:
			ev.Type = "transaction"
		case exc != nil:
			ev.Type = "error"
		default:
			ev.Type = "default"
		}
	}
	if ev.Type == "transaction" {
		ev.StartTimestamp, ev.EndTimestamp = in.StartTimestamp, in.Timestamp
	}
	ev.Title = in.Title
	if ev.Title == "" {
		switch {
		case ev.Type == "transaction":
			ev.Title = in.Transaction
		case exc != nil && len(exc.Values) > 0:
			last := exc.Values[len(exc.Values)-1]
			ev.Title = strings.TrimPrefix(last.Type+": "+last.Value, ": ")
		default:
			ev.Title, _, _ = strings.Cut(ev.Message, "\n")
		}
	}
	if ev.Culprit == "" && ev.Type == "transaction" {
		ev.Culprit = in.Transaction
	}
	return ev, nil
}

func firstRaw(vs ...wire.Raw) wire.Raw {
	for _, v := range vs {
		if len(v) > 0 && string(v) != "null" {
			return v
		}
	}
	return nil
}

// normalizeEventID returns a 32-hex or UUID-form id as 32 lower-case hex;
// anything else is returned as it is.
func normalizeEventID(s string) string {
	h := s
	if len(s) == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-' {
		h = s[:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	}
	if len(h) != 32 {
		return s
	}
	for _, c := range h {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return s
		}
	}
	return strings.ToLower(h)
}

// sdkExceptions accepts {values:[…]}, a bare list, or a single value.
func decodeExceptions(raw wire.Raw) (*wire.ExceptionData, error) {
	if raw == nil {
		return nil, nil
	}
	var vals []sdkException
	var extra wire.Extra
	switch raw[0] {
	case '[':
		if err := wire.Decode(raw, &vals); err != nil {
			return nil, err
		}
	default:
		var w struct {
			Values []sdkException `json:"values"`
			Extra  wire.Extra     `json:",embed"`
		}
		if err := wire.Decode(raw, &w); err != nil {
			return nil, err
		}
		vals, extra = w.Values, w.Extra
		if vals == nil {
			var one sdkException
			if err := wire.Decode(raw, &one); err == nil && (one.Type != "" || one.Value != "") {
				vals, extra = []sdkException{one}, nil
			}
		}
	}
	if len(vals) == 0 {
		return nil, nil
	}
	delete(extra, "exc_omitted")
	out := &wire.ExceptionData{Values: make([]wire.ExceptionValue, 0, len(vals)), Extra: extra}
	for _, v := range vals {
		ev := wire.ExceptionValue{Type: v.Type, Value: v.Value, Module: v.Module, ThreadID: v.ThreadID, Mechanism: v.Mechanism,
			Stacktrace: v.Stacktrace.api(), RawStacktrace: v.RawStacktrace.api()}
		ev.Extra = withoutKnown(v.Extra, ev)
		out.Values = append(out.Values, ev)
		if ev.Stacktrace != nil {
			for _, f := range ev.Stacktrace.Frames {
				if !f.IsInApp() {
					out.HasSystemFrames = true
				}
			}
		}
	}
	return out, nil
}

func decodeThreads(raw wire.Raw) (*wire.ThreadsData, error) {
	raw = firstRaw(raw)
	if raw == nil {
		return nil, nil
	}
	var vals []sdkThread
	if raw[0] == '[' {
		if err := wire.Decode(raw, &vals); err != nil {
			return nil, err
		}
	} else {
		var w struct {
			Values []sdkThread `json:"values"`
		}
		if err := wire.Decode(raw, &w); err != nil {
			return nil, err
		}
		vals = w.Values
	}
	if len(vals) == 0 {
		return nil, nil
	}
	out := &wire.ThreadsData{}
	for _, t := range vals {
		out.Values = append(out.Values, wire.Thread{ID: t.ID, Name: t.Name, Current: t.Current, Crashed: t.Crashed, State: t.State,
			Stacktrace: t.Stacktrace.api(), Extra: withoutKnown(t.Extra, wire.Thread{})})
	}
	return out, nil
}

func decodeBreadcrumbs(raw wire.Raw) (*wire.BreadcrumbsData, error) {
	if raw == nil {
		return nil, nil
	}
	var vals []wire.Breadcrumb
	if raw[0] == '[' {
		if err := wire.Decode(raw, &vals); err != nil {
			return nil, err
		}
	} else {
		var w wire.BreadcrumbsData
		if err := wire.Decode(raw, &w); err != nil {
			return nil, err
		}
		vals = w.Values
	}
	if len(vals) == 0 {
		return nil, nil
	}
	return &wire.BreadcrumbsData{Values: vals}, nil
}

// decodeTags accepts a map, [[key, value]] pairs or [{key, value}].
func decodeTags(raw wire.Raw) []wire.Tag {
	raw = firstRaw(raw)
	if raw == nil {
		return nil
	}
	var objs []wire.Tag
	if err := wire.Decode(raw, &objs); err == nil {
		return objs
	}
	var pairs wire.Pairs
	if err := wire.Decode(raw, &pairs); err != nil {
		return nil
	}
	out := make([]wire.Tag, 0, len(pairs))
	for _, p := range pairs {
		out = append(out, wire.Tag{Key: p[0], Value: wire.FlexString(p[1])})
	}
	return out
}

var knownNames sync.Map // reflect.Type → map[string]bool

// withoutKnown drops the members of extra that the API type names itself
// (an SDK payload may carry both "lineno" and "lineNo"): re-encoding
// must not write a member twice.
func withoutKnown(extra wire.Extra, v any) wire.Extra {
	if len(extra) == 0 {
		return extra
	}
	t := reflect.TypeOf(v)
	names, ok := knownNames.Load(t)
	if !ok {
		m := map[string]bool{}
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if name != "" && name != "-" {
				m[name] = true
			}
		}
		names, _ = knownNames.LoadOrStore(t, m)
	}
	known := names.(map[string]bool)
	var out wire.Extra
	for k, val := range extra {
		if known[k] {
			continue
		}
		if out == nil {
			out = wire.Extra{}
		}
		out[k] = val
	}
	return out
}
