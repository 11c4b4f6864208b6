package otlp

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Item is one event in the Sentry SDK (envelope item) form: Type is
// "transaction", "event" (an error) or "span" (a span whose local root
// was not in the same data: it is kept on its own, linked by its parent).
type Item struct {
	Type    string
	Payload []byte
}

// Service is what the data holds for one service: its project.
type Service struct {
	Name     string // service.name as sent
	Slug     string // Slugify(Name)
	Platform string // the Sentry platform of telemetry.sdk.language
	Items    []Item
}

// Result is a conversion: the services in the order they first appear,
// and how many spans were rejected (no valid trace or span id) with why.
type Result struct {
	Services []*Service
	Rejected int
	Problem  string
	spans    int
}

// Spans counts the spans the result keeps (transactions count their root).
func (r *Result) Spans() int { return r.spans }

// span is one span while the conversion runs.
type span struct {
	s        ptrace.Span
	svc      *Service
	res      pcommon.Map
	lang     string
	scope    string
	traceID  string
	spanID   string
	parentID string
	parent   *span // the parent span, when the data has it
	root     *span // the local root (transaction) it belongs to; itself for a root
	children []*span
	errored  bool // produced an error event, or a descendant in its transaction did
}

// Flags of OTLP spans (trace.proto SpanFlags): whether the parent is known
// to be remote, and whether it is.
const (
	flagHasIsRemote = 0x100
	flagIsRemote    = 0x200
)

// Convert maps the traces to Sentry events, per service (see the package
// documentation for the mapping).
func Convert(td ptrace.Traces) Result {
	var res Result
	services := map[string]*Service{}
	var spans []*span
	byID := map[string]*span{} // trace id + span id
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		attrs := rs.Resource().Attributes()
		name := firstNonEmpty(str(attrs, "service.name"), "unknown_service")
		lang := str(attrs, "telemetry.sdk.language")
		slug := Slugify(name)
		svc := services[slug]
		if svc == nil {
			svc = &Service{Name: name, Slug: slug, Platform: platform(lang)}
			services[slug] = svc
			res.Services = append(res.Services, svc)
		}
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			list := ss.Spans()
			for k := 0; k < list.Len(); k++ {
				s := list.At(k)
				if s.TraceID().IsEmpty() || s.SpanID().IsEmpty() {
					res.Rejected++
					res.Problem = "spans need a trace_id and a span_id"
					continue
				}
				sp := &span{
					s: s, svc: svc, res: attrs, lang: lang, scope: ss.Scope().Name(),
					traceID: s.TraceID().String(), spanID: s.SpanID().String(),
				}
				if !s.ParentSpanID().IsEmpty() {
					sp.parentID = s.ParentSpanID().String()
				}
				spans = append(spans, sp)
				byID[sp.traceID+sp.spanID] = sp
			}
		}
	}
	res.spans = len(spans)
	for _, sp := range spans {
		if sp.parentID != "" {
			sp.parent = byID[sp.traceID+sp.parentID]
		}
	}
	for _, sp := range spans {
		if isLocalRoot(sp) {
			sp.root = sp
		}
	}
	for _, sp := range spans {
		sp.root = rootOf(sp)
		if sp.root != nil && sp.root != sp && sp.parent != nil {
			sp.parent.children = append(sp.parent.children, sp)
		}
	}
	for _, sp := range spans {
		switch {
		case sp.root == sp:
			sp.svc.Items = append(sp.svc.Items, transaction(sp))
		case sp.root == nil:
			sp.svc.Items = append(sp.svc.Items, standalone(sp))
		}
	}
	// Errors: deepest spans first, so that a failed span whose failure was
	// already reported below it (an exception in a child) adds nothing.
	ordered := slices.Clone(spans)
	slices.SortStableFunc(ordered, func(a, b *span) int { return cmp.Compare(depth(b), depth(a)) })
	for _, sp := range ordered {
		for _, it := range errorsOf(sp) {
			sp.svc.Items = append(sp.svc.Items, it)
			sp.markErrored()
		}
	}
	return res
}

// isLocalRoot: the span starts its service's part of the trace. The
// parent-is-remote flag decides when the SDK set it; else a parent the
// data has decides by its service; else (no parent, or a parent sent in
// another batch) a server or consumer span is taken to be an entry point.
func isLocalRoot(sp *span) bool {
	if sp.parentID == "" {
		return true
	}
	if f := sp.s.Flags(); f&flagHasIsRemote != 0 {
		return f&flagIsRemote != 0
	}
	if sp.parent != nil {
		return sp.parent.svc != sp.svc
	}
	k := sp.s.Kind()
	return k == ptrace.SpanKindServer || k == ptrace.SpanKindConsumer
}

// rootOf follows parents within the service up to a local root (nil when
// the chain leaves the data first).
func rootOf(sp *span) *span {
	seen := map[*span]bool{}
	for p := sp; p != nil && !seen[p]; p = p.parent {
		if p.root == p {
			return p
		}
		if p.parent != nil && p.parent.svc != p.svc {
			return nil
		}
		seen[p] = true
	}
	return nil
}

func depth(sp *span) int {
	d := 0
	for p := sp; p.parent != nil && d < 1000; p = p.parent {
		d++
	}
	return d
}

// markErrored marks the span and its ancestors in the same transaction.
func (sp *span) markErrored() {
	for p := sp; p != nil && !p.errored; p = p.parent {
		p.errored = true
		if p == p.root || p.root == nil {
			break
		}
	}
}

func seconds(t pcommon.Timestamp) float64 { return float64(t) / 1e9 }

// eventID is a stable id: the same span sent twice is stored once.
func eventID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:16])
}

// common is what every event of a service carries: SDK, release,
// environment, host.
func common(sp *span, ev map[string]any) {
	ev["platform"] = sp.svc.Platform
	sdk := map[string]any{"name": "opentelemetry." + firstNonEmpty(strings.ToLower(sp.lang), "unknown")}
	if v := str(sp.res, "telemetry.sdk.version"); v != "" {
		sdk["version"] = v
	}
	ev["sdk"] = sdk
	if v := str(sp.res, "service.version"); v != "" {
		ev["release"] = sp.svc.Slug + "@" + v
	}
	if v := str(sp.res, "deployment.environment.name", "deployment.environment"); v != "" {
		ev["environment"] = v
	}
	if v := str(sp.res, "host.name"); v != "" {
		ev["server_name"] = v
	}
	tags := map[string]string{"service.name": sp.svc.Name}
	if v := str(sp.res, "service.namespace"); v != "" {
		tags["service.namespace"] = v
	}
	ev["tags"] = tags
}

func encode(typ string, ev map[string]any) Item {
	b, err := json.Marshal(ev)
	if err != nil { // only maps, strings and numbers: cannot happen
		panic(fmt.Sprintf("otlp: encoding an event: %v", err))
	}
	return Item{Type: typ, Payload: b}
}

// spanData is a span's attributes (and kind and scope) as Sentry span
// data.
func spanData(sp *span) map[string]any {
	data := sp.s.Attributes().AsRaw()
	if k := sp.s.Kind(); k != ptrace.SpanKindUnspecified && k != ptrace.SpanKindInternal {
		data["otel.kind"] = k.String()
	}
	if sp.scope != "" {
		data["otel.scope.name"] = sp.scope
	}
	if msg := sp.s.Status().Message(); msg != "" {
		data["otel.status_description"] = msg
	}
	return data
}

func traceContext(sp *span) map[string]any {
	op, desc := opAndDescription(sp.s)
	tc := map[string]any{
		"trace_id": sp.traceID, "span_id": sp.spanID, "op": op, "status": status(sp.s),
		"description": desc, "origin": "auto.otlp",
	}
	if sp.parentID != "" {
		tc["parent_span_id"] = sp.parentID
	}
	return tc
}

// transaction is the transaction a local root starts: the root's timing
// and context, its service's spans below it.
func transaction(root *span) Item {
	op, desc := opAndDescription(root.s)
	tc := traceContext(root)
	tc["data"] = spanData(root)
	ev := map[string]any{
		"event_id": eventID("transaction", root.traceID, root.spanID), "type": "transaction",
		"transaction": transactionName(root.s, op, desc), "transaction_info": map[string]string{"source": "otlp"},
		"start_timestamp": seconds(root.s.StartTimestamp()), "timestamp": seconds(root.s.EndTimestamp()),
		"contexts": map[string]any{"trace": tc, "otel": map[string]any{"resource": root.res.AsRaw()}},
	}
	common(root, ev)
	if req := request(root.s); req != nil {
		ev["request"] = req
	}
	var list []map[string]any
	var walk func(*span)
	walk = func(p *span) {
		for _, c := range p.children {
			list = append(list, spanJSON(c))
			walk(c)
		}
	}
	walk(root)
	slices.SortStableFunc(list, func(a, b map[string]any) int {
		return cmp.Compare(a["start_timestamp"].(float64), b["start_timestamp"].(float64))
	})
	if list == nil {
		list = []map[string]any{}
	}
	ev["spans"] = list
	return encode("transaction", ev)
}

func spanJSON(sp *span) map[string]any {
	op, desc := opAndDescription(sp.s)
	out := map[string]any{
		"span_id": sp.spanID, "trace_id": sp.traceID, "op": op, "description": desc, "status": status(sp.s),
		"start_timestamp": seconds(sp.s.StartTimestamp()), "timestamp": seconds(sp.s.EndTimestamp()),
		"data": spanData(sp), "origin": "auto.otlp",
	}
	if sp.parentID != "" {
		out["parent_span_id"] = sp.parentID
	}
	return out
}

// standalone is a span whose transaction is not in the data, in the span
// item form: the trace still links it by its parent.
func standalone(sp *span) Item {
	out := spanJSON(sp)
	out["name"] = sp.s.Name()
	out["sdk_name"] = "opentelemetry." + firstNonEmpty(strings.ToLower(sp.lang), "unknown")
	return encode("span", out)
}

// request is the request interface of an HTTP server span (method and URL
// without query; headers are not taken).
func request(sp ptrace.Span) map[string]any {
	a := sp.Attributes()
	method := str(a, "http.request.method", "http.method")
	if method == "" || sp.Kind() != ptrace.SpanKindServer {
		return nil
	}
	u := pathOnly(str(a, "url.path", "http.target"))
	if host := str(a, "server.address", "http.host", "net.host.name"); host != "" && u != "" {
		if port := str(a, "server.port", "net.host.port"); port != "" && !strings.Contains(host, ":") {
			host += ":" + port
		}
		u = firstNonEmpty(str(a, "url.scheme", "http.scheme"), "http") + "://" + host + u
	}
	return map[string]any{"method": method, "url": u}
}

// errorsOf is the error events of one span: one per exception event, or
// one for the span's ERROR status when nothing below it in its
// transaction reported the failure already.
func errorsOf(sp *span) []Item {
	var out []Item
	evs := sp.s.Events()
	for i := 0; i < evs.Len(); i++ {
		e := evs.At(i)
		if e.Name() != "exception" {
			continue
		}
		a := e.Attributes()
		typ, msg := str(a, "exception.type"), str(a, "exception.message")
		if typ == "" && msg == "" {
			continue
		}
		exc := map[string]any{"type": firstNonEmpty(typ, "Error"), "value": msg}
		handled := true
		if v, ok := a.Get("exception.escaped"); ok && v.Type() == pcommon.ValueTypeBool && v.Bool() {
			handled = false
		}
		exc["mechanism"] = map[string]any{"type": "otlp", "handled": handled}
		if frames := ParseStack(str(a, "exception.stacktrace"), sp.lang); len(frames) > 0 {
			exc["stacktrace"] = map[string]any{"frames": frames}
		}
		ev := errorEvent(sp, eventID("exception", sp.traceID, sp.spanID, fmt.Sprint(i)), e.Timestamp())
		ev["exception"] = map[string]any{"values": []any{exc}}
		out = append(out, encode("event", ev))
	}
	if len(out) > 0 || sp.errored || sp.s.Status().Code() != ptrace.StatusCodeError {
		return out
	}
	_, desc := opAndDescription(sp.s)
	msg := firstNonEmpty(sp.s.Status().Message(), "failed")
	if code := num(sp.s.Attributes(), "http.response.status_code", "http.status_code"); code > 0 && sp.s.Status().Message() == "" {
		msg = fmt.Sprintf("HTTP %d", code)
	}
	ev := errorEvent(sp, eventID("status", sp.traceID, sp.spanID), sp.s.EndTimestamp())
	ev["message"] = firstNonEmpty(desc, sp.s.Name()) + ": " + msg
	return append(out, encode("event", ev))
}

func errorEvent(sp *span, id string, at pcommon.Timestamp) map[string]any {
	if at == 0 {
		at = sp.s.EndTimestamp()
	}
	ev := map[string]any{
		"event_id": id, "level": "error", "timestamp": seconds(at),
		"contexts": map[string]any{"trace": traceContext(sp)},
	}
	common(sp, ev)
	if root := sp.root; root != nil {
		op, desc := opAndDescription(root.s)
		ev["transaction"] = transactionName(root.s, op, desc)
		if req := request(root.s); req != nil {
			ev["request"] = req
		}
	}
	return ev
}
