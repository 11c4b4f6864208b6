package agent

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/BurntSushi/toml"
)

// Settings are the agent's bounds from the [agent] table of tracehound's
// config.toml; flags override them. Zero values mean the defaults.
//
//	[agent]
//	stream_timeout = "90s"    # nothing from the model for this long ends the step
//	max_output_tokens = 2048  # cap on each answer (sent, and enforced)
//	max_bad_calls = 3         # bad tool calls in a row that stop the run
type Settings struct {
	StreamTimeout   time.Duration
	MaxOutputTokens int
	MaxBadCalls     int
}

type settingsFile struct {
	Agent struct {
		StreamTimeout   string `toml:"stream_timeout"`
		MaxOutputTokens int    `toml:"max_output_tokens"`
		MaxBadCalls     int    `toml:"max_bad_calls"`
	} `toml:"agent"`
}

// LoadSettings reads the [agent] table of a config file. A missing file
// or table gives zero Settings; a bad value or unknown key is an error
// naming it.
func LoadSettings(file string) (Settings, error) {
	b, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return Settings{}, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("read config: %w", err)
	}
	var f settingsFile
	md, err := toml.Decode(string(b), &f)
	if err != nil {
		return Settings{}, fmt.Errorf("%s: %w", file, err)
	}
	var errs []error
	for _, k := range md.Undecoded() {
		if len(k) > 1 && k[0] == "agent" {
			errs = append(errs, fmt.Errorf("%s: unknown key %s ([agent] has stream_timeout, max_output_tokens and max_bad_calls)", file, k.String()))
		}
	}
	var s Settings
	if v := f.Agent.StreamTimeout; v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s: [agent] stream_timeout = %q: write a duration such as \"60s\" or \"2m\"", file, v))
		}
		s.StreamTimeout = d
	}
	if f.Agent.MaxOutputTokens < 0 || f.Agent.MaxBadCalls < 0 {
		errs = append(errs, fmt.Errorf("%s: [agent] max_output_tokens and max_bad_calls must be positive", file))
	}
	s.MaxOutputTokens, s.MaxBadCalls = f.Agent.MaxOutputTokens, f.Agent.MaxBadCalls
	return s, errors.Join(errs...)
}
