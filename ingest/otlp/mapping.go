package otlp

import (
	"net/url"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// str is the first of the named attributes that is present, as a string.
func str(attrs pcommon.Map, keys ...string) string {
	for _, k := range keys {
		if v, ok := attrs.Get(k); ok {
			if s := v.AsString(); s != "" {
				return s
			}
		}
	}
	return ""
}

func num(attrs pcommon.Map, keys ...string) int64 {
	for _, k := range keys {
		if v, ok := attrs.Get(k); ok {
			switch v.Type() {
			case pcommon.ValueTypeInt:
				return v.Int()
			case pcommon.ValueTypeDouble:
				return int64(v.Double())
			case pcommon.ValueTypeStr:
				if n, err := strconv.ParseInt(v.Str(), 10, 64); err == nil {
					return n
				}
			}
		}
	}
	return 0
}

// opAndDescription names a span the way Sentry's SDKs would: an op from
// the semantic conventions (http.server, http.client, db, db.redis,
// queue.publish, queue.process, grpc.client…) and a description (the
// request, the query, the span name).
func opAndDescription(sp ptrace.Span) (op, desc string) {
	a := sp.Attributes()
	name := sp.Name()
	if op := str(a, "sentry.op"); op != "" {
		return op, firstNonEmpty(str(a, "sentry.description"), name)
	}
	kind := sp.Kind()
	if method := str(a, "http.request.method", "http.method"); method != "" {
		switch kind {
		case ptrace.SpanKindServer:
			if route := str(a, "http.route"); route != "" {
				return "http.server", method + " " + route
			}
			if strings.HasPrefix(name, method+" /") { // otelhttp names the span by the mux pattern
				return "http.server", name
			}
			return "http.server", method + " " + firstNonEmpty(pathOnly(str(a, "url.path", "http.target")), name)
		case ptrace.SpanKindClient:
			return "http.client", method + " " + firstNonEmpty(clientURL(a), name)
		}
		return "http", firstNonEmpty(name, method)
	}
	if sys := str(a, "db.system.name", "db.system"); sys != "" {
		op := "db"
		switch strings.ToLower(sys) {
		case "redis", "valkey":
			op = "db.redis"
		case "mongodb":
			op = "db.mongodb"
		}
		return op, firstNonEmpty(str(a, "db.query.text", "db.statement"), name)
	}
	if sys := str(a, "messaging.system"); sys != "" {
		switch strings.ToLower(str(a, "messaging.operation.type", "messaging.operation")) {
		case "publish", "send", "create":
			return "queue.publish", name
		case "receive":
			return "queue.receive", name
		case "process", "deliver", "settle":
			return "queue.process", name
		}
		if kind == ptrace.SpanKindProducer {
			return "queue.publish", name
		}
		return "queue.process", name
	}
	if sys := str(a, "rpc.system"); sys != "" {
		desc := name
		if svc, m := str(a, "rpc.service"), str(a, "rpc.method"); svc != "" && m != "" {
			desc = svc + "/" + m
		}
		prefix := "rpc"
		if strings.EqualFold(sys, "grpc") {
			prefix = "grpc"
		}
		switch kind {
		case ptrace.SpanKindServer:
			return prefix + ".server", desc
		case ptrace.SpanKindClient:
			return prefix + ".client", desc
		}
		return prefix, desc
	}
	switch kind {
	case ptrace.SpanKindServer:
		return "server", name
	case ptrace.SpanKindClient:
		return "client", name
	case ptrace.SpanKindProducer:
		return "queue.publish", name
	case ptrace.SpanKindConsumer:
		return "queue.process", name
	}
	return "function", name
}

// transactionName is what a Sentry SDK would name the transaction a local
// root span starts: "GET /orders/{id}" for an HTTP server, else the span's
// name.
func transactionName(sp ptrace.Span, op, desc string) string {
	if op == "http.server" {
		return desc
	}
	return firstNonEmpty(sp.Name(), desc, "(unnamed)")
}

// clientURL is an HTTP client span's URL without its query and fragment
// (they can carry tokens; the attributes keep them as sent).
func clientURL(a pcommon.Map) string {
	if full := str(a, "url.full", "http.url"); full != "" {
		if u, err := url.Parse(full); err == nil && u.Host != "" {
			u.RawQuery, u.Fragment, u.User = "", "", nil
			return u.String()
		}
		return pathOnly(full)
	}
	host := str(a, "server.address", "net.peer.name", "http.host")
	if host == "" {
		return ""
	}
	if port := str(a, "server.port", "net.peer.port"); port != "" {
		host += ":" + port
	}
	return firstNonEmpty(str(a, "url.scheme", "http.scheme"), "http") + "://" + host + pathOnly(str(a, "url.path", "http.target"))
}

func pathOnly(p string) string {
	p, _, _ = strings.Cut(p, "?")
	p, _, _ = strings.Cut(p, "#")
	return p
}

// status is the Sentry span status: from the HTTP or gRPC status code when
// there is one (a 404 is not_found even where OpenTelemetry leaves the
// span's status unset), else internal_error for ERROR and ok otherwise.
func status(sp ptrace.Span) string {
	a := sp.Attributes()
	if code := num(a, "http.response.status_code", "http.status_code"); code >= 400 {
		return httpStatus(code)
	}
	if _, ok := a.Get("rpc.grpc.status_code"); ok && sp.Status().Code() == ptrace.StatusCodeError {
		if s := grpcStatus(num(a, "rpc.grpc.status_code")); s != "" {
			return s
		}
	}
	if sp.Status().Code() == ptrace.StatusCodeError {
		return "internal_error"
	}
	return "ok"
}

func httpStatus(code int64) string {
	switch code {
	case 400:
		return "invalid_argument"
	case 401:
		return "unauthenticated"
	case 403:
		return "permission_denied"
	case 404:
		return "not_found"
	case 409:
		return "already_exists"
	case 412:
		return "failed_precondition"
	case 429:
		return "resource_exhausted"
	case 499:
		return "cancelled"
	case 501:
		return "unimplemented"
	case 503:
		return "unavailable"
	case 504:
		return "deadline_exceeded"
	}
	if code >= 500 {
		return "internal_error"
	}
	return "invalid_argument"
}

func grpcStatus(code int64) string {
	names := []string{"ok", "cancelled", "unknown_error", "invalid_argument", "deadline_exceeded", "not_found",
		"already_exists", "permission_denied", "resource_exhausted", "failed_precondition", "aborted",
		"out_of_range", "unimplemented", "internal_error", "unavailable", "data_loss", "unauthenticated"}
	if code >= 0 && int(code) < len(names) {
		return names[code]
	}
	return ""
}

// platform is the Sentry platform of an SDK language
// (telemetry.sdk.language).
func platform(lang string) string {
	switch strings.ToLower(lang) {
	case "go":
		return "go"
	case "python":
		return "python"
	case "java", "kotlin", "scala":
		return "java"
	case "nodejs", "node":
		return "node"
	case "js", "webjs", "javascript":
		return "javascript"
	case "dotnet", "csharp":
		return "csharp"
	case "ruby", "php", "rust", "swift", "elixir", "erlang":
		return strings.ToLower(lang)
	case "cpp", "c":
		return "native"
	}
	return "other"
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
