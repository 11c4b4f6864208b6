package wire

// The response types below follow the Sentry REST API (see
// ../shared/reference/sentry-api.md §8). Every object type embeds an Extra
// map so that members tracehound does not name survive a decode/encode round
// trip; JSON names are Sentry's own, so re-encoded output works with scripts
// written against the API.

// Organization is /organizations/{org}/.
type Organization struct {
	ID       FlexString `json:"id"`
	Slug     string     `json:"slug"`
	Name     string     `json:"name"`
	Links    OrgLinks   `json:"links,omitzero"`
	Features []string   `json:"features,omitempty"`
	Extra    Extra      `json:",embed"`
}

// OrgLinks carries the region URL used for every later org-scoped call.
type OrgLinks struct {
	RegionURL       string `json:"regionUrl"`
	OrganizationURL string `json:"organizationUrl"`
	Extra           Extra  `json:",embed"`
}

// Project is an element of /organizations/{org}/projects/.
type Project struct {
	ID          FlexString `json:"id"`
	Slug        string     `json:"slug"`
	Name        string     `json:"name"`
	Platform    string     `json:"platform,omitempty"`
	Platforms   []string   `json:"platforms,omitempty"`
	HasProfiles bool       `json:"hasProfiles,omitzero"`
	Extra       Extra      `json:",embed"`
}

// IssueProject is the small project object embedded in an issue.
type IssueProject struct {
	ID       FlexString `json:"id"`
	Name     string     `json:"name,omitempty"`
	Slug     string     `json:"slug"`
	Platform string     `json:"platform,omitempty"`
	Extra    Extra      `json:",embed"`
}

// IssueMetadata is an issue's (or event's) metadata block.
type IssueMetadata struct {
	Type     string `json:"type,omitempty"`
	Value    string `json:"value,omitempty"`
	Filename string `json:"filename,omitempty"`
	Function string `json:"function,omitempty"`
	Title    string `json:"title,omitempty"`
	Extra    Extra  `json:",embed"`
}

// Issue is a Sentry issue (a group), /organizations/{org}/issues/{id}/.
type Issue struct {
	ID            FlexString    `json:"id"`
	ShortID       string        `json:"shortId"`
	Title         string        `json:"title"`
	Culprit       string        `json:"culprit,omitempty"`
	Permalink     string        `json:"permalink,omitempty"`
	Level         string        `json:"level,omitempty"`
	Status        string        `json:"status,omitempty"`
	Substatus     string        `json:"substatus,omitempty"`
	Priority      string        `json:"priority,omitempty"`
	Platform      string        `json:"platform,omitempty"`
	Type          string        `json:"type,omitempty"`
	IssueType     string        `json:"issueType,omitempty"`
	IssueCategory string        `json:"issueCategory,omitempty"`
	Count         FlexString    `json:"count,omitempty"`
	UserCount     FlexInt       `json:"userCount,omitzero"`
	FirstSeen     string        `json:"firstSeen,omitempty"`
	LastSeen      string        `json:"lastSeen,omitempty"`
	IsUnhandled   bool          `json:"isUnhandled,omitzero"`
	Project       IssueProject  `json:"project"`
	Metadata      IssueMetadata `json:"metadata,omitzero"`
	Extra         Extra         `json:",embed"`
}

// ShortIDLookup is /organizations/{org}/shortids/{short_id}/.
type ShortIDLookup struct {
	OrganizationSlug string     `json:"organizationSlug"`
	ProjectSlug      string     `json:"projectSlug"`
	GroupID          FlexString `json:"groupId"`
	ShortID          string     `json:"shortId"`
	Group            *Issue     `json:"group,omitempty"`
	Extra            Extra      `json:",embed"`
}

// EventIDLookup is /organizations/{org}/eventids/{event_id}/.
type EventIDLookup struct {
	OrganizationSlug string     `json:"organizationSlug"`
	ProjectSlug      string     `json:"projectSlug"`
	GroupID          FlexString `json:"groupId"`
	EventID          string     `json:"eventId"`
	Event            *Event     `json:"event,omitempty"`
	Extra            Extra      `json:",embed"`
}

// Tag is one {key, value} tag of an event.
type Tag struct {
	Key   string     `json:"key"`
	Value FlexString `json:"value"`
	Extra Extra      `json:",embed"`
}

// User is the user interface of an event. It is PII: tracehound shows it to
// the person at the terminal but never sends it to a model.
type User struct {
	ID        FlexString `json:"id,omitempty"`
	Email     string     `json:"email,omitempty"`
	Username  string     `json:"username,omitempty"`
	IPAddress string     `json:"ip_address,omitempty"`
	Name      string     `json:"name,omitempty"`
	Extra     Extra      `json:",embed"`
}

// SDK names the SDK that sent an event.
type SDK struct {
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
	Extra   Extra  `json:",embed"`
}

// TraceContext is contexts.trace: how an event links into its trace.
type TraceContext struct {
	TraceID       string    `json:"trace_id,omitempty"`
	SpanID        string    `json:"span_id,omitempty"`
	ParentSpanID  string    `json:"parent_span_id,omitempty"`
	Op            string    `json:"op,omitempty"`
	Status        string    `json:"status,omitempty"`
	Description   string    `json:"description,omitempty"`
	ExclusiveTime FlexFloat `json:"exclusive_time,omitzero"`
	Data          Extra     `json:"data,omitempty"`
	Type          string    `json:"type,omitempty"`
	Extra         Extra     `json:",embed"`
}

// ProfileContext is contexts.profile: a transaction profile id or a
// continuous profiler id.
type ProfileContext struct {
	ProfileID  string `json:"profile_id,omitempty"`
	ProfilerID string `json:"profiler_id,omitempty"`
	Type       string `json:"type,omitempty"`
	Extra      Extra  `json:",embed"`
}

// Contexts is an event's contexts, with the two tracehound follows typed.
type Contexts struct {
	Trace   *TraceContext   `json:"trace,omitempty"`
	Profile *ProfileContext `json:"profile,omitempty"`
	Extra   Extra           `json:",embed"`
}

// Event is a full event in the API serialization (camelCase interfaces),
// from /organizations/{org}/issues/{id}/events/{x}/ and
// /projects/{org}/{project}/events/{id}/. Errors and transactions share it.
type Event struct {
	ID             string        `json:"id"`
	EventID        string        `json:"eventID"`
	GroupID        FlexString    `json:"groupID,omitempty"`
	ProjectID      FlexString    `json:"projectID,omitempty"`
	ProjectSlug    string        `json:"projectSlug,omitempty"`
	Type           string        `json:"type,omitempty"`
	Title          string        `json:"title,omitempty"`
	Message        string        `json:"message,omitempty"`
	Culprit        string        `json:"culprit,omitempty"`
	Location       string        `json:"location,omitempty"`
	Platform       string        `json:"platform,omitempty"`
	DateCreated    string        `json:"dateCreated,omitempty"`
	DateReceived   string        `json:"dateReceived,omitempty"`
	Entries        []Entry       `json:"entries"`
	Contexts       Contexts      `json:"contexts,omitzero"`
	Tags           []Tag         `json:"tags,omitempty"`
	User           *User         `json:"user,omitempty"`
	SDK            *SDK          `json:"sdk,omitempty"`
	Release        Raw           `json:"release,omitempty"`
	Metadata       IssueMetadata `json:"metadata,omitzero"`
	Occurrence     Raw           `json:"occurrence,omitempty"`
	StartTimestamp Timestamp     `json:"startTimestamp,omitzero"`
	EndTimestamp   Timestamp     `json:"endTimestamp,omitzero"`
	Measurements   Raw           `json:"measurements,omitempty"`
	Extra          Extra         `json:",embed"`
}

// Tag returns the value of the named tag.
func (e *Event) Tag(key string) string {
	for _, t := range e.Tags {
		if t.Key == key {
			return string(t.Value)
		}
	}
	return ""
}

// TraceID is contexts.trace.trace_id, or "".
func (e *Event) TraceID() string {
	if e.Contexts.Trace == nil {
		return ""
	}
	return e.Contexts.Trace.TraceID
}

// Entry returns the first entry of the given type, or nil.
func (e *Event) Entry(typ string) *Entry {
	for i := range e.Entries {
		if e.Entries[i].Type == typ {
			return &e.Entries[i]
		}
	}
	return nil
}

// Exception is the exception entry's data, or nil.
func (e *Event) Exception() *ExceptionData {
	if en := e.Entry(EntryException); en != nil {
		return en.Exception
	}
	return nil
}

// Spans is the spans entry's data (transactions), or nil.
func (e *Event) Spans() []Span {
	if en := e.Entry(EntrySpans); en != nil {
		return en.Spans
	}
	return nil
}

// Breadcrumbs is the breadcrumbs entry's data, or nil.
func (e *Event) Breadcrumbs() *BreadcrumbsData {
	if en := e.Entry(EntryBreadcrumbs); en != nil {
		return en.Breadcrumbs
	}
	return nil
}

// Request is the request entry's data, or nil.
func (e *Event) Request() *RequestData {
	if en := e.Entry(EntryRequest); en != nil {
		return en.Request
	}
	return nil
}

// Entry types tracehound decodes; any other type is kept as raw JSON.
const (
	EntryException   = "exception"
	EntryMessage     = "message"
	EntryRequest     = "request"
	EntryBreadcrumbs = "breadcrumbs"
	EntryThreads     = "threads"
	EntryStacktrace  = "stacktrace"
	EntrySpans       = "spans"
)

// ExceptionData is the exception entry. Values run oldest → newest: the last
// one is the exception that reached the handler.
type ExceptionData struct {
	Values          []ExceptionValue `json:"values"`
	HasSystemFrames bool             `json:"hasSystemFrames,omitzero"`
	ExcOmitted      Raw              `json:"excOmitted,omitempty"`
	Extra           Extra            `json:",embed"`
}

// ExceptionValue is one exception of a chain.
type ExceptionValue struct {
	Type          string      `json:"type"`
	Value         string      `json:"value"`
	Module        string      `json:"module,omitempty"`
	ThreadID      FlexString  `json:"threadId,omitempty"`
	Mechanism     *Mechanism  `json:"mechanism,omitempty"`
	Stacktrace    *Stacktrace `json:"stacktrace,omitempty"`
	RawStacktrace *Stacktrace `json:"rawStacktrace,omitempty"`
	Extra         Extra       `json:",embed"`
}

// Mechanism says how an exception was captured.
type Mechanism struct {
	Type      string `json:"type,omitempty"`
	Handled   *bool  `json:"handled,omitempty"`
	Synthetic bool   `json:"synthetic,omitzero"`
	Extra     Extra  `json:",embed"`
}

// Stacktrace lists frames caller → callee: the last frame is the crash site.
type Stacktrace struct {
	Frames          []Frame `json:"frames"`
	FramesOmitted   Raw     `json:"framesOmitted,omitempty"`
	HasSystemFrames bool    `json:"hasSystemFrames,omitzero"`
	Extra           Extra   `json:",embed"`
}

// Frame is a stack frame in the API serialization (camelCase, context as
// [lineno, line] pairs).
type Frame struct {
	Filename        string        `json:"filename,omitempty"`
	AbsPath         string        `json:"absPath,omitempty"`
	Module          string        `json:"module,omitempty"`
	Package         string        `json:"package,omitempty"`
	Platform        string        `json:"platform,omitempty"`
	Function        string        `json:"function,omitempty"`
	RawFunction     string        `json:"rawFunction,omitempty"`
	Symbol          string        `json:"symbol,omitempty"`
	InstructionAddr string        `json:"instructionAddr,omitempty"`
	LineNo          FlexInt       `json:"lineNo,omitzero"`
	ColNo           FlexInt       `json:"colNo,omitzero"`
	InApp           *bool         `json:"inApp,omitempty"`
	Context         []ContextLine `json:"context,omitempty"`
	Vars            Raw           `json:"vars,omitempty"`
	Extra           Extra         `json:",embed"`
}

// IsInApp reports whether the frame is the application's own code.
func (f *Frame) IsInApp() bool { return f.InApp != nil && *f.InApp }

// FunctionName is the frame's function as a person reads it: the
// function, else the raw function or the symbol, else "<anonymous>"
// (as sent: not sanitised).
func (f *Frame) FunctionName() string {
	for _, fn := range []string{f.Function, f.RawFunction, f.Symbol} {
		if fn != "" {
			return fn
		}
	}
	return "<anonymous>"
}

// File is where the frame's code lives: its file name, else its absolute
// path ("" when it has neither).
func (f *Frame) File() string {
	if f.Filename != "" {
		return f.Filename
	}
	return f.AbsPath
}

// ContextLine is one [lineno, line] pair of a frame's source context.
type ContextLine struct {
	Line FlexInt
	Text string
}

// BreadcrumbsData is the breadcrumbs entry, oldest → newest.
type BreadcrumbsData struct {
	Values []Breadcrumb `json:"values"`
	Extra  Extra        `json:",embed"`
}

// Breadcrumb is one breadcrumb.
type Breadcrumb struct {
	Timestamp ISOTime `json:"timestamp,omitzero"`
	Type      string  `json:"type,omitempty"`
	Category  string  `json:"category,omitempty"`
	Level     string  `json:"level,omitempty"`
	Message   string  `json:"message,omitempty"`
	Data      Raw     `json:"data,omitempty"`
	EventID   string  `json:"event_id,omitempty"`
	Extra     Extra   `json:",embed"`
}

// RequestData is the request entry. Values Sentry scrubbed read "[Filtered]".
type RequestData struct {
	Method              string `json:"method,omitempty"`
	URL                 string `json:"url,omitempty"`
	Query               Pairs  `json:"query,omitempty"`
	Fragment            string `json:"fragment,omitempty"`
	Data                Raw    `json:"data,omitempty"`
	Headers             Pairs  `json:"headers,omitempty"`
	Cookies             Pairs  `json:"cookies,omitempty"`
	Env                 Raw    `json:"env,omitempty"`
	InferredContentType string `json:"inferredContentType,omitempty"`
	Extra               Extra  `json:",embed"`
}

// MessageData is the message entry.
type MessageData struct {
	Formatted string `json:"formatted"`
	Message   string `json:"message,omitempty"`
	Params    Raw    `json:"params,omitempty"`
	Extra     Extra  `json:",embed"`
}

// ThreadsData is the threads entry.
type ThreadsData struct {
	Values []Thread `json:"values"`
	Extra  Extra    `json:",embed"`
}

// Thread is one thread of a threads entry.
type Thread struct {
	ID            FlexString  `json:"id"`
	Name          string      `json:"name,omitempty"`
	Current       bool        `json:"current,omitzero"`
	Crashed       bool        `json:"crashed,omitzero"`
	State         string      `json:"state,omitempty"`
	Stacktrace    *Stacktrace `json:"stacktrace,omitempty"`
	RawStacktrace *Stacktrace `json:"rawStacktrace,omitempty"`
	Extra         Extra       `json:",embed"`
}

// Span is a raw span as stored in a transaction's spans entry (snake_case).
type Span struct {
	SpanID              string    `json:"span_id"`
	ParentSpanID        string    `json:"parent_span_id,omitempty"`
	TraceID             string    `json:"trace_id,omitempty"`
	Op                  string    `json:"op,omitempty"`
	Description         string    `json:"description,omitempty"`
	Status              string    `json:"status,omitempty"`
	StartTimestamp      Timestamp `json:"start_timestamp"`
	Timestamp           Timestamp `json:"timestamp"`
	ExclusiveTime       FlexFloat `json:"exclusive_time,omitzero"`
	SameProcessAsParent *bool     `json:"same_process_as_parent,omitempty"`
	Tags                Extra     `json:"tags,omitempty"`
	Data                Extra     `json:"data,omitempty"`
	Hash                string    `json:"hash,omitempty"`
	Origin              string    `json:"origin,omitempty"`
	Extra               Extra     `json:",embed"`
}

// TraceItem is one node of /organizations/{org}/trace/{id}/: a span
// (event_type "span"; its event_id is the span id), an error or an
// occurrence (event_type "error"/"occurrence"; event_id is the event id), or
// an uptime check. One struct holds all shapes so a mixed array decodes.
type TraceItem struct {
	EventID        string    `json:"event_id"`
	EventType      string    `json:"event_type,omitempty"`
	TransactionID  string    `json:"transaction_id,omitempty"`
	ParentSpanID   string    `json:"parent_span_id,omitempty"`
	SpanID         string    `json:"span_id,omitempty"`
	IsTransaction  bool      `json:"is_transaction,omitzero"`
	ProjectID      FlexInt   `json:"project_id,omitzero"`
	ProjectSlug    string    `json:"project_slug,omitempty"`
	Op             string    `json:"op,omitempty"`
	Name           string    `json:"name,omitempty"`
	Description    string    `json:"description,omitempty"`
	Transaction    string    `json:"transaction,omitempty"`
	SDKName        string    `json:"sdk_name,omitempty"`
	StartTimestamp Timestamp `json:"start_timestamp,omitzero"`
	EndTimestamp   Timestamp `json:"end_timestamp,omitzero"`
	Duration       FlexFloat `json:"duration,omitzero"`
	ProfileID      string    `json:"profile_id,omitempty"`
	ProfilerID     string    `json:"profiler_id,omitempty"`
	Status         string    `json:"status,omitempty"`

	// Issue items (errors and occurrences).
	IssueID   FlexInt `json:"issue_id,omitzero"`
	ShortID   string  `json:"short_id,omitempty"`
	Level     string  `json:"level,omitempty"`
	Culprit   string  `json:"culprit,omitempty"`
	IssueType FlexInt `json:"issue_type,omitzero"`

	Measurements         Extra       `json:"measurements,omitempty"`
	AdditionalAttributes Extra       `json:"additional_attributes,omitempty"`
	Children             []TraceItem `json:"children,omitempty"`
	Errors               []TraceItem `json:"errors,omitempty"`
	Occurrences          []TraceItem `json:"occurrences,omitempty"`
	Extra                Extra       `json:",embed"`
}

// Trace item event types.
const (
	TraceItemSpan       = "span"
	TraceItemError      = "error"
	TraceItemOccurrence = "occurrence"
	TraceItemUptime     = "uptime_check"
)

// Trace is the /trace/ array: a forest of span items plus top-level errors
// whose span was not found.
type Trace []TraceItem

// LegacyTrace is /organizations/{org}/events-trace/{id}/: transactions only.
type LegacyTrace struct {
	Transactions []LegacyTransaction `json:"transactions"`
	OrphanErrors []LegacyTraceError  `json:"orphan_errors"`
	Extra        Extra               `json:",embed"`
}

// LegacyTransaction is one transaction node of the legacy trace.
type LegacyTransaction struct {
	EventID           string                   `json:"event_id"`
	SpanID            string                   `json:"span_id"`
	ParentSpanID      string                   `json:"parent_span_id,omitempty"`
	ParentEventID     string                   `json:"parent_event_id,omitempty"`
	Transaction       string                   `json:"transaction"`
	Op                string                   `json:"transaction.op,omitempty"`
	DurationMS        FlexFloat                `json:"transaction.duration,omitzero"`
	Status            string                   `json:"transaction.status,omitempty"`
	ProjectID         FlexInt                  `json:"project_id,omitzero"`
	ProjectSlug       string                   `json:"project_slug,omitempty"`
	SDKName           string                   `json:"sdk_name,omitempty"`
	StartTimestamp    Timestamp                `json:"start_timestamp,omitzero"`
	Timestamp         Timestamp                `json:"timestamp,omitzero"`
	Generation        FlexInt                  `json:"generation,omitzero"`
	ProfileID         string                   `json:"profile_id,omitempty"`
	Errors            []LegacyTraceError       `json:"errors"`
	PerformanceIssues []LegacyPerformanceIssue `json:"performance_issues"`
	Children          []LegacyTransaction      `json:"children"`
	Extra             Extra                    `json:",embed"`
}

// LegacyTraceError is an error in the legacy trace.
type LegacyTraceError struct {
	EventID     string    `json:"event_id"`
	IssueID     FlexInt   `json:"issue_id,omitzero"`
	Issue       string    `json:"issue,omitempty"`
	Span        string    `json:"span,omitempty"`
	ProjectID   FlexInt   `json:"project_id,omitzero"`
	ProjectSlug string    `json:"project_slug,omitempty"`
	Title       string    `json:"title,omitempty"`
	Message     string    `json:"message,omitempty"`
	Level       string    `json:"level,omitempty"`
	Timestamp   Timestamp `json:"timestamp,omitzero"`
	EventType   string    `json:"event_type,omitempty"`
	Generation  FlexInt   `json:"generation,omitzero"`
	Extra       Extra     `json:",embed"`
}

// LegacyPerformanceIssue is a performance issue in the legacy trace.
type LegacyPerformanceIssue struct {
	EventID      string    `json:"event_id"`
	IssueID      FlexInt   `json:"issue_id,omitzero"`
	IssueShortID string    `json:"issue_short_id,omitempty"`
	Span         []string  `json:"span,omitempty"`
	SuspectSpans []string  `json:"suspect_spans,omitempty"`
	ProjectID    FlexInt   `json:"project_id,omitzero"`
	ProjectSlug  string    `json:"project_slug,omitempty"`
	Title        string    `json:"title,omitempty"`
	Level        string    `json:"level,omitempty"`
	Culprit      string    `json:"culprit,omitempty"`
	Type         FlexInt   `json:"type,omitzero"`
	Start        Timestamp `json:"start,omitzero"`
	End          Timestamp `json:"end,omitzero"`
	Extra        Extra     `json:",embed"`
}

// TraceMeta is /organizations/{org}/trace-meta/{id}/. Newer servers answer
// in camelCase, older ones in snake_case; both are kept as sent and the
// accessor methods read whichever is present.
type TraceMeta struct {
	ErrorsCount              *FlexFloat           `json:"errorsCount,omitempty"`
	PerformanceIssuesCount   *FlexFloat           `json:"performanceIssuesCount,omitempty"`
	SpansCount               *FlexFloat           `json:"spansCount,omitempty"`
	LogsCount                *FlexFloat           `json:"logsCount,omitempty"`
	TransactionChildCountMap []map[string]Raw     `json:"transactionChildCountMap,omitempty"`
	SpansCountMap            map[string]FlexFloat `json:"spansCountMap,omitempty"`

	ErrorsOld            *FlexFloat           `json:"errors,omitempty"`
	PerformanceIssuesOld *FlexFloat           `json:"performance_issues,omitempty"`
	SpanCountOld         *FlexFloat           `json:"span_count,omitempty"`
	LogsOld              *FlexFloat           `json:"logs,omitempty"`
	TxnChildCountMapOld  []map[string]Raw     `json:"transaction_child_count_map,omitempty"`
	SpanCountMapOld      map[string]FlexFloat `json:"span_count_map,omitempty"`

	Extra Extra `json:",embed"`
}

func firstCount(a, b *FlexFloat) int {
	if a != nil {
		return int(*a)
	}
	if b != nil {
		return int(*b)
	}
	return 0
}

// Errors is the number of errors in the trace.
func (m *TraceMeta) Errors() int { return firstCount(m.ErrorsCount, m.ErrorsOld) }

// PerformanceIssues is the number of performance issues in the trace.
func (m *TraceMeta) PerformanceIssues() int {
	return firstCount(m.PerformanceIssuesCount, m.PerformanceIssuesOld)
}

// Spans is the number of spans in the trace.
func (m *TraceMeta) Spans() int { return firstCount(m.SpansCount, m.SpanCountOld) }

// Transactions is the number of transactions the meta counts spans for.
func (m *TraceMeta) Transactions() int {
	if m.TransactionChildCountMap != nil {
		return len(m.TransactionChildCountMap)
	}
	return len(m.TxnChildCountMapOld)
}

// Profile is a transaction profile in the sampled v1 format,
// /projects/{org}/{project}/profiling/profiles/{id}/. It also decodes the
// ingest form (numbers as strings, a transactions array).
type Profile struct {
	EventID      string               `json:"event_id,omitempty"`
	ProfileID    string               `json:"profile_id,omitempty"`
	Version      FlexString           `json:"version,omitempty"`
	Platform     string               `json:"platform,omitempty"`
	Environment  string               `json:"environment,omitempty"`
	Release      Raw                  `json:"release,omitempty"`
	Timestamp    ISOTime              `json:"timestamp,omitzero"`
	ProjectID    FlexInt              `json:"project_id,omitzero"`
	Transaction  *ProfileTransaction  `json:"transaction,omitempty"`
	Transactions []ProfileTransaction `json:"transactions,omitempty"`
	Profile      ProfileData          `json:"profile"`
	Extra        Extra                `json:",embed"`
}

// ProfileTransaction links a profile to its transaction.
type ProfileTransaction struct {
	ID              string      `json:"id,omitempty"`
	Name            string      `json:"name,omitempty"`
	TraceID         string      `json:"trace_id,omitempty"`
	SegmentID       string      `json:"segment_id,omitempty"`
	ActiveThreadID  NumOrString `json:"active_thread_id,omitzero"`
	DurationNS      FlexInt     `json:"duration_ns,omitzero"`
	RelativeStartNS FlexInt     `json:"relative_start_ns,omitzero"`
	RelativeEndNS   FlexInt     `json:"relative_end_ns,omitzero"`
	Extra           Extra       `json:",embed"`
}

// MainTransaction is the transaction block (vroom's), or the first of the
// ingest transactions array, or nil.
func (p *Profile) MainTransaction() *ProfileTransaction {
	if p.Transaction != nil {
		return p.Transaction
	}
	if len(p.Transactions) > 0 {
		return &p.Transactions[0]
	}
	return nil
}

// ProfileData is the sampled profile body shared by v1 and v2. Stacks are
// leaf-first lists of frame positions.
type ProfileData struct {
	Frames         []ProfileFrame            `json:"frames"`
	Stacks         [][]int                   `json:"stacks"`
	Samples        []ProfileSample           `json:"samples"`
	ThreadMetadata map[string]ThreadMetadata `json:"thread_metadata,omitempty"`
	QueueMetadata  Raw                       `json:"queue_metadata,omitempty"`
	Extra          Extra                     `json:",embed"`
}

// ThreadMetadata names a profiled thread.
type ThreadMetadata struct {
	Name     string  `json:"name,omitempty"`
	Priority FlexInt `json:"priority,omitzero"`
	Extra    Extra   `json:",embed"`
}

// ProfileFrame is a profile frame (snake_case, unlike event frames).
type ProfileFrame struct {
	Function        string  `json:"function,omitempty"`
	Filename        string  `json:"filename,omitempty"`
	AbsPath         string  `json:"abs_path,omitempty"`
	Module          string  `json:"module,omitempty"`
	Package         string  `json:"package,omitempty"`
	LineNo          FlexInt `json:"lineno,omitzero"`
	ColNo           FlexInt `json:"colno,omitzero"`
	InApp           *bool   `json:"in_app,omitempty"`
	InstructionAddr string  `json:"instruction_addr,omitempty"`
	Symbol          string  `json:"symbol,omitempty"`
	Lang            string  `json:"lang,omitempty"`
	Platform        string  `json:"platform,omitempty"`
	Extra           Extra   `json:",embed"`
}

// ProfileSample is one sample. v1 uses elapsed_since_start_ns; v2 chunks
// use timestamp (epoch seconds, API) or timestamp_ms (ingest).
type ProfileSample struct {
	StackID             FlexInt     `json:"stack_id"`
	ThreadID            NumOrString `json:"thread_id"`
	ElapsedSinceStartNS FlexInt     `json:"elapsed_since_start_ns,omitzero"`
	Timestamp           Timestamp   `json:"timestamp,omitzero"`
	TimestampMS         FlexFloat   `json:"timestamp_ms,omitzero"`
	QueueAddress        string      `json:"queue_address,omitempty"`
	State               string      `json:"state,omitempty"`
	Extra               Extra       `json:",embed"`
}

// Time is the sample time in epoch seconds for v2 samples.
func (s *ProfileSample) Time() Timestamp {
	if s.Timestamp != 0 {
		return s.Timestamp
	}
	return Timestamp(float64(s.TimestampMS) / 1000)
}

// ProfileChunk is one continuous-profiling chunk (sample format v2).
type ProfileChunk struct {
	ChunkID     string      `json:"chunk_id,omitempty"`
	ProfilerID  string      `json:"profiler_id,omitempty"`
	ProjectID   FlexInt     `json:"project_id,omitzero"`
	Environment string      `json:"environment,omitempty"`
	Platform    string      `json:"platform,omitempty"`
	Release     Raw         `json:"release,omitempty"`
	Version     FlexString  `json:"version,omitempty"`
	Received    Timestamp   `json:"received,omitzero"`
	Profile     ProfileData `json:"profile"`
	Extra       Extra       `json:",embed"`
}

// ChunkResponse is /organizations/{org}/profiling/chunks/: one merged chunk
// (older servers and mocks answered {chunks:[…]}; both decode).
type ChunkResponse struct {
	Chunk         *ProfileChunk  `json:"chunk,omitempty"`
	Chunks        []ProfileChunk `json:"chunks,omitempty"`
	DebugChunkIDs []string       `json:"debug_chunk_ids,omitempty"`
	Extra         Extra          `json:",embed"`
}

// Merged returns the single chunk of the response (the first of an older
// chunks list), or nil.
func (r *ChunkResponse) Merged() *ProfileChunk {
	if r.Chunk != nil {
		return r.Chunk
	}
	if len(r.Chunks) > 0 {
		return &r.Chunks[0]
	}
	return nil
}

// Repository is an element of /organizations/{org}/repos/.
type Repository struct {
	ID            FlexString `json:"id"`
	Name          string     `json:"name"`
	URL           string     `json:"url,omitempty"`
	Provider      Raw        `json:"provider,omitempty"`
	Status        string     `json:"status,omitempty"`
	IntegrationID FlexString `json:"integrationId,omitempty"`
	ExternalSlug  FlexString `json:"externalSlug,omitempty"`
	Extra         Extra      `json:",embed"`
}

// CodeMapping maps a stack path prefix to a source path in a repository.
type CodeMapping struct {
	ID            FlexString `json:"id"`
	ProjectID     FlexString `json:"projectId"`
	ProjectSlug   string     `json:"projectSlug"`
	RepoID        FlexString `json:"repoId"`
	RepoName      string     `json:"repoName"`
	StackRoot     string     `json:"stackRoot"`
	SourceRoot    string     `json:"sourceRoot"`
	DefaultBranch string     `json:"defaultBranch,omitempty"`
	Extra         Extra      `json:",embed"`
}
