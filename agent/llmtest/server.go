package llmtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"time"
)

// DefaultModel is the one model GET /v1/models lists unless WithModels
// says otherwise.
const DefaultModel = "llmtest-model"

// created is the "created" timestamp of every chunk and model.
const created = 1700000000

// T is what the server needs of a test: *testing.T, *testing.B and
// testing.TB satisfy it (a `go run` helper can too).
type T interface {
	Helper()
	Errorf(format string, args ...any)
	Cleanup(func())
}

// Server is a scripted OpenAI-compatible Chat Completions server on
// loopback, or in process (NewInProcess). Its methods are safe for
// concurrent use.
type Server struct {
	t       T
	ts      *httptest.Server // nil in process
	handler http.Handler
	closing chan struct{}
	once    sync.Once

	mu       sync.Mutex
	script   []Turn
	next     int
	requests []Request
	models   []string
	apiKey   string
	// Server-wide behaviours (behave.go).
	rejectToolChoice, rejectResponseFormat bool
	forever                                *Turn
}

// NewServer starts a server that answers the chat completions requests it
// receives with the turns of script, in order, one turn per request. It is
// closed by t.Cleanup: requests still delayed or hanging then end.
func NewServer(t T, script ...Turn) *Server {
	t.Helper()
	s := newServer(t, script)
	s.ts = httptest.NewServer(s.handler)
	return s
}

// NewInProcess is a server without a socket: HTTPClient reaches it
// through an in-memory transport that runs the handler in the caller's
// process, which a testing/synctest bubble allows (real sockets are not
// allowed there), and Handler serves it anywhere. URL is a placeholder
// base URL the transport ignores.
func NewInProcess(t T, script ...Turn) *Server {
	t.Helper()
	return newServer(t, script)
}

func newServer(t T, script []Turn) *Server {
	s := &Server{
		t:       t,
		closing: make(chan struct{}),
		script:  slices.Clone(script),
		models:  []string{DefaultModel},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.chat)
	mux.HandleFunc("GET /v1/models", s.listModels)
	mux.HandleFunc("GET /v1/models/{model...}", s.getModel)
	mux.HandleFunc("/", s.notFound)
	s.handler = mux
	t.Cleanup(s.Close)
	return s
}

// Close ends pending pauses and hangs and, for a server on loopback,
// closes it. t.Cleanup calls it; calling it again does nothing.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closing)
		if s.ts != nil {
			s.ts.CloseClientConnections()
			s.ts.Close()
		}
	})
}

// inProcessURL is the base URL of an in-process server.
const inProcessURL = "http://llmtest.invalid/v1"

// URL returns the base URL to give the client, ending in /v1 (no slash):
// option.WithBaseURL(srv.URL()) or OPENAI_BASE_URL.
func (s *Server) URL() string {
	if s.ts == nil {
		return inProcessURL
	}
	return s.ts.URL + "/v1"
}

// Handler is the server's HTTP handler (to serve it on a chosen address).
func (s *Server) Handler() http.Handler { return s.handler }

// HTTPClient is a client that reaches the server: over loopback, or in
// process for NewInProcess.
func (s *Server) HTTPClient() *http.Client {
	if s.ts != nil {
		return s.ts.Client()
	}
	return &http.Client{Transport: &pipeTransport{h: s.handler}}
}

// WithModels sets the model ids GET /v1/models lists (default:
// DefaultModel) and returns s.
func (s *Server) WithModels(ids ...string) *Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.models = slices.Clone(ids)
	return s
}

// RequireAPIKey makes every endpoint answer 401 (invalid_api_key) unless
// the request carries "Authorization: Bearer <key>", and returns s. A
// rejected chat request is recorded but uses no turn.
func (s *Server) RequireAPIKey(key string) *Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apiKey = key
	return s
}

// Push appends turns to the script; it may be called while a client runs.
func (s *Server) Push(turns ...Turn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, turns...)
}

// Requests returns the chat completions requests received so far, in
// arrival order (GET /v1/models requests are not included).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Remaining returns how many scripted turns no request has used yet.
func (s *Server) Remaining() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.script) - s.next
}

func (s *Server) keyOK(r *http.Request) bool {
	s.mu.Lock()
	key := s.apiKey
	s.mu.Unlock()
	return key == "" || r.Header.Get("Authorization") == "Bearer "+key
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	req := Request{Header: r.Header.Clone()}
	body, err := io.ReadAll(r.Body)
	if err == nil {
		err = decodeRequest(&req, body)
	}
	keyOK := s.keyOK(r)

	s.mu.Lock()
	req.N = len(s.requests) + 1
	var turn Turn
	scripted := false
	rejected := s.rejects(req)
	if err == nil && keyOK && rejected == "" && s.next < len(s.script) {
		turn = s.script[s.next]
		s.next++
		req.Turn = s.next
		scripted = true
	} else if err == nil && keyOK && rejected == "" && s.forever != nil {
		turn, scripted = *s.forever, true
	}
	total := len(s.script)
	s.requests = append(s.requests, req)
	s.mu.Unlock()

	switch {
	case err != nil:
		s.t.Errorf("llmtest: request %d: %v", req.N, err)
		w.Header().Set("X-Should-Retry", "false")
		writeJSON(w, http.StatusBadRequest, errorJSON("llmtest: "+err.Error(), "invalid_request_error", ""))
		return
	case !keyOK:
		t := Unauthorized()
		writeJSON(w, t.status, t.errBody)
		return
	case rejected != "":
		w.Header().Set("X-Should-Retry", "false")
		writeJSON(w, http.StatusBadRequest, errorJSON(rejected, "invalid_request_error", ""))
		return
	case !scripted:
		msg := fmt.Sprintf("llmtest: no scripted turn left for request %d", req.N)
		s.t.Errorf("%s (the script has %d turns)", msg, total)
		// Tell openai-go not to retry, so the test sees one error.
		w.Header().Set("X-Should-Retry", "false")
		writeJSON(w, http.StatusInternalServerError, errorJSON(msg, "server_error", "llmtest_script_exhausted"))
		return
	}

	for _, check := range turn.expects {
		if err := check(req); err != nil {
			s.t.Errorf("llmtest: request %d (turn %d): %v", req.N, req.Turn, err)
		}
	}

	p := &responder{s: s, w: w, ctx: r.Context(), req: req, turn: turn}
	p.id = fmt.Sprintf("chatcmpl-llmtest-%d", req.N)
	p.model = turn.model
	if p.model == "" {
		p.model = req.Model
	}
	if turn.reasoningField == "" {
		p.turn.reasoningField = FieldReasoningContent
	}
	switch {
	case turn.status != 0:
		p.serveError()
	case !req.Stream || turn.asJSON:
		p.serveJSON()
	default:
		p.serveStream()
	}
}

func (s *Server) listModels(w http.ResponseWriter, r *http.Request) {
	if !s.keyOK(r) {
		t := Unauthorized()
		writeJSON(w, t.status, t.errBody)
		return
	}
	s.mu.Lock()
	ids := slices.Clone(s.models)
	s.mu.Unlock()
	data := make([]modelJSON, 0, len(ids))
	for _, id := range ids {
		data = append(data, newModel(id))
	}
	b, _ := json.Marshal(map[string]any{"object": "list", "data": data})
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) getModel(w http.ResponseWriter, r *http.Request) {
	if !s.keyOK(r) {
		t := Unauthorized()
		writeJSON(w, t.status, t.errBody)
		return
	}
	id := r.PathValue("model")
	s.mu.Lock()
	found := slices.Contains(s.models, id)
	s.mu.Unlock()
	if !found {
		t := Status(http.StatusNotFound, fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", id))
		writeJSON(w, t.status, t.errBody)
		return
	}
	b, _ := json.Marshal(newModel(id))
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.t.Errorf("llmtest: unexpected request %s %s: this fake serves POST /v1/chat/completions and GET /v1/models (is the client's base URL %s?)",
		r.Method, r.URL.Path, s.URL())
	w.Header().Set("X-Should-Retry", "false")
	writeJSON(w, http.StatusNotFound, errorJSON("llmtest: no route for "+r.Method+" "+r.URL.Path, "invalid_request_error", ""))
}

type modelJSON struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

func newModel(id string) modelJSON {
	return modelJSON{ID: id, Object: "model", Created: created, OwnedBy: "llmtest"}
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Outcomes of a pause.
const (
	waited  = iota // the time went by
	gone           // the client went away
	closing        // the server is closing
)

// wait pauses d, or until the client goes away or the server closes.
func (s *Server) wait(ctx context.Context, d time.Duration) int {
	if ctx.Err() != nil {
		return gone
	}
	if d <= 0 {
		return waited
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return waited
	case <-ctx.Done():
		return gone
	case <-s.closing:
		return closing
	}
}
