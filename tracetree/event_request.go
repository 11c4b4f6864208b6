// The request: URL, shown headers, status and data.

package tracetree

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/sentryapi/wire"
)

// ---- request -----------------------------------------------------------------------

// shownHeaders are the request headers worth showing; everything else
// (cookies, authorization, API keys, forwarding chains) is only counted.
var shownHeaders = []string{
	"content-type", "content-length", "content-encoding", "accept", "user-agent", "referer", "origin",
	"host", "x-forwarded-proto", "x-request-id", "x-correlation-id", "sentry-trace", "traceparent",
}

// ShownHeader returns the value of a request header the views may show
// (an allowed name, nothing sensitive or filtered; a referer or origin URL
// scrubbed), or false.
func ShownHeader(name, value string) (string, bool) {
	k := strings.ToLower(strings.TrimSpace(name))
	if !slices.Contains(shownHeaders, k) || redact.IsSensitiveKey(k) || value == redact.FilteredMarker || redact.IsSecretValue(value) {
		return "", false
	}
	if k == "referer" || k == "origin" {
		value = redact.URL(value)
	}
	return value, true
}

// RequestURL is the request's URL with the query string that some SDKs
// send apart put back (not scrubbed).
func RequestURL(r *wire.RequestData) string {
	url := strings.TrimSpace(r.URL)
	if len(r.Query) > 0 && !strings.Contains(url, "?") {
		var q []string
		for _, kv := range r.Query {
			if kv[0] == "" {
				q = append(q, kv[1])
			} else {
				q = append(q, kv[0]+"="+kv[1])
			}
		}
		url += "?" + strings.Join(q, "&")
	}
	return url
}

func evRequest(ev *wire.Event) []string {
	r := ev.Request()
	if r == nil {
		return nil
	}
	first := joinNonEmpty(" ", evLine(r.Method, 16), redact.Line(Truncate(redact.URL(RequestURL(r)), 300)))
	if st := evStatus(ev); st != "" {
		first = joinNonEmpty(" ", first, "→ "+st)
	}
	if first == "" {
		first = "(no method or URL)"
	}
	out := []string{first}
	var hs []string
	others := 0
	for _, kv := range r.Headers {
		v, ok := ShownHeader(kv[0], kv[1])
		if !ok {
			others++
			continue
		}
		hs = append(hs, evLine(kv[0], 40)+": "+evLine(v, 100))
	}
	if len(hs) > 0 || others > 0 {
		line := "headers: " + strings.Join(hs, ", ")
		if others > 0 {
			if len(hs) == 0 {
				line = "headers: " + plural(others, "header") + " not shown"
			} else {
				line += fmt.Sprintf(" (+%d not shown)", others)
			}
		}
		out = append(out, line)
	}
	if len(r.Data) > 0 {
		d := evParse(r.Data)
		switch {
		case d == nil || d.kind == 'n':
		case d.filtered():
			out = append(out, "body: (filtered)")
		default:
			var hidden []string
			body := d.compact("", &hidden, 300)
			if body != "" {
				line := "body: " + body
				if len(hidden) > 0 {
					line += "  [filtered: " + evList(hidden, 8) + "]"
				}
				out = append(out, line)
			}
		}
	}
	return out
}

// evStatus finds the HTTP response status in tags or contexts.
func evStatus(ev *wire.Event) string {
	for _, k := range []string{"http.status_code", "status_code", "http.response.status_code"} {
		if v := ev.Tag(k); v != "" {
			return evLine(v, 10)
		}
	}
	if v := evParse(ev.Contexts.Extra["response"]); v != nil && v.kind == '{' {
		if s := v.str("status_code"); s != "" {
			return evLine(s, 10)
		}
	}
	if tc := ev.Contexts.Trace; tc != nil && tc.Data != nil {
		if s := evRawScalar(tc.Data["http.response.status_code"]); s != "" {
			return evLine(s, 10)
		}
	}
	return ""
}

func evRawScalar(r wire.Raw) string {
	v := evParse(r)
	if v == nil || (v.kind != '"' && v.kind != '0') {
		return ""
	}
	return v.s
}
