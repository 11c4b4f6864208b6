package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/tracehound/tracehound/sentryapi"
)

// shorthands are the targets named by how they rank among the unresolved
// issues (of --project, when given), as Sentry's CLI spells them.
var shorthands = map[string]string{
	"@latest":        sentryapi.SortDate,
	"@most_frequent": sentryapi.SortFreq,
}

// resolveShorthand finds the issue a shorthand names in the source.
func (a *app) resolveShorthand(ctx context.Context, src *source, arg, sort string) (sentryapi.Target, error) {
	opts := sentryapi.IssueListOptions{Sort: sort, Limit: 100}
	project := a.project
	if project == "" {
		project = a.getenv("SENTRY_PROJECT")
	}
	where := ""
	if project != "" {
		projects, err := src.Client.Projects(ctx)
		if err != nil {
			return sentryapi.Target{}, fmt.Errorf("%s: listing the projects: %w", arg, err)
		}
		var slugs []string
		for _, p := range projects {
			if p.Slug == project {
				opts.ProjectID = string(p.ID)
			}
			slugs = append(slugs, p.Slug)
		}
		if opts.ProjectID == "" {
			return sentryapi.Target{}, fmt.Errorf("%s: no project %q in %s (the projects: %s): %w", arg, project, src.Label, strings.Join(slugs, ", "), errNotFound)
		}
		where = " of project " + project
	}
	issues, err := src.Client.ListIssues(ctx, opts)
	if err != nil {
		return sentryapi.Target{}, fmt.Errorf("%s: listing the issues: %w", arg, err)
	}
	if len(issues) == 0 {
		return sentryapi.Target{}, fmt.Errorf("%s: %s has no unresolved issue%s: %w", arg, src.Label, where, errNotFound)
	}
	is := issues[0]
	fmt.Fprintf(a.stderr, "tracehound: %s%s is %s (%s events): %s\n", arg, where, line(is.ShortID), line(string(is.Count)), line(is.Title))
	return sentryapi.Target{Kind: sentryapi.TargetIssue, Issue: string(is.ID)}, nil
}
