package sentryapi

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// TargetKind says what a target names.
type TargetKind int

const (
	// TargetIssue is a numeric issue (group) id.
	TargetIssue TargetKind = iota + 1
	// TargetShortID is an issue short id such as PAYMENTS-1AB.
	TargetShortID
	// TargetEvent is an event id known to be an event (from a URL).
	TargetEvent
	// TargetTrace is a trace id known to be a trace (from a URL).
	TargetTrace
	// TargetHexID is a bare 32-hex id: an event id or a trace id. The
	// caller resolves it (event lookup first, then the trace).
	TargetHexID
	// TargetProfile is a transaction profile id (with its project).
	TargetProfile
)

func (k TargetKind) String() string {
	switch k {
	case TargetIssue:
		return "issue"
	case TargetShortID:
		return "short id"
	case TargetEvent:
		return "event"
	case TargetTrace:
		return "trace"
	case TargetHexID:
		return "event or trace id"
	case TargetProfile:
		return "profile"
	}
	return "unknown"
}

// Target is what the user pointed tracehound at.
type Target struct {
	Kind TargetKind
	// Issue is the numeric id or short id (TargetIssue, TargetShortID, and
	// URLs of an issue's event).
	Issue string
	// Event is an event id, or "latest", "oldest", "recommended" after an
	// issue.
	Event string
	// Trace is a 32-hex trace id.
	Trace string
	// Profile is a 32-hex profile id.
	Profile string
	// Project is a project slug or numeric id when the input names one.
	Project string
	// Org and BaseURL come from a pasted URL ("" otherwise). BaseURL is
	// scheme://host[:port]: https://sentry.io for SaaS, the host itself for
	// self-hosted.
	Org     string
	BaseURL string
	// Environment from a URL's query, when present.
	Environment string
}

var (
	hex32RE   = regexp.MustCompile(`^[0-9a-fA-F]{32}$`)
	uuidRE    = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	shortIDRE = regexp.MustCompile(`^[A-Za-z0-9][\w-]*-[A-Za-z0-9]+$`)
	digitsRE  = regexp.MustCompile(`^[0-9]+$`)
	slugRE    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
)

// normalizeHexID accepts 32 hex or the 36-character UUID form and returns
// lower-case 32 hex.
func normalizeHexID(s string) (string, bool) {
	if uuidRE.MatchString(s) {
		s = strings.ReplaceAll(s, "-", "")
	}
	if !hex32RE.MatchString(s) {
		return "", false
	}
	return strings.ToLower(s), true
}

// IsHexID reports whether s is a 32-hex (or UUID-form) id.
func IsHexID(s string) bool { _, ok := normalizeHexID(s); return ok }

// trimPasted removes what chat tools add around a pasted id or URL:
// surrounding <>, quotes, backticks, trailing punctuation and ellipses.
func trimPasted(s string) string {
	s = strings.TrimSpace(s)
	s = strings.Trim(s, "<>\"'`()[]")
	for {
		t := strings.TrimRight(s, ".,;:!?)]}>\"'`")
		t = strings.TrimSuffix(t, "…")
		if t == s {
			break
		}
		s = t
	}
	return strings.TrimSpace(s)
}

// ParseTarget reads a target as a person types or pastes it: a numeric
// issue id, a short id, a 32-hex event or trace id, or a Sentry web URL in
// any of its forms (reference §9.1).
func ParseTarget(input string) (Target, error) {
	s := trimPasted(input)
	if s == "" {
		return Target{}, fmt.Errorf("empty target: give an issue id (123456), a short id (PAYMENTS-1AB), an event or trace id, or a Sentry URL")
	}
	if strings.Contains(s, "://") || strings.HasPrefix(s, "sentry.io/") || strings.Contains(s, ".sentry.io/") {
		return parseTargetURL(s)
	}
	s = strings.TrimPrefix(strings.TrimPrefix(s, "issue:"), "issues:")
	switch {
	case digitsRE.MatchString(s):
		return Target{Kind: TargetIssue, Issue: s}, nil
	case IsHexID(s):
		id, _ := normalizeHexID(s)
		return Target{Kind: TargetHexID, Event: id, Trace: id}, nil
	case shortIDRE.MatchString(s):
		return Target{Kind: TargetShortID, Issue: strings.ToUpper(s)}, nil
	}
	// org/SHORT-ID (getsentry/cli).
	if org, rest, ok := strings.Cut(s, "/"); ok && slugRE.MatchString(org) && shortIDRE.MatchString(rest) && !strings.Contains(rest, "/") {
		return Target{Kind: TargetShortID, Issue: strings.ToUpper(rest), Org: org}, nil
	}
	return Target{}, fmt.Errorf("%q is not an issue id (123456), a short id (PAYMENTS-1AB), a 32-hex event or trace id, or a Sentry URL", clip(s, 80))
}

// routeWords are first path segments that are Sentry routes, not orgs.
var routeWords = map[string]bool{
	"issues": true, "organizations": true, "explore": true, "performance": true, "discover": true,
	"traces": true, "profiling": true, "share": true, "settings": true, "projects": true,
	"releases": true, "api": true, "auth": true, "dashboards": true, "alerts": true, "insights": true,
	"replays": true, "monitors": true, "feedback": true, "stats": true, "events": true,
}

// nonOrgLabels are SaaS subdomains that are not organizations: regions and
// www (getsentry/cli rejects every label of two characters or fewer).
func nonOrgLabel(l string) bool {
	return len(l) <= 2 || l == "www" || l == "eu" || l == "app"
}

func parseTargetURL(s string) (Target, error) {
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return Target{}, fmt.Errorf("%q is not a Sentry URL", clip(s, 100))
	}
	t := Target{Environment: u.Query().Get("environment")}
	host := strings.ToLower(u.Hostname())
	saas := isSaaSHost(host)
	if saas {
		t.BaseURL = "https://sentry.io"
		if label, _, ok := strings.Cut(host, "."); ok && host != "sentry.io" && strings.HasSuffix(host, ".sentry.io") && strings.Count(host, ".") == 2 && !nonOrgLabel(label) {
			t.Org = label
		}
	} else {
		t.BaseURL = u.Scheme + "://" + u.Host
	}
	if p := u.Query().Get("project"); digitsRE.MatchString(p) {
		t.Project = p
	}

	var seg []string
	for _, p := range strings.Split(u.Path, "/") {
		if p != "" {
			seg = append(seg, p)
		}
	}
	// /organizations/{org}/… (path-org: legacy SaaS and all self-hosted).
	if len(seg) >= 2 && seg[0] == "organizations" {
		t.Org = seg[1]
		seg = seg[2:]
	} else if len(seg) >= 2 && !routeWords[seg[0]] && (routeWords[seg[1]] || (len(seg) >= 3 && routeWords[seg[2]])) {
		// Very old SaaS: /{org}/{project}/issues/{id}/ or /{org}/issues/…
		t.Org = seg[0]
		seg = seg[1:]
		if len(seg) >= 2 && !routeWords[seg[0]] {
			t.Project = seg[0]
			seg = seg[1:]
		}
	}

	if t.Org != "" && !slugRE.MatchString(t.Org) {
		return Target{}, fmt.Errorf("%q in the URL is not an organization slug", clip(t.Org, 60))
	}
	if t.Project != "" && !slugRE.MatchString(t.Project) {
		t.Project = ""
	}

	idAfter := func(word string) (string, int) {
		for i := 0; i+1 < len(seg); i++ {
			if seg[i] == word {
				return seg[i+1], i + 1
			}
		}
		return "", -1
	}

	// Issue, optionally with an event.
	if id, i := idAfter("issues"); i >= 0 {
		id = trimPasted(id)
		switch {
		case digitsRE.MatchString(id):
			t.Kind, t.Issue = TargetIssue, id
		case shortIDRE.MatchString(id):
			t.Kind, t.Issue = TargetShortID, strings.ToUpper(id)
		default:
			return Target{}, fmt.Errorf("the issue id %q in the URL is neither numeric nor a short id", id)
		}
		if ev, j := idAfter("events"); j > i {
			switch ev = strings.ToLower(trimPasted(ev)); ev {
			case EventLatest, EventOldest, EventRecommended:
				t.Event = ev
			default:
				hex, ok := normalizeHexID(ev)
				if !ok {
					return Target{}, fmt.Errorf("the event id %q in the URL is not 32 hex characters", ev)
				}
				t.Event = hex
			}
		}
		return t, nil
	}
	// Share links cannot be read with a token.
	if _, i := idAfter("share"); i >= 0 {
		return Target{}, fmt.Errorf("share links (%s) cannot be opened with the API; open the issue in Sentry and paste its URL", u.Path)
	}
	// Traces: /explore/traces/trace/{id}/, /performance/trace/{id}/, /traces/trace/{id}/, /traces/{id}/.
	if id, i := idAfter("trace"); i >= 0 {
		return traceTarget(t, id, u)
	}
	if len(seg) >= 2 && seg[0] == "traces" {
		return traceTarget(t, seg[1], u)
	}
	// Profiles: /explore/profiling/profile/{project}/{profile_id}/flamegraph/.
	if proj, i := idAfter("profile"); i >= 0 && i+1 < len(seg) {
		if id, ok := normalizeHexID(seg[i+1]); ok {
			t.Kind, t.Project, t.Profile = TargetProfile, proj, id
			return t, nil
		}
		return Target{}, fmt.Errorf("continuous-profile links (profilerId=…) are not supported; paste the transaction or issue URL instead")
	}
	// Events: /{org}/{project}/events/{id}/, /performance/{project}:{id}/, /discover/{project}:{id}/.
	if ev, i := idAfter("events"); i >= 0 {
		if id, ok := normalizeHexID(trimPasted(ev)); ok {
			t.Kind, t.Event = TargetEvent, id
			return t, nil
		}
	}
	for _, word := range []string{"performance", "discover"} {
		if v, i := idAfter(word); i >= 0 {
			if proj, id, ok := strings.Cut(v, ":"); ok {
				if hex, ok := normalizeHexID(trimPasted(id)); ok {
					t.Kind, t.Project, t.Event = TargetEvent, proj, hex
					return t, nil
				}
			}
		}
	}
	return Target{}, fmt.Errorf("could not find an issue, event, trace or profile in %s; paste the URL of an issue (…/issues/123/) or a trace (…/traces/trace/<id>/)", clip(u.String(), 120))
}

func traceTarget(t Target, id string, u *url.URL) (Target, error) {
	hex, ok := normalizeHexID(trimPasted(id))
	if !ok {
		return Target{}, fmt.Errorf("the trace id %q in the URL is not 32 hex characters", id)
	}
	t.Kind, t.Trace = TargetTrace, hex
	// ?node=txn-{event_id} (also error-{event_id}) names an event in it.
	for _, node := range u.Query()["node"] {
		for _, p := range []string{"txn-", "error-"} {
			if rest, ok := strings.CutPrefix(node, p); ok {
				if ev, ok := normalizeHexID(rest); ok {
					t.Event = ev
				}
			}
		}
	}
	return t, nil
}
