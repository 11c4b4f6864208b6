package sentryapi

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"
)

// The ingest form is what SDKs send (and what /events/{id}/json/ returns):
// snake_case frames with pre_context/context_line/post_context, interfaces
// at the top level (exception, request, breadcrumbs…, or their legacy
// "sentry.interfaces.*" names), tags as a map or [key, value] pairs.
// DecodeIngestEvent turns it into the API form every other part of
// tracehound reads, so that local ingest and exports of raw events look
// exactly like events fetched from Sentry.

type ingestFrame struct {
	Filename        string   `json:"filename,omitempty"`
	AbsPath         string   `json:"abs_path,omitempty"`
	Module          string   `json:"module,omitempty"`
	Package         string   `json:"package,omitempty"`
	Platform        string   `json:"platform,omitempty"`
	Function        string   `json:"function,omitempty"`
	RawFunction     string   `json:"raw_function,omitempty"`
	Symbol          string   `json:"symbol,omitempty"`
	InstructionAddr string   `json:"instruction_addr,omitempty"`
	LineNo          FlexInt  `json:"lineno,omitzero"`
	ColNo           FlexInt  `json:"colno,omitzero"`
	InApp           *bool    `json:"in_app,omitempty"`
	PreContext      []string `json:"pre_context,omitempty"`
	ContextLine     *string  `json:"context_line,omitempty"`
	PostContext     []string `json:"post_context,omitempty"`
	Vars            Raw      `json:"vars,omitempty"`
	Extra           Extra    `json:",embed"`
}

func (f *ingestFrame) api() Frame {
	out := Frame{
		Filename: f.Filename, AbsPath: f.AbsPath, Module: f.Module, Package: f.Package, Platform: f.Platform,
		Function: f.Function, RawFunction: f.RawFunction, Symbol: f.Symbol, InstructionAddr: f.InstructionAddr,
		LineNo: f.LineNo, ColNo: f.ColNo, InApp: f.InApp, Vars: f.Vars,
	}
	out.Extra = withoutKnown(f.Extra, out)
	if f.ContextLine != nil && f.LineNo > 0 {
		n := int64(f.LineNo) - int64(len(f.PreContext))
		for _, l := range f.PreContext {
			out.Context = append(out.Context, ContextLine{Line: FlexInt(n), Text: l})
			n++
		}
		out.Context = append(out.Context, ContextLine{Line: f.LineNo, Text: *f.ContextLine})
		n = int64(f.LineNo) + 1
		for _, l := range f.PostContext {
			out.Context = append(out.Context, ContextLine{Line: FlexInt(n), Text: l})
			n++
		}
	}
	return out
}

type ingestStacktrace struct {
	Frames []ingestFrame `json:"frames"`
	Extra  Extra         `json:",embed"`
}

func (s *ingestStacktrace) api() *Stacktrace {
	if s == nil {
		return nil
	}
	out := &Stacktrace{Frames: make([]Frame, 0, len(s.Frames))}
	out.Extra = withoutKnown(s.Extra, *out)
	for i := range s.Frames {
		out.Frames = append(out.Frames, s.Frames[i].api())
	}
	return out
}

type ingestException struct {
	Type          string            `json:"type"`
	Value         string            `json:"value"`
	Module        string            `json:"module,omitempty"`
	ThreadID      FlexString        `json:"thread_id,omitempty"`
	Mechanism     *Mechanism        `json:"mechanism,omitempty"`
	Stacktrace    *ingestStacktrace `json:"stacktrace,omitempty"`
	RawStacktrace *ingestStacktrace `json:"raw_stacktrace,omitempty"`
	Extra         Extra             `json:",embed"`
}

type ingestThread struct {
	ID         FlexString        `json:"id"`
	Name       string            `json:"name,omitempty"`
	Current    bool              `json:"current,omitzero"`
	Crashed    bool              `json:"crashed,omitzero"`
	State      string            `json:"state,omitempty"`
	Stacktrace *ingestStacktrace `json:"stacktrace,omitempty"`
	Extra      Extra             `json:",embed"`
}

// ingestEvent lists the members the conversion reads; everything else is
// kept in Extra and re-emitted.
type ingestEvent struct {
	EventID        string            `json:"event_id"`
	Type           string            `json:"type"`
	Platform       string            `json:"platform"`
	Timestamp      Timestamp         `json:"timestamp,omitzero"`
	StartTimestamp Timestamp         `json:"start_timestamp,omitzero"`
	Datetime       string            `json:"datetime"`
	Received       Timestamp         `json:"received,omitzero"`
	Level          string            `json:"level"`
	Logger         string            `json:"logger"`
	Transaction    string            `json:"transaction"`
	Culprit        string            `json:"culprit"`
	Title          string            `json:"title"`
	Location       string            `json:"location"`
	Release        Raw               `json:"release"`
	Environment    string            `json:"environment"`
	ServerName     string            `json:"server_name"`
	Dist           string            `json:"dist"`
	Message        Raw               `json:"message"`
	LogEntry       *MessageData      `json:"logentry"`
	Exception      Raw               `json:"exception"`
	Threads        Raw               `json:"threads"`
	Stacktrace     *ingestStacktrace `json:"stacktrace"`
	Request        *RequestData      `json:"request"`
	Breadcrumbs    Raw               `json:"breadcrumbs"`
	Spans          []Span            `json:"spans"`
	Contexts       Contexts          `json:"contexts,omitzero"`
	Tags           Raw               `json:"tags"`
	User           *User             `json:"user"`
	SDK            *SDK              `json:"sdk"`
	Metadata       IssueMetadata     `json:"metadata,omitzero"`
	Measurements   Raw               `json:"measurements"`
	Project        FlexString        `json:"project"`
	GroupID        FlexString        `json:"group_id"`

	LegacyException   Raw               `json:"sentry.interfaces.Exception"`
	LegacyMessage     *MessageData      `json:"sentry.interfaces.Message"`
	LegacyHTTP        *RequestData      `json:"sentry.interfaces.Http"`
	LegacyBreadcrumbs Raw               `json:"sentry.interfaces.Breadcrumbs"`
	LegacyUser        *User             `json:"sentry.interfaces.User"`
	LegacyStacktrace  *ingestStacktrace `json:"sentry.interfaces.Stacktrace"`

	Extra Extra `json:",embed"`
}

// DecodeIngestEvent decodes an event in the SDK/ingest form and returns it
// in the API form. Unknown members are kept in Extra.
func DecodeIngestEvent(data []byte) (*Event, error) {
	var in ingestEvent
	if err := Decode(data, &in); err != nil {
		return nil, err
	}
	ev := &Event{
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
		when, _ = ParseTimestamp(in.Datetime)
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
		if v := rawText(in.Release); v != "" && in.Release[0] == '"' {
			ev.Release = Raw(fmt.Sprintf(`{"version":%q}`, v))
		} else {
			ev.Release = in.Release
		}
	}

	// Entries, in the order Sentry's API lists them.
	exc, err := ingestExceptions(firstRaw(in.Exception, in.LegacyException))
	if err != nil {
		return nil, fmt.Errorf("exception: %w", err)
	}
	if exc != nil {
		ev.Entries = append(ev.Entries, Entry{Type: EntryException, Exception: exc})
	}
	msg := in.LogEntry
	if msg == nil {
		msg = in.LegacyMessage
	}
	if msg == nil && len(in.Message) > 0 && string(in.Message) != "null" {
		if in.Message[0] == '"' {
			if s := rawText(in.Message); s != "" {
				msg = &MessageData{Formatted: s}
			}
		} else {
			var m MessageData
			if err := Decode(in.Message, &m); err == nil {
				msg = &m
			}
		}
	}
	if msg != nil && msg.Formatted == "" {
		msg.Formatted = msg.Message
	}
	if msg != nil && msg.Formatted != "" {
		ev.Message = msg.Formatted
		ev.Entries = append(ev.Entries, Entry{Type: EntryMessage, Message: msg})
	}
	st := in.Stacktrace
	if st == nil {
		st = in.LegacyStacktrace
	}
	if st != nil {
		ev.Entries = append(ev.Entries, Entry{Type: EntryStacktrace, Stacktrace: st.api()})
	}
	if threads, err := ingestThreads(in.Threads); err != nil {
		return nil, fmt.Errorf("threads: %w", err)
	} else if threads != nil {
		ev.Entries = append(ev.Entries, Entry{Type: EntryThreads, Threads: threads})
	}
	if in.Spans != nil || in.Type == "transaction" {
		spans := in.Spans
		if spans == nil {
			spans = []Span{}
		}
		ev.Entries = append(ev.Entries, Entry{Type: EntrySpans, Spans: spans})
	}
	req := in.Request
	if req == nil {
		req = in.LegacyHTTP
	}
	if req != nil {
		ev.Entries = append(ev.Entries, Entry{Type: EntryRequest, Request: req})
	}
	if bc, err := ingestBreadcrumbs(firstRaw(in.Breadcrumbs, in.LegacyBreadcrumbs)); err != nil {
		return nil, fmt.Errorf("breadcrumbs: %w", err)
	} else if bc != nil {
		ev.Entries = append(ev.Entries, Entry{Type: EntryBreadcrumbs, Breadcrumbs: bc})
	}
	if ev.Entries == nil {
		ev.Entries = []Entry{}
	}

	ev.Tags = ingestTags(in.Tags)
	addTag := func(k, v string) {
		if v != "" && ev.Tag(k) == "" {
			ev.Tags = append(ev.Tags, Tag{Key: k, Value: FlexString(v)})
		}
	}
	addTag("environment", in.Environment)
	if ev.Release != nil {
		var r struct {
			Version string `json:"version"`
		}
		if Decode(ev.Release, &r) == nil {
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

func firstRaw(vs ...Raw) Raw {
	for _, v := range vs {
		if len(v) > 0 && string(v) != "null" {
			return v
		}
	}
	return nil
}

// normalizeEventID returns a UUID-form id as 32 hex.
func normalizeEventID(s string) string {
	if h, ok := normalizeHexID(s); ok {
		return h
	}
	return s
}

// ingestExceptions accepts {values:[…]}, a bare list, or a single value.
func ingestExceptions(raw Raw) (*ExceptionData, error) {
	if raw == nil {
		return nil, nil
	}
	var vals []ingestException
	var extra Extra
	switch raw[0] {
	case '[':
		if err := Decode(raw, &vals); err != nil {
			return nil, err
		}
	default:
		var w struct {
			Values []ingestException `json:"values"`
			Extra  Extra             `json:",embed"`
		}
		if err := Decode(raw, &w); err != nil {
			return nil, err
		}
		vals, extra = w.Values, w.Extra
		if vals == nil {
			var one ingestException
			if err := Decode(raw, &one); err == nil && (one.Type != "" || one.Value != "") {
				vals, extra = []ingestException{one}, nil
			}
		}
	}
	if len(vals) == 0 {
		return nil, nil
	}
	delete(extra, "exc_omitted")
	out := &ExceptionData{Values: make([]ExceptionValue, 0, len(vals)), Extra: extra}
	for _, v := range vals {
		ev := ExceptionValue{Type: v.Type, Value: v.Value, Module: v.Module, ThreadID: v.ThreadID, Mechanism: v.Mechanism,
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

func ingestThreads(raw Raw) (*ThreadsData, error) {
	raw = firstRaw(raw)
	if raw == nil {
		return nil, nil
	}
	var vals []ingestThread
	if raw[0] == '[' {
		if err := Decode(raw, &vals); err != nil {
			return nil, err
		}
	} else {
		var w struct {
			Values []ingestThread `json:"values"`
		}
		if err := Decode(raw, &w); err != nil {
			return nil, err
		}
		vals = w.Values
	}
	if len(vals) == 0 {
		return nil, nil
	}
	out := &ThreadsData{}
	for _, t := range vals {
		out.Values = append(out.Values, Thread{ID: t.ID, Name: t.Name, Current: t.Current, Crashed: t.Crashed, State: t.State,
			Stacktrace: t.Stacktrace.api(), Extra: withoutKnown(t.Extra, Thread{})})
	}
	return out, nil
}

func ingestBreadcrumbs(raw Raw) (*BreadcrumbsData, error) {
	if raw == nil {
		return nil, nil
	}
	var vals []Breadcrumb
	if raw[0] == '[' {
		if err := Decode(raw, &vals); err != nil {
			return nil, err
		}
	} else {
		var w BreadcrumbsData
		if err := Decode(raw, &w); err != nil {
			return nil, err
		}
		vals = w.Values
	}
	if len(vals) == 0 {
		return nil, nil
	}
	return &BreadcrumbsData{Values: vals}, nil
}

// ingestTags accepts a map, [[key, value]] pairs or [{key, value}].
func ingestTags(raw Raw) []Tag {
	raw = firstRaw(raw)
	if raw == nil {
		return nil
	}
	var objs []Tag
	if err := Decode(raw, &objs); err == nil {
		return objs
	}
	var pairs Pairs
	if err := Decode(raw, &pairs); err != nil {
		return nil
	}
	out := make([]Tag, 0, len(pairs))
	for _, p := range pairs {
		out = append(out, Tag{Key: p[0], Value: FlexString(p[1])})
	}
	return out
}

var knownNames sync.Map // reflect.Type → map[string]bool

// withoutKnown drops the members of extra that the API type names itself
// (an ingest payload may carry both "lineno" and "lineNo"): re-encoding
// must not write a member twice.
func withoutKnown(extra Extra, v any) Extra {
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
	var out Extra
	for k, val := range extra {
		if known[k] {
			continue
		}
		if out == nil {
			out = Extra{}
		}
		out[k] = val
	}
	return out
}
