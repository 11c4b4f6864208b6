package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/investigation"
	"github.com/tracehound/tracehound/sentryapi"
)

// newCodeCmd exposes the agent's code tools as commands printing the same
// text the model reads.
func newCodeCmd(a *app) *cobra.Command {
	var m modelFlags
	cmd := &cobra.Command{
		Use:   "code",
		Short: "The agent's code tools: list the repositories, search and read their files",
	}
	run := func(cmd *cobra.Command, tool string, args map[string]any) error {
		src, err := a.openSource(cmd.Context(), nil)
		if err != nil {
			return err
		}
		opts, err := a.invOptions(&m, src, sentryapi.Target{}, "")
		if err != nil {
			return err
		}
		repos, err := investigation.Repositories(cmd.Context(), opts)
		if err != nil {
			return coreError(err)
		}
		for _, t := range repos.Tools(agent.CodeToolOptions{}) {
			if t.Name != tool {
				continue
			}
			raw, _ := json.Marshal(args)
			res, err := t.Run(cmd.Context(), raw)
			if err != nil {
				return err
			}
			a.printLabel(src)
			fmt.Fprintln(a.stdout, res.Text)
			return nil
		}
		return fmt.Errorf("no %s tool", tool)
	}
	repos := &cobra.Command{
		Use: "repos", Short: "List the repositories the agent can read (list_repositories)", Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error { return run(cmd, agent.ToolListRepos, map[string]any{}) },
	}
	var repo, glob string
	var regex, caseSensitive bool
	search := &cobra.Command{
		Use: "search QUERY", Short: "Search the repositories' code (search_code)", Args: exactArgs(1, "one QUERY"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p := map[string]any{"query": args[0], "regex": regex, "case_sensitive": caseSensitive}
			if repo != "" {
				p["repo"] = repo
			}
			if glob != "" {
				p["path_glob"] = glob
			}
			return run(cmd, agent.ToolSearchCode, p)
		},
	}
	search.Flags().StringVar(&repo, "in", "", "only this repository")
	search.Flags().StringVar(&glob, "glob", "", "only paths matching this glob (**/*.go)")
	search.Flags().BoolVar(&regex, "regex", false, "QUERY is a regular expression")
	search.Flags().BoolVar(&caseSensitive, "case-sensitive", false, "match case")
	var start, end int
	read := &cobra.Command{
		Use: "read REPO PATH", Short: "Read a file with line numbers (read_file)", Args: exactArgs(2, "REPO and PATH"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p := map[string]any{"repo": args[0], "path": args[1]}
			if start > 0 {
				p["start_line"] = start
			}
			if end > 0 {
				p["end_line"] = end
			}
			return run(cmd, agent.ToolReadFile, p)
		},
	}
	read.Flags().IntVar(&start, "start", 0, "first line")
	read.Flags().IntVar(&end, "end", 0, "last line")
	for _, c := range []*cobra.Command{repos, search, read} {
		m.register(c)
		cmd.AddCommand(c)
	}
	return cmd
}
