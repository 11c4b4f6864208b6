package tracetree

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/internal/fixtures"
	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo"
)

// The four connected error events of the demo incident.
var evDemoErrors = []struct{ golden, path string }{
	{"event_storefront.txt", "events/storefront/c92dbb7c0088a283a7f8f221a1eb1c4f.json"},
	{"event_api_gateway.txt", "events/api-gateway/41da8e730b5124445d5233301957103d.json"},
	{"event_payments.txt", "events/payments/0bae00036f60844109f6674d1cae98b9.json"},
	{"event_auth_service.txt", "events/auth-service/214e70f18088863d8dfec294da436369.json"},
}

// evDemoDecode decodes one file of the embedded demo dataset.
func evDemoDecode(t testing.TB, name string, v any) {
	t.Helper()
	b, err := fs.ReadFile(demo.Dataset(), name)
	if err != nil {
		t.Fatal(err)
	}
	if err := wire.Decode(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func evDemoEvent(t testing.TB, name string) *wire.Event {
	t.Helper()
	ev := new(wire.Event)
	evDemoDecode(t, name, ev)
	return ev
}

// evDemoShortID looks up the issue's short id in the demo dataset.
func evDemoShortID(t testing.TB, ev *wire.Event) string {
	t.Helper()
	if ev.GroupID == "" {
		return ""
	}
	var is wire.Issue
	evDemoDecode(t, "issues/"+string(ev.GroupID)+".json", &is)
	return is.ShortID
}

// evFixturesDir is ../shared/fixtures/sentry next to the repository, or "".
func evFixturesDir(t testing.TB) string { return fixtures.Dir() }

// evFixture decodes a public fixture into v, skipping the test when the
// fixtures are not present.
func evFixture(t testing.TB, rel string, v any) {
	t.Helper()
	dir := evFixturesDir(t)
	if dir == "" {
		t.Skip("../shared/fixtures/sentry is not present (public Sentry fixtures beside the repository); skipped")
	}
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Skipf("fixture %s not readable: %v", rel, err)
	}
	if err := wire.Decode(b, v); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
}

func TestErrorViewDemoGolden(t *testing.T) {
	for _, tc := range evDemoErrors {
		t.Run(tc.golden, func(t *testing.T) {
			ev := evDemoEvent(t, tc.path)
			opts := DefaultEventOptions()
			opts.IssueShortID = evDemoShortID(t, ev)
			golden(t, tc.golden, ErrorView(ev, opts))
		})
	}
}

func TestErrorViewFixtureGolden(t *testing.T) {
	for _, tc := range []struct{ golden, path string }{
		{"event_fixture_mcp.txt", "api/event.json"},
		{"event_fixture_openapi.txt", "api/openapi-example-issue-event.json"},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			ev := new(wire.Event)
			evFixture(t, tc.path, ev)
			golden(t, tc.golden, ErrorView(ev, DefaultEventOptions()))
		})
	}
}

func TestErrorViewNil(t *testing.T) {
	if got := ErrorView(nil, DefaultEventOptions()); !strings.Contains(got, "no event") {
		t.Errorf("nil event: %q", got)
	}
	if got := ErrorView(&wire.Event{}, EventOptions{Budget: 50}); got == "" {
		t.Error("empty event renders nothing")
	}
}

// evDecodeJSON decodes a hand-written API-form event.
func evDecodeJSON(t testing.TB, js string) *wire.Event {
	t.Helper()
	ev := new(wire.Event)
	if err := wire.Decode([]byte(js), ev); err != nil {
		t.Fatalf("test event: %v", err)
	}
	return ev
}

// evDeepEvent has one exception with 30 in-app frames interleaved with
// 40 system frames, each in-app frame named app_<i> (i counts from the
// outermost caller).
func evDeepEvent(t testing.TB) *wire.Event {
	var frames []string
	app := 0
	for i := 0; i < 70; i++ {
		if i%7 < 3 {
			frames = append(frames, fmt.Sprintf(`{"function":"app_%d","filename":"app/mod%d.py","lineNo":%d,"inApp":true,
				"context":[[%d,"def app_%d(order):"],[%d,"    total = order.total"],[%d,"    return app_%d(order)"]],
				"vars":{"order":"<Order 1>","total":"12","unused":"'x'"}}`, app, app, 10+app, 8+app, app, 9+app, 10+app, app+1))
			app++
		} else {
			frames = append(frames, fmt.Sprintf(`{"function":"lib_%d","module":"framework.core","filename":"framework/core.py","lineNo":%d,"inApp":false}`, i, 100+i))
		}
	}
	return evDecodeJSON(t, `{"id":"aaaabbbbccccddddeeeeffff00001111","type":"error","title":"ValueError: bad order","platform":"python",
		"dateCreated":"2026-01-02T03:04:05Z",
		"entries":[{"type":"exception","data":{"values":[{"type":"ValueError","value":"bad order","mechanism":{"type":"generic","handled":false},
		"stacktrace":{"frames":[`+strings.Join(frames, ",")+`]}}]}}]}`)
}

func TestErrorViewFrameTrimmingKeepsBothEnds(t *testing.T) {
	ev := evDeepEvent(t)
	opts := DefaultEventOptions()
	opts.MaxFrames = 10
	got := ErrorView(ev, opts)
	// Display order is crash site first: app_29 is the crash site, app_0
	// the outermost caller.
	for _, want := range []string{"app_29 in app/mod29.py", "app_28 in", "app_0 in app/mod0.py", "app_1 in"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q (both ends of the in-app frames must stay):\n%s", want, got)
		}
	}
	if strings.Contains(got, "app_15 in") {
		t.Errorf("a middle in-app frame survived trimming to 10 frames:\n%s", got)
	}
	if !strings.Contains(got, "in-app frames and") || !strings.Contains(got, "system frames omitted (framework)") {
		t.Errorf("omitted frames are not counted:\n%s", got)
	}
	// A system frame at the boundary of the crash site (what the app called
	// into last) stays.
	if !strings.Contains(got, "lib_69 in framework/core.py:169") {
		t.Errorf("the system frame below the crash site was dropped:\n%s", got)
	}
	n := strings.Count(got, " in app/") + strings.Count(got, " in framework/")
	if n > 12 {
		t.Errorf("%d frames shown with MaxFrames 10 (+2 boundary frames at most)", n)
	}
}

func TestEvSelectFrames(t *testing.T) {
	mk := func(spec string) []evFrame {
		var fs []evFrame
		for _, c := range spec {
			fs = append(fs, evFrame{inApp: c == 'A'})
		}
		return fs
	}
	str := func(keep []bool) string {
		var b strings.Builder
		for _, k := range keep {
			if k {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	for _, tc := range []struct {
		frames      string
		budget, sys int
		want        string
	}{
		{"AAsss", 20, 0, "xxxxx"},
		// crash site, then both ends of the in-app frames
		{"AAAAAAAAAA", 4, 0, "xxx......x"},
		// in-app first; the callee of an in-app frame before its caller
		{"sAsssAsss", 3, 0, "xxx.xx..."},
		{"sAsssAsss", 6, 0, "xxx.xxx.."},
		{"sAsssAsss", 9, 0, "xxxxxxxxx"},
		// no system frames but the crash site
		{"sAsssAsss", 3, 2, "xx...x..."},
		// boundary only: at most two
		{"sAsssAsss", 9, 1, "xxx.xx..."},
		{"", 5, 0, ""},
	} {
		if got := str(evSelectFrames(mk(tc.frames), tc.budget, tc.sys)); got != tc.want {
			t.Errorf("evSelectFrames(%s, %d, %d) = %s, want %s", tc.frames, tc.budget, tc.sys, got, tc.want)
		}
	}
}

func TestErrorViewSuspectLineAndVars(t *testing.T) {
	ev := evDecodeJSON(t, `{"id":"0123456789abcdef0123456789abcdef","type":"error","title":"KeyError: 'user_id'",
	"entries":[{"type":"exception","data":{"values":[{"type":"KeyError","value":"'user_id'","stacktrace":{"frames":[
	 {"function":"get_user","filename":"app/api/users.py","lineNo":42,"inApp":true,
	  "context":[[40,"def get_user(payload):"],[41,"    cache = load()"],[42,"    user = cache[payload[\"user_id\"]]"],[43,"    return user"]],
	  "vars":{"payload":{"name":"'bob'","password":"'hunter2'","card":"[Filtered]","nested":{"deep":"[Filtered]","keep":"1"}},
	          "cache":"{}","unrelated_local":"'should not show'","request":"<Request>"}}
	]}}]}}]}`)
	got := ErrorView(ev, DefaultEventOptions())
	if !strings.Contains(got, "→ 42 |     user = cache[payload[\"user_id\"]]") {
		t.Errorf("suspect line not marked:\n%s", got)
	}
	if strings.Contains(got, "→ 41") || strings.Contains(got, "→ 43") {
		t.Errorf("only line 42 is the suspect line:\n%s", got)
	}
	for _, no := range []string{"unrelated_local", "should not show", "request =", "[Filtered]", "hunter2"} {
		if strings.Contains(got, no) {
			t.Errorf("%q must not appear:\n%s", no, got)
		}
	}
	for _, want := range []string{"payload = {name: 'bob', nested: {keep: 1}}", "cache = {}", "[filtered: payload.password, payload.card, payload.nested.deep]"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q:\n%s", want, got)
		}
	}
	noVars := DefaultEventOptions()
	noVars.IncludeVars = false
	if got := ErrorView(ev, noVars); strings.Contains(got, "vars:") {
		t.Errorf("IncludeVars false still shows variables:\n%s", got)
	}
}

// evSecretEvent carries credentials in every place an event can.
const evSecretEvent = `{"id":"feedfacefeedfacefeedfacefeedface","type":"error","title":"Error: upstream failed Bearer abcDEF123456ghiJKL",
 "tags":[{"key":"user.email","value":"alice@example.com"},{"key":"user","value":"ip:203.0.113.9"},{"key":"api_key","value":"TAGSECRET0001"},{"key":"region","value":"eu-west-1"}],
 "user":{"email":"alice@example.com","ip_address":"203.0.113.9"},
 "entries":[
  {"type":"exception","data":{"values":[{"type":"Error","value":"fetch https://api.test/x?access_token=QUERYSECRET0002&page=2 failed","stacktrace":{"frames":[
    {"function":"call","filename":"app/client.py","lineNo":3,"inApp":true,"context":[[3,"resp = http.get(url, headers=headers, auth=token)"]],
     "vars":{"url":"'https://api.test/x?token=VARSECRET0003'","headers":{"Authorization":"'Bearer HDRSECRET0004'","Accept":"'json'"},"token":"'VARSECRET0005'","auth":"'VARSECRET0006'"}}]}}]}},
  {"type":"breadcrumbs","data":{"values":[
    {"timestamp":"2026-01-02T03:04:04Z","type":"http","category":"http","data":{"method":"GET","url":"https://api.test/login?password=CRUMBSECRET0007&user=bob","status_code":302}},
    {"timestamp":"2026-01-02T03:04:04.5Z","category":"auth","message":"login ok","data":{"session_id":"CRUMBSECRET0008","jwt":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.CRUMBSECRET0009","step":"2","pw":"[Filtered]"}}]}},
  {"type":"request","data":{"method":"POST","url":"https://api.test/pay?api_key=REQSECRET0010&id=7","query":[],
    "headers":[["Authorization","Bearer REQSECRET0011"],["Cookie","sid=REQSECRET0012"],["Set-Cookie","a=REQSECRET0013"],["X-Api-Key","REQSECRET0014"],
               ["X-Auth-Token","REQSECRET0015"],["Content-Type","application/json"],["User-Agent","curl/8"],["X-Forwarded-For","203.0.113.9"]],
    "cookies":[["sid","REQSECRET0016"]],
    "data":{"amount":5,"card_number":"REQSECRET0017","token":"REQSECRET0018"}}}
 ],
 "dateCreated":"2026-01-02T03:04:05Z"}`

func TestErrorViewNeverShowsSecrets(t *testing.T) {
	ev := evDecodeJSON(t, evSecretEvent)
	for _, budget := range []int{0, 2000, 400, 150, 60} {
		opts := DefaultEventOptions()
		opts.Budget = budget
		got := ErrorView(ev, opts)
		for _, secret := range []string{"SECRET00", "abcDEF123456ghiJKL", "alice@example.com", "203.0.113.9", "eyJhbGciOiJIUzI1NiJ9"} {
			if strings.Contains(got, secret) {
				t.Errorf("budget %d: %q leaked:\n%s", budget, secret, got)
			}
		}
		if budget == 0 {
			for _, want := range []string{"Content-Type: application/json", "User-Agent: curl/8", "page=2", "id=7", "user=bob", "region=eu-west-1", "step=2", "body: {amount: 5}"} {
				if !strings.Contains(got, want) {
					t.Errorf("harmless %q was scrubbed too:\n%s", want, got)
				}
			}
			if strings.Contains(got, "Cookie") || strings.Contains(got, "Authorization:") {
				t.Errorf("cookie or authorization header shown:\n%s", got)
			}
		}
	}
}

func TestErrorViewFilteredBreadcrumbsKept(t *testing.T) {
	ev := evDecodeJSON(t, `{"id":"ab","title":"boom","dateCreated":"2026-01-02T03:04:05Z","entries":[{"type":"breadcrumbs","data":{"values":[
	 {"timestamp":"2026-01-02T03:04:03.8Z","category":"query","message":"SELECT 1","data":{"params":"[Filtered]","rows":3}},
	 {"timestamp":"2026-01-02T03:04:04.9Z","category":"ui.click","level":"warning","message":"[Filtered]"},
	 {"timestamp":"2026-01-02T03:04:05.2Z","category":"late","message":"after"}]}}]}`)
	got := ErrorView(ev, DefaultEventOptions())
	for _, want := range []string{"-1.20s  query  SELECT 1 · rows=3", "-100ms  warning ui.click  (no message)", "+200ms  late  after"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "[Filtered]") || strings.Contains(got, "params") {
		t.Errorf("filtered values must be dropped, not shown:\n%s", got)
	}
	opts := DefaultEventOptions()
	opts.MaxBreadcrumbs = 2
	if got := ErrorView(ev, opts); strings.Contains(got, "SELECT 1") || !strings.Contains(got, "last 2 of 3") {
		t.Errorf("MaxBreadcrumbs 2 must keep the last two:\n%s", got)
	}
}

func TestErrorViewBudget(t *testing.T) {
	events := []*wire.Event{evDeepEvent(t), evDecodeJSON(t, evSecretEvent)}
	for _, tc := range evDemoErrors {
		events = append(events, evDemoEvent(t, tc.path))
	}
	for _, ev := range events {
		full := ErrorView(ev, DefaultEventOptions())
		x := ev.Exception().Values
		outer := x[len(x)-1]
		first := []rune(outer.Type + ": " + outer.Value)[:20]
		frames := outer.Stacktrace.Frames
		crash := frames[len(frames)-1].Function + " in "
		for _, budget := range []int{2000, 1000, 600, 400, 250, 150, 80, 40, 12} {
			opts := DefaultEventOptions()
			opts.Budget = budget
			got := ErrorView(ev, opts)
			if n := CountTokens(got); n > budget {
				t.Errorf("%s budget %d: %d tokens", ShortID(ev.ID), budget, n)
			}
			if CountTokens(full) <= budget && got != full {
				t.Errorf("%s budget %d: the full view fits but was cut", ShortID(ev.ID), budget)
			}
			if budget >= 80 && (!strings.Contains(got, "\n"+string(first)) && !strings.HasPrefix(got, string(first)) || !strings.Contains(got, crash)) {
				t.Errorf("%s budget %d: the first exception line or the crash-site frame was dropped:\n%s", ShortID(ev.ID), budget, got)
			}
		}
	}
}

func TestErrorViewSanitizes(t *testing.T) {
	ev := evDecodeJSON(t, `{"id":"ab","title":"T\u001b]52;c;ZXZpbA==\u0007\u001b[31mitle\u202e","dateCreated":"2026-01-02T03:04:05Z","entries":[
	 {"type":"exception","data":{"values":[{"type":"E\u001b[2J","value":"v\u0007","stacktrace":{"frames":[
	   {"function":"f\u001b[1m","filename":"a\u001b.py","lineNo":1,"inApp":true,"context":[[1,"x = 1 \u001b[8m hidden"]],"vars":{"x":"'\u001b[0m'"}}]}}]}},
	 {"type":"breadcrumbs","data":{"values":[{"timestamp":"2026-01-02T03:04:04Z","category":"c\u001b[5m","message":"m\u001b]8;;http://evil\u0007link","data":{"k":"v\u009b"}}]}},
	 {"type":"request","data":{"method":"GET","url":"https://x.test/\u001b[A","headers":[["User-Agent","ua\u001b[K"]]}}]}`)
	got := ErrorView(ev, DefaultEventOptions())
	for _, bad := range []string{"\x1b", "\x07", "\u202e", "\u009b"} {
		if strings.Contains(got, bad) {
			t.Errorf("raw control %q reached the output:\n%q", bad, got)
		}
	}
	if !strings.Contains(got, `\x1b`) {
		t.Errorf("escapes should show as visible text:\n%s", got)
	}
}

func TestErrorViewThreadsMessageAndTransaction(t *testing.T) {
	threads := evDecodeJSON(t, `{"id":"c0ffee00c0ffee00c0ffee00c0ffee00","type":"error","title":"EXC_BAD_ACCESS","platform":"native",
	 "entries":[{"type":"exception","data":{"values":[{"type":"EXC_BAD_ACCESS","value":"crash","stacktrace":null}]}},
	  {"type":"threads","data":{"values":[
	   {"id":1,"name":"main","current":false,"stacktrace":{"frames":[{"function":"idle","package":"libsystem","inApp":false}]}},
	   {"id":7,"name":"worker","crashed":true,"stacktrace":{"frames":[{"function":"start","package":"libsystem","inApp":false},{"function":"parse","filename":"src/parse.c","lineNo":9,"inApp":true}]}}]}}]}`)
	got := ErrorView(threads, DefaultEventOptions())
	for _, want := range []string{"thread worker #7 (crashed)", "parse in src/parse.c:9 (in app)", "start in libsystem", "other threads: main #1 (1 frame)", "no stack trace"} {
		if !strings.Contains(got, want) {
			t.Errorf("threads: missing %q:\n%s", want, got)
		}
	}
	if rel := RelevantFunctions(threads); len(rel) != 1 || rel[0] != "parse" {
		t.Errorf("RelevantFunctions from the crashed thread = %v", rel)
	}

	msg := evDecodeJSON(t, `{"id":"m1","type":"default","title":"disk almost full","entries":[{"type":"message","data":{"formatted":"disk almost full\nonly 2% left on /var"}},
	 {"type":"stacktrace","data":{"frames":[{"function":"check","filename":"ops/disk.py","lineNo":5,"inApp":true}]}}]}`)
	got = ErrorView(msg, DefaultEventOptions())
	for _, want := range []string{"Message\n  disk almost full\n  only 2% left on /var", "Stack trace\n  check in ops/disk.py:5 (in app)"} {
		if !strings.Contains(got, want) {
			t.Errorf("message event: missing %q:\n%s", want, got)
		}
	}

	txn := evDemoEvent(t, "events/api-gateway/1fdbda141bc53dd1b130ba1ba0b06967.json")
	got = ErrorView(txn, DefaultEventOptions())
	for _, want := range []string{"POST /api/checkout", "transaction · ", "transaction: op http.server · duration 591ms", "profiler 9408ebd1"} {
		if !strings.Contains(got, want) {
			t.Errorf("transaction: missing %q:\n%s", want, got)
		}
	}
}

// The public fixtures use the API's camelCase inApp; Seer read in_app and
// so never saw which frames were the application's.
func TestErrorViewReadsCamelCaseInApp(t *testing.T) {
	ev := new(wire.Event)
	evFixture(t, "api/event.json", ev)
	got := ErrorView(ev, DefaultEventOptions())
	if !strings.Contains(got, "OAuthProviderImpl.fetch in index.js:8029 (in app)") {
		t.Errorf("inApp not read:\n%s", got)
	}
	if rel := RelevantFunctions(ev); strings.Join(rel, ",") != "Object.fetch,OAuthProviderImpl.fetch" {
		t.Errorf("RelevantFunctions = %v", rel)
	}
	if strings.Contains(got, "2a06:98c0") {
		t.Error("the user's IP address leaked")
	}
}

// FuzzErrorView: any JSON that decodes as an event renders, within its
// budget, without panicking and without raw escape characters.
func FuzzErrorView(f *testing.F) {
	f.Add([]byte(evSecretEvent))
	f.Add([]byte(`{"entries":[{"type":"exception","data":{"value":{"type":"E","stacktrace":{"frames":[{"lineNo":1,"context":[[1,null]],"vars":[1,"[Filtered]"]}]}}}}]}`))
	f.Add([]byte(`{"title":"\u001b[2J","entries":[{"type":"threads","data":{"values":[{"id":"x","crashed":true,"stacktrace":{"frames":[{}]}}]}},{"type":"breadcrumbs","data":{"values":[{"data":"s"}]}}]}`))
	for _, tc := range evDemoErrors {
		if b, err := fs.ReadFile(demo.Dataset(), tc.path); err == nil {
			f.Add(b)
		}
	}
	if dir := evFixturesDir(f); dir != "" {
		for _, name := range []string{"api/event.json", "api/openapi-example-issue-event.json", "api/trace-event.json"} {
			if b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name))); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var ev wire.Event
		if wire.Decode(data, &ev) != nil {
			return
		}
		_ = RelevantFunctions(&ev)
		for _, budget := range []int{0, 300, 40} {
			opts := DefaultEventOptions()
			opts.Budget = budget
			got := ErrorView(&ev, opts)
			if budget > 0 && CountTokens(got) > budget {
				t.Fatalf("budget %d: %d tokens", budget, CountTokens(got))
			}
			if strings.ContainsAny(got, "\x1b\x07\x00") {
				t.Fatalf("raw control character in %q", got)
			}
		}
	})
}
