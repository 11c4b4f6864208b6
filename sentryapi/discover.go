package sentryapi

import (
	"cmp"
	"context"
	"errors"
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
	return s.query("event.type:transaction", "transaction.op", "transaction.status")
}

// query joins the search's terms; the datasets name the same keys
// differently (first is what marks a transaction, op and status the keys
// of those fields).
func (s TransactionSearch) query(first, op, status string) string {
	parts := []string{first, "transaction:" + searchQuote(s.Transaction)}
	if s.Op != "" {
		parts = append(parts, op+":"+searchQuote(s.Op))
	}
	if s.Status != "" {
		parts = append(parts, status+":"+searchQuote(s.Status))
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

// spanFields are the columns of the same search on the spans dataset.
var spanFields = []string{"id", "trace", "transaction", "transaction.event_id", "span.op", "project", "timestamp", "span.status", "span.duration"}

// SpansQuery is the search on the spans dataset (Sentry's newer storage,
// where a transaction is a span with is_transaction): the same terms with
// the span keys (span.op, span.status; unverified against every Sentry
// version).
func (s TransactionSearch) SpansQuery() string {
	return s.query("is_transaction:true", "span.op", "span.status")
}

// SearchTransactions lists the transaction events that match s, the newest
// first (one page). It asks the transactions dataset; a server that
// refuses it (400: a Sentry that keeps transactions only as spans) is
// asked the spans dataset instead.
func (c *Client) SearchTransactions(ctx context.Context, s TransactionSearch) ([]TransactionHit, error) {
	if strings.TrimSpace(s.Transaction) == "" {
		return nil, fmt.Errorf("sentryapi: a transaction search needs the transaction's name")
	}
	hits, err := c.searchEvents(ctx, s, "transactions", transactionFields, s.Query())
	if errors.Is(err, ErrBadRequest) {
		if spans, serr := c.searchEvents(ctx, s, "spans", spanFields, s.SpansQuery()); serr == nil {
			return spans, nil
		}
	}
	return hits, err
}

func (c *Client) searchEvents(ctx context.Context, s TransactionSearch, dataset string, fields []string, query string) ([]TransactionHit, error) {
	limit := s.Limit
	if limit <= 0 {
		limit = 10
	}
	q := url.Values{
		"dataset":     {dataset},
		"field":       fields,
		"query":       {query},
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
			EventID:     cmp.Or(wire.RowField(row, "transaction.event_id"), wire.RowField(row, "id")),
			TraceID:     wire.RowField(row, "trace"),
			Transaction: wire.RowField(row, "transaction"),
			Op:          cmp.Or(wire.RowField(row, "transaction.op"), wire.RowField(row, "span.op")),
			Project:     wire.RowField(row, "project"),
			Status:      cmp.Or(wire.RowField(row, "transaction.status"), wire.RowField(row, "span.status")),
		}
		if ts, err := wire.ParseTimestamp(wire.RowField(row, "timestamp")); err == nil {
			h.Timestamp = ts
		}
		h.DurationMS, _ = strconv.ParseFloat(cmp.Or(wire.RowField(row, "transaction.duration"), wire.RowField(row, "span.duration")), 64)
		if h.TraceID == "" {
			continue
		}
		out = append(out, h)
	}
	return out, nil
}
