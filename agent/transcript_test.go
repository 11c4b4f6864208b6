package agent

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTranscriptSaveResumeExport(t *testing.T) {
	dir := t.TempDir()
	in, _ := loadDemo(t)
	tr, err := NewTranscript(dir, TranscriptHeader{Target: "STOREFRONT-4Z", Source: Source{Kind: "demo"}, Model: "fake-model", Analyzer: "llm", Issue: "STOREFRONT-4Z"})
	if err != nil {
		t.Fatal(err)
	}
	var runs []string
	// A run that is cut after the root cause (the model fails).
	p := &fakeProvider{steps: []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){
		call("read", `{"q":"1"}`),
		call("report_root_cause", rootCause),
		func(context.Context, ChatRequest, StreamHandler) (*Completion, error) {
			return nil, os.ErrDeadlineExceeded
		},
	}}
	r := Start(context.Background(), Options{Provider: p, Incident: in, Tools: []Tool{echoTool("read", true, &runs)}, Sink: tr.Sink})
	collect(t, r, nil)
	if _, err := r.Wait(); err == nil {
		t.Fatal("the run should have failed")
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	path, err := FindTranscript(dir, tr.Header.ID[:15])
	if err != nil || path != tr.Path {
		t.Fatalf("FindTranscript: %v %s", err, path)
	}
	d, err := LoadTranscript(path)
	if err != nil {
		t.Fatal(err)
	}
	if d.Finished || d.Report == nil || d.Report.RootCause == nil || d.Report.RootCause.Service != "auth-service" {
		t.Fatalf("loaded: finished %v report %+v", d.Finished, d.Report)
	}
	if len(d.Messages) < 5 {
		t.Fatalf("%d messages saved", len(d.Messages))
	}
	// Resume: the conversation continues where it stopped, keeping the root cause.
	msgs := d.ResumableMessages()
	if last := msgs[len(msgs)-1]; last.Role != "user" || !strings.Contains(last.Content, "resumed") {
		t.Errorf("resume message: %+v", last)
	}
	tr2, err := AppendTo(path)
	if err != nil {
		t.Fatal(err)
	}
	p2 := &fakeProvider{steps: []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){
		call("report_solution", `{"steps":["fix"]}`),
		call("finish", `{}`),
	}}
	r2 := Start(context.Background(), Options{Provider: p2, Incident: in, Messages: msgs, Report: d.Report, Sink: tr2.Sink})
	collect(t, r2, nil)
	rep, err := r2.Wait()
	if err != nil || !rep.Found() || len(rep.Solution) != 1 {
		t.Fatalf("resumed report %+v %v", rep, err)
	}
	if got := p2.requests()[0].Messages; got[0].Role != "system" || len(got) != len(msgs) {
		t.Errorf("the resumed request did not carry the saved conversation (%d messages)", len(got))
	}
	tr2.Close()
	d2, err := LoadTranscript(path)
	if err != nil || !d2.Finished || d2.Report == nil || len(d2.Report.Solution) != 1 {
		t.Fatalf("after resume: %v %+v", err, d2)
	}
	md := d2.Report.Markdown()
	for _, want := range []string{"# Investigation of STOREFRONT-4Z", "auth-service", "fix"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	list, err := ListTranscripts(dir)
	if err != nil || len(list) != 1 || list[0].Header.ID != tr.Header.ID {
		t.Errorf("list = %v %v", list, err)
	}
}

func TestLoadTranscriptBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "x.jsonl")
	os.WriteFile(bad, []byte("not json\n{}\n"), 0o600)
	if _, err := LoadTranscript(bad); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad transcript: %v", err)
	}
	os.WriteFile(bad, []byte(`{"type":"message","message":{"role":"user"}}`+"\n"), 0o600)
	if _, err := LoadTranscript(bad); err == nil || !strings.Contains(err.Error(), "no header") {
		t.Errorf("headerless transcript: %v", err)
	}
	if _, err := FindTranscript(filepath.Join(dir, "none"), "abc"); err == nil {
		t.Error("missing dir")
	}
}

func TestTranscriptReplayKeepsOrder(t *testing.T) {
	dir := t.TempDir()
	tr, err := NewTranscript(dir, TranscriptHeader{Target: "X", Source: Source{Kind: "demo"}})
	if err != nil {
		t.Fatal(err)
	}
	var runs []string
	p := &fakeProvider{steps: []func(context.Context, ChatRequest, StreamHandler) (*Completion, error){
		say("Looking at the tree."),
		call("read", `{"q":"1"}`),
		call("finish", `{}`),
	}}
	r := Start(context.Background(), Options{Provider: p, Incident: testIncident(), Tools: []Tool{echoTool("read", true, &runs)}, Sink: tr.Sink})
	live := collect(t, r, nil)
	tr.Close()
	d, err := LoadTranscript(tr.Path)
	if err != nil {
		t.Fatal(err)
	}
	// The replay is the live stream with the deltas of each step merged.
	var want, got []string
	for _, evs := range [][]Event{live, d.Replay()} {
		var out []string
		for i, e := range evs {
			if isDelta(e.Kind) && i > 0 && isDelta(evs[i-1].Kind) {
				continue
			}
			out = append(out, e.Kind.String())
		}
		if want == nil {
			want = out
		} else {
			got = out
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("replay order\n got %v\nwant %v", got, want)
	}
}
