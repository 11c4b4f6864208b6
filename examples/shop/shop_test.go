package shop_test

// The shop's three services are built and run as processes, each with its
// own Sentry client and DSN, against a fake ingest that keeps the envelopes
// the SDK posts. One checkout must give one trace across the three
// projects, and for a cart whose total has cents, three connected errors
// with the deepest one's stack trace ending in payments' parseAmountCents.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	buildTimeout = 5 * time.Minute
	readyTimeout = 15 * time.Second
	stopTimeout  = 10 * time.Second
	release      = "shop@e2e"
)

// binDir holds the services built once by TestMain.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "shop-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := func() int {
		ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
		defer cancel()
		// -trimpath=false: frames keep their absolute paths, which sentry-go
		// needs to tell the standard library (GOROOT) from the application.
		cmd := exec.CommandContext(ctx, "go", "build", "-trimpath=false", "-o", dir+string(filepath.Separator), "./storefront", "./orders", "./payments")
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building the services: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Projects of the three DSNs, as tracehound serve would give them.
var projects = map[string]string{"1": "storefront", "2": "orders", "3": "payments"}

func TestCheckoutTrace(t *testing.T) {
	in := newIngest(t)
	pay := startService(t, "payments", "SENTRY_DSN="+in.dsn("3"))
	ord := startService(t, "orders", "SENTRY_DSN="+in.dsn("2"), "PAYMENTS_URL="+pay.url)
	front := startService(t, "storefront", "SENTRY_DSN="+in.dsn("1"), "ORDERS_URL="+ord.url)

	t.Run("amount with cents fails in payments", func(t *testing.T) {
		in.reset()
		code, body := get(t, front.url+"/checkout?cart=c1")
		if code != http.StatusBadGateway {
			t.Fatalf("GET /checkout?cart=c1: %d %s, want 502", code, body)
		}
		// The transport is synchronous and each service reports before it
		// answers, so everything is in by the time the answer is.
		envs := in.snapshot()
		txs := byProject(t, envs, "transaction")
		errs := byProject(t, envs, "event")
		if len(txs) != 3 || len(errs) != 3 {
			t.Fatalf("at the response: %d transactions and %d errors, want 3 and 3 (one each from projects 1, 2, 3)\n%s", len(txs), len(errs), summary(envs))
		}

		sf, od, pm := txs["1"], txs["2"], txs["3"]
		if sf == nil || od == nil || pm == nil {
			t.Fatalf("transactions from projects %v, want 1, 2 and 3", keys(txs))
		}
		if errs["1"] == nil || errs["2"] == nil || errs["3"] == nil {
			t.Fatalf("errors from projects %v, want 1, 2 and 3", keys(errs))
		}
		for p, tx := range txs {
			if tx.ServerName != projects[p] {
				t.Errorf("project %s: transaction from server %q, want %q", p, tx.ServerName, projects[p])
			}
			if tx.Release != release || tx.Environment != "local" {
				t.Errorf("project %s: release %q environment %q, want %q and local", p, tx.Release, tx.Environment, release)
			}
			if tx.Contexts.Trace.Status != "internal_error" {
				t.Errorf("%s: transaction status %q, want internal_error", tx.Transaction, tx.Contexts.Trace.Status)
			}
		}
		wantNames := map[*event]string{sf: "GET /checkout", od: "POST /orders", pm: "POST /charges"}
		for tx, name := range wantNames {
			if tx.Transaction != name || tx.Contexts.Trace.Op != "http.server" {
				t.Errorf("project of %s: transaction %q op %q, want %q op http.server", tx.ServerName, tx.Transaction, tx.Contexts.Trace.Op, name)
			}
		}

		// One trace.
		traceID := sf.Contexts.Trace.TraceID
		if len(traceID) != 32 {
			t.Fatalf("storefront trace_id %q", traceID)
		}
		for _, e := range envs {
			if got := e.header.Trace["trace_id"]; got != traceID {
				t.Errorf("envelope from project %s: header trace.trace_id %q, want %q", e.project, got, traceID)
			}
		}
		for _, ev := range append(values(txs), values(errs)...) {
			if ev.Contexts.Trace.TraceID != traceID {
				t.Errorf("%s %s: trace_id %q, want %q", ev.ServerName, ev.kind(), ev.Contexts.Trace.TraceID, traceID)
			}
			for _, s := range ev.Spans {
				if s.TraceID != traceID || s.ParentSpanID == "" {
					t.Errorf("%s: span %s %q: trace_id %q parent %q", ev.ServerName, s.Op, s.Description, s.TraceID, s.ParentSpanID)
				}
			}
		}

		// Linkage: storefront is the root; each callee's transaction is a
		// child of the caller's http.client span.
		if p := sf.Contexts.Trace.ParentSpanID; p != "" {
			t.Errorf("storefront transaction has parent_span_id %q, want none", p)
		}
		toOrders := findSpan(t, sf, "http.client", "POST "+ord.url+"/orders")
		toPayments := findSpan(t, od, "http.client", "POST "+pay.url+"/charges")
		if got := od.Contexts.Trace.ParentSpanID; got != toOrders.SpanID {
			t.Errorf("orders transaction parent_span_id %q, want storefront's http.client span %q", got, toOrders.SpanID)
		}
		if got := pm.Contexts.Trace.ParentSpanID; got != toPayments.SpanID {
			t.Errorf("payments transaction parent_span_id %q, want orders' http.client span %q", got, toPayments.SpanID)
		}
		for _, s := range []span{toOrders, toPayments} {
			if s.Status != "internal_error" {
				t.Errorf("span %q: status %q, want internal_error", s.Description, s.Status)
			}
		}
		findSpan(t, sf, "db.query", "SELECT id, items, total, currency FROM carts WHERE id = ?")
		findSpan(t, od, "db.query", "UPDATE orders SET status = ? WHERE id = ?")
		if s := findSpan(t, pm, "function", "charge"); s.Status != "internal_error" {
			t.Errorf("payments charge span: status %q, want internal_error", s.Status)
		}

		// Three errors, each on its service's transaction.
		for p, ev := range errs {
			tx := txs[p]
			if ev.ServerName != projects[p] {
				t.Errorf("project %s: error from server %q, want %q", p, ev.ServerName, projects[p])
			}
			if ev.Contexts.Trace.SpanID != tx.Contexts.Trace.SpanID {
				t.Errorf("%s error: span_id %q, want its transaction's %q", ev.ServerName, ev.Contexts.Trace.SpanID, tx.Contexts.Trace.SpanID)
			}
			if ev.Level != "error" || len(ev.Exception) == 0 {
				t.Errorf("%s error: level %q, %d exceptions", ev.ServerName, ev.Level, len(ev.Exception))
			}
		}
		if got, want := errs["1"].mainException().Value, "orders responded 502 to POST /orders"; got != want {
			t.Errorf("storefront error %q, want %q", got, want)
		}
		if got, want := errs["2"].mainException().Value, "payments responded 500 to POST /charges"; got != want {
			t.Errorf("orders error %q, want %q", got, want)
		}

		// The deepest error names the function with the bug.
		pe := errs["3"]
		top := pe.mainException()
		if top.Type != "*main.amountError" || !strings.Contains(top.Value, `parsing "12.50": invalid syntax`) {
			t.Errorf("payments exception %s: %q", top.Type, top.Value)
		}
		var chain []string
		for _, x := range pe.Exception {
			chain = append(chain, x.Type)
		}
		if !strings.Contains(strings.Join(chain, " "), "*strconv.NumError") {
			t.Errorf("payments exception chain %v has no *strconv.NumError", chain)
		}
		if top.Stacktrace == nil || len(top.Stacktrace.Frames) == 0 {
			t.Fatalf("payments exception has no stack trace")
		}
		frames := top.Stacktrace.Frames
		var inner *frame // innermost in-app frame: Sentry lists frames outermost first
		for i := len(frames) - 1; i >= 0; i-- {
			if frames[i].InApp != nil && *frames[i].InApp {
				inner = &frames[i]
				break
			}
		}
		if inner == nil {
			t.Fatalf("payments stack trace has no in_app frame: %+v", frames)
		}
		path := inner.AbsPath
		if path == "" {
			path = inner.Filename // binaries built with -trimpath
		}
		if inner.Function != "parseAmountCents" || inner.Module != "main" || inner.Lineno <= 0 ||
			!strings.HasSuffix(filepath.ToSlash(path), "payments/charges.go") {
			t.Errorf("innermost in-app frame %+v, want parseAmountCents in module main of payments/charges.go", *inner)
		}
		var fns []string
		for _, f := range frames {
			fns = append(fns, f.Function)
		}
		if got := strings.Join(fns, " "); !strings.Contains(got, "(*server).handleCharge (*server).charge parseAmountCents") {
			t.Errorf("payments frames %s: want ... handleCharge, charge, parseAmountCents", got)
		}
		for _, f := range frames {
			if strings.HasPrefix(f.AbsPath, "/") && strings.Contains(f.AbsPath, "/src/net/http/") && (f.InApp == nil || *f.InApp) {
				t.Errorf("standard library frame %s %s marked in_app", f.Module, f.Function)
			}
		}
	})

	t.Run("whole amount succeeds", func(t *testing.T) {
		in.reset()
		code, body := get(t, front.url+"/checkout?cart=c2")
		if code != http.StatusOK || !strings.Contains(body, `"status":"paid"`) {
			t.Fatalf("GET /checkout?cart=c2: %d %s, want 200 and a paid order", code, body)
		}
		envs := in.snapshot()
		txs := byProject(t, envs, "transaction")
		if errs := byProject(t, envs, "event"); len(errs) != 0 {
			t.Errorf("%d errors for a good checkout\n%s", len(errs), summary(envs))
		}
		if len(txs) != 3 {
			t.Fatalf("%d transactions, want 3\n%s", len(txs), summary(envs))
		}
		traceID := txs["1"].Contexts.Trace.TraceID
		for _, tx := range txs {
			if tx.Contexts.Trace.TraceID != traceID || tx.Contexts.Trace.Status != "ok" {
				t.Errorf("%s: trace %q status %q, want %q ok", tx.Transaction, tx.Contexts.Trace.TraceID, tx.Contexts.Trace.Status, traceID)
			}
		}
	})
}

func TestMissingDSN(t *testing.T) {
	for _, name := range []string{"storefront", "orders", "payments"} {
		ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
		cmd := exec.CommandContext(ctx, filepath.Join(binDir, name))
		cmd.Env = childEnv("SENTRY_DSN=")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		cancel()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(stderr.String(), "SENTRY_DSN") {
			t.Errorf("%s without SENTRY_DSN: %v, stderr %q; want exit 2 naming SENTRY_DSN", name, err, stderr.String())
		}
	}
}

// ---- the services

type service struct {
	name   string
	url    string // http://127.0.0.1:PORT
	cmd    *exec.Cmd
	output *syncBuffer // stdout and stderr
	exited chan struct{}
	err    error // from Wait, once exited is closed
}

// startService runs a built service on a free port and waits for its
// "NAME listening on ADDR" line. It is stopped with SIGTERM at the end of
// the test, and must then exit 0.
func startService(t *testing.T, name string, env ...string) *service {
	t.Helper()
	s := &service{name: name, output: &syncBuffer{}, exited: make(chan struct{})}
	s.cmd = exec.Command(filepath.Join(binDir, name))
	s.cmd.Env = childEnv(append([]string{"PORT=0", "SENTRY_RELEASE=" + release}, env...)...)
	s.cmd.Stderr = s.output
	ready := make(chan string, 1)
	s.cmd.Stdout = &lineWatcher{out: s.output, prefix: name + " listening on ", found: ready}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() { s.stop(t) })

	select {
	case addr := <-ready:
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatalf("%s: listening address %q: %v", name, addr, err)
		}
		s.url = "http://127.0.0.1:" + port
	case <-s.exited:
		t.Fatalf("%s exited before it listened: %v\n%s", name, s.err, s.output)
	case <-time.After(readyTimeout):
		t.Fatalf("%s did not say it was listening within %v\n%s", name, readyTimeout, s.output)
	}
	return s
}

func (s *service) stop(t *testing.T) {
	select {
	case <-s.exited:
		t.Errorf("%s had exited already: %v\n%s", s.name, s.err, s.output)
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		if s.err != nil {
			t.Errorf("%s on SIGTERM: %v\n%s", s.name, s.err, s.output)
		}
	case <-time.After(stopTimeout):
		_ = s.cmd.Process.Kill()
		<-s.exited
		t.Errorf("%s did not exit within %v of SIGTERM\n%s", s.name, stopTimeout, s.output)
	}
}

// childEnv is this process's environment without the variables the
// services read, plus env.
func childEnv(env ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "SENTRY_"), k == "PORT", k == "ORDERS_URL", k == "PAYMENTS_URL":
			continue
		}
		out = append(out, kv)
	}
	return append(out, env...)
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// lineWatcher copies a service's stdout to out and sends the rest of the
// first line that starts with prefix on found.
type lineWatcher struct {
	out    io.Writer
	prefix string
	found  chan<- string
	line   []byte
	done   bool
}

func (w *lineWatcher) Write(p []byte) (int, error) {
	_, _ = w.out.Write(p)
	w.line = append(w.line, p...)
	for {
		i := bytes.IndexByte(w.line, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(w.line[:i])
		w.line = w.line[i+1:]
		if rest, ok := strings.CutPrefix(line, w.prefix); ok && !w.done {
			w.done = true
			w.found <- strings.TrimSpace(rest)
		}
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// ---- the fake ingest

type envelopeHeader struct {
	EventID string            `json:"event_id"`
	DSN     string            `json:"dsn"`
	Trace   map[string]string `json:"trace"`
}

type envelopeItem struct {
	Type    string
	Payload []byte
}

type envelope struct {
	project string // from the URL: /api/{project}/envelope/
	key     string // sentry_key of the X-Sentry-Auth header
	header  envelopeHeader
	items   []envelopeItem
}

type ingest struct {
	srv  *httptest.Server
	mu   sync.Mutex
	envs []envelope
	seq  int
}

// newIngest starts the fake ingest. With SHOP_TEST_DUMP=DIR it also writes
// every envelope it receives to DIR, as received.
func newIngest(t *testing.T) *ingest {
	in := &ingest{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/{project}/envelope/", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 20<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		env, err := parseEnvelope(body)
		if err != nil {
			t.Errorf("ingest: envelope for project %s: %v\n%s", r.PathValue("project"), err, body)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		env.project = r.PathValue("project")
		env.key = authKey(r.Header.Get("X-Sentry-Auth"))
		in.mu.Lock()
		in.envs = append(in.envs, env)
		in.seq++
		seq := in.seq
		in.mu.Unlock()
		if dir := os.Getenv("SHOP_TEST_DUMP"); dir != "" {
			var types []string
			for _, it := range env.items {
				types = append(types, it.Type)
			}
			name := fmt.Sprintf("%s-%03d-project%s-%s.envelope", t.Name(), seq, env.project, strings.Join(types, "+"))
			if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
				t.Errorf("ingest: %v", err)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, "{\"id\":%q}\n", env.header.EventID)
	})
	in.srv = httptest.NewServer(mux)
	t.Cleanup(in.srv.Close)
	return in
}

// dsn is the DSN of project with public key "key<project>".
func (in *ingest) dsn(project string) string {
	return strings.Replace(in.srv.URL, "http://", "http://key"+project+"@", 1) + "/" + project
}

func (in *ingest) reset() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.envs = nil
}

func (in *ingest) snapshot() []envelope {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]envelope(nil), in.envs...)
}

func authKey(auth string) string {
	for f := range strings.SplitSeq(strings.TrimPrefix(auth, "Sentry "), ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(f), "sentry_key="); ok {
			return v
		}
	}
	return ""
}

// parseEnvelope reads an envelope: a header line, then items, each an item
// header line and a payload of "length" bytes, or up to the end of the
// line when the header has no length.
func parseEnvelope(b []byte) (envelope, error) {
	var env envelope
	line, rest, _ := bytes.Cut(b, []byte("\n"))
	if err := json.Unmarshal(line, &env.header); err != nil {
		return env, fmt.Errorf("envelope header: %w", err)
	}
	for len(bytes.TrimSpace(rest)) > 0 {
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		var ih struct {
			Type   string `json:"type"`
			Length *int   `json:"length"`
		}
		if err := json.Unmarshal(line, &ih); err != nil {
			return env, fmt.Errorf("item header %q: %w", line, err)
		}
		var payload []byte
		if ih.Length != nil {
			if *ih.Length < 0 || *ih.Length > len(rest) {
				return env, fmt.Errorf("item %s: length %d, %d bytes left", ih.Type, *ih.Length, len(rest))
			}
			payload, rest = rest[:*ih.Length], rest[*ih.Length:]
			rest = bytes.TrimPrefix(rest, []byte("\n"))
		} else {
			payload, rest, _ = bytes.Cut(rest, []byte("\n"))
		}
		env.items = append(env.items, envelopeItem{Type: ih.Type, Payload: payload})
	}
	return env, nil
}

// ---- what the SDK sends

type traceContext struct {
	TraceID      string `json:"trace_id"`
	SpanID       string `json:"span_id"`
	ParentSpanID string `json:"parent_span_id"`
	Op           string `json:"op"`
	Status       string `json:"status"`
}

type span struct {
	TraceID      string `json:"trace_id"`
	SpanID       string `json:"span_id"`
	ParentSpanID string `json:"parent_span_id"`
	Op           string `json:"op"`
	Description  string `json:"description"`
	Status       string `json:"status"`
}

type frame struct {
	Function string `json:"function"`
	Module   string `json:"module"`
	Filename string `json:"filename"`
	AbsPath  string `json:"abs_path"`
	Lineno   int    `json:"lineno"`
	InApp    *bool  `json:"in_app"`
}

type exception struct {
	Type       string `json:"type"`
	Value      string `json:"value"`
	Stacktrace *struct {
		Frames []frame `json:"frames"`
	} `json:"stacktrace"`
}

// exceptions is the "exception" of an event: sentry-go sends a list, the
// protocol also allows {"values": [...]}.
type exceptions []exception

func (x *exceptions) UnmarshalJSON(b []byte) error {
	var list []exception
	if err := json.Unmarshal(b, &list); err == nil {
		*x = list
		return nil
	}
	var obj struct {
		Values []exception `json:"values"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	*x = obj.Values
	return nil
}

type event struct {
	EventID     string `json:"event_id"`
	Type        string `json:"type"`
	Level       string `json:"level"`
	Transaction string `json:"transaction"`
	ServerName  string `json:"server_name"`
	Release     string `json:"release"`
	Environment string `json:"environment"`
	Contexts    struct {
		Trace traceContext `json:"trace"`
	} `json:"contexts"`
	Spans     []span     `json:"spans"`
	Exception exceptions `json:"exception"`
}

func (e *event) kind() string {
	if e.Type == "transaction" {
		return "transaction " + e.Transaction
	}
	return "error"
}

// mainException is the one Sentry shows: the last of the list.
func (e *event) mainException() exception {
	if len(e.Exception) == 0 {
		return exception{}
	}
	return e.Exception[len(e.Exception)-1]
}

// byProject decodes the items of type typ, one per project at most.
func byProject(t *testing.T, envs []envelope, typ string) map[string]*event {
	t.Helper()
	out := make(map[string]*event)
	for _, env := range envs {
		if want := "key" + env.project; env.key != want {
			t.Errorf("project %s: envelope sent with sentry_key %q, want %q", env.project, env.key, want)
		}
		for _, it := range env.items {
			if it.Type != typ {
				continue
			}
			var ev event
			if err := json.Unmarshal(it.Payload, &ev); err != nil {
				t.Fatalf("project %s: %s item: %v", env.project, typ, err)
			}
			if _, dup := out[env.project]; dup {
				t.Errorf("project %s: more than one %s item", env.project, typ)
			}
			out[env.project] = &ev
		}
	}
	return out
}

func findSpan(t *testing.T, tx *event, op, description string) span {
	t.Helper()
	for _, s := range tx.Spans {
		if s.Op == op && s.Description == description {
			if s.ParentSpanID != tx.Contexts.Trace.SpanID {
				t.Errorf("%s: span %s %q has parent %q, want the transaction %q", tx.Transaction, op, description, s.ParentSpanID, tx.Contexts.Trace.SpanID)
			}
			return s
		}
	}
	var have []string
	for _, s := range tx.Spans {
		have = append(have, s.Op+" "+s.Description)
	}
	t.Errorf("%s: no span %s %q; spans: %q", tx.Transaction, op, description, have)
	return span{}
}

func keys(m map[string]*event) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func values(m map[string]*event) []*event {
	var out []*event
	for _, p := range []string{"1", "2", "3"} {
		if ev, ok := m[p]; ok {
			out = append(out, ev)
		}
	}
	return out
}

func summary(envs []envelope) string {
	var b strings.Builder
	for _, env := range envs {
		for _, it := range env.items {
			fmt.Fprintf(&b, "  project %s: %s (%d bytes)\n", env.project, it.Type, len(it.Payload))
		}
	}
	return b.String()
}
