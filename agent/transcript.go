package agent

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tracehound/tracehound/redact"
)

// A transcript is an investigation saved as it goes, one JSON object per
// line: a header, then every message and every state event (deltas are
// not saved: the messages hold the full text). It can be resumed and
// exported as markdown.

// Source says where an investigation's data came from, so it can be
// reopened.
type Source struct {
	Kind string `json:"kind"`           // demo, data, sentry
	Dir  string `json:"dir,omitempty"`  // dataset directory (data)
	URL  string `json:"url,omitempty"`  // Sentry base URL (sentry)
	Org  string `json:"org,omitempty"`  // organization (sentry)
	Name string `json:"name,omitempty"` // demo incident name
}

// TranscriptHeader is a transcript's first line.
type TranscriptHeader struct {
	ID       string    `json:"id"`
	Created  time.Time `json:"created"`
	Target   string    `json:"target"`
	Source   Source    `json:"source"`
	Model    string    `json:"model"`
	Analyzer string    `json:"analyzer"`
	Issue    string    `json:"issue,omitempty"`
	Title    string    `json:"title,omitempty"`
	// Facts are the incident's impact and timeline, for hand-offs.
	Facts *Facts `json:"facts,omitempty"`
}

type transcriptLine struct {
	Type    string            `json:"type"` // header, message, event
	Header  *TranscriptHeader `json:"header,omitempty"`
	Message *Message          `json:"message,omitempty"`
	Event   *Event            `json:"event,omitempty"`
}

// Transcript writes a run to disk.
type Transcript struct {
	Header TranscriptHeader
	Path   string

	mu  sync.Mutex
	f   *os.File
	err error
}

// StateDir is where transcripts live: $XDG_STATE_HOME/tracehound/sessions,
// else ~/.local/state/tracehound/sessions.
func StateDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "tracehound", "sessions"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no home directory for transcripts: %w (set XDG_STATE_HOME)", err)
	}
	return filepath.Join(home, ".local", "state", "tracehound", "sessions"), nil
}

var slugRE = regexp.MustCompile(`[^a-z0-9]+`)

// NewTranscript creates a transcript file in dir with a fresh id.
func NewTranscript(dir string, h TranscriptHeader) (*Transcript, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if h.Created.IsZero() {
		h.Created = time.Now().UTC()
	}
	var rnd [3]byte
	_, _ = rand.Read(rnd[:])
	slug := strings.Trim(slugRE.ReplaceAllString(strings.ToLower(h.Issue), "-"), "-")
	if slug == "" {
		slug = "trace"
	}
	h.ID = h.Created.Format("20060102-150405") + "-" + slug + "-" + hex.EncodeToString(rnd[:])
	path := filepath.Join(dir, h.ID+".jsonl")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	t := &Transcript{Header: h, Path: path, f: f}
	t.write(transcriptLine{Type: "header", Header: &h})
	return t, t.err
}

// AppendTo reopens an existing transcript to continue it (resume).
func AppendTo(path string) (*Transcript, error) {
	d, err := LoadTranscript(path)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	return &Transcript{Header: d.Header, Path: path, f: f}, nil
}

func (t *Transcript) write(l transcriptLine) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err != nil || t.f == nil {
		return
	}
	b, err := json.Marshal(l)
	if err == nil {
		// Secrets masked and escapes \u-escaped, like every output.
		b, err = redact.JSON(b, "")
	}
	if err != nil {
		t.err = err
		return
	}
	_, t.err = t.f.Write(append(b, '\n'))
}

// Sink is Options.Sink: it saves messages and state events.
func (t *Transcript) Sink(e Event, m *Message) {
	switch {
	case m != nil:
		t.write(transcriptLine{Type: "message", Message: m})
	case !isDelta(e.Kind):
		t.write(transcriptLine{Type: "event", Event: &e})
	}
}

// Close flushes and closes the file; it returns the first write error.
func (t *Transcript) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.f == nil {
		return t.err
	}
	err := t.f.Close()
	t.f = nil
	if t.err != nil {
		return t.err
	}
	return err
}

// TranscriptData is a loaded transcript.
type TranscriptData struct {
	Header   TranscriptHeader
	Messages []Message
	Events   []Event
	// Report is the latest report state (from report or phase events).
	Report *Report
	// Finished says whether the investigation reached its end (finish).
	Finished bool
	// order is the messages and events interleaved as they were saved:
	// index i >= 0 is Messages[i], -i-1 is Events[i].
	order []int
}

// Replay returns the saved investigation as the event stream a front end
// would have received, in order: the state events as saved, and the
// model's text and reasoning (not saved as deltas: the messages hold
// them) as one delta each where the assistant message was saved. A user's
// messages come from their EventUserMessage events.
func (d *TranscriptData) Replay() []Event {
	var out []Event
	step := 0
	for _, i := range d.order {
		if i < 0 {
			e := d.Events[-i-1]
			step = e.Step
			out = append(out, e)
			continue
		}
		m := d.Messages[i]
		if m.Role != "assistant" {
			continue
		}
		var deltas []Event
		if strings.TrimSpace(m.Reasoning) != "" {
			deltas = append(deltas, Event{Kind: EventReasoningDelta, Step: step, Text: m.Reasoning})
		}
		if strings.TrimSpace(m.Content) != "" {
			deltas = append(deltas, Event{Kind: EventTextDelta, Step: step, Text: m.Content})
		}
		// The step's usage was saved before its message, but streamed
		// after its text.
		at := len(out)
		if at > 0 && out[at-1].Kind == EventUsage {
			at--
		}
		out = slices.Insert(out, at, deltas...)
	}
	return out
}

// LoadTranscript reads a transcript. A torn last line (a crash while
// writing) is ignored; any other bad line is an error naming it.
func LoadTranscript(path string) (*TranscriptData, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	d := &TranscriptData{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var lines [][]byte
	for sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i, b := range lines {
		var l transcriptLine
		if err := json.Unmarshal(b, &l); err != nil {
			if i == len(lines)-1 && i > 0 {
				break // torn last line
			}
			return nil, fmt.Errorf("%s line %d: not a transcript line: %v", path, i+1, err)
		}
		switch l.Type {
		case "header":
			if l.Header != nil {
				d.Header = *l.Header
			}
		case "message":
			if l.Message != nil {
				d.order = append(d.order, len(d.Messages))
				d.Messages = append(d.Messages, *l.Message)
			}
		case "event":
			if l.Event != nil {
				d.order = append(d.order, -len(d.Events)-1)
				d.Events = append(d.Events, *l.Event)
				if l.Event.Report != nil {
					d.Report = l.Event.Report
				}
				if l.Event.Kind == EventPhase && l.Event.Phase == PhaseDone {
					d.Finished = true
				}
			}
		}
	}
	if d.Header.ID == "" {
		return nil, fmt.Errorf("%s is not a tracehound transcript (no header)", path)
	}
	return d, nil
}

// ResumableMessages returns the conversation fixed up to be continued:
// tool calls left without results (a run cut mid-step) get a "not run"
// result so the model server accepts the history.
func (d *TranscriptData) ResumableMessages() []Message {
	msgs := append([]Message(nil), d.Messages...)
	answered := map[string]bool{}
	for _, m := range msgs {
		if m.Role == "tool" {
			answered[m.ToolCallID] = true
		}
	}
	var out []Message
	for _, m := range msgs {
		out = append(out, m)
		if m.Role != "assistant" {
			continue
		}
		for _, tc := range m.ToolCalls {
			if !answered[tc.ID] {
				out = append(out, Message{Role: "tool", ToolCallID: tc.ID, Name: tc.Name, Content: "Not run: the investigation was interrupted before this call; call it again if you still need it."})
			}
		}
	}
	if len(out) > 0 {
		out = append(out, Message{Role: "user", FromUser: true, Content: "The investigation was interrupted and is now resumed. Continue where you stopped."})
	}
	return out
}

// FindTranscript resolves an id (or a unique prefix, or a path) to a
// transcript file in dir.
func FindTranscript(dir, id string) (string, error) {
	if strings.HasSuffix(id, ".jsonl") {
		if _, err := os.Stat(id); err == nil {
			return id, nil
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("no saved investigations yet (%s does not exist)", dir)
		}
		return "", err
	}
	var match []string
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".jsonl")
		if name == id {
			return filepath.Join(dir, e.Name()), nil
		}
		if strings.HasPrefix(name, id) && strings.HasSuffix(e.Name(), ".jsonl") {
			match = append(match, e.Name())
		}
	}
	switch len(match) {
	case 1:
		return filepath.Join(dir, match[0]), nil
	case 0:
		return "", fmt.Errorf("no saved investigation %q in %s (list them with `tracehound resume`)", id, dir)
	}
	sort.Strings(match)
	return "", fmt.Errorf("%q matches %d investigations: %s", id, len(match), strings.Join(match, ", "))
}

// ListTranscripts returns the headers of saved investigations, newest
// first.
func ListTranscripts(dir string) ([]TranscriptData, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var out []TranscriptData
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".jsonl") {
			continue
		}
		d, err := LoadTranscript(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Header.Created.After(out[j].Header.Created) })
	return out, nil
}
