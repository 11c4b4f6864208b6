package ui

import (
	"strings"
	"testing"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// TestErrorPaneSuspect: the crash site's suspect line is marked, its code
// is there and highlighted, and in-app frames come before collapsed
// system frames.
func TestErrorPaneSuspect(t *testing.T) {
	st := NewStyles(true)
	d := dtDetails(t)["error_auth"]
	d.SetStyles(st)
	out := d.View(120, 200, true)
	plain := ansi.Strip(out)
	var suspect string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(ansi.Strip(l), "→ 71 │") {
			suspect = l
		}
	}
	if suspect == "" || !strings.Contains(ansi.Strip(suspect), "return Principal{}, newVerificationError(ReasonSignatureMismatch, keyID)") {
		t.Fatalf("no marked suspect line with its code:\n%s", plain)
	}
	// Highlighted on the CodeSuspect background across the pane.
	bg := strings.Split(lipgloss.NewStyle().Background(st.CodeSuspect.GetBackground()).Render("x"), "x")[0]
	bg = strings.TrimSuffix(bg[strings.LastIndex(bg, "48;"):], "m")
	if !strings.Contains(suspect, bg) {
		t.Errorf("suspect line not on the CodeSuspect background: %q", suspect)
	}
	if lw := lineWidth(suspect); lw != 120 {
		t.Errorf("suspect line highlight is %d cells, want the pane's 120", lw)
	}
	// Chroma colours: keywords, names and punctuation differ.
	if strings.Count(suspect, "38;2;") < 6 {
		t.Errorf("suspect line not highlighted: %q", suspect)
	}
	for _, want := range []string{
		"*signing.VerificationError: signature mismatch",
		"handled (generic)",
		"issue AUTH-SERVICE-3M",
		"trace 6773fd48a22fb5769c8758a2d3810fac",
		"✗ (*Verifier).Verify in github.com/acme/auth-service/internal/signing/verify.go:71",
		"› (*Server).requireSignature.func1",
		"… 2 system frames (net/http) (enter shows them)",
		"… 3 system frames (net/http) (enter shows them)",
		"Breadcrumbs (2, time relative to the error)",
		"-200µs  signing  computed string-to-sign",
		"Content-Type: application/json",
		"other headers not shown",
		"signing.reason=signature_mismatch",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("error pane lacks %q", want)
		}
	}
	// enter shows the system frames.
	d.Update(dtKey("enter"))
	plain = ansi.Strip(d.View(120, 200, true))
	if strings.Contains(plain, "system frames (net/http)") || !strings.Contains(plain, "(*ServeMux).ServeHTTP in net/http/server.go:2828") {
		t.Errorf("enter did not expand the system frames:\n%s", plain)
	}
	d.Update(dtKey("enter"))
	if !strings.Contains(ansi.Strip(d.View(120, 200, true)), "… 2 system frames") {
		t.Error("enter did not fold the system frames again")
	}
}

// TestErrorPaneChain shows the payments error: a chain of two exceptions,
// variables named in the context, filtered ones by name only.
func TestErrorPaneChain(t *testing.T) {
	d := dtDetails(t)["error_payments"]
	plain := ansi.Strip(d.View(140, 300, true))
	for _, want := range []string{
		"Exception chain (outermost first, 2)",
		"ServiceAuthError: auth-service rejected service token: 401 signature_mismatch",
		"caused by HTTPError: 401 Client Error",
		"mechanism flask · unhandled",
		"→ 67 │     raise ServiceAuthError(",
		"resp = <Response [401]>",
		"[filtered: body, headers.X-Acme-Signature, token]",
		"POST http://auth-service.internal:8080/v1/tokens/introspect?audience=payments → 401 Unauthorized",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("payments error lacks %q:\n%s", want, plain)
		}
	}
}

// TestErrorPaneSecrets: credentials in headers, breadcrumbs, variables,
// URLs, tags and bodies never reach the screen.
func TestErrorPaneSecrets(t *testing.T) {
	js := `{"eventID":"dddddddddddddddddddddddddddddddd","type":"error","title":"LoginError: bad credentials","platform":"python",
	"projectSlug":"accounts","dateCreated":"2026-01-01T00:00:02Z",
	"tags":[{"key":"api_key","value":"tag-secret-0001"},{"key":"user.email","value":"alice@example.com"},{"key":"region","value":"eu-west-1"}],
	"entries":[
	 {"type":"exception","data":{"values":[{"type":"LoginError","value":"bad credentials for Authorization: Bearer hdr-secret-token-0002",
	  "mechanism":{"type":"django","handled":false},
	  "stacktrace":{"frames":[{"filename":"accounts/login.py","function":"login","lineNo":3,"inApp":true,
	   "context":[[1,"def login(user, password, api_key):"],[2,"    session = open_session(user, api_key)"],[3,"    check(user, password)"],[4,"    return session"]],
	   "vars":{"user":"bob","password":"var-secret-0003","api_key":"AKIAIOSFODNN7EXAMPLE","session":"[Filtered]","unused":"x"}}]}}]}},
	 {"type":"breadcrumbs","data":{"values":[
	  {"timestamp":"2026-01-01T00:00:01Z","category":"auth","message":"login attempt password=crumb-secret-0004","data":{"password":"crumb-secret-0005","user":"bob"}},
	  {"timestamp":"2026-01-01T00:00:01.5Z","type":"http","category":"httplib","data":{"method":"GET","url":"https://api.example.com/v1/me?token=url-secret-0006&page=2","status_code":500}}
	 ]}},
	 {"type":"request","data":{"method":"POST","url":"https://bob:url-secret-0007@accounts.example.com/login?next=/home&access_token=url-secret-0008",
	  "headers":[["Authorization","Bearer hdr-secret-token-0009"],["Cookie","sessionid=cookie-secret-0010"],["X-Api-Key","hdr-secret-0011"],["User-Agent","curl/8.0"],["Content-Type","application/json"]],
	  "data":{"username":"bob","password":"body-secret-0012","remember":true}}}
	]}`
	ev := new(wire.Event)
	if err := wire.Decode([]byte(js), ev); err != nil {
		t.Fatal(err)
	}
	d := NewDetail(NewStyles(true))
	d.ShowEvent(ev.EventID, ev, "ACCOUNTS-1")
	for _, w := range []int{200, 80} {
		out := d.View(w, 200, true)
		dtCheckScreen(t, "secrets", out, w, 200)
		plain := ansi.Strip(out)
		for _, secret := range []string{"secret-", "AKIAIOSFODNN7EXAMPLE", "alice@example.com", "cookie-secret"} {
			if strings.Contains(plain, secret) {
				t.Errorf("width %d: %q on screen:\n%s", w, secret, plain)
			}
		}
		if w != 200 {
			continue
		}
		for _, want := range []string{
			"user = bob",
			"[filtered: password, api_key, session]",
			"User-Agent: curl/8.0",
			"3 other headers not shown",
			"region=eu-west-1",
			"page=2",
			"remember: true",
			"→ 3 │     check(user, password)",
		} {
			if !strings.Contains(plain, want) {
				t.Errorf("lacks %q:\n%s", want, plain)
			}
		}
		if strings.Contains(plain, "unused") {
			t.Error("a variable the context does not name is shown")
		}
	}
}

// TestErrorPaneHighlight: chroma's output is only colours, cached per
// frame, and plain text when no lexer fits.
func TestErrorPaneHighlight(t *testing.T) {
	code := []string{`def f(x):`, `    return "a" + x  # why`}
	toks := epHighlight(code, "app/x.py", "", "python", true)
	if len(toks) != 2 {
		t.Fatalf("%d highlighted lines", len(toks))
	}
	for i, l := range toks {
		var b strings.Builder
		for _, tk := range l {
			b.WriteString(tk.style.Render(tk.text))
		}
		if got := ansi.Strip(b.String()); got != code[i] {
			t.Errorf("line %d reads %q, want %q", i, got, code[i])
		}
		if rest := dtSGR.ReplaceAllString(b.String(), ""); strings.ContainsRune(rest, '\x1b') {
			t.Errorf("line %d: escape other than SGR: %q", i, b.String())
		}
		if !strings.Contains(b.String(), "\x1b[") {
			t.Errorf("line %d is not coloured", i)
		}
	}
	if epHighlight(code, "notes.unknownext", "", "", true) != nil {
		t.Error("a file no lexer knows was highlighted")
	}
	// By platform when the file name says nothing.
	if epHighlight([]string{"func f() {}"}, "", "", "go", false) == nil {
		t.Error("no lexer from the platform")
	}

	// The pane highlights each frame once per theme.
	d := dtDetails(t)["error_auth"]
	d.View(100, 30, true)
	p := d.ts[TabError].pane.(*detailError)
	n := len(p.hl)
	d.View(80, 30, true)
	if len(p.hl) != n || n == 0 {
		t.Errorf("highlighted frames: %d, then %d after a resize", n, len(p.hl))
	}
	d.SetStyles(NewStyles(false))
	d.View(80, 30, true)
	if len(p.hl) != 2*n {
		t.Errorf("the light theme did not highlight again: %d entries", len(p.hl))
	}
}

func TestErrorPaneNoException(t *testing.T) {
	js := `{"eventID":"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee","type":"default","title":"disk almost full","platform":"go",
	"entries":[{"type":"message","data":{"formatted":"disk almost full: 97% used on /var\nsecond line\rover\u001b[2K"}},
	 {"type":"threads","data":{"values":[{"id":1,"name":"main","crashed":true,"stacktrace":{"frames":[{"function":"main.main","filename":"main.go","lineNo":9,"inApp":true}]}}]}}]}`
	ev := new(wire.Event)
	if err := wire.Decode([]byte(js), ev); err != nil {
		t.Fatal(err)
	}
	d := NewDetail(NewStyles(true))
	d.ShowEvent("eeee", ev, "")
	out := d.View(100, 40, true)
	dtCheckScreen(t, "message", out, 100, 40)
	plain := ansi.Strip(out)
	for _, want := range []string{"disk almost full", "97% used on /var", `second lineover\x1b[2K`, "thread main #1 (crashed)", "main.main in main.go:9"} {
		if !strings.Contains(plain, want) {
			t.Errorf("lacks %q:\n%s", want, plain)
		}
	}
}

func lineWidth(s string) int { return ansi.StringWidth(s) }
