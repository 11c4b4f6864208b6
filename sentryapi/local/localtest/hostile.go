package localtest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing/fstest"
	"unicode/utf8"

	"github.com/tracehound/tracehound/dataset"
)

// The hostile dataset is Dataset's incident with every field that reaches
// an output carrying terminal escapes (CSI, OSC 52 clipboard, OSC 8
// hyperlinks, C1 controls, bidi overrides) and secrets. Every secret is
// made up: FAKE values, the card networks' published test number,
// documentation-only domains.
const (
	HostileBearer  = "FAKEbearer0hostile1token2abcdef" // after "Bearer "
	HostileOpenAI  = "sk-proj-FAKE0hostile1openai2key3abc"
	HostileSntrys  = "sntrys_FAKEeyJpYXQiOjE3MDAwMDAwMDB9hostile0org1token"
	HostileSntryu  = "sntryu_fa4efa4efa4efa4efa4efa4efa4efa4e0123"
	HostileAWS     = "AKIAFAKEHOSTILE12345"
	HostileCard    = "4111 1111 1111 1111"
	HostileCookie  = "FAKEcookie0session1value2xyz"
	HostilePass    = "FAKEhunter2querypass"
	HostileEmail   = "victim.user@example.com"
	HostileOSC52   = "\x1b]52;c;ZXZpbA==\x07"
	HostileOSC8    = "\x1b]8;;https://evil.example.test/\x1b\\click\x1b]8;;\x1b\\"
	HostileCSI     = "\x1b[2J\x1b[31m"
	HostileC1      = "\u009b31m\u009d0;title\u009c"
	HostileBidi    = "\u202eevil\u202c\u2066x\u2069"
	hostileEscapes = HostileCSI + HostileOSC52 + HostileOSC8 + HostileC1 + HostileBidi
)

// HostileSecrets are the secret values of the hostile dataset, each of
// which must never appear in any output (cards in every grouping).
var HostileSecrets = []string{HostileBearer, HostileOpenAI, HostileSntrys, HostileSntryu, HostileAWS,
	HostileCard, strings.ReplaceAll(HostileCard, " ", ""), strings.ReplaceAll(HostileCard, " ", "-"),
	HostileCookie, HostilePass, HostileEmail}

// Leaks lists what of the hostile dataset survived in out: secrets, and
// raw escape, C0/C1 control and bidi characters (newlines, carriage
// returns and tabs aside). Empty means out is safe.
func Leaks(out string) []string {
	var found []string
	for _, s := range HostileSecrets {
		if strings.Contains(out, s) {
			found = append(found, "secret "+s)
		}
	}
	for i, r := range out {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(out[i:], "\uFFFD"):
			found = append(found, fmt.Sprintf("invalid UTF-8 at byte %d: %q", i, around(out, i)))
		case r < 0x20 && r != '\n' && r != '\r' && r != '\t', r == 0x7f, r >= 0x80 && r <= 0x9f,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			found = append(found, fmt.Sprintf("raw U+%04X at byte %d: %q", r, i, around(out, i)))
		}
		if len(found) > 20 {
			break
		}
	}
	return found
}

// HostileDataset is Dataset with hostile text in the issue title and
// culprit, the error event's message, exception, tags, breadcrumbs,
// request (URL, headers, cookies, query), frame function and variables,
// the span descriptions, transaction names and profile frames.
func HostileDataset() fstest.MapFS {
	fs := Dataset()
	put := func(name string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		fs[name] = &fstest.MapFile{Data: b}
	}
	bad := func(s string) string { return s + " " + hostileEscapes }
	title := bad("ValueError: boom Bearer " + HostileBearer)
	txn := "POST /pay" + HostileBidi + "?password=" + HostilePass
	put(dataset.IssuePath("100"), map[string]any{"id": "100", "shortId": "BACKEND-1AB", "title": title, "culprit": bad("app.views.pay " + HostileAWS),
		"count": "7", "userCount": 3, "project": map[string]any{"id": "11", "slug": "backend", "platform": "python"},
		"metadata": map[string]any{"type": "ValueError", "value": bad("boom " + HostileOpenAI)}})
	frameVars := map[string]any{"token": HostileSntryu, "card": HostileCard, "note": bad("ok"), "headers": map[string]any{"Authorization": "Bearer " + HostileBearer}}
	put(dataset.EventPath("backend", ErrorEventID), map[string]any{"id": ErrorEventID, "eventID": ErrorEventID, "groupID": "100", "projectID": "11", "type": "error",
		"title": title, "message": bad("charge failed for card " + HostileCard), "platform": "python", "dateCreated": "2026-11-20T03:12:07Z", "culprit": bad("pay"),
		"entries": []any{
			map[string]any{"type": "message", "data": map[string]any{"formatted": bad("charge failed with key " + HostileOpenAI + " for " + HostileEmail)}},
			map[string]any{"type": "exception", "data": map[string]any{"values": []any{map[string]any{"type": "ValueError", "value": bad("boom token=" + HostileSntrys),
				"stacktrace": map[string]any{"frames": []any{map[string]any{"filename": "app/views.py", "function": bad("pay"), "lineNo": 42, "inApp": true,
					"context": []any{[]any{41, "def pay():"}, []any{42, bad("    raise ValueError('boom " + HostileAWS + "')")}}, "vars": frameVars}}}}}}},
			map[string]any{"type": "breadcrumbs", "data": map[string]any{"values": []any{
				map[string]any{"category": "http", "level": "info", "timestamp": "2026-11-20T03:12:06Z", "message": bad("GET https://api.example.test/v1?access_token=" + HostileSntrys),
					"data": map[string]any{"url": "https://api.example.test/v1?password=" + HostilePass, "note": bad("x")}},
				map[string]any{"category": "log", "level": "error", "timestamp": "2026-11-20T03:12:07Z", "message": bad("auth header Authorization: Bearer " + HostileBearer)}}}},
			map[string]any{"type": "request", "data": map[string]any{"method": "POST", "url": "https://shop.example.test/pay?user=7&password=" + HostilePass,
				"query":   []any{[]any{"password", HostilePass}, []any{"note", bad("q")}},
				"headers": []any{[]any{"Authorization", "Bearer " + HostileBearer}, []any{"Cookie", "session=" + HostileCookie}, []any{"X-Note", bad("h")}, []any{"User-Agent", bad("ua")}},
				"cookies": []any{[]any{"session", HostileCookie}},
				"data":    map[string]any{"card_number": HostileCard, "api_key": HostileOpenAI, "comment": bad("d")}}},
		},
		"contexts": map[string]any{"trace": map[string]any{"trace_id": TraceID, "span_id": ChildSpanID, "type": "trace"}, "os": map[string]any{"name": bad("Linux")}},
		"tags": []any{map[string]any{"key": "environment", "value": bad("production")}, map[string]any{"key": "api_key", "value": HostileOpenAI},
			map[string]any{"key": "aws", "value": HostileAWS}, map[string]any{"key": bad("k"), "value": bad("v")}, map[string]any{"key": "transaction", "value": txn}},
		"user": map[string]any{"email": HostileEmail, "ip_address": "203.0.113.7"}})
	put(dataset.EventPath("backend", TransactionID), map[string]any{"id": TransactionID, "eventID": TransactionID, "projectID": "11", "type": "transaction", "title": txn,
		"transaction": txn, "dateCreated": "2026-11-20T03:12:07Z", "startTimestamp": 1763608327.0, "endTimestamp": 1763608327.5,
		"entries": []any{map[string]any{"type": "spans", "data": []any{map[string]any{"span_id": ChildSpanID, "parent_span_id": RootSpanID, "op": bad("db"),
			"description": bad("SELECT * FROM users WHERE token = '" + HostileSntryu + "'"), "start_timestamp": 1763608327.1, "timestamp": 1763608327.2,
			"data": map[string]any{"db.statement": bad("SELECT 1 -- " + HostileAWS)}}}}},
		"contexts": map[string]any{"trace": map[string]any{"trace_id": TraceID, "span_id": RootSpanID, "op": "http.server"}, "profile": map[string]any{"profile_id": ProfileID}}})
	put(dataset.TracePath(TraceID), []any{map[string]any{"event_id": RootSpanID, "event_type": "span", "transaction_id": TransactionID, "parent_span_id": nil,
		"is_transaction": true, "project_id": 11, "project_slug": "backend", "op": "http.server", "description": txn, "transaction": txn,
		"start_timestamp": 1763608327.0, "end_timestamp": 1763608327.5, "duration": 500, "profile_id": ProfileID, "profiler_id": ProfilerID,
		"children": []any{map[string]any{"event_id": ChildSpanID, "event_type": "span", "transaction_id": TransactionID, "parent_span_id": RootSpanID,
			"is_transaction": false, "project_id": 11, "project_slug": "backend", "op": bad("db"), "description": bad("SELECT * FROM users WHERE token = '" + HostileSntryu + "'"),
			"start_timestamp": 1763608327.1, "end_timestamp": 1763608327.2, "duration": 100, "profile_id": "", "profiler_id": "",
			"children": []any{}, "occurrences": []any{},
			"errors": []any{map[string]any{"event_id": ErrorEventID, "event_type": "error", "issue_id": 100, "short_id": "BACKEND-1AB", "project_id": 11,
				"project_slug": "backend", "description": title, "level": "error", "start_timestamp": 1763608327.15}}}},
		"errors": []any{}, "occurrences": []any{}}})
	put(dataset.ProfilePath("backend", ProfileID), map[string]any{"event_id": ProfileID, "version": "1", "platform": "python",
		"transaction": map[string]any{"id": TransactionID, "name": txn, "trace_id": TraceID, "active_thread_id": "1"},
		"profile": map[string]any{"frames": []any{map[string]any{"function": bad("pay " + HostileAWS), "filename": bad("app/views.py"), "lineno": 42, "in_app": true}},
			"stacks": [][]int{{0}}, "samples": []any{map[string]any{"stack_id": 0, "thread_id": "1", "elapsed_since_start_ns": "0"},
				map[string]any{"stack_id": 0, "thread_id": "1", "elapsed_since_start_ns": "10000000"}},
			"thread_metadata": map[string]any{"1": map[string]any{"name": bad("MainThread")}}}})
	return fs
}

// around is the text around byte i, for a failure message.
func around(s string, i int) string {
	return s[max(0, i-40):min(len(s), i+20)]
}
