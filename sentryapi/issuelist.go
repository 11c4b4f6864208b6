package sentryapi

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// Issue list orders (Sentry's sort parameter).
const (
	SortDate = "date" // the most recently seen first
	SortFreq = "freq" // the most events first
)

// IssueListOptions select the organization's unresolved issues.
type IssueListOptions struct {
	Sort string // SortDate (default) or SortFreq
	// ProjectID keeps one project's issues (its numeric id: Sentry's
	// project parameter).
	ProjectID string
	Limit     int // 1–100 (default 25)
}

// ListIssues lists the organization's unresolved issues in the order
// asked. The answer is ordered (and filtered by project) here too, so a
// server that ignores those parameters (an older self-hosted one, a
// local dataset) still gives the right first issue among those it sent.
func (c *Client) ListIssues(ctx context.Context, opts IssueListOptions) ([]wire.Issue, error) {
	sort := cmp.Or(opts.Sort, SortDate)
	if sort != SortDate && sort != SortFreq {
		return nil, fmt.Errorf("sentryapi: unknown issue order %q", sort)
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = 25
	}
	q := url.Values{"sort": {sort}, "query": {"is:unresolved"}, "limit": {strconv.Itoa(min(limit, 100))}}
	if opts.ProjectID != "" {
		q.Set("project", opts.ProjectID)
	}
	var out []wire.Issue
	if _, err := c.get(ctx, request{host: regionHost, path: c.orgPath("issues/"), scope: "event:read", query: q, required: []string{"/*/id"}}, &out); err != nil {
		return nil, err
	}
	if opts.ProjectID != "" {
		out = slices.DeleteFunc(out, func(is wire.Issue) bool {
			return is.Project.ID != "" && string(is.Project.ID) != opts.ProjectID
		})
	}
	if sort == SortFreq {
		count := func(is wire.Issue) int64 { n, _ := strconv.ParseInt(string(is.Count), 10, 64); return n }
		slices.SortStableFunc(out, func(a, b wire.Issue) int { return cmp.Compare(count(b), count(a)) })
	}
	return out, nil
}
