// Breadcrumbs: one line per breadcrumb, relative to the first one's time.

package tracetree

import (
	"fmt"
	"strings"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/sentryapi/wire"
)

// ---- breadcrumbs ---------------------------------------------------------------

func evCrumb(b *wire.Breadcrumb, t0 wire.Timestamp, hasT0 bool) string {
	rel := "?"
	if hasT0 && b.Timestamp != 0 {
		d := (float64(b.Timestamp) - float64(t0)) * 1000
		switch {
		case d < -0.0005:
			rel = "-" + FormatDuration(-d)
		case d > 0.0005:
			rel = "+" + FormatDuration(d)
		default:
			rel = "0ms"
		}
	}
	cat := b.Category
	if cat == "" {
		cat = b.Type
	}
	if cat == "" {
		cat = "default"
	}
	level := ""
	if b.Level != "" && b.Level != "info" {
		level = evLine(b.Level, 20) + " "
	}

	msg := strings.TrimSpace(b.Message)
	if msg == "[Filtered]" {
		msg = ""
	}
	data := evParse(b.Data)
	var text string
	used := map[string]bool{}
	if data != nil && data.kind == '{' {
		method, url := data.str("method"), data.str("url")
		switch {
		case url != "" && (method != "" || b.Type == "http"):
			used["method"], used["url"], used["status_code"], used["reason"], used["http.query"], used["http.fragment"] = true, true, true, true, true, true
			if q := data.str("http.query"); q != "" && !strings.Contains(url, "?") {
				url += "?" + q
			}
			text = joinNonEmpty(" ", method, redact.URL(url))
			if sc := data.str("status_code"); sc != "" {
				text += " → " + joinNonEmpty(" ", sc, data.str("reason"))
			}
			if path := URLPath(data.str("url")); msg != "" && path != "" && strings.Contains(msg, path) {
				msg = ""
			}
		case data.has("from") || data.has("to"):
			used["from"], used["to"] = true, true
			text = data.str("from") + " → " + data.str("to")
		}
	}
	var hidden []string
	rest := ""
	if data != nil && data.kind == '{' {
		for k := range data.keys {
			if strings.HasPrefix(data.keys[k], "__") {
				used[data.keys[k]] = true
			}
		}
		rest = data.compactMembers("", used, &hidden, 300)
	} else if data != nil && data.kind != 'n' && !data.filtered() {
		rest = data.compact("", &hidden, 300)
	}
	line := joinNonEmpty(" · ", evLine(msg, 300), redact.Line(text), rest)
	if line == "" {
		line = "(no message)"
	}
	return fmt.Sprintf("%s\t%s%s  %s", rel, level, evLine(cat, 40), line)
}

// URLPath is the path of a URL or path, without query and fragment.
func URLPath(u string) string {
	u, _, _ = strings.Cut(u, "?")
	u, _, _ = strings.Cut(u, "#")
	if i := strings.Index(u, "://"); i >= 0 {
		rest := u[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			return rest[j:]
		}
		return ""
	}
	return u
}
