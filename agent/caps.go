package agent

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Support says whether a model was seen to support a feature.
type Support string

// What a model did with a feature.
const (
	Unknown  Support = ""         // not tried yet
	Works    Support = "yes"      // it worked
	Rejected Support = "rejected" // the server refused the request (400)
	Ignored  Support = "ignored"  // the server took it, the model did not follow it
	Absent   Support = "no"       // the server never produced it (streaming, tool calls)
)

func (s Support) String() string {
	if s == Unknown {
		return "?"
	}
	return string(s)
}

// worth reports whether trying the feature again may work.
func (s Support) worth() bool { return s == Unknown || s == Works }

// ModelCaps is what one model on one server was seen to support.
type ModelCaps struct {
	BaseURL string `json:"base_url"`
	Model   string `json:"model"`
	// Probed by `tracehound models --probe`.
	Streaming         Support `json:"streaming,omitempty"`
	ToolCalls         Support `json:"tool_calls,omitempty"`
	ParallelToolCalls Support `json:"parallel_tool_calls,omitempty"`
	// Structured output, probed or learnt during runs.
	ForcedToolChoice Support `json:"forced_tool_choice,omitempty"`
	JSONSchema       Support `json:"json_schema,omitempty"`
	PlainJSON        Support `json:"plain_json,omitempty"`
	// ReasoningField is the delta field the server sends reasoning in
	// (reasoning_content, reasoning), "" when none was seen.
	ReasoningField string    `json:"reasoning_field,omitempty"`
	Updated        time.Time `json:"updated"`
}

// CapsCache keeps ModelCaps in a small JSON file, by server and model.
type CapsCache struct{ Path string }

// DefaultCapsPath is $XDG_CACHE_HOME/tracehound/models.json, else the
// user cache directory's.
func DefaultCapsPath(getenv func(string) string) (string, error) {
	if d := getenv("XDG_CACHE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "tracehound", "models.json"), nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for the model capabilities (set XDG_CACHE_HOME): %w", err)
	}
	return filepath.Join(d, "tracehound", "models.json"), nil
}

func capsKey(base, model string) string { return strings.TrimRight(baseOr(base), "/") + " " + model }

func (c *CapsCache) load() (map[string]ModelCaps, error) {
	all := map[string]ModelCaps{}
	b, err := os.ReadFile(c.Path)
	if errors.Is(err, os.ErrNotExist) {
		return all, nil
	}
	if err != nil {
		return all, err
	}
	if err := json.Unmarshal(b, &all); err != nil {
		// A damaged cache is only lost knowledge: start again.
		return map[string]ModelCaps{}, nil
	}
	return all, nil
}

// Get returns what is known of a model (the zero value but for its name
// when nothing is).
func (c *CapsCache) Get(base, model string) ModelCaps {
	if c != nil && c.Path != "" {
		if all, err := c.load(); err == nil {
			if m, ok := all[capsKey(base, model)]; ok {
				return m
			}
		}
	}
	return ModelCaps{BaseURL: baseOr(base), Model: model}
}

// Put saves a model's capabilities (the file is replaced atomically).
func (c *CapsCache) Put(m ModelCaps) error {
	if c == nil || c.Path == "" {
		return nil
	}
	all, err := c.load()
	if err != nil {
		return err
	}
	m.BaseURL = baseOr(m.BaseURL)
	m.Updated = time.Now().UTC()
	all[capsKey(m.BaseURL, m.Model)] = m
	b, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(c.Path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.Path), ".models-*.json")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), c.Path)
}

// All lists the cached models, sorted by server and name.
func (c *CapsCache) All() ([]ModelCaps, error) {
	all, err := c.load()
	if err != nil {
		return nil, err
	}
	out := make([]ModelCaps, 0, len(all))
	for _, m := range all {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		return capsKey(out[i].BaseURL, out[i].Model) < capsKey(out[j].BaseURL, out[j].Model)
	})
	return out, nil
}

// Capabilities is what is known of the provider's model (from the cache
// given in its config, and what this process learnt).
func (p *OpenAI) Capabilities() ModelCaps {
	p.capsMu.Lock()
	defer p.capsMu.Unlock()
	if p.caps == nil {
		c := p.cfg.Caps.Get(p.cfg.BaseURL, p.cfg.Model)
		p.caps = &c
	}
	return *p.caps
}

// RecordCapabilities keeps what a run learnt and saves it in the cache.
// A cache that cannot be written is not an error of the run.
func (p *OpenAI) RecordCapabilities(m ModelCaps) {
	p.capsMu.Lock()
	defer p.capsMu.Unlock()
	m.BaseURL, m.Model = baseOr(p.cfg.BaseURL), p.cfg.Model
	p.caps = &m
	_ = p.cfg.Caps.Put(m)
}
