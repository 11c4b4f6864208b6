package incident

import (
	"fmt"
	"strings"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo/internal/history"
)

func (st *story) organization() *wire.Organization {
	return &wire.Organization{
		ID: orgID, Slug: OrgSlug, Name: orgName,
		Links:    wire.OrgLinks{RegionURL: "", OrganizationURL: "https://" + OrgSlug + ".sentry.io"},
		Features: []string{"continuous-profiling", "performance-view", "profiling", "profiling-view", "session-replay", "trace-view-v1"},
		Extra: toExtra(map[string]any{
			"dateCreated": "2024-03-11T09:12:57.602517Z", "isEarlyAdopter": false, "require2FA": false,
			"status":          map[string]any{"id": "active", "name": "active"},
			"avatar":          map[string]any{"avatarType": "letter_avatar", "avatarUuid": nil, "avatarUrl": nil},
			"hasAuthProvider": false, "allowMemberInvite": true, "allowMemberProjectCreation": true,
		}),
	}
}

func (st *story) projectsJSON() []wire.Project {
	team := map[string]any{"id": "4508001", "slug": "shop", "name": "Shop"}
	var out []wire.Project
	for _, p := range st.projects {
		hasProfiles := p.slug == "payments" || p.slug == "api-gateway"
		out = append(out, wire.Project{
			ID: wire.FlexString(fmt.Sprint(p.id)), Slug: p.slug, Name: p.name, Platform: p.platform,
			Platforms: []string{p.platform}, HasProfiles: hasProfiles,
			Extra: toExtra(map[string]any{
				"dateCreated": p.dateCreate, "firstEvent": p.dateCreate, "firstTransactionEvent": true,
				"hasAccess": true, "isMember": true, "isBookmarked": false, "hasReplays": false, "hasSessions": p.slug == "storefront",
				"hasMonitors": false, "hasMinifiedStackTrace": p.slug == "storefront", "hasFeedbacks": false, "hasNewFeedbacks": false,
				"environments": []string{"production", "staging"}, "team": team, "teams": []any{team},
				"features":      []string{"alert-filters", "minidump", "race-free-group-creation", "similarity-indexing", "releases"},
				"latestRelease": map[string]any{"version": p.release},
				"status":        "active", "access": []string{"event:read", "project:read", "org:read", "team:read", "member:read"},
				"color": "#" + hexID(6, "color", p.slug),
			}),
		})
	}
	return out
}

func (st *story) repos() []wire.Repository {
	var out []wire.Repository
	for i, p := range st.projects {
		out = append(out, wire.Repository{
			ID: wire.FlexString(fmt.Sprint(311201 + i)), Name: p.repo, URL: "https://github.com/" + p.repo,
			Provider: raw(map[string]any{"id": "integrations:github", "name": "GitHub"}), Status: "active",
			IntegrationID: "176052", ExternalSlug: wire.FlexString(p.repo),
			Extra: toExtra(map[string]any{"dateCreated": "2024-03-11T10:02:44.210331Z", "externalId": fmt.Sprint(771003100 + i)}),
		})
	}
	return out
}

func (st *story) codeMappings() []wire.CodeMapping {
	var out []wire.CodeMapping
	for i, p := range st.projects {
		root := "/app/"
		switch p.platform {
		case "javascript-react":
			root = "app:///"
		case "go":
			root = "github.com/acme/" + p.slug + "/"
		}
		out = append(out, wire.CodeMapping{
			ID: wire.FlexString(fmt.Sprint(90321 + i)), ProjectID: wire.FlexString(fmt.Sprint(p.id)), ProjectSlug: p.slug,
			RepoID: wire.FlexString(fmt.Sprint(311201 + i)), RepoName: p.repo, StackRoot: root, SourceRoot: "", DefaultBranch: "main",
			Extra: toExtra(map[string]any{
				"integrationId": "176052", "automaticallyGenerated": false,
				"provider": map[string]any{"key": "github", "slug": "github", "name": "GitHub", "canAdd": true, "canDisable": false,
					"features": []string{"codeowners", "commits", "issue-basic", "stacktrace-link"}, "aspects": map[string]any{}},
			}),
		})
	}
	return out
}

// histories are the commits Materialize replays for each repository.
func (st *story) histories() map[string]history.File {
	out := map[string]history.File{}
	for _, p := range st.projects {
		version := strings.TrimPrefix(p.release, p.slug+"@")
		out[p.repo] = history.File{Commits: []history.Commit{{
			Message: "Release " + version,
			Author:  "Acme Shop CI <ci@acme.test>",
			Date:    releaseDates[p.slug][:19] + "Z",
			Tag:     "v" + version,
		}}}
	}
	out["acme/auth-service"] = history.File{Commits: []history.Commit{
		{
			Message: "Release 2.13.0\n\nAudience-scoped token introspection (POST /v1/tokens/introspect?audience=)\nand sliding session expiry.\n",
			Author:  "Priya Raman <priya.raman@acme.test>",
			Date:    "2026-10-02T13:48:11Z",
			Tag:     "v2.13.0",
			Files: map[string]string{
				"internal/signing/canonical.go": "history/acme/auth-service/v2.13.0/internal/signing/canonical.go",
				"CHANGELOG.md":                  "history/acme/auth-service/v2.13.0/CHANGELOG.md",
			},
		},
		{
			Message: "signing: cover the query string in the canonical request\n\n" +
				"The string-to-sign used the escaped path only, so the query parameters\n" +
				"of a signed request (e.g. ?audience=) could be changed in transit without\n" +
				"invalidating the signature. Sign the full request URI instead.\n\n" +
				"Release 2.14.0.\n",
			Author: "Marco Lindqvist <marco.lindqvist@acme.test>",
			Date:   "2026-11-19T21:52:37Z",
			Tag:    "v2.14.0",
		},
	}}
	return out
}

// Expected is expected.json: the known root cause, for evals.
type Expected = dataset.Expected

func expected() Expected {
	return Expected{
		Service:  "auth-service",
		Repo:     "acme/auth-service",
		File:     "internal/signing/canonical.go",
		Function: "CanonicalRequest",
		Explanation: "Since auth-service@2.14.0 CanonicalRequest signs r.URL.RequestURI() (path and query) while payments " +
			"(payments/auth_client.py) and api-gateway (src/lib/serviceAuth.ts) sign the path only, so every signed call " +
			"with a query string, payments' POST /v1/tokens/introspect?audience=payments, fails HMAC verification " +
			"(401 signature_mismatch); payments raises ServiceAuthError and answers 500, the gateway passes the 500 on, " +
			"and checkout fails in the storefront.",
	}
}

// Manifest is dataset.json.
type Manifest = dataset.Manifest

func manifest() Manifest {
	return Manifest{
		Name: "checkout-auth",
		Description: "Demo incident (made-up data): a customer's \"Place order\" fails with 500 Internal Server Error " +
			"in the storefront; the cause is an authentication problem between payments and auth-service, two services away.",
		Demo:  true,
		Issue: checkoutShortID,
	}
}
