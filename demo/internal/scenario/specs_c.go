package scenario

import (
	"time"

	"github.com/tracehound/tracehound/demo/internal/incident"
)

// couponZeroDivision: coupons (Ruby) splits a per-item discount over the
// cart lines the coupon applies to; when none does it divides by zero. The
// crash site is the root cause.
func couponZeroDivision() *Spec {
	web := webCall{Page: "CartPage", Handler: "handleApplyCoupon", APIFile: "coupons", APIFn: "applyCoupon", Method: "POST",
		PathExpr: `"/api/cart/coupon"`}
	gw := gatewayRoute{File: "coupon", Handler: "applyCoupon", Method: "POST", Route: "/api/cart/coupon", Upstream: "coupons",
		PathExpr: `"/v1/coupons/apply"`}
	return &Spec{
		Name: "coupon-zero-division", Ordinal: 16, Start: time.Date(2026, 12, 6, 16, 40, 1, 5000000, time.UTC),
		Description: "Made-up incident (demo data): applying some coupons in the cart fails with 502.",
		Services: []SvcSpec{
			{Slug: "storefront", Platform: Browser, Version: "4.19.0", Files: web.files()},
			{Slug: "cart", Platform: Node, Version: "3.0.1", Files: gw.files()},
			{Slug: "coupons", Platform: Ruby, Version: "4.4.0", Files: map[string]string{
				"app/controllers/applications_controller.rb": src(`
class ApplicationsController < ApplicationController
  def create
    coupon = Coupon.find_by!(code: params.require(:code))
    discount = coupon.discount_for(params.require(:lines))
    render json: { code: coupon.code, discount_cents: discount }
  end
end
`),
				"app/models/coupon.rb": src(`
class Coupon < ApplicationRecord
  # kind: "percent" (percent_off of the eligible lines) or "per_item"
  # (amount_off_cents spread over the eligible items).
  def discount_for(lines)
    eligible = lines.select { |l| skus.include?(l["sku"]) }
    case kind
    when "percent" then eligible.sum { |l| l["unit_price_cents"] * l["quantity"] } * percent_off / 100
    when "per_item" then per_item_discount(eligible)
    end
  end

  private

  def per_item_discount(eligible)
    items = eligible.sum { |l| l["quantity"] }
    amount_off_cents / items * items
  end
end
`),
				"app/models/application_record.rb": src(`
class ApplicationRecord < ActiveRecord::Base
  primary_abstract_class

  def self.find_by_code(code)
    ActiveSupport::Deprecation.warn("Coupon.find_by_code is deprecated, use find_by!(code:)")
    find_by(code: code)
  end
end
`),
			}},
			{Slug: "flags", Platform: Go, Version: "1.1.0", Files: map[string]string{
				"internal/flags/eval.go": src(`
package flags

import (
	"log/slog"
	"time"
)

// Evaluate returns a flag's value for a customer.
func (s *Store) Evaluate(name, customer string) bool {
	rs := s.rules.Load()
	if time.Since(rs.Loaded) > 5*time.Minute {
		slog.Warn("flag evaluated with a stale ruleset", "flag", name, "age", time.Since(rs.Loaded))
	}
	return rs.Eval(name, customer)
}
`),
			}},
		},
		Hops: []Hop{
			{Svc: "storefront", Path: "/cart"},
			{Svc: "cart", Method: "POST", Path: "/api/cart/coupon", Status: 502, Body: map[string]any{"code": "SOCKS3FOR2"}},
			{Svc: "coupons", Method: "POST", Path: "/v1/coupons/apply", Status: 500,
				Body:   map[string]any{"code": "SOCKS3FOR2", "lines": []any{map[string]any{"sku": "SKU-1180", "quantity": 2, "unit_price_cents": 1499}}},
				Before: []Work{Q("SELECT coupons.* FROM coupons WHERE coupons.code = $1 LIMIT $2", 1.1)}},
		},
		Errors: []ErrSpec{
			{Hop: 2, Issue: "COUPONS-3", Count: 88,
				Chain: Ex("ZeroDivisionError", "divided by 0", append(RailsAction(),
					App("app/controllers/applications_controller.rb", "discount = coupon.discount_for(", "create"),
					App("app/models/coupon.rb", `when "per_item" then per_item_discount(eligible)`, "discount_for"),
					App("app/models/coupon.rb", "amount_off_cents / items * items", "per_item_discount"))...)},
			gw.failure(1, 500, `{"status":500,"error":"Internal Server Error"}`, "CART-8M"),
			web.symptom("/api/cart/coupon", 502, "STOREFRONT-B2"),
		},
		Noise: []NoiseSpec{
			{From: 0, Svc: "flags", Path: "/api/flags", Level: "warning", Threads: true, Issue: "FLAGS-4",
				Chain: Ex("", "flag evaluated with a stale ruleset", App("internal/flags/eval.go", "slog.Warn(", "(*Store).Evaluate"))},
			{From: 2, Svc: "coupons", Level: "warning", Threads: true, Issue: "COUPONS-1",
				Chain: Ex("", "Coupon.find_by_code is deprecated, use find_by!(code:)",
					App("app/models/application_record.rb", "ActiveSupport::Deprecation.warn(", "find_by_code"))},
		},
		Expected: incident.Expected{Service: "coupons", Repo: "acme/coupons", File: "app/models/coupon.rb", Function: "per_item_discount",
			Explanation: "Coupon#per_item_discount divides amount_off_cents by the number of eligible items, which is 0 when no cart line is " +
				"eligible for the coupon (ZeroDivisionError); coupons answers 500 and the cart 502. Return no discount when nothing is eligible."},
	}
}

// exportPriorityCase: reports-api (TypeScript) enqueues export jobs with
// priority "HIGH"/"NORMAL"; export-worker (Python) takes lower-case
// priorities and rejects the job, logging an error (a message event whose
// stack is in its thread). The producer is at fault.
func exportPriorityCase() *Spec {
	web := webCall{Page: "ExportsPage", Handler: "handleExport", APIFile: "exports", APIFn: "requestExport", Method: "POST",
		PathExpr: `"/api/exports"`}
	return &Spec{
		Name: "export-priority-case", Ordinal: 17, Start: time.Date(2026, 12, 2, 8, 30, 55, 410000000, time.UTC),
		Description: "Made-up incident (demo data): merchants cannot export their order reports (\"Export failed\", 502).",
		Services: []SvcSpec{
			{Slug: "storefront", Platform: Browser, Version: "4.17.9", Files: web.files()},
			{Slug: "reports-api", Platform: Node, Version: "1.9.0", Files: map[string]string{
				"src/exports/job.ts": src(`
export interface ExportRequest {
  report: string;
  format: "csv" | "xlsx";
  from: string;
  to: string;
  urgent?: boolean;
}

// The job the export worker runs.
export function buildJob(req: ExportRequest) {
  return {
    report: req.report,
    format: req.format,
    range: { from: req.from, to: req.to },
    priority: req.urgent ? "HIGH" : "NORMAL",
  };
}
`),
				"src/exports/enqueue.ts": src(`
import { fetch } from "undici";
import { buildJob, ExportRequest } from "./job";

export class ExportError extends Error {
  constructor(readonly status: number, readonly body: string) {
    super("export-worker answered " + status + ": " + body.slice(0, 200));
    this.name = "ExportError";
  }
}

const WORKER_URL = process.env.EXPORT_WORKER_URL ?? "http://export-worker.internal:8080";

export async function enqueueExport(req: ExportRequest) {
  const res = await fetch(WORKER_URL + "/v1/jobs", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(buildJob(req)),
  });
  if (res.status >= 400) {
    throw new ExportError(res.status, await res.text());
  }
  return res.json();
}
`),
				"src/routes/exports.ts": src(`
import { Router } from "express";
import * as Sentry from "@sentry/node";
import { enqueueExport } from "../exports/enqueue";
import { quota } from "../quota";

export const router = Router();

router.post("/api/exports", async function createExport(req, res) {
  await quota.check(req.session.merchantId);
  try {
    res.status(202).json(await enqueueExport(req.body));
  } catch (err) {
    Sentry.captureException(err);
    res.status(502).json({ error: "export_failed" });
  }
});
`),
			}},
			{Slug: "export-worker", Platform: Python, Version: "3.1.2", Files: map[string]string{
				"worker/jobs.py": src(`
import logging

log = logging.getLogger(__name__)

PRIORITIES = ("low", "normal", "high")


class JobRejected(Exception):
    pass


def validate_job(job):
    if job.get("priority") not in PRIORITIES:
        log.error(
            "rejecting job for report %s: unknown priority %r (expected one of: %s)",
            job.get("report"), job.get("priority"), ", ".join(PRIORITIES),
        )
        raise JobRejected("priority")
    return job
`),
				"worker/api.py": src(`
from flask import Blueprint, jsonify, request

from worker import jobs, queue

bp = Blueprint("jobs", __name__)


@bp.post("/v1/jobs")
def create_job():
    try:
        job = jobs.validate_job(request.get_json())
    except jobs.JobRejected as exc:
        return jsonify(error="invalid_job", field=str(exc)), 400
    return jsonify(id=queue.push(job)), 202
`),
			}},
			{Slug: "accounts", Platform: Go, Version: "4.0.0", Files: map[string]string{
				"internal/quota/quota.go": src(`
package quota

import "log/slog"

// Check reports whether a merchant may start another export.
func (q *Quotas) Check(merchant string) bool {
	used, limit := q.used(merchant), q.limit(merchant)
	if used*10 >= limit*9 {
		slog.Warn("merchant close to the export quota", "merchant", merchant, "used", used, "limit", limit)
	}
	return used < limit
}
`),
			}},
		},
		Hops: []Hop{
			{Svc: "storefront", Path: "/merchant/exports"},
			{Svc: "reports-api", Method: "POST", Path: "/api/exports", Status: 502,
				Body: map[string]any{"report": "orders", "format": "csv", "from": "2026-11-01", "to": "2026-11-30", "urgent": true}},
			{Svc: "export-worker", Method: "POST", Path: "/v1/jobs", Status: 400,
				Body: map[string]any{"report": "orders", "format": "csv", "range": map[string]any{"from": "2026-11-01", "to": "2026-11-30"}, "priority": "HIGH"}},
		},
		Errors: []ErrSpec{
			{Hop: 2, Issue: "EXPORT-WORKER-B", Count: 301, Threads: true,
				Chain: Ex("", "rejecting job for report orders: unknown priority 'HIGH' (expected one of: low, normal, high)", append(FlaskDispatch(),
					App("worker/api.py", "job = jobs.validate_job(", "create_job"),
					App("worker/jobs.py", "log.error(", "validate_job"))...)},
			{Hop: 1, Issue: "REPORTS-API-5", Count: 305,
				Chain: Ex("ExportError", `export-worker answered 400: {"error":"invalid_job","field":"priority"}`,
					App("src/routes/exports.ts", "res.status(202).json(await enqueueExport(", "createExport"),
					App("src/exports/enqueue.ts", "throw new ExportError(", "enqueueExport"),
					NodeTicks())},
			web.symptom("/api/exports", 502, "STOREFRONT-7Z"),
		},
		Noise: []NoiseSpec{
			{From: 1, Svc: "accounts", Path: "/v1/quota", Level: "warning", Threads: true, Issue: "ACCOUNTS-11",
				Chain: Ex("", "merchant close to the export quota", App("internal/quota/quota.go", "slog.Warn(", "(*Quotas).Check"))},
		},
		Expected: incident.Expected{Service: "reports-api", Repo: "acme/reports-api", File: "src/exports/job.ts", Function: "buildJob",
			Explanation: "reports-api's buildJob sends the export job's priority in upper case (\"HIGH\"/\"NORMAL\") while export-worker accepts " +
				"low/normal/high; validate_job logs the rejection and answers 400, reports-api answers 502. Send lower-case priorities."},
	}
}

// shipmentUnknownField: orders (Python) posts shipments whose lines carry
// "qty"; fulfillment (Java, Jackson with FAIL_ON_UNKNOWN_PROPERTIES)
// rejects the body before any application code runs, so its error has no
// in-app frame. The producer is orders' shipment_payload.
func shipmentUnknownField() *Spec {
	web := webCall{Page: "OrderPage", Handler: "handleShip", APIFile: "orders", APIFn: "shipOrder", Method: "POST",
		PathExpr: `"/api/orders/" + id + "/ship"`}
	jackson := func(module, fn, file string, line int) Frame {
		return Frame{Module: module, Function: fn, File: file, Abs: file, Line: line}
	}
	return &Spec{
		Name: "shipment-unknown-field", Ordinal: 18, Start: time.Date(2026, 12, 1, 11, 19, 27, 880000000, time.UTC),
		Description: "Made-up incident (demo data): the warehouse team cannot ship paid orders; \"Ship\" fails with 502.",
		Services: []SvcSpec{
			{Slug: "backoffice", Platform: Browser, Version: "2.3.0", Files: web.files()},
			{Slug: "orders", Platform: Python, Version: "9.2.0", Files: map[string]string{
				"orders/fulfillment_client.py": src(`
import requests

from orders import settings


class FulfillmentError(Exception):
    pass


def shipment_payload(order):
    return {
        "order_id": order["id"],
        "service_level": order.get("service_level", "standard"),
        "lines": [{"sku": line["sku"], "qty": line["quantity"]} for line in order["lines"]],
    }


def create_shipment(order):
    resp = requests.post(settings.FULFILLMENT_URL + "/v1/shipments", json=shipment_payload(order), timeout=3)
    if resp.status_code >= 400:
        raise FulfillmentError("fulfillment rejected shipment for %s: %d %s" % (order["id"], resp.status_code, resp.text[:200]))
    return resp.json()
`),
				"orders/views.py": src(`
import sentry_sdk
from flask import Blueprint, jsonify

from orders import fulfillment_client, store

bp = Blueprint("orders", __name__)


@bp.post("/api/orders/<order_id>/ship")
def ship_order(order_id):
    order = store.paid_order(order_id)
    try:
        shipment = fulfillment_client.create_shipment(order)
    except fulfillment_client.FulfillmentError as exc:
        sentry_sdk.capture_exception(exc)
        return jsonify(error="fulfillment_unavailable"), 502
    store.mark_shipped(order_id, shipment["id"])
    return jsonify(shipment)
`),
			}},
			{Slug: "fulfillment", Platform: Java, Version: "5.0.2", Files: map[string]string{
				"src/main/java/com/acme/fulfillment/ShipmentLine.java": src(`
package com.acme.fulfillment;

public record ShipmentLine(String sku, int quantity) {}
`),
				"src/main/java/com/acme/fulfillment/ShipmentController.java": src(`
package com.acme.fulfillment;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class ShipmentController {
    private final Shipments shipments;

    public ShipmentController(Shipments shipments) {
        this.shipments = shipments;
    }

    @PostMapping("/v1/shipments")
    public Shipment create(@RequestBody ShipmentRequest request) {
        return shipments.create(request);
    }
}
`),
				"src/main/java/com/acme/fulfillment/CarrierClient.java": src(`
package com.acme.fulfillment;

import io.sentry.Sentry;
import io.sentry.SentryLevel;

public class CarrierClient {
    public void checkLatency(long millis) {
        if (millis > 800) {
            Sentry.captureMessage("carrier API latency high: " + millis + "ms", SentryLevel.WARNING);
        }
    }
}
`),
			}},
			{Slug: "search", Platform: Go, Version: "3.7.4", Files: map[string]string{
				"internal/search/suggest.go": src(`
package search

import "github.com/getsentry/sentry-go"

// Suggest completes a prefix from the suggestion index.
func (s *Suggester) Suggest(prefix string) []string {
	out, err := s.index.Prefix(prefix, 8)
	if err != nil {
		sentry.CaptureException(err)
		return nil
	}
	return out
}
`),
			}},
		},
		Hops: []Hop{
			{Svc: "backoffice", Path: "/orders/ord_77f3a1"},
			{Svc: "orders", Method: "POST", Path: "/api/orders/ord_77f3a1/ship", Route: "/api/orders/<order_id>/ship", Status: 502,
				Before: []Work{Q("SELECT o.id, o.service_level, l.sku, l.quantity FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.id = %s AND o.status = 'paid'", 2.2)}},
			{Svc: "fulfillment", Method: "POST", Path: "/v1/shipments", Status: 400,
				Body: map[string]any{"order_id": "ord_77f3a1", "service_level": "standard", "lines": []any{map[string]any{"sku": "SKU-3001", "qty": 2}, map[string]any{"sku": "SKU-0412", "qty": 1}}}},
		},
		Errors: []ErrSpec{
			{Hop: 2, Issue: "FULFILLMENT-2D", Count: 64,
				Chain: []Exception{
					{Type: "UnrecognizedPropertyException", Module: "com.fasterxml.jackson.databind.exc",
						Value: `Unrecognized field "qty" (class com.acme.fulfillment.ShipmentLine), not marked as ignorable (2 known properties: "sku", "quantity"])`,
						Frames: []Frame{
							jackson("com.fasterxml.jackson.databind.deser.BeanDeserializer", "deserializeFromObject", "BeanDeserializer.java", 392),
							jackson("com.fasterxml.jackson.databind.DeserializationContext", "handleUnknownProperty", "DeserializationContext.java", 1366),
							jackson("com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException", "from", "UnrecognizedPropertyException.java", 61),
						}},
					{Type: "HttpMessageNotReadableException", Module: "org.springframework.http.converter",
						Value: `JSON parse error: Unrecognized field "qty" (class com.acme.fulfillment.ShipmentLine), not marked as ignorable`,
						Frames: append(SpringDispatch()[:3],
							jackson("org.springframework.web.servlet.mvc.method.annotation.RequestResponseBodyMethodProcessor", "readWithMessageConverters", "RequestResponseBodyMethodProcessor.java", 163),
							jackson("org.springframework.http.converter.json.AbstractJackson2HttpMessageConverter", "readJavaType", "AbstractJackson2HttpMessageConverter.java", 406))},
				}},
			{Hop: 1, Issue: "ORDERS-9T", Count: 66,
				Chain: Ex("FulfillmentError", `fulfillment rejected shipment for ord_77f3a1: 400 {"status":400,"error":"Bad Request","path":"/v1/shipments"}`, append(FlaskDispatch(),
					App("orders/views.py", "shipment = fulfillment_client.create_shipment(order)", "ship_order"),
					App("orders/fulfillment_client.py", "raise FulfillmentError(", "create_shipment"))...)},
			web.symptom("/api/orders/ord_77f3a1/ship", 502, "BACKOFFICE-3"),
		},
		Noise: []NoiseSpec{
			{From: 0, Svc: "search", Path: "/api/suggest?q=ord", Level: "error", Issue: "SEARCH-2",
				Chain: Ex("*errors.errorString", "suggest index not loaded", App("internal/search/suggest.go", "sentry.CaptureException(err)", "(*Suggester).Suggest"))},
			{From: 2, Svc: "fulfillment", Level: "warning", Threads: true, Issue: "FULFILLMENT-1",
				Chain: Ex("", "carrier API latency high: 1210ms", App("src/main/java/com/acme/fulfillment/CarrierClient.java", "Sentry.captureMessage(", "checkLatency"))},
		},
		Expected: incident.Expected{Service: "orders", Repo: "acme/orders", File: "orders/fulfillment_client.py", Function: "shipment_payload",
			Explanation: "orders' shipment_payload names the lines' quantity \"qty\" while fulfillment's ShipmentLine has \"quantity\" and Jackson fails " +
				"on unknown properties; fulfillment rejects every shipment (400) before its code runs, orders answers 502. Send \"quantity\"."},
	}
}
