package sentryapi

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// TransactionSearch selects transaction events through Discover's events
// endpoint (GET /organizations/{org}/events/?dataset=transactions).
type TransactionSearch struct {
	// Transaction is the transaction's name ("POST /api/checkout").
	Transaction string
	// Op narrows to one operation (http.server, ui.action.click), optional.
	Op string
	// ProjectID is the numeric project id, optional (all projects).
	ProjectID string
	// Status keeps one transaction status ("ok"), optional.
	Status string
	// ExcludeTrace leaves out one trace (the failing one), optional.
	ExcludeTrace string
	// StatsPeriod is how far back to look (default "14d").
	StatsPeriod string
	// Limit is the most rows returned (1–100, default 10).
	Limit int
}

// TransactionHit is one transaction event found by SearchTransactions.
type TransactionHit struct {
	EventID, TraceID, Transaction, Op, Project, Status string
	Timestamp                                          wire.Timestamp
	DurationMS                                         float64
}

// transactionFields are the columns SearchTransactions asks for.
var transactionFields = []string{"id", "trace", "transaction", "transaction.op", "project", "timestamp", "transaction.status", "transaction.duration"}

// Query is the search query the endpoint is sent.
func (s TransactionSearch) Query() string {
	parts := []string{"event.type:transaction", "transaction:" + searchQuote(s.Transaction)}
	if s.Op != "" {
		parts = append(parts, "transaction.op:"+searchQuote(s.Op))
	}
	if s.Status != "" {
		parts = append(parts, "transaction.status:"+searchQuote(s.Status))
	}
	if s.ExcludeTrace != "" {
		parts = append(parts, "!trace:"+searchQuote(s.ExcludeTrace))
	}
	return strings.Join(parts, " ")
}

// searchQuote quotes a value of Sentry's search syntax when it needs it.
func searchQuote(v string) string {
	if v != "" && !strings.ContainsAny(v, " \t\"\\():") {
		return v
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}

// SearchTransactions lists the transaction events that match s, the newest
// first (one page).
func (c *Client) SearchTransactions(ctx context.Context, s TransactionSearch) ([]TransactionHit, error) {
	if strings.TrimSpace(s.Transaction) == "" {
		return nil, fmt.Errorf("sentryapi: a transaction search needs the transaction's name")
	}
	limit := s.Limit
	if limit <= 0 {
		limit = 10
	}
	q := url.Values{
		"dataset":     {"transactions"},
		"field":       transactionFields,
		"query":       {s.Query()},
		"sort":        {"-timestamp"},
		"per_page":    {strconv.Itoa(min(limit, 100))},
		"statsPeriod": {cmp.Or(s.StatsPeriod, "14d")},
		"project":     {cmp.Or(s.ProjectID, "-1")},
		"referrer":    {"api.tracehound.compare"},
	}
	var t wire.EventsTable
	if _, err := c.get(ctx, request{host: regionHost, path: c.orgPath("events/"), scope: "event:read", query: q, required: []string{"/data"}}, &t); err != nil {
		return nil, err
	}
	var out []TransactionHit
	for _, row := range t.Data {
		h := TransactionHit{
			EventID: wire.RowField(row, "id"), TraceID: wire.RowField(row, "trace"), Transaction: wire.RowField(row, "transaction"),
			Op: wire.RowField(row, "transaction.op"), Project: wire.RowField(row, "project"), Status: wire.RowField(row, "transaction.status"),
		}
		if ts, err := wire.ParseTimestamp(wire.RowField(row, "timestamp")); err == nil {
			h.Timestamp = ts
		}
		h.DurationMS, _ = strconv.ParseFloat(wire.RowField(row, "transaction.duration"), 64)
		if h.TraceID == "" {
			continue
		}
		out = append(out, h)
	}
	return out, nil
}
