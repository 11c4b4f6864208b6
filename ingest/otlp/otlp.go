// Package otlp turns OpenTelemetry trace data (OTLP, decoded with the
// Collector's pdata module) into the events a Sentry SDK would have sent
// for the same work, so that an OpenTelemetry trace is just another trace
// to the rest of tracehound:
//
//   - a resource's service.name is the project (Slugify gives its slug);
//   - each service's local root span (its parent is in another process, or
//     absent) becomes a transaction, with the service's spans below it as
//     the transaction's spans; span attributes are kept as span data and
//     HTTP, database, messaging and RPC conventions give Sentry-like ops;
//   - span events named "exception" become error events on that span, with
//     frames parsed from exception.stacktrace (ParseStack); a span with
//     status ERROR and no exception under it becomes an error too.
//
// The package does no I/O: ingest stores its output, --data reads files
// through it.
package otlp

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// Encodings of an OTLP/HTTP body.
const (
	Protobuf = "application/x-protobuf"
	JSON     = "application/json"
)

// ErrMalformed wraps every decoding failure.
var ErrMalformed = errors.New("malformed OTLP trace data")

// MediaType is the encoding a Content-Type names (Protobuf or JSON), or
// "" for one OTLP/HTTP does not define.
func MediaType(contentType string) string {
	mt, _, _ := strings.Cut(contentType, ";")
	switch strings.ToLower(strings.TrimSpace(mt)) {
	case Protobuf, "application/protobuf":
		return Protobuf
	case JSON:
		return JSON
	}
	return ""
}

// DecodeRequest decodes an ExportTraceServiceRequest body of the given
// encoding (Protobuf or JSON).
func DecodeRequest(body []byte, encoding string) (ptrace.Traces, error) {
	req := ptraceotlp.NewExportRequest()
	var err error
	switch encoding {
	case Protobuf:
		err = req.UnmarshalProto(body)
	case JSON:
		err = req.UnmarshalJSON(body)
	default:
		return ptrace.Traces{}, fmt.Errorf("%w: unsupported encoding %q", ErrMalformed, encoding)
	}
	if err != nil {
		return ptrace.Traces{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return req.Traces(), nil
}

// DecodeFile decodes an OTLP JSON file as the Collector's file exporter
// writes it: one TracesData object per line (a single object spread over
// several lines also reads). Blank lines are skipped.
func DecodeFile(data []byte) (ptrace.Traces, error) {
	out := ptrace.NewTraces()
	var u ptrace.JSONUnmarshaler
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		td, err := u.UnmarshalTraces(line)
		if err != nil {
			if out.ResourceSpans().Len() == 0 {
				// Not one object a line: one object over several lines.
				if td, err2 := u.UnmarshalTraces(data); err2 == nil {
					return td, nil
				}
			}
			return ptrace.Traces{}, fmt.Errorf("%w: line %d: %v", ErrMalformed, i+1, err)
		}
		td.ResourceSpans().MoveAndAppendTo(out.ResourceSpans())
	}
	return out, nil
}

// Slugify makes a project slug of a service name: lower case, runs of
// anything but letters, digits, - and _ become one -, at most 50
// characters; "unknown-service" when nothing is left.
func Slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_' || r == '-':
			if b.Len() == 0 && (r == '_' || r == '-') {
				continue
			}
			b.WriteRune(r)
			dash = false
		default:
			if b.Len() > 0 && !dash {
				b.WriteByte('-')
				dash = true
			}
		}
		if b.Len() >= 50 {
			break
		}
	}
	s := strings.TrimRight(b.String(), "-_")
	if s == "" {
		return "unknown-service"
	}
	return s
}
