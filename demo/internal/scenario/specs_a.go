package scenario

import (
	"fmt"
	"strings"
	"time"

	"github.com/tracehound/tracehound/demo/internal/history"
	"github.com/tracehound/tracehound/demo/internal/incident"
)

// ledgerDateFormat: billing (Python) builds the ledger entry of a settled
// invoice with the due date formatted "%m/%d/%Y"; ledger (Ruby) takes ISO
// 8601 dates and rejects the entry (Date::Error, 422), billing answers 502.
// The crash site is ledger's parse_due; the producer of the bad value is
// billing's build_invoice_payload. No repository has history.
func ledgerDateFormat() *Spec {
	web := webCall{Page: "InvoicePage", Handler: "handlePay", APIFile: "invoices", APIFn: "settleInvoice", Method: "POST",
		PathExpr: `"/api/invoices/" + id + "/settle"`}
	gw := gatewayRoute{File: "invoices", Handler: "settleInvoice", Method: "POST", Route: "/api/invoices/:id/settle", Upstream: "billing",
		PathExpr: `"/v1/invoices/" + req.params.id + "/settle"`}
	const inv = "INV-88213"
	return &Spec{
		Name: "ledger-date-format", Ordinal: 11, Start: time.Date(2026, 12, 3, 9, 41, 12, 311000000, time.UTC),
		Description: "Made-up incident (demo data): customers cannot pay open invoices; \"Pay\" fails with 502 Bad Gateway.",
		Services: []SvcSpec{
			{Slug: "storefront", Platform: Browser, Version: "4.18.2", Files: web.files()},
			{Slug: "gateway", Platform: Node, Version: "2.9.0", Files: gw.files()},
			{Slug: "billing", Platform: Python, Version: "5.3.1", Files: map[string]string{
				"billing/ledger_client.py": src(`
"""Client of the ledger service: every settled invoice becomes a ledger entry."""
import logging

import requests

from billing import settings

log = logging.getLogger(__name__)


class LedgerError(Exception):
    """The ledger refused or failed to record an entry."""


def build_invoice_payload(invoice):
    """The ledger entry for a settled invoice."""
    return {
        "invoice_id": invoice["id"],
        "customer_id": invoice["customer_id"],
        "amount_cents": invoice["amount_cents"],
        "currency": invoice["currency"],
        "due_date": invoice["due_on"].strftime("%m/%d/%Y"),
        "memo": "settlement " + invoice["id"],
    }


def post_entry(payload):
    resp = requests.post(settings.LEDGER_URL + "/v1/entries", json=payload, timeout=settings.LEDGER_TIMEOUT)
    if resp.status_code >= 400:
        raise LedgerError("ledger rejected entry for %s: %d %s" % (payload["invoice_id"], resp.status_code, resp.text[:200]))
    return resp.json()
`),
				"billing/views.py": src(`
import sentry_sdk
from flask import Blueprint, jsonify

from billing import db, ledger_client, tax

bp = Blueprint("invoices", __name__)


@bp.post("/v1/invoices/<invoice_id>/settle")
def settle_invoice(invoice_id):
    invoice = db.invoice_for_update(invoice_id)
    invoice["tax_rate"] = tax.tax_rate_for(invoice)
    payload = ledger_client.build_invoice_payload(invoice)
    try:
        entry = ledger_client.post_entry(payload)
    except ledger_client.LedgerError as exc:
        sentry_sdk.capture_exception(exc)
        db.mark_invoice(invoice_id, "settle_failed")
        return jsonify(error="ledger_unavailable"), 502
    db.mark_invoice(invoice_id, "settled", entry_id=entry["id"])
    return jsonify(status="settled", entry=entry["id"])
`),
				"billing/tax.py": src(`
import logging

from billing import settings

log = logging.getLogger(__name__)


def tax_rate_for(invoice):
    if settings.TAX_TABLE_URL:
        log.warning("settings.TAX_TABLE_URL is deprecated; use TAX_SERVICE_URL")
    return settings.TAX_RATES.get(invoice["currency"], 0)
`),
				"billing/settings.py": src(`
import os

LEDGER_URL = os.environ.get("LEDGER_URL", "http://ledger.internal:8080")
LEDGER_TIMEOUT = float(os.environ.get("LEDGER_TIMEOUT", "2.0"))
TAX_TABLE_URL = os.environ.get("TAX_TABLE_URL", "")
TAX_RATES = {"EUR": 0.21, "GBP": 0.2, "USD": 0.0}
`),
				"billing/db.py": src(`
from billing.pg import pool


def invoice_for_update(invoice_id):
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT id, customer_id, amount_cents, currency, due_on, status FROM invoices WHERE id = %s FOR UPDATE",
            (invoice_id,),
        ).fetchone()
    return dict(row)


def mark_invoice(invoice_id, status, entry_id=None):
    with pool.connection() as conn:
        conn.execute("UPDATE invoices SET status = %s, ledger_entry_id = %s WHERE id = %s", (status, entry_id, invoice_id))
`),
			}},
			{Slug: "ledger", Platform: Ruby, Version: "1.14.0", Files: map[string]string{
				"app/controllers/entries_controller.rb": src(`
class EntriesController < ApplicationController
  def create
    entry = EntryImporter.new(entry_params).call
    render json: { id: entry.id }, status: :created
  rescue Date::Error, KeyError => e
    Rails.logger.warn("rejecting ledger entry for invoice #{params[:invoice_id]}: #{e.message}")
    Sentry.capture_exception(e)
    render json: { error: "invalid_entry", detail: e.message }, status: :unprocessable_entity
  end

  private

  def entry_params
    params.permit(:invoice_id, :customer_id, :amount_cents, :currency, :due_date, :memo).to_h
  end
end
`),
				"app/services/entry_importer.rb": src(`
# Turns a settlement posted by billing into a double-entry ledger record.
class EntryImporter
  def initialize(params)
    @params = params
  end

  def call
    LedgerEntry.create!(
      invoice_id: @params.fetch("invoice_id"),
      customer_id: @params.fetch("customer_id"),
      amount_cents: Integer(@params.fetch("amount_cents")),
      currency: @params.fetch("currency"),
      due_on: parse_due(@params.fetch("due_date")),
      memo: @params["memo"]
    )
  end

  private

  # The API takes ISO 8601 dates (YYYY-MM-DD), see docs/api.md.
  def parse_due(raw)
    Date.iso8601(raw)
  end
end
`),
			}},
			{Slug: "notifications", Platform: Go, Version: "0.9.4", Files: map[string]string{
				"internal/unread/count.go": src(`
package unread

import (
	"context"
	"errors"
	"fmt"

	"github.com/getsentry/sentry-go"
	"github.com/redis/go-redis/v9"
)

// Service counts unread notifications.
type Service struct {
	rdb   *redis.Client
	stale map[string]int
}

// Count returns the unread notifications of a customer, from Redis, or the
// last known count when Redis is slow.
func (s *Service) Count(ctx context.Context, customer string) (int, error) {
	n, err := s.rdb.Get(ctx, "unread:"+customer).Int()
	if errors.Is(err, redis.ErrPoolTimeout) {
		sentry.CaptureException(fmt.Errorf("redis: connection pool timeout; serving a stale unread count: %w", err))
		return s.stale[customer], nil
	}
	return n, err
}
`),
			}},
		},
		Hops: []Hop{
			{Svc: "storefront", Path: "/account/invoices/" + inv},
			{Svc: "gateway", Method: "POST", Path: "/api/invoices/" + inv + "/settle", Route: "/api/invoices/:id/settle", Status: 502,
				Before: []Work{Fn("auth.verifySession", 1.6)}},
			{Svc: "billing", Method: "POST", Path: "/v1/invoices/" + inv + "/settle", Route: "/v1/invoices/<invoice_id>/settle", Status: 502,
				Before: []Work{Q("SELECT id, customer_id, amount_cents, currency, due_on, status FROM invoices WHERE id = %s FOR UPDATE", 2.3)},
				After:  []Work{Q("UPDATE invoices SET status = %s, ledger_entry_id = %s WHERE id = %s", 1.4)}},
			{Svc: "ledger", Method: "POST", Path: "/v1/entries", Route: "/v1/entries", Status: 422,
				Body: map[string]any{"invoice_id": inv, "customer_id": "cus_3318", "amount_cents": 12900, "currency": "EUR", "due_date": "12/06/2026", "memo": "settlement " + inv}},
		},
		Errors: []ErrSpec{
			{Hop: 3, Issue: "LEDGER-7Q", Count: 377,
				Logs: []string{Log("warning", "rejecting ledger entry for invoice "+inv+": invalid date")},
				Chain: Ex("Date::Error", "invalid date", append(RailsAction(),
					App("app/controllers/entries_controller.rb", "entry = EntryImporter.new(entry_params).call", "create"),
					App("app/services/entry_importer.rb", "due_on: parse_due(", "call"),
					App("app/services/entry_importer.rb", "Date.iso8601(raw)", "parse_due"),
					Sys("", "iso8601", "<internal:date_core>", "<internal:date_core>", 0, ""),
				)...)},
			{Hop: 2, Issue: "BILLING-3F", Count: 381,
				Chain: Ex("LedgerError", "ledger rejected entry for "+inv+`: 422 {"error":"invalid_entry","detail":"invalid date"}`, append(FlaskDispatch(),
					App("billing/views.py", "entry = ledger_client.post_entry(payload)", "settle_invoice"),
					App("billing/ledger_client.py", "raise LedgerError(", "post_entry"),
				)...)},
			gw.failure(1, 502, `{"error":"ledger_unavailable"}`, "GATEWAY-1HC"),
			web.symptom("/api/invoices/"+inv+"/settle", 502, "STOREFRONT-9B"),
		},
		Noise: []NoiseSpec{
			{From: 1, Svc: "notifications", Path: "/v1/unread-count", Level: "warning", Issue: "NOTIFICATIONS-2A",
				Chain: Ex("*fmt.wrapError", "redis: connection pool timeout; serving a stale unread count: redis: connection pool timeout",
					App("internal/unread/count.go", "sentry.CaptureException(", "(*Service).Count"))},
			{From: 2, Svc: "billing", Level: "warning", Threads: true, Issue: "BILLING-2Z",
				Chain: Ex("", "settings.TAX_TABLE_URL is deprecated; use TAX_SERVICE_URL",
					App("billing/views.py", `invoice["tax_rate"] = tax.tax_rate_for(invoice)`, "settle_invoice"),
					App("billing/tax.py", "log.warning(", "tax_rate_for"))},
		},
		Expected: incident.Expected{Service: "billing", Repo: "acme/billing", File: "billing/ledger_client.py", Function: "build_invoice_payload",
			Explanation: "billing's build_invoice_payload formats the ledger entry's due_date with \"%m/%d/%Y\" (12/06/2026) while ledger's API " +
				"takes ISO 8601 dates; ledger's parse_due raises Date::Error (422), billing answers 502 and no invoice can be paid. " +
				"Send due_date as an ISO 8601 date (isoformat())."},
	}
}

// searchTimeoutDefault: search 3.8.0 lowered its default query timeout to
// 40ms ("tighten defaults"), while index answers in ~100ms: every query is
// cut by the deadline and search answers 504. The crash site is the index
// client; the cause is the config default.
func searchTimeoutDefault() *Spec {
	web := webCall{Page: "SearchPage", Handler: "handleSearch", APIFile: "search", APIFn: "runSearch", Method: "GET",
		PathExpr: `"/api/search?q=" + encodeURIComponent(id)`}
	configOld := src(`
package config

import (
	"os"
	"time"
)

// Config is the search service's configuration.
type Config struct {
	IndexURL     string
	QueryTimeout time.Duration
	MaxResults   int
}

// Defaults is the configuration when no environment variable overrides it.
func Defaults() Config {
	return Config{
		IndexURL:     envOr("INDEX_URL", "http://index.internal:8080"),
		QueryTimeout: 400 * time.Millisecond,
		MaxResults:   48,
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
`)
	return &Spec{
		Name: "search-timeout-default", Ordinal: 12, Start: time.Date(2026, 12, 4, 18, 2, 44, 910000000, time.UTC),
		Description: "Made-up incident (demo data): every search in the shop fails with 504 Gateway Timeout since the evening deploy.",
		Services: []SvcSpec{
			{Slug: "storefront", Platform: Browser, Version: "4.18.2", Files: web.files()},
			{Slug: "search", Platform: Go, Version: "3.8.0", Files: map[string]string{
				"internal/config/config.go": stringsReplace(configOld, "400 * time.Millisecond", "40 * time.Millisecond"),
				"internal/search/client.go": src(`
package search

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/acme/search/internal/config"
)

// Client queries the index service.
type Client struct {
	cfg  config.Config
	http *http.Client
}

// Query asks the index for the documents matching q.
func (c *Client) Query(ctx context.Context, q Query) (*Result, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.QueryTimeout)
	defer cancel()
	body, _ := json.Marshal(q)
	req, _ := http.NewRequestWithContext(ctx, "POST", c.cfg.IndexURL+"/v2/query", bytes.NewReader(body))
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("index query %q: %w", q.Text, err)
	}
	defer resp.Body.Close()
	var r Result
	return &r, json.NewDecoder(resp.Body).Decode(&r)
}
`),
				"internal/search/handler.go": src(`
package search

import (
	"net/http"

	"github.com/getsentry/sentry-go"
)

// Handler serves GET /api/search.
type Handler struct{ client *Client }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := Query{Text: r.URL.Query().Get("q"), Limit: 48}
	res, err := h.client.Query(r.Context(), q)
	if err != nil {
		sentry.GetHubFromContext(r.Context()).CaptureException(err)
		http.Error(w, "search unavailable", http.StatusGatewayTimeout)
		return
	}
	writeJSON(w, res)
}
`),
			}, Changes: &Changes{PrevVersion: "3.7.4", Old: map[string]string{"internal/config/config.go": configOld},
				Commits: []history.Commit{{Message: "config: tighten default timeouts\n\nFail fast instead of queueing requests behind a slow index.\n",
					Author: "Priya Natarajan <priya.natarajan@acme.test>", Date: "2026-12-03T11:20:05Z"}}}},
			{Slug: "index", Platform: Java, Version: "7.2.0", Files: map[string]string{
				"src/main/java/com/acme/index/QueryController.java": src(`
package com.acme.index;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class QueryController {
    private final Searcher searcher;

    public QueryController(Searcher searcher) {
        this.searcher = searcher;
    }

    @PostMapping("/v2/query")
    public QueryResult query(@RequestBody QueryRequest request) {
        return searcher.search(request.text(), request.limit());
    }
}
`),
				"src/main/java/com/acme/index/SynonymCache.java": src(`
package com.acme.index;

import io.sentry.Sentry;
import io.sentry.SentryLevel;

public class SynonymCache {
    public java.util.List<String> expand(String term) {
        if (stale()) {
            Sentry.captureMessage("synonym cache is stale, serving the previous generation", SentryLevel.WARNING);
        }
        return lookup(term);
    }
}
`),
			}},
			{Slug: "recommendations", Platform: Python, Version: "2.2.0", Files: map[string]string{
				"recs/model.py": src(`
import logging

log = logging.getLogger(__name__)


def load_model(path):
    try:
        return _load(path)
    except FileNotFoundError:
        log.error("model file %s missing, using popularity fallback", path)
        return POPULARITY
`),
			}},
		},
		Hops: []Hop{
			{Svc: "storefront", Path: "/search"},
			{Svc: "search", Method: "GET", Path: "/api/search?q=espresso+grinder", Route: "/api/search", Status: 504,
				Before: []Work{Fn("search.parseQuery", 0.4)}},
			{Svc: "index", Method: "POST", Path: "/v2/query", Status: 0,
				Body:   map[string]any{"text": "espresso grinder", "limit": 48},
				Before: []Work{Fn("synonyms.expand", 2.2), Fn("lucene.search", 31.8)}},
		},
		Errors: []ErrSpec{
			{Hop: 1, Issue: "SEARCH-5D", Count: 2210,
				Chain: Ex("*url.Error", `index query "espresso grinder": Post "http://index.internal:8080/v2/query": context deadline exceeded`, append(GoServe(),
					App("internal/search/handler.go", "res, err := h.client.Query(r.Context(), q)", "(*Handler).ServeHTTP"),
					App("internal/search/client.go", `return nil, fmt.Errorf("index query`, "(*Client).Query"),
				)...)},
			web.symptom("/api/search?q=espresso%20grinder", 504, "STOREFRONT-9K"),
		},
		Noise: []NoiseSpec{
			{From: 2, Svc: "index", Level: "warning", Threads: true, Issue: "INDEX-1R",
				Chain: Ex("", "synonym cache is stale, serving the previous generation",
					App("src/main/java/com/acme/index/SynonymCache.java", "Sentry.captureMessage(", "expand"))},
			{From: 0, Svc: "recommendations", Path: "/api/recommendations", Level: "error", Threads: true, Issue: "RECOMMENDATIONS-8",
				Chain: Ex("", "model file /models/recs-2026-12-04.bin missing, using popularity fallback",
					App("recs/model.py", "log.error(", "load_model"))},
		},
		Expected: incident.Expected{Service: "search", Repo: "acme/search", File: "internal/config/config.go", Function: "Defaults",
			Explanation: "search 3.8.0 lowered the default QueryTimeout in config.Defaults from 400ms to 40ms; index needs ~35–100ms, so " +
				"(*Client).Query's context deadline cuts every index query and search answers 504. Restore a realistic default (or set it from the index's latency)."},
	}
}

// stringsReplace replaces the one occurrence of old in s (it panics when
// there is not exactly one, so a spec cannot drift from its story).
func stringsReplace(s, old, new string) string {
	if n := strings.Count(s, old); n != 1 {
		panic(fmt.Errorf("stringsReplace: %q occurs %d times", old, n))
	}
	return strings.Replace(s, old, new, 1)
}
