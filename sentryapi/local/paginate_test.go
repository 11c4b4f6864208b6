package local_test

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/sentryapi/local"
)

// linkEntry is one entry of a Link header.
type linkEntry struct {
	url, rel, results, cursor string
}

var linkRE = regexp.MustCompile(`^<([^>]*)>; rel="([^"]*)"; results="([^"]*)"; cursor="([^"]*)"$`)

// parseLink parses a Sentry Link header (sentry-api.md §4).
func parseLink(t *testing.T, h string) map[string]linkEntry {
	t.Helper()
	out := map[string]linkEntry{}
	for _, part := range strings.Split(h, ", ") {
		m := linkRE.FindStringSubmatch(part)
		if m == nil {
			t.Fatalf("Link entry %q is not in Sentry's format", part)
		}
		out[m[2]] = linkEntry{m[1], m[2], m[3], m[4]}
	}
	if len(out) != 2 || out["previous"].rel == "" || out["next"].rel == "" {
		t.Fatalf("Link %q: want a previous and a next entry", h)
	}
	return out
}

// manyProjects is a dataset with n projects.
func manyProjects(n int) fstest.MapFS {
	fsys := dataset()
	var elems []string
	for i := range n {
		elems = append(elems, fmt.Sprintf(`{"id":"%d","slug":"p%03d","name":"P%d"}`, 1000+i, i, i))
	}
	fsys["projects.json"] = &fstest.MapFile{Data: []byte("[" + strings.Join(elems, ",") + "]")}
	return fsys
}

func TestPaginationFollowsNext(t *testing.T) {
	for _, tc := range []struct {
		name    string
		n       int
		opts    []local.Option
		query   string
		pages   int
		perPage int
	}{
		{"default 100", 250, nil, "", 3, 100},
		{"WithPerPage", 7, []local.Option{local.WithPerPage(3)}, "", 3, 3},
		{"per_page query", 7, nil, "?per_page=2", 4, 2},
		{"exact multiple", 6, []local.Option{local.WithPerPage(3)}, "", 2, 3},
		{"empty", 0, nil, "", 1, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, manyProjects(tc.n), tc.opts...)
			forEach(t, s, func(t *testing.T, c conn) {
				next := c.base + "/api/0/organizations/acme/projects/" + tc.query
				var slugs []string
				pages := 0
				for {
					pages++
					if pages > 20 {
						t.Fatal("pagination does not end")
					}
					r := c.get(t, strings.TrimPrefix(next, c.base)).want(t, 200)
					var ps []wire.Project
					r.decode(t, &ps)
					if len(ps) > tc.perPage {
						t.Errorf("page %d has %d elements, per page %d", pages, len(ps), tc.perPage)
					}
					for _, p := range ps {
						slugs = append(slugs, p.Slug)
					}
					links := parseLink(t, r.header.Get("Link"))
					if !strings.HasPrefix(links["next"].url, c.base+"/api/0/organizations/acme/projects/?") {
						t.Fatalf("next URL %q is not absolute on %s", links["next"].url, c.base)
					}
					if (pages == 1) != (links["previous"].results == "false") {
						t.Errorf("page %d: previous results=%s", pages, links["previous"].results)
					}
					if links["next"].results != "true" {
						break
					}
					next = links["next"].url
				}
				if pages != tc.pages || len(slugs) != tc.n {
					t.Errorf("%d pages, %d projects; want %d pages, %d projects", pages, len(slugs), tc.pages, tc.n)
				}
				want := make([]string, tc.n)
				for i := range want {
					want[i] = fmt.Sprintf("p%03d", i)
				}
				if !slices.Equal(slugs, want) {
					t.Errorf("slugs = %v", slugs)
				}
			})
		})
	}
}

func TestLinkHeaderFormat(t *testing.T) {
	s := newServer(t, manyProjects(5))
	c := conns(t, s)[1]
	r := c.get(t, "/api/0/organizations/acme/projects/").want(t, 200)
	want := `<http://sentry.local/api/0/organizations/acme/projects/?&cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", ` +
		`<http://sentry.local/api/0/organizations/acme/projects/?&cursor=0:100:0>; rel="next"; results="false"; cursor="0:100:0"`
	if got := r.header.Get("Link"); got != want {
		t.Errorf("Link =\n %s\nwant\n %s", got, want)
	}
	// Other parameters are kept in order, the cursor is replaced.
	r = c.get(t, "/api/0/organizations/acme/projects/?per_page=2&query=x%20y&cursor=0:2:0").want(t, 200)
	want = `<http://sentry.local/api/0/organizations/acme/projects/?per_page=2&query=x%20y&cursor=0:0:1>; rel="previous"; results="true"; cursor="0:0:1", ` +
		`<http://sentry.local/api/0/organizations/acme/projects/?per_page=2&query=x%20y&cursor=0:4:0>; rel="next"; results="true"; cursor="0:4:0"`
	if got := r.header.Get("Link"); got != want {
		t.Errorf("Link =\n %s\nwant\n %s", got, want)
	}
	// https when the request says TLS (in process: the URL's scheme).
	tc := conn{"https", c.client, "https://sentry.local"}
	r = tc.get(t, "/api/0/organizations/acme/repos").want(t, 200)
	if l := parseLink(t, r.header.Get("Link")); !strings.HasPrefix(l["next"].url, "https://sentry.local/api/0/organizations/acme/repos?") {
		t.Errorf("next = %q", l["next"].url)
	}
	// A cursor past the end is an empty page.
	var ps []wire.Project
	c.get(t, "/api/0/organizations/acme/projects/?cursor=0:500:0").want(t, 200).decode(t, &ps)
	if len(ps) != 0 {
		t.Errorf("past the end: %d projects", len(ps))
	}
}

func TestPaginationErrors(t *testing.T) {
	s := newServer(t, manyProjects(5))
	forEach(t, s, func(t *testing.T, c conn) {
		for q, want := range map[string]string{
			"per_page=101":                     "Invalid per_page value. Cannot exceed 100.",
			"per_page=abc":                     "Invalid per_page parameter.",
			"per_page=0":                       "Invalid per_page parameter.",
			"cursor=nope":                      "Invalid cursor parameter.",
			"cursor=0:x:0":                     "Invalid cursor parameter.",
			"cursor=0:-5:0":                    "Invalid cursor parameter.",
			"cursor=" + url.QueryEscape("0:1"): "Invalid cursor parameter.",
		} {
			for _, p := range []string{"/api/0/organizations/acme/projects/", "/api/0/organizations/acme/issues/100/events/", "/api/0/organizations/acme/code-mappings/"} {
				if d := c.get(t, p+"?"+q).want(t, 400).detail(t); d != want {
					t.Errorf("%s?%s: detail %q, want %q", p, q, d, want)
				}
			}
		}
		// per_page=100 is fine; the trace ignores pagination altogether.
		c.get(t, "/api/0/organizations/acme/projects/?per_page=100").want(t, 200)
		c.get(t, "/api/0/organizations/acme/trace/"+traceID+"/?per_page=1000&cursor=junk").want(t, 200)
	})
}

func TestIssueEventsPagination(t *testing.T) {
	s := newServer(t, dataset(), local.WithPerPage(2))
	c := conns(t, s)[0]
	r := c.get(t, "/api/0/organizations/acme/issues/100/events/?full=1").want(t, 200)
	var first, second []wire.Event
	r.decode(t, &first)
	l := parseLink(t, r.header.Get("Link"))
	if l["next"].results != "true" || !strings.Contains(l["next"].url, "full=1&cursor=0:2:0") {
		t.Fatalf("next = %+v", l["next"])
	}
	c.get(t, strings.TrimPrefix(l["next"].url, c.base)).want(t, 200).decode(t, &second)
	if got := eventIDs(append(first, second...)); !slices.Equal(got, []string{evNew, evMid, evOld}) {
		t.Errorf("events over two pages = %v", got)
	}
	if len(second) != 1 || len(second[0].Entries) == 0 {
		t.Errorf("second page = %+v", second)
	}
}
