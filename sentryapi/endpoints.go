package sentryapi

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// The values the views cannot work without (see request.required).
var (
	eventRequired   = []string{"/eventID"}
	profileRequired = []string{"**/profile/frames", "**/profile/stacks", "**/profile/samples"}
)

func esc(s string) string { return url.PathEscape(s) }

func (c *Client) orgPath(format string, args ...any) string {
	return "organizations/" + esc(c.org) + "/" + fmt.Sprintf(format, args...)
}

// Organization returns the organization, from the control host. It also
// primes the region used for every later call.
func (c *Client) Organization(ctx context.Context) (*wire.Organization, error) {
	if c.org == "" {
		return nil, errors.New("no organization configured: pass --org or set SENTRY_ORG")
	}
	if err := c.lockRegion(ctx); err != nil {
		return nil, err
	}
	defer c.unlockRegion()
	return c.fetchOrg(ctx)
}

// maxPages caps pagination so a misbehaving server cannot loop us forever.
const maxPages = 50

// list fetches every page of a paginated endpoint (Link header, following
// next only while results="true"), up to limit items (0 = all).
func list[T any](ctx context.Context, c *Client, r request, limit int) ([]T, error) {
	var all []T
	q := url.Values{}
	for k, v := range r.query {
		q[k] = v
	}
	if q.Get("per_page") == "" {
		q.Set("per_page", "100")
	}
	r.query = q
	for page := 0; page < maxPages; page++ {
		var items []T
		resp, err := c.get(ctx, r, &items)
		if err != nil {
			// A 404 or 400 on a later page ends the listing (as sentry-cli does).
			if page > 0 && (errors.Is(err, ErrNotFound) || errors.Is(err, ErrBadRequest)) {
				return all, nil
			}
			return all, err
		}
		all = append(all, items...)
		if limit > 0 && len(all) >= limit {
			return all[:limit], nil
		}
		next, ok := parseLink(resp.Header.Get("Link"))["next"]
		if !ok || !next.Results || next.Cursor == "" || len(items) == 0 {
			return all, nil
		}
		q.Set("cursor", next.Cursor)
	}
	c.notify(fmt.Sprintf("stopped listing %s after %d pages", r.path, maxPages))
	return all, nil
}

// Projects lists the organization's projects.
func (c *Client) Projects(ctx context.Context) ([]wire.Project, error) {
	return list[wire.Project](ctx, c, request{host: regionHost, path: c.orgPath("projects/"), scope: "project:read", required: []string{"/*/slug"}}, 0)
}

// Issue returns an issue by numeric id or short id (PAYMENTS-1AB).
func (c *Client) Issue(ctx context.Context, id string) (*wire.Issue, error) {
	var is wire.Issue
	_, err := c.get(ctx, request{host: regionHost, path: c.orgPath("issues/%s/", esc(id)), scope: "event:read",
		query: url.Values{"collapse": {"stats", "tags"}}, required: []string{"/id"}}, &is)
	if err != nil {
		return nil, err
	}
	return &is, nil
}

// LatestIssues lists the organization's unresolved issues, the most
// recently seen first (GET /organizations/{org}/issues/?sort=date), at
// most limit of them (one page).
func (c *Client) LatestIssues(ctx context.Context, limit int) ([]wire.Issue, error) {
	var out []wire.Issue
	q := url.Values{"sort": {"date"}, "query": {"is:unresolved"}, "limit": {fmt.Sprint(max(limit, 1))}}
	if _, err := c.get(ctx, request{host: regionHost, path: c.orgPath("issues/"), scope: "event:read", query: q, required: []string{"/*/id"}}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// ResolveShortID resolves a short id to its project and issue.
func (c *Client) ResolveShortID(ctx context.Context, shortID string) (*wire.ShortIDLookup, error) {
	var r wire.ShortIDLookup
	if _, err := c.get(ctx, request{host: regionHost, path: c.orgPath("shortids/%s/", esc(shortID)), scope: "event:read", required: []string{"/groupId"}}, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Which events of an issue IssueEvent can fetch besides an event id.
const (
	EventRecommended = "recommended"
	EventLatest      = "latest"
	EventOldest      = "oldest"
)

// IssueEvent returns one event of an issue: "recommended", "latest",
// "oldest" or an event id. Use RecommendedEvent for the fallback chain.
func (c *Client) IssueEvent(ctx context.Context, issueID, which string) (*wire.Event, error) {
	var ev wire.Event
	if _, err := c.get(ctx, request{host: regionHost, path: c.orgPath("issues/%s/events/%s/", esc(issueID), esc(which)), scope: "event:read", required: eventRequired}, &ev); err != nil {
		return nil, err
	}
	return &ev, nil
}

// RecommendedEvent returns the issue's recommended event (which favours
// events with a trace and a profile), falling back to the latest on servers
// that do not know "recommended".
func (c *Client) RecommendedEvent(ctx context.Context, issueID string) (*wire.Event, error) {
	ev, err := c.IssueEvent(ctx, issueID, EventRecommended)
	if err == nil || !errors.Is(err, ErrNotFound) {
		return ev, err
	}
	if ev, err2 := c.IssueEvent(ctx, issueID, EventLatest); err2 == nil {
		return ev, nil
	}
	return nil, err
}

// IssueEvents lists an issue's events, newest first. full includes entries.
func (c *Client) IssueEvents(ctx context.Context, issueID string, full bool, limit int) ([]wire.Event, error) {
	q := url.Values{}
	if full {
		q.Set("full", "true")
	}
	return list[wire.Event](ctx, c, request{host: regionHost, path: c.orgPath("issues/%s/events/", esc(issueID)), query: q, scope: "event:read", required: []string{"/*/eventID"}}, limit)
}

// Event returns a full event (error or transaction) by project and id.
func (c *Client) Event(ctx context.Context, project, eventID string) (*wire.Event, error) {
	var ev wire.Event
	path := "projects/" + esc(c.org) + "/" + esc(project) + "/events/" + esc(eventID) + "/"
	if _, err := c.get(ctx, request{host: regionHost, path: path, scope: "event:read", required: eventRequired}, &ev); err != nil {
		return nil, err
	}
	if ev.ProjectSlug == "" && !isNumeric(project) {
		ev.ProjectSlug = project
	}
	return &ev, nil
}

// ResolveEventID finds the project and issue of an event id. Sentry limits
// this endpoint to one request a second.
func (c *Client) ResolveEventID(ctx context.Context, eventID string) (*wire.EventIDLookup, error) {
	var r wire.EventIDLookup
	if _, err := c.get(ctx, request{host: regionHost, path: c.orgPath("eventids/%s/", esc(eventID)), scope: "event:read", required: []string{"/projectSlug"}}, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// EventRef names an event to fetch in a batch.
type EventRef struct {
	Project string // slug or numeric id
	EventID string
}

// Events fetches many events in parallel (bounded by the client's
// concurrency). Results and errors are in the order of refs; one failure
// does not stop the others.
func (c *Client) Events(ctx context.Context, refs []EventRef) ([]*wire.Event, []error) {
	evs := make([]*wire.Event, len(refs))
	errs := make([]error, len(refs))
	var wg sync.WaitGroup
	for i, r := range refs {
		wg.Go(func() {
			evs[i], errs[i] = c.Event(ctx, r.Project, r.EventID)
		})
	}
	wg.Wait()
	return evs, errs
}

// TraceOptions narrow the time window Sentry searches for a trace.
type TraceOptions struct {
	Timestamp   time.Time // the event's time; narrows the query around it
	StatsPeriod string    // e.g. "14d"; used when Timestamp is zero
	ErrorID     string    // biases error selection toward this event
}

func (o TraceOptions) query() url.Values {
	q := url.Values{}
	switch {
	case !o.Timestamp.IsZero():
		q.Set("timestamp", strconv.FormatInt(o.Timestamp.Unix(), 10))
	case o.StatsPeriod != "":
		q.Set("statsPeriod", o.StatsPeriod)
	default:
		q.Set("statsPeriod", "14d")
	}
	if o.ErrorID != "" {
		q.Set("errorId", o.ErrorID)
	}
	return q
}

// TraceResult is a whole trace in the /trace/ array form.
type TraceResult struct {
	TraceID string
	Items   wire.Trace
	// Legacy is set when the trace came from the older events-trace
	// endpoint: transactions only, their spans must be fetched per
	// transaction event.
	Legacy bool
}

// Trace returns the whole trace from /trace/{id}/, falling back to the
// legacy /events-trace/{id}/ when the new endpoint is missing (404 on older
// self-hosted) or answers an empty array. The Link header of /trace/ is
// ignored: the endpoint always returns the whole tree.
func (c *Client) Trace(ctx context.Context, traceID string, opts TraceOptions) (*TraceResult, error) {
	var items wire.Trace
	_, err := c.get(ctx, request{host: regionHost, path: c.orgPath("trace/%s/", esc(traceID)), query: opts.query(), scope: "event:read", required: []string{"**/event_id"}}, &items)
	if err == nil && len(items) > 0 {
		return &TraceResult{TraceID: traceID, Items: items}, nil
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	legacy, lerr := c.LegacyTrace(ctx, traceID, opts)
	if lerr != nil {
		if err != nil {
			return nil, err
		}
		if errors.Is(lerr, ErrNotFound) {
			return &TraceResult{TraceID: traceID}, nil
		}
		return nil, lerr
	}
	return &TraceResult{TraceID: traceID, Items: legacy.ToTrace(), Legacy: true}, nil
}

// LegacyTrace returns /events-trace/{id}/?detailed=1.
func (c *Client) LegacyTrace(ctx context.Context, traceID string, opts TraceOptions) (*wire.LegacyTrace, error) {
	q := opts.query()
	q.Set("detailed", "1")
	q.Set("project", "-1")
	var raw wire.Raw
	if _, err := c.get(ctx, request{host: regionHost, path: c.orgPath("events-trace/%s/", esc(traceID)), query: q, scope: "event:read"}, &raw); err != nil {
		return nil, err
	}
	return wire.DecodeLegacyTrace(raw)
}

// TraceMeta returns the trace's summary counts.
func (c *Client) TraceMeta(ctx context.Context, traceID string, opts TraceOptions) (*wire.TraceMeta, error) {
	var m wire.TraceMeta
	if _, err := c.get(ctx, request{host: regionHost, path: c.orgPath("trace-meta/%s/", esc(traceID)), query: opts.query(), scope: "event:read"}, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// Profile returns a transaction profile (sampled format v1).
func (c *Client) Profile(ctx context.Context, project, profileID string) (*wire.Profile, error) {
	var p wire.Profile
	path := "projects/" + esc(c.org) + "/" + esc(project) + "/profiling/profiles/" + esc(profileID) + "/"
	if _, err := c.get(ctx, request{host: regionHost, path: path, scope: "event:read", required: profileRequired}, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// ProfileChunk returns the continuous-profile data of profilerID between
// start and end, merged into one chunk. projectID must be numeric.
func (c *Client) ProfileChunk(ctx context.Context, projectID, profilerID string, start, end time.Time) (*wire.ProfileChunk, error) {
	if !isNumeric(projectID) {
		return nil, fmt.Errorf("profile chunks need the numeric project id, not %q", projectID)
	}
	q := url.Values{
		"project":     {projectID},
		"profiler_id": {profilerID},
		"start":       {start.UTC().Format(time.RFC3339Nano)},
		"end":         {end.UTC().Format(time.RFC3339Nano)},
	}
	var r wire.ChunkResponse
	if _, err := c.get(ctx, request{host: regionHost, path: c.orgPath("profiling/chunks/"), query: q, scope: "event:read", required: profileRequired}, &r); err != nil {
		return nil, err
	}
	ch := r.Merged()
	if ch == nil {
		return nil, &APIError{Class: ErrNotFound, Method: "GET", Path: "/api/0/" + c.orgPath("profiling/chunks/"), Detail: "no profile chunk for profiler " + profilerID + " in that window"}
	}
	if ch.ProfilerID == "" {
		ch.ProfilerID = profilerID
	}
	return ch, nil
}

// Repos lists the organization's repositories.
func (c *Client) Repos(ctx context.Context) ([]wire.Repository, error) {
	return list[wire.Repository](ctx, c, request{host: regionHost, path: c.orgPath("repos/"), scope: "org:read"}, 0)
}

// CodeMappings lists code mappings; projectID "" or "-1" means all projects.
func (c *Client) CodeMappings(ctx context.Context, projectID string) ([]wire.CodeMapping, error) {
	if projectID == "" {
		projectID = "-1"
	}
	return list[wire.CodeMapping](ctx, c, request{host: regionHost, path: c.orgPath("code-mappings/"), query: url.Values{"project": {projectID}}, scope: "org:read"}, 0)
}

var numericRE = regexp.MustCompile(`^[0-9]+$`)

func isNumeric(s string) bool { return numericRE.MatchString(s) }
