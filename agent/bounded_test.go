package agent

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tracehound/tracehound/agent/llmtest"
	"github.com/tracehound/tracehound/tracetree"
)

// secretKey is the API key of the scripted runs: it must never show in
// an event, a message, a transcript or a report.
const secretKey = "sk-test-DO-NOT-PRINT-4f9c2a"

// scripted is one run against an in-process scripted server.
type scripted struct {
	events     []Event
	report     *Report
	err        error
	transcript []byte
	elapsed    time.Duration
	requests   []llmtest.Request
}

// runScripted runs an investigation against srv (in process, so it works
// inside a synctest bubble) with a transcript, and returns what came out.
func runScripted(t *testing.T, srv *llmtest.Server, cfg ModelConfig, opts Options) scripted {
	t.Helper()
	cfg.BaseURL, cfg.HTTPClient, cfg.APIKey = srv.URL(), srv.HTTPClient(), secretKey
	if cfg.Model == "" {
		cfg.Model = "local-model"
	}
	p, err := NewOpenAI(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tr, err := NewTranscript(dir, TranscriptHeader{Target: "test", Model: cfg.Model, Analyzer: "llm"})
	if err != nil {
		t.Fatal(err)
	}
	opts.Provider, opts.Sink = p, tr.Sink
	if opts.Incident == nil {
		opts.Incident = testIncident()
	}
	start := time.Now()
	r := Start(context.Background(), opts)
	var out scripted
	for e := range r.Events() {
		out.events = append(out.events, e)
	}
	out.report, out.err = r.Wait()
	out.elapsed = time.Since(start)
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	out.transcript, err = os.ReadFile(filepath.Join(dir, tr.Header.ID+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	out.requests = srv.Requests()
	// Nothing the run printed or saved carries the key.
	rep, _ := json.Marshal(out.report)
	for what, b := range map[string]string{"transcript": string(out.transcript), "report": string(rep) + out.report.Markdown()} {
		if strings.Contains(b, secretKey) {
			t.Errorf("the API key is in the %s", what)
		}
	}
	for _, e := range out.events {
		if strings.Contains(e.Text+e.Err, secretKey) {
			t.Errorf("the API key is in event %+v", e)
		}
	}
	if out.err != nil && strings.Contains(out.err.Error(), secretKey) {
		t.Errorf("the API key is in the error %v", out.err)
	}
	return out
}

func (s scripted) texts(kind EventKind) []string {
	var out []string
	for _, e := range s.events {
		if e.Kind == kind {
			out = append(out, e.Text)
		}
	}
	return out
}

// TestBoundedStreams plays a misbehaving server against the real client
// and the loop, in a synctest bubble (fake time: the minute-long timeouts
// take no real time). Every case ends with a report saying why it
// stopped, a bounded transcript and no key anywhere.
func TestBoundedStreams(t *testing.T) {
	mb2 := strings.Repeat(strings.Repeat("ramble ", 585)+"\n", 512) // ≈ 2 MB in 4 KB chunks
	bigChunks := strings.SplitAfter(mb2, "\n")
	cases := []struct {
		name    string
		script  []llmtest.Turn
		forever *llmtest.Turn
		cfg     ModelConfig
		// what the run must say
		wantErr     string
		wantStopped string
		maxElapsed  time.Duration
		check       func(t *testing.T, s scripted)
	}{
		{
			name:       "stalls after headers: the step is retried once, then the run stops",
			script:     []llmtest.Turn{llmtest.Headers().Hang(), llmtest.Headers().Hang()},
			cfg:        ModelConfig{StreamTimeout: 20 * time.Second},
			wantErr:    "the model sent nothing for 20s (0 characters received); raise --stream-timeout",
			maxElapsed: 41 * time.Second,
			check: func(t *testing.T, s scripted) {
				waits := s.texts(EventWaiting)
				if len(waits) < 3 || waits[0] != "waiting for the model… 5 s" || waits[2] != "waiting for the model… 15 s" {
					t.Errorf("waiting events %q", waits)
				}
				if notes := s.texts(EventNotice); len(notes) != 1 || !strings.HasSuffix(notes[0], "retrying the step once") {
					t.Errorf("notices %q", notes)
				}
			},
		},
		{
			name:       "stalls before the headers",
			script:     []llmtest.Turn{llmtest.Hang(), llmtest.Hang()},
			cfg:        ModelConfig{StreamTimeout: 5 * time.Second},
			wantErr:    "the model sent nothing for 5s",
			maxElapsed: 11 * time.Second,
		},
		{
			name:       "stalls mid-stream",
			script:     []llmtest.Turn{llmtest.Text("Looking at the trace").Hang(), llmtest.Text("Looking again").Hang()},
			cfg:        ModelConfig{StreamTimeout: 5 * time.Second},
			wantErr:    "the model sent nothing more for 5s (13 characters received)",
			maxElapsed: 11 * time.Second,
		},
		{
			name:    "malformed SSE",
			script:  []llmtest.Turn{llmtest.Text("a").Malformed(), llmtest.Text("b").Malformed()},
			wantErr: "sent a malformed stream",
		},
		{
			name:    "HTML 200",
			script:  []llmtest.Turn{llmtest.HTML("<html><body>Sign in</body></html>"), llmtest.HTML("<html><body>Sign in</body></html>")},
			wantErr: "answered text/html, not a stream of completions: is OPENAI_BASE_URL the API's base",
		},
		{
			name:        "an unknown tool forever",
			forever:     new(llmtest.Tool("get_everything", `{}`)),
			wantStopped: "stopped: the model kept calling get_everything, which does not exist (3 times in a row)",
			check: func(t *testing.T, s scripted) {
				if len(s.requests) != 3 {
					t.Errorf("%d requests", len(s.requests))
				}
			},
		},
		{
			name:    "2 MB answers are cut at the output cap",
			forever: new(llmtest.TextChunks(bigChunks...)),
			cfg:     ModelConfig{ContextWindow: 8192},
			// The model never reports: the run ends, but with little kept.
			wantStopped: "the model ended its answer without reporting a root cause",
			check: func(t *testing.T, s scripted) {
				if len(s.transcript) > 200_000 {
					t.Errorf("transcript is %d bytes", len(s.transcript))
				}
				rep, _ := json.Marshal(s.report)
				if len(rep) > 100_000 || len(s.report.Markdown()) > 100_000 {
					t.Errorf("report is %d bytes", len(rep))
				}
				if n := tracetree.CountTokens(s.report.Summary); n > 1024 {
					t.Errorf("summary has %d tokens", n)
				}
				notes := s.texts(EventNotice)
				if len(notes) == 0 || notes[0] != "the model's answer was cut at the output cap (1024 tokens)" {
					t.Errorf("notices %q", notes)
				}
				// The cap was sent, and the model was told its answer was cut.
				last := s.requests[len(s.requests)-1]
				if string(last.Fields["max_tokens"]) != "1024" {
					t.Errorf("max_tokens = %s", last.Fields["max_tokens"])
				}
				told := false
				for _, m := range last.Messages {
					told = told || m.Role == "user" && strings.Contains(m.Content, "Your last answer was cut after about 1024 tokens")
				}
				if !told {
					t.Error("the model was not told its answer was cut")
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := llmtest.NewInProcess(t, tc.script...)
				if tc.forever != nil {
					srv.Forever(*tc.forever)
				}
				s := runScripted(t, srv, tc.cfg, Options{})
				if tc.wantErr != "" {
					var me *ModelError
					if !errors.As(s.err, &me) || !strings.Contains(s.err.Error(), tc.wantErr) {
						t.Fatalf("error %v, want a ModelError with %q", s.err, tc.wantErr)
					}
					if !strings.Contains(s.report.StoppedBecause, tc.wantErr) {
						t.Errorf("stopped_because %q", s.report.StoppedBecause)
					}
				} else if s.err != nil {
					t.Fatalf("error %v", s.err)
				}
				if tc.wantStopped != "" && !strings.HasPrefix(s.report.StoppedBecause, tc.wantStopped) {
					t.Errorf("stopped_because %q, want %q", s.report.StoppedBecause, tc.wantStopped)
				}
				if s.report == nil || s.report.Complete {
					t.Fatalf("report %+v", s.report)
				}
				if !strings.Contains(string(s.transcript), `"complete":false`) {
					t.Error("the transcript has no final report")
				}
				if tc.maxElapsed > 0 && s.elapsed > tc.maxElapsed {
					t.Errorf("the run took %s (fake time), want at most %s", s.elapsed, tc.maxElapsed)
				}
				if tc.check != nil {
					tc.check(t, s)
				}
			})
		})
	}
}
