package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tracehound/tracehound/agent"
)

// capsCache is where what each model supports is remembered (nil when
// there is no cache directory: the runs then learn it again).
func (a *app) capsCache() *agent.CapsCache {
	path, err := agent.DefaultCapsPath(a.getenv)
	if err != nil {
		return nil
	}
	return &agent.CapsCache{Path: path}
}

func newModelsCmd(a *app) *cobra.Command {
	var probe bool
	var model string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "models",
		Short: "List the models of the OpenAI-compatible server (OPENAI_BASE_URL); --probe tests what they support",
		Long: `List the models of the OpenAI-compatible server at OPENAI_BASE_URL with
their context windows.

With --probe, each model (or only --model) is asked a few tiny questions to
learn what it supports: streaming, tool calls, parallel tool calls, a forced
tool choice, response_format json_schema, and the field its reasoning comes
in. The results are remembered in the cache ($XDG_CACHE_HOME/tracehound/
models.json) with what runs learn, so an investigation goes straight to the
way of getting a structured report that works with that model.`,
		Example: `  OPENAI_BASE_URL=http://localhost:11434/v1 tracehound models
  OPENAI_BASE_URL=http://localhost:11434/v1 tracehound models --probe --model qwen2.5-coder:7b`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			cfg := agent.ModelConfig{BaseURL: a.getenv("OPENAI_BASE_URL"), APIKey: a.getenv("OPENAI_API_KEY"), Model: "list",
				Headers: parseHeaders(a.getenv("TRACEHOUND_MODEL_HEADERS")), StreamTimeout: timeout, Caps: a.capsCache()}
			if model == "" {
				model = a.getenv("TRACEHOUND_MODEL")
			}
			var ids []string
			if !probe || model == "" {
				p, err := agent.NewOpenAI(cfg)
				if err != nil {
					return err
				}
				if ids, err = p.Models(ctx); err != nil {
					return err
				}
			}
			if !probe {
				for _, id := range ids {
					fmt.Fprintf(a.stdout, "%s\t%d tokens\n", id, agent.WindowFor(id))
				}
				return nil
			}
			if model != "" {
				ids = []string{model}
			}
			const maxProbed = 8
			if len(ids) > maxProbed {
				return usagef("the server lists %d models: probe one with --model NAME (or TRACEHOUND_MODEL)", len(ids))
			}
			var rows []agent.ModelCaps
			for _, id := range ids {
				cfg.Model = id
				p, err := agent.NewOpenAI(cfg)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stderr, "tracehound: probing %s…\n", id)
				caps, err := p.Probe(ctx)
				if err != nil {
					return fmt.Errorf("probing %s: %w", id, err)
				}
				rows = append(rows, caps)
			}
			fmt.Fprint(a.stdout, agent.CapsTable(rows))
			return nil
		},
	}
	cmd.Flags().BoolVar(&probe, "probe", false, "ask each model (or --model) what it supports, and remember it")
	cmd.Flags().StringVar(&model, "model", "", "probe only this model (env TRACEHOUND_MODEL)")
	cmd.Flags().DurationVar(&timeout, "stream-timeout", 0, "give up on a probe question when nothing arrives for this long (default 60s)")
	return cmd
}
