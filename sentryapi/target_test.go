package sentryapi

import (
	"strings"
	"testing"
)

const (
	evHex = "7ca573c0f4814912aaa9bdc77d1a7d51"
	trHex = "a4d1aae7216b47ff8117cf4e09ce9d0a"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in   string
		want Target
	}{
		// Bare ids.
		{"6507376925", Target{Kind: TargetIssue, Issue: "6507376925"}},
		{"PAYMENTS-1AB", Target{Kind: TargetShortID, Issue: "PAYMENTS-1AB"}},
		{"payments-1ab", Target{Kind: TargetShortID, Issue: "PAYMENTS-1AB"}},
		{"SPOTLIGHT-ELECTRON-4Y", Target{Kind: TargetShortID, Issue: "SPOTLIGHT-ELECTRON-4Y"}},
		{"acme/BACKEND-1AB", Target{Kind: TargetShortID, Issue: "BACKEND-1AB", Org: "acme"}},
		{evHex, Target{Kind: TargetHexID, Event: evHex, Trace: evHex}},
		{strings.ToUpper(evHex), Target{Kind: TargetHexID, Event: evHex, Trace: evHex}},
		{"7ca573c0-f481-4912-aaa9-bdc77d1a7d51", Target{Kind: TargetHexID, Event: evHex, Trace: evHex}},
		{"  `PAYMENTS-1AB`.  ", Target{Kind: TargetShortID, Issue: "PAYMENTS-1AB"}},
		{"issue:6507376925", Target{Kind: TargetIssue, Issue: "6507376925"}},

		// SaaS customer domains.
		{"https://acme.sentry.io/issues/6507376925/", Target{Kind: TargetIssue, Issue: "6507376925", Org: "acme", BaseURL: "https://sentry.io"}},
		{"https://acme.sentry.io/issues/6507376925", Target{Kind: TargetIssue, Issue: "6507376925", Org: "acme", BaseURL: "https://sentry.io"}},
		{"acme.sentry.io/issues/6507376925/", Target{Kind: TargetIssue, Issue: "6507376925", Org: "acme", BaseURL: "https://sentry.io"}},
		{"https://acme.sentry.io/issues/6507376925/events/" + evHex + "/", Target{Kind: TargetIssue, Issue: "6507376925", Event: evHex, Org: "acme", BaseURL: "https://sentry.io"}},
		{"https://acme.sentry.io/issues/6507376925/events/latest/", Target{Kind: TargetIssue, Issue: "6507376925", Event: "latest", Org: "acme", BaseURL: "https://sentry.io"}},
		{"https://acme.sentry.io/issues/6507376925/events/recommended/", Target{Kind: TargetIssue, Issue: "6507376925", Event: "recommended", Org: "acme", BaseURL: "https://sentry.io"}},
		{"https://acme.sentry.io/issues/123/?project=4509062593708032&query=is%3Aunresolved&referrer=slack&environment=prod&statsPeriod=14d",
			Target{Kind: TargetIssue, Issue: "123", Org: "acme", BaseURL: "https://sentry.io", Project: "4509062593708032", Environment: "prod"}},
		{"https://acme.sentry.io/issues/BACKEND-1AB/", Target{Kind: TargetShortID, Issue: "BACKEND-1AB", Org: "acme", BaseURL: "https://sentry.io"}},
		{"<https://acme.sentry.io/issues/6507376925/>…", Target{Kind: TargetIssue, Issue: "6507376925", Org: "acme", BaseURL: "https://sentry.io"}},

		// Path-org: legacy SaaS and self-hosted.
		{"https://sentry.io/organizations/acme/issues/456/", Target{Kind: TargetIssue, Issue: "456", Org: "acme", BaseURL: "https://sentry.io"}},
		{"https://sentry.example.com:9000/organizations/acme/issues/456/events/" + evHex + "/",
			Target{Kind: TargetIssue, Issue: "456", Event: evHex, Org: "acme", BaseURL: "https://sentry.example.com:9000"}},
		{"http://localhost:9000/organizations/sentry/issues/7/", Target{Kind: TargetIssue, Issue: "7", Org: "sentry", BaseURL: "http://localhost:9000"}},

		// Region hosts are never an org.
		{"https://us.sentry.io/organizations/acme/issues/456/", Target{Kind: TargetIssue, Issue: "456", Org: "acme", BaseURL: "https://sentry.io"}},
		{"https://de.sentry.io/organizations/acme/issues/456/", Target{Kind: TargetIssue, Issue: "456", Org: "acme", BaseURL: "https://sentry.io"}},
		{"https://www.sentry.io/organizations/acme/issues/456/", Target{Kind: TargetIssue, Issue: "456", Org: "acme", BaseURL: "https://sentry.io"}},
		{"https://us.sentry.io/issues/456/", Target{Kind: TargetIssue, Issue: "456", BaseURL: "https://sentry.io"}},

		// Very old SaaS.
		{"https://sentry.io/acme/backend/issues/1/", Target{Kind: TargetIssue, Issue: "1", Org: "acme", Project: "backend", BaseURL: "https://sentry.io"}},

		// Events without an issue.
		{"https://sentry.io/acme/backend/events/" + evHex + "/", Target{Kind: TargetEvent, Event: evHex, Org: "acme", Project: "backend", BaseURL: "https://sentry.io"}},
		{"https://acme.sentry.io/performance/backend:" + evHex + "/", Target{Kind: TargetEvent, Event: evHex, Project: "backend", Org: "acme", BaseURL: "https://sentry.io"}},
		{"https://acme.sentry.io/discover/backend:" + evHex + "/", Target{Kind: TargetEvent, Event: evHex, Project: "backend", Org: "acme", BaseURL: "https://sentry.io"}},

		// Traces.
		{"https://acme.sentry.io/explore/traces/trace/" + trHex + "/", Target{Kind: TargetTrace, Trace: trHex, Org: "acme", BaseURL: "https://sentry.io"}},
		{"https://acme.sentry.io/explore/traces/trace/" + trHex + "/?node=txn-" + evHex + "&timestamp=1", Target{Kind: TargetTrace, Trace: trHex, Event: evHex, Org: "acme", BaseURL: "https://sentry.io"}},
		{"https://acme.sentry.io/explore/traces/trace/" + trHex + "/?node=span-0123456789abcdef", Target{Kind: TargetTrace, Trace: trHex, Org: "acme", BaseURL: "https://sentry.io"}},
		{"https://acme.sentry.io/performance/trace/" + trHex + "/", Target{Kind: TargetTrace, Trace: trHex, Org: "acme", BaseURL: "https://sentry.io"}},
		{"https://acme.sentry.io/traces/" + trHex + "/", Target{Kind: TargetTrace, Trace: trHex, Org: "acme", BaseURL: "https://sentry.io"}},
		{"https://sentry.example.com/organizations/acme/explore/traces/trace/" + trHex + "/", Target{Kind: TargetTrace, Trace: trHex, Org: "acme", BaseURL: "https://sentry.example.com"}},

		// Profiles.
		{"https://acme.sentry.io/explore/profiling/profile/backend/" + evHex + "/flamegraph/", Target{Kind: TargetProfile, Profile: evHex, Project: "backend", Org: "acme", BaseURL: "https://sentry.io"}},
	}
	for _, tt := range tests {
		got, err := ParseTarget(tt.in)
		if err != nil {
			t.Errorf("ParseTarget(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseTarget(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseTargetErrors(t *testing.T) {
	tests := []struct{ in, wantErr string }{
		{"", "empty target"},
		{"   ", "empty target"},
		{"hello world", "is not an issue id"},
		{"deadbeef", "is not an issue id"},
		{"ftp://sentry.io/issues/1/", "is not a Sentry URL"},
		{"https://acme.sentry.io/issues/", "could not find"},
		{"https://acme.sentry.io/issues/not an id/", "neither numeric nor a short id"},
		{"https://acme.sentry.io/issues/1/events/nothex/", "not 32 hex"},
		{"https://acme.sentry.io/share/issue/" + evHex + "/", "share links"},
		{"https://acme.sentry.io/explore/traces/trace/xyz/", "not 32 hex"},
		{"https://acme.sentry.io/explore/profiling/profile/backend/flamegraph/?profilerId=abc", "continuous-profile"},
		{"https://example.com/", "could not find"},
	}
	for _, tt := range tests {
		_, err := ParseTarget(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ParseTarget(%q) error = %v, want it to mention %q", tt.in, err, tt.wantErr)
		}
	}
}

// FuzzParseTarget checks that no input panics and that every accepted
// target is internally consistent.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"123", "PAYMENTS-1AB", evHex, "https://acme.sentry.io/issues/1/events/" + evHex + "/",
		"https://sentry.io/organizations/a/issues/1/", "https://a.sentry.io/explore/traces/trace/" + trHex + "/?node=txn-" + evHex,
		"https://sentry.io/a/b/issues/1/", "https://x/performance/p:" + evHex, "acme/X-1", "https://us.sentry.io/issues/1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTarget(s)
		if err != nil {
			return
		}
		switch got.Kind {
		case TargetIssue, TargetShortID:
			if got.Issue == "" {
				t.Fatalf("%q: issue target without an issue: %+v", s, got)
			}
		case TargetTrace:
			if !IsHexID(got.Trace) {
				t.Fatalf("%q: trace target with bad id: %+v", s, got)
			}
		case TargetEvent, TargetHexID:
			if !IsHexID(got.Event) {
				t.Fatalf("%q: event target with bad id: %+v", s, got)
			}
		case TargetProfile:
			if !IsHexID(got.Profile) || got.Project == "" {
				t.Fatalf("%q: bad profile target: %+v", s, got)
			}
		default:
			t.Fatalf("%q: unknown kind: %+v", s, got)
		}
		if got.Org != "" && strings.ContainsAny(got.Org, "/?#") {
			t.Fatalf("%q: org %q contains URL syntax", s, got.Org)
		}
	})
}
