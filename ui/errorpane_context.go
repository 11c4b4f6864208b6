package ui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/sentryapi/wire"
	"github.com/tracehound/tracehound/tracetree"
)

// What surrounded an error, for the Error tab: the breadcrumbs (times
// relative to the error, HTTP calls as method, URL and status), the
// request (headers through the allowlist) and the tags.

func (r *epRender) breadcrumbs() {
	ev, st := r.p.ev, r.st
	bc := ev.Breadcrumbs()
	if bc == nil || len(bc.Values) == 0 {
		return
	}
	all := bc.Values
	shown := all
	if len(shown) > epMaxCrumbs {
		shown = shown[len(shown)-epMaxCrumbs:]
	}
	title := fmt.Sprintf("Breadcrumbs (%d, time relative to the error)", len(all))
	if len(shown) < len(all) {
		title = fmt.Sprintf("Breadcrumbs (last %d of %d, time relative to the error)", len(shown), len(all))
	}
	r.add("", dtSection(st, title, r.w))
	t0, hasT0 := tracetree.EventTime(ev)
	rels := make([]string, len(shown))
	rw := 0
	for i := range shown {
		rels[i] = epRel(&shown[i], t0, hasT0)
		rw = max(rw, len([]rune(rels[i])))
	}
	for i := range shown {
		b := &shown[i]
		var line strings.Builder
		line.WriteString("  " + st.Faint.Render(fmt.Sprintf("%*s", rw, rels[i])) + "  ")
		if b.Level != "" && b.Level != "info" {
			line.WriteString(epLevelStyle(st, b.Level).Render(epText(b.Level)) + " ")
		}
		cat := b.Category
		if cat == "" {
			cat = b.Type
		}
		if cat == "" {
			cat = "default"
		}
		line.WriteString(st.Accent.Render(epText(cat)) + "  ")
		line.WriteString(r.crumbText(b))
		r.wrap(line.String(), rw+4)
	}
}

// epRel is a breadcrumb's time relative to the event.
func epRel(b *wire.Breadcrumb, t0 wire.Timestamp, hasT0 bool) string {
	if !hasT0 || b.Timestamp == 0 {
		return "?"
	}
	d := (float64(b.Timestamp) - float64(t0)) * 1000
	switch {
	case d < -0.0005:
		return "-" + tracetree.FormatDuration(-d)
	case d > 0.0005:
		return "+" + tracetree.FormatDuration(d)
	}
	return "0ms"
}

// crumbText is a breadcrumb's message and data: an HTTP call as method,
// URL (credentials filtered) and status, other data as key=value.
func (r *epRender) crumbText(b *wire.Breadcrumb) string {
	st := r.st
	var parts []string
	msg := strings.TrimSpace(b.Message)
	if msg == redact.FilteredMarker {
		msg = ""
	}
	used := map[string]bool{}
	var httpLine string
	var fields map[string]string
	if len(b.Data) > 0 {
		fields = map[string]string{}
		epMembers(b.Data, func(k string, v jsontext.Value) {
			if v.Kind() == '"' || v.Kind() == '0' {
				fields[k] = epScalar(v)
			}
		})
		method, url := fields["method"], fields["url"]
		if url != "" && (method != "" || b.Type == "http") {
			for _, k := range []string{"method", "url", "status_code", "reason", "http.query", "http.fragment"} {
				used[k] = true
			}
			if q := fields["http.query"]; q != "" && !strings.Contains(url, "?") {
				url += "?" + q
			}
			httpLine = strings.TrimSpace(epText(method) + " " + clean(redact.URL(strings.TrimSpace(url))))
			if sc := fields["status_code"]; sc != "" {
				style := st.OK
				if n, err := strconv.Atoi(sc); err == nil && n >= 500 {
					style = st.Error
				} else if err == nil && n >= 400 {
					style = st.Warn
				}
				httpLine += st.Faint.Render(" → ") + style.Render(strings.TrimSpace(epText(sc)+" "+epText(fields["reason"])))
			}
			// The message often repeats the URL.
			if p := tracetree.URLPath(url); msg != "" && p != "" && strings.Contains(msg, p) {
				msg = ""
			}
		}
	}
	if msg != "" {
		parts = append(parts, epText(msg))
	}
	if httpLine != "" {
		parts = append(parts, httpLine)
	}
	if len(b.Data) > 0 {
		var hidden []string
		rest := epObjectMembers(b.Data, used, &hidden, 300)
		if rest != "" {
			parts = append(parts, st.Subtle.Render(rest))
		}
		if len(hidden) > 0 {
			parts = append(parts, st.Faint.Render("[filtered: "+strings.Join(hidden, ", ")+"]"))
		}
	}
	if len(parts) == 0 {
		return st.Faint.Render("(no message)")
	}
	return strings.Join(parts, st.Faint.Render(" · "))
}

func (r *epRender) request() {
	ev, st := r.p.ev, r.st
	req := ev.Request()
	if req == nil {
		return
	}
	r.add("", dtSection(st, "Request", r.w))
	url := tracetree.RequestURL(req)
	first := st.Bold.Render(epText(req.Method))
	if url != "" {
		first += " " + clean(redact.URL(url))
	}
	r.wrap("  "+strings.TrimSpace(first), 4)
	hidden := 0
	for _, kv := range req.Headers {
		v, ok := tracetree.ShownHeader(kv[0], kv[1])
		if !ok {
			hidden++
			continue
		}
		r.wrap("  "+st.Subtle.Render(epText(kv[0])+":")+" "+tracetree.Truncate(epText(v), 200), 4)
	}
	if hidden > 0 {
		r.add("  " + st.Faint.Render(wfPlural(hidden, "other header")+" not shown (credentials and personal data stay hidden)"))
	}
	if len(req.Data) > 0 {
		switch {
		case epFiltered(req.Data):
			r.add("  " + st.Subtle.Render("body") + " " + st.Faint.Render("(filtered)"))
		case req.Data.Kind() == 'n':
		default:
			var hid []string
			body := epJSON(req.Data, "body", &hid, 400)
			if body != "" {
				l := "  " + st.Subtle.Render("body") + " " + body
				if len(hid) > 0 {
					l += " " + st.Faint.Render("[filtered: "+strings.Join(hid, ", ")+"]")
				}
				r.wrap(l, 4)
			}
		}
	}
}

// epShownTags are tags already in the header.
var epShownTags = map[string]bool{
	"release": true, "environment": true, "transaction": true, "level": true, "handled": true,
	"mechanism": true, "server_name": true, "url": true,
}

func (r *epRender) tags() {
	ev, st := r.p.ev, r.st
	var pairs []string
	for _, t := range ev.Tags {
		k, v := t.Key, string(t.Value)
		if v == "" || epShownTags[k] || redact.IsPIITag(k) || redact.IsSensitiveKey(k) || redact.IsSecretValue(v) {
			continue
		}
		pairs = append(pairs, st.Subtle.Render(epText(k)+"=")+tracetree.Truncate(epText(v), 120))
	}
	if srv := ev.Tag("server_name"); srv != "" {
		pairs = append(pairs, st.Subtle.Render("server_name=")+epText(srv))
	}
	if len(pairs) == 0 {
		return
	}
	r.add("", dtSection(st, "Tags", r.w))
	line := " "
	for _, p := range pairs {
		if lipgloss.Width(line)+2+lipgloss.Width(p) > r.w && line != " " {
			r.add(line)
			line = " "
		}
		line += " " + p + " "
	}
	if line != " " {
		r.add(line)
	}
}

func epLevelStyle(st *Styles, level string) lipgloss.Style {
	switch strings.ToLower(level) {
	case "fatal", "error", "critical":
		return st.Error
	case "warning", "warn":
		return st.Warn
	case "debug":
		return st.Faint
	case "transaction":
		return st.Info
	}
	return st.Subtle
}

// ---- JSON values -------------------------------------------------------------
