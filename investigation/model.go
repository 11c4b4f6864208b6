package investigation

import (
	"github.com/tracehound/tracehound/agent"
)

// ModelConfig says which model answers. With Offline, or no model named
// in OpenAI, the offline analyzer does (heuristics, no model; the
// command says so).
type ModelConfig struct {
	Offline bool
	// OpenAI is the model on an OpenAI-compatible server.
	OpenAI agent.ModelConfig
	// New, when set, makes the provider instead (tests: a scripted one).
	New func(*agent.Incident, *agent.Repos) (agent.Provider, error)
}

// provider makes the model, or the offline analyzer, and says which
// ("llm" or "heuristic").
func (m ModelConfig) provider(in *agent.Incident, repos *agent.Repos) (agent.Provider, string, error) {
	var p agent.Provider
	var err error
	switch {
	case m.New != nil:
		p, err = m.New(in, repos)
	case m.Offline || m.OpenAI.Model == "":
		p = agent.NewOffline(in, repos)
	default:
		p, err = agent.NewOpenAI(m.OpenAI)
	}
	if err != nil {
		return nil, "", err
	}
	if p.Name() == agent.OfflineName {
		return p, "heuristic", nil
	}
	return p, "llm", nil
}
