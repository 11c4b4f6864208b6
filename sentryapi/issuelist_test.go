package sentryapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

// ListIssues asks Sentry for the order and project, and orders and
// filters the answer itself for servers that ignore them.
func TestListIssues(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/0/organizations/acme/": // the region lookup
			w.Write([]byte(`{"id": "1", "slug": "acme", "name": "Acme", "links": {"regionUrl": "` + "http://" + r.Host + `", "organizationUrl": ""}}`))
			return
		case "/api/0/organizations/acme/issues/":
		default:
			http.NotFound(w, r)
			return
		}
		got = r.URL.RawQuery
		w.Write([]byte(`[
			{"id": "1", "shortId": "A-1", "title": "a", "count": "5", "project": {"id": "10", "slug": "a"}},
			{"id": "2", "shortId": "B-1", "title": "b", "count": "50", "project": {"id": "20", "slug": "b"}},
			{"id": "3", "shortId": "A-2", "title": "c", "count": "9", "project": {"id": "10", "slug": "a"}}]`))
	}))
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL, Org: "acme", Token: "t", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	list, err := c.ListIssues(ctx, IssueListOptions{Sort: SortFreq, ProjectID: "10", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if got != "limit=100&project=10&query=is%3Aunresolved&sort=freq" {
		t.Errorf("query %s", got)
	}
	if len(list) != 2 || list[0].ShortID != "A-2" || list[1].ShortID != "A-1" {
		t.Errorf("freq in project 10: %+v", list)
	}
	list, err = c.ListIssues(ctx, IssueListOptions{})
	if err != nil || len(list) != 3 || list[0].ShortID != "A-1" || got != "limit=25&query=is%3Aunresolved&sort=date" {
		t.Errorf("date: %v %+v (query %s)", err, list, got)
	}
	if _, err := c.ListIssues(ctx, IssueListOptions{Sort: "random"}); err == nil {
		t.Error("an unknown order was sent")
	}
}
