package scenario

import (
	"time"

	"github.com/tracehound/tracehound/demo/internal/history"
	"github.com/tracehound/tracehound/demo/internal/incident"
)

// The holdout incidents: written before the analyzer was tuned on the
// others, and scored only when a change to it is done.

// webhookSignatureEncoding: checkout (TypeScript) signs webhook deliveries
// with a hex HMAC; webhook-relay (Go) decodes the signature as base64 (48
// bytes instead of 32) and refuses every delivery.
func webhookSignatureEncoding() *Spec {
	web := webCall{Page: "PaymentPage", Handler: "handleConfirm", APIFile: "payments", APIFn: "confirmPayment", Method: "POST",
		PathExpr: `"/api/checkout/" + id + "/confirm"`}
	return &Spec{
		Name: "webhook-signature-encoding", Ordinal: 21, Start: time.Date(2026, 12, 7, 9, 12, 4, 600000000, time.UTC), Holdout: true,
		Description: "Made-up incident (demo data): orders are paid but merchants are never notified; confirming a payment shows 502.",
		Services: []SvcSpec{
			{Slug: "storefront", Platform: Browser, Version: "4.19.1", Files: web.files()},
			{Slug: "checkout", Platform: Node, Version: "7.3.0", Files: map[string]string{
				"src/webhooks/sign.ts": src(`
import { createHmac } from "node:crypto";

const SECRET = process.env.WEBHOOK_SECRET ?? "";

// The signature the relay checks: HMAC-SHA256 of the body.
export function signPayload(body: string): string {
  return createHmac("sha256", SECRET).update(body).digest("hex");
}
`),
				"src/webhooks/deliver.ts": src(`
import { fetch } from "undici";
import { signPayload } from "./sign";

export class DeliveryError extends Error {
  constructor(readonly status: number, readonly body: string) {
    super("webhook-relay answered " + status + ": " + body.slice(0, 200));
    this.name = "DeliveryError";
  }
}

const RELAY_URL = process.env.RELAY_URL ?? "http://webhook-relay.internal:8080";

export async function deliver(event: string, payload: Record<string, unknown>) {
  const body = JSON.stringify(payload);
  const res = await fetch(RELAY_URL + "/v1/deliveries", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ event, payload: body, signature: signPayload(body) }),
  });
  if (res.status >= 400) {
    throw new DeliveryError(res.status, await res.text());
  }
}
`),
				"src/routes/confirm.ts": src(`
import { Router } from "express";
import * as Sentry from "@sentry/node";
import { deliver } from "../webhooks/deliver";
import { payments } from "../payments";

export const router = Router();

router.post("/api/checkout/:id/confirm", async function confirmPayment(req, res) {
  const order = await payments.confirm(req.params.id);
  try {
    await deliver("order.paid", { order_id: order.id, amount_cents: order.amountCents });
    res.json({ status: "paid" });
  } catch (err) {
    Sentry.captureException(err);
    res.status(502).json({ error: "merchant_notification_failed" });
  }
});
`),
			}},
			{Slug: "webhook-relay", Platform: Go, Version: "1.8.2", Files: map[string]string{
				"internal/relay/verify.go": src(`
package relay

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// SignatureError is a delivery whose signature does not verify.
type SignatureError struct{ Got, Want int }

func (e *SignatureError) Error() string {
	return fmt.Sprintf("webhook signature mismatch: got %d bytes, want %d", e.Got, e.Want)
}

// decodeSignature reads the signature field of a delivery.
func decodeSignature(s string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(s)
}

// Verify checks a delivery's HMAC-SHA256 signature.
func (r *Relay) Verify(d *Delivery) error {
	sig, err := decodeSignature(d.Signature)
	if err != nil {
		return fmt.Errorf("webhook signature: %w", err)
	}
	mac := hmac.New(sha256.New, r.secret)
	mac.Write([]byte(d.Payload))
	if want := mac.Sum(nil); !hmac.Equal(sig, want) {
		return &SignatureError{Got: len(sig), Want: len(want)}
	}
	return nil
}
`),
				"internal/relay/handler.go": src(`
package relay

import (
	"encoding/json"
	"net/http"

	"github.com/getsentry/sentry-go"
)

// Deliver serves POST /v1/deliveries.
func (r *Relay) Deliver(w http.ResponseWriter, req *http.Request) {
	var d Delivery
	if err := json.NewDecoder(req.Body).Decode(&d); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	if err := r.Verify(&d); err != nil {
		sentry.GetHubFromContext(req.Context()).CaptureException(err)
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	r.enqueue(req.Context(), &d)
	w.WriteHeader(http.StatusAccepted)
}
`),
			}},
			{Slug: "merchant-portal", Platform: Python, Version: "2.0.0", Files: map[string]string{
				"portal/banners.py": src(`
import logging

log = logging.getLogger(__name__)


def active_banner(merchant_id, banners):
    current = [b for b in banners if b.is_live()]
    if len(current) > 1:
        log.warning("merchant %s has %d live banners, showing the newest", merchant_id, len(current))
    return max(current, key=lambda b: b.starts_at, default=None)
`),
			}},
		},
		Hops: []Hop{
			{Svc: "storefront", Path: "/checkout/payment"},
			{Svc: "checkout", Method: "POST", Path: "/api/checkout/chk_5521/confirm", Route: "/api/checkout/:id/confirm", Status: 502,
				Before: []Work{Q("UPDATE payments SET status = 'captured' WHERE checkout_id = $1 RETURNING order_id, amount_cents", 3.1)}},
			{Svc: "webhook-relay", Method: "POST", Path: "/v1/deliveries", Status: 401,
				Body: map[string]any{"event": "order.paid", "payload": `{"order_id":"ord_5521","amount_cents":8450}`,
					"signature": "6f1d0c3e9a4b27f58d0e6c1b3a9f47e2d5c8b0a1f3e6d9c2b5a8e1f4d7c0b3a6"}},
		},
		Errors: []ErrSpec{
			{Hop: 2, Issue: "WEBHOOK-RELAY-3", Count: 640,
				Chain: []Exception{{Type: "*relay.SignatureError", Module: "github.com/acme/webhook-relay/internal/relay",
					Value: "webhook signature mismatch: got 48 bytes, want 32",
					Frames: append(GoServe(),
						App("internal/relay/handler.go", "if err := r.Verify(&d); err != nil {", "(*Relay).Deliver"),
						App("internal/relay/verify.go", "return &SignatureError{", "(*Relay).Verify"))}}},
			{Hop: 1, Issue: "CHECKOUT-4H", Count: 655,
				Chain: Ex("DeliveryError", "webhook-relay answered 401: invalid signature",
					App("src/routes/confirm.ts", "await deliver(", "confirmPayment"),
					App("src/webhooks/deliver.ts", "throw new DeliveryError(", "deliver"),
					NodeTicks())},
			web.symptom("/api/checkout/chk_5521/confirm", 502, "STOREFRONT-C3"),
		},
		Noise: []NoiseSpec{
			{From: 0, Svc: "merchant-portal", Path: "/api/banners", Level: "warning", Threads: true, Issue: "MERCHANT-PORTAL-2",
				Chain: Ex("", "merchant m_118 has 2 live banners, showing the newest", App("portal/banners.py", "log.warning(", "active_banner"))},
		},
		Expected: incident.Expected{Service: "checkout", Repo: "acme/checkout", File: "src/webhooks/sign.ts", Function: "signPayload",
			Explanation: "checkout's signPayload encodes the HMAC-SHA256 signature as hex (64 characters) while webhook-relay's decodeSignature " +
				"reads base64: 64 hex characters decode to 48 bytes, never the 32-byte MAC, so every delivery fails verification (401) and checkout answers 502. " +
				"Encode the signature as base64 (or decode hex on both sides)."},
	}
}

// recsLimitConfig: recommendations (Java) reads its result limit from
// recs.max-items with a default of 0; the deployment does not set it, so
// RankingService.topN rejects every request.
func recsLimitConfig() *Spec {
	web := webCall{Page: "HomePage", Handler: "loadRecommendations", APIFile: "recs", APIFn: "fetchRecommendations", Method: "GET",
		PathExpr: `"/api/recommendations?user=" + id`}
	gw := gatewayRoute{File: "recs", Handler: "recommendations", Method: "GET", Route: "/api/recommendations", Upstream: "recommendations",
		PathExpr: `"/v1/recs?user=" + req.query.user`}
	return &Spec{
		Name: "recs-limit-config", Ordinal: 22, Start: time.Date(2026, 12, 7, 12, 44, 31, 90000000, time.UTC), Holdout: true,
		Description: "Made-up incident (demo data): the home page's \"Picked for you\" shelf is empty for everyone (502 in the console).",
		Services: []SvcSpec{
			{Slug: "storefront", Platform: Browser, Version: "4.19.1", Files: web.files()},
			{Slug: "gateway", Platform: Node, Version: "2.9.1", Files: gw.files()},
			{Slug: "recommendations", Platform: Java, Version: "6.0.0", Files: map[string]string{
				"src/main/java/com/acme/recs/RecsSettings.java": src(`
package com.acme.recs;

import org.springframework.core.env.Environment;

public record RecsSettings(int maxItems, double minScore, String modelPath) {
    public static RecsSettings fromEnvironment(Environment env) {
        int maxItems = env.getProperty("recs.max-items", Integer.class, 0);
        double minScore = env.getProperty("recs.min-score", Double.class, 0.15);
        String modelPath = env.getProperty("recs.model-path", "/models/current.bin");
        return new RecsSettings(maxItems, minScore, modelPath);
    }
}
`),
				"src/main/java/com/acme/recs/RankingService.java": src(`
package com.acme.recs;

import java.util.List;

public class RankingService {
    private final RecsSettings settings;
    private final Model model;

    public RankingService(RecsSettings settings, Model model) {
        this.settings = settings;
        this.model = model;
    }

    public List<Item> recommend(String userId) {
        return topN(model.score(userId), settings.maxItems());
    }

    static List<Item> topN(List<Item> scored, int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        return scored.stream().sorted().limit(limit).toList();
    }
}
`),
				"src/main/java/com/acme/recs/RecsController.java": src(`
package com.acme.recs;

import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class RecsController {
    private final RankingService ranking;

    public RecsController(RankingService ranking) {
        this.ranking = ranking;
    }

    @GetMapping("/v1/recs")
    public List<Item> recs(@RequestParam String user) {
        return ranking.recommend(user);
    }
}
`),
				"src/main/java/com/acme/recs/Model.java": src(`
package com.acme.recs;

import io.sentry.Sentry;
import io.sentry.SentryLevel;
import java.util.List;

public class Model {
    public List<Item> score(String userId) {
        if (ageHours() > 48) {
            Sentry.captureMessage("recommendation model is " + ageHours() + "h old", SentryLevel.WARNING);
        }
        return weights.score(userId);
    }
}
`),
			}},
			{Slug: "inventory", Platform: Python, Version: "1.4.4", Files: map[string]string{
				"inventory/availability.py": src(`
import sentry_sdk


def availability(skus, cache):
    out = {}
    for sku in skus:
        try:
            out[sku] = cache[sku]
        except KeyError as exc:
            sentry_sdk.capture_exception(exc)
            out[sku] = None
    return out
`),
			}},
		},
		Hops: []Hop{
			{Svc: "storefront", Path: "/"},
			{Svc: "gateway", Method: "GET", Path: "/api/recommendations?user=u_9182", Route: "/api/recommendations", Status: 502},
			{Svc: "recommendations", Method: "GET", Path: "/v1/recs?user=u_9182", Route: "/v1/recs", Status: 500,
				Before: []Work{Fn("model.score", 7.4)}},
		},
		Errors: []ErrSpec{
			{Hop: 2, Issue: "RECOMMENDATIONS-J", Count: 15230,
				Chain: []Exception{{Type: "IllegalArgumentException", Module: "java.lang", Value: "limit must be positive, was 0",
					Frames: append(SpringDispatch(),
						App("src/main/java/com/acme/recs/RecsController.java", "return ranking.recommend(user);", "recs"),
						App("src/main/java/com/acme/recs/RankingService.java", "return topN(model.score(userId)", "recommend"),
						App("src/main/java/com/acme/recs/RankingService.java", "throw new IllegalArgumentException(", "topN"))}}},
			gw.failure(1, 500, `{"status":500,"error":"Internal Server Error","path":"/v1/recs"}`, "GATEWAY-1J0"),
			web.symptom("/api/recommendations?user=u_9182", 502, "STOREFRONT-C5"),
		},
		Noise: []NoiseSpec{
			{From: 2, Svc: "recommendations", Level: "warning", Threads: true, Issue: "RECOMMENDATIONS-2",
				Chain: Ex("", "recommendation model is 51h old",
					App("src/main/java/com/acme/recs/Model.java", "Sentry.captureMessage(", "score"))},
			{From: 0, Svc: "inventory", Path: "/api/availability", Level: "error", Issue: "INVENTORY-Q",
				Chain: Ex("KeyError", "'SKU-7781'", App("inventory/availability.py", "out[sku] = cache[sku]", "availability"))},
		},
		Expected: incident.Expected{Service: "recommendations", Repo: "acme/recommendations", File: "src/main/java/com/acme/recs/RecsSettings.java", Function: "fromEnvironment",
			Explanation: "RecsSettings.fromEnvironment defaults recs.max-items to 0 when the property is unset (as in production); " +
				"RankingService.topN rejects a limit of 0 (IllegalArgumentException), recommendations answers 500 and the gateway 502. Give recs.max-items a positive default."},
	}
}

// cartCouponCrash: cart 5.2.0 (TypeScript) changed applyCoupon to read
// coupon.percentOff for every coupon; fixed-amount coupons have none and
// the cart crashes (TypeError). The crash site is the root cause.
func cartCouponCrash() *Spec {
	web := webCall{Page: "CartPage", Handler: "handleCoupon", APIFile: "cart", APIFn: "redeemCoupon", Method: "POST",
		PathExpr: `"/api/cart/coupons"`}
	applyOld := src(`
import type { Cart, Coupon } from "./types";

// The discount a coupon gives on a cart, in cents.
export function applyCoupon(cart: Cart, coupon: Coupon): number {
  if (coupon.kind === "fixed") {
    return Math.min(coupon.amountOffCents ?? 0, cart.subtotalCents);
  }
  const rate = coupon.percentOff / 100;
  return Math.round(cart.subtotalCents * rate);
}
`)
	applyNew := src(`
import type { Cart, Coupon } from "./types";

// The discount a coupon gives on a cart, in cents.
export function applyCoupon(cart: Cart, coupon: Coupon): number {
  const label = coupon.percentOff.toFixed(0) + "% off";
  cart.notes.push(label);
  return Math.round(cart.subtotalCents * (coupon.percentOff / 100));
}
`)
	return &Spec{
		Name: "cart-coupon-crash", Ordinal: 23, Start: time.Date(2026, 12, 7, 15, 3, 50, 300000000, time.UTC), Holdout: true,
		Description: "Made-up incident (demo data): redeeming gift coupons in the cart fails with 500 since today's cart release.",
		Services: []SvcSpec{
			{Slug: "storefront", Platform: Browser, Version: "4.19.1", Files: web.files()},
			{Slug: "cart", Platform: Node, Version: "5.2.0", Files: map[string]string{
				"src/coupons/apply.ts": applyNew,
				"src/coupons/types.ts": src(`
export interface Coupon {
  code: string;
  kind: "percent" | "fixed";
  percentOff?: number;
  amountOffCents?: number;
}

export interface Cart {
  id: string;
  subtotalCents: number;
  notes: string[];
}
`),
				"src/routes/coupons.ts": src(`
import { Router } from "express";
import * as Sentry from "@sentry/node";
import { applyCoupon } from "../coupons/apply";
import { coupons } from "../coupons/store";
import { carts } from "../store";

export const router = Router();

router.post("/api/cart/coupons", async function redeem(req, res) {
  try {
    const cart = await carts.current(req.session.id);
    const coupon = await coupons.byCode(req.body.code);
    const discount = applyCoupon(cart, coupon);
    res.json(await carts.withDiscount(cart, coupon.code, discount));
  } catch (err) {
    Sentry.captureException(err);
    res.status(500).json({ error: "coupon_failed" });
  }
});
`),
			}, Changes: &Changes{PrevVersion: "5.1.3", Old: map[string]string{"src/coupons/apply.ts": applyOld},
				Commits: []history.Commit{{Message: "coupons: show the discount label in the cart notes\n",
					Author: "Tom Okafor <tom.okafor@acme.test>", Date: "2026-12-06T17:02:11Z"}}}},
			{Slug: "pricing", Platform: Go, Version: "1.12.3", Files: map[string]string{
				"internal/prices/handler.go": src(`
package prices

import (
	"log/slog"
	"net/http"
)

// Subtotal serves POST /v1/subtotal.
func (h *Handler) Subtotal(w http.ResponseWriter, r *http.Request) {
	lines, err := decodeLines(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if len(lines) > 50 {
		slog.Warn("large cart priced line by line", "lines", len(lines))
	}
	writeJSON(w, h.sum(lines))
}
`),
			}},
			{Slug: "reviews", Platform: Ruby, Version: "2.0.4", Files: map[string]string{
				"app/models/review.rb": src(`
class Review < ApplicationRecord
  def self.summary_for(sku)
    stats = where(sku: sku).pick(Arel.sql("avg(rating)"), Arel.sql("count(*)"))
    { average: stats[0].round(1), count: stats[1] }
  rescue NoMethodError => e
    Sentry.capture_exception(e)
    { average: nil, count: 0 }
  end
end
`),
			}},
		},
		Hops: []Hop{
			{Svc: "storefront", Path: "/cart"},
			{Svc: "cart", Method: "POST", Path: "/api/cart/coupons", Status: 500, Body: map[string]any{"code": "GIFT-25EUR"},
				Before: []Work{Q("SELECT id, subtotal_cents FROM carts WHERE session_id = $1", 1.2), Q("SELECT code, kind, percent_off, amount_off_cents FROM coupons WHERE code = $1", 1.0)}},
		},
		Errors: []ErrSpec{
			{Hop: 1, Issue: "CART-9P", Count: 233,
				Chain: Ex("TypeError", "Cannot read properties of undefined (reading 'toFixed')",
					App("src/routes/coupons.ts", "const discount = applyCoupon(cart, coupon);", "redeem"),
					App("src/coupons/apply.ts", "coupon.percentOff.toFixed(0)", "applyCoupon"),
					NodeTicks())},
			web.symptom("/api/cart/coupons", 500, "STOREFRONT-C8"),
		},
		Noise: []NoiseSpec{
			{From: 1, Svc: "pricing", Path: "/v1/subtotal", Method: "POST", Level: "warning", Threads: true, Issue: "PRICING-7",
				Chain: Ex("", "large cart priced line by line", App("internal/prices/handler.go", "slog.Warn(", "(*Handler).Subtotal"))},
			{From: 0, Svc: "reviews", Path: "/api/reviews/summary", Level: "error", Issue: "REVIEWS-8",
				Chain: Ex("NoMethodError", "undefined method 'round' for nil", App("app/models/review.rb", "{ average: stats[0].round(1), count: stats[1] }", "summary_for"))},
		},
		Expected: incident.Expected{Service: "cart", Repo: "acme/cart", File: "src/coupons/apply.ts", Function: "applyCoupon",
			Explanation: "cart 5.2.0 changed applyCoupon to format coupon.percentOff for every coupon; fixed-amount coupons (GIFT-25EUR) have no percentOff, " +
				"so it throws TypeError and the cart answers 500. Handle fixed coupons again (amountOffCents)."},
	}
}

// activityMillisTimestamp: activity (Ruby) sends event times in
// milliseconds since the epoch in "occurred_at"; analytics (Python) reads
// seconds and fails (year out of range).
func activityMillisTimestamp() *Spec {
	web := webCall{Page: "ProductPage", Handler: "trackView", APIFile: "activity", APIFn: "recordView", Method: "POST",
		PathExpr: `"/api/activity"`}
	return &Spec{
		Name: "activity-ms-timestamp", Ordinal: 24, Start: time.Date(2026, 12, 7, 17, 25, 12, 450000000, time.UTC), Holdout: true,
		Description: "Made-up incident (demo data): \"recently viewed\" stays empty and the product page logs 502 errors.",
		Services: []SvcSpec{
			{Slug: "storefront", Platform: Browser, Version: "4.19.1", Files: web.files()},
			{Slug: "activity", Platform: Ruby, Version: "3.5.0", Files: map[string]string{
				"app/models/activity_event.rb": src(`
class ActivityEvent < ApplicationRecord
  belongs_to :customer

  # The event as the analytics API takes it.
  def to_payload
    {
      type: kind,
      customer_id: customer.public_id,
      sku: sku,
      occurred_at: (created_at.to_f * 1000).to_i,
      source: "storefront"
    }
  end
end
`),
				"app/services/analytics_client.rb": src(`
class AnalyticsClient
  class Error < StandardError; end

  def publish(event)
    resp = http.post("/v1/events", event.to_payload.to_json, "Content-Type" => "application/json")
    raise Error, "analytics answered #{resp.code}: #{resp.body.to_s[0, 200]}" if resp.code.to_i >= 400
    resp
  end
end
`),
				"app/controllers/activities_controller.rb": src(`
class ActivitiesController < ApplicationController
  def create
    event = ActivityEvent.create!(customer: current_customer, kind: params[:type], sku: params[:sku])
    AnalyticsClient.new.publish(event)
    head :accepted
  rescue AnalyticsClient::Error => e
    Sentry.capture_exception(e)
    render json: { error: "analytics_unavailable" }, status: :bad_gateway
  end
end
`),
			}},
			{Slug: "analytics", Platform: Python, Version: "4.2.0", Files: map[string]string{
				"analytics/ingest.py": src(`
from datetime import datetime, timezone

from analytics import store


def normalize(event):
    return {
        "type": event["type"],
        "customer": event["customer_id"],
        "sku": event.get("sku"),
        "at": datetime.fromtimestamp(event["occurred_at"], tz=timezone.utc),
    }


def ingest(event):
    row = normalize(event)
    store.append(row)
    return row
`),
				"analytics/api.py": src(`
import sentry_sdk
from flask import Blueprint, jsonify, request

from analytics import ingest

bp = Blueprint("events", __name__)


@bp.post("/v1/events")
def post_event():
    try:
        ingest.ingest(request.get_json())
    except (KeyError, ValueError) as exc:
        sentry_sdk.capture_exception(exc)
        return jsonify(error="invalid_event", detail=str(exc)), 400
    return "", 204
`),
			}},
			{Slug: "search", Platform: Go, Version: "3.7.4", Files: map[string]string{
				"internal/search/related.go": src(`
package search

import "github.com/getsentry/sentry-go"

// Related finds products related to a SKU.
func (s *Searcher) Related(sku string) []string {
	res, err := s.index.MoreLikeThis(sku, 12)
	if err != nil {
		sentry.CaptureException(err)
		return nil
	}
	return res
}
`),
			}},
		},
		Hops: []Hop{
			{Svc: "storefront", Path: "/products/SKU-2231"},
			{Svc: "activity", Method: "POST", Path: "/api/activity", Status: 502, Body: map[string]any{"type": "product_viewed", "sku": "SKU-2231"},
				Before: []Work{Q(`INSERT INTO "activity_events" ("customer_id", "kind", "sku", "created_at") VALUES ($1, $2, $3, $4) RETURNING "id"`, 1.8)}},
			{Svc: "analytics", Method: "POST", Path: "/v1/events", Status: 400,
				Body: map[string]any{"type": "product_viewed", "customer_id": "c_7d1f2a", "sku": "SKU-2231", "occurred_at": 1765128312451, "source": "storefront"}},
		},
		Errors: []ErrSpec{
			{Hop: 2, Issue: "ANALYTICS-4M", Count: 30211,
				Chain: Ex("ValueError", "year 57906 is out of range", append(FlaskDispatch(),
					App("analytics/api.py", "ingest.ingest(request.get_json())", "post_event"),
					App("analytics/ingest.py", "row = normalize(event)", "ingest"),
					App("analytics/ingest.py", `"at": datetime.fromtimestamp(`, "normalize"))...)},
			{Hop: 1, Issue: "ACTIVITY-2E", Count: 30240,
				Chain: Ex("AnalyticsClient::Error", `analytics answered 400: {"detail":"year 57906 is out of range","error":"invalid_event"}`, append(RailsAction(),
					App("app/controllers/activities_controller.rb", "AnalyticsClient.new.publish(event)", "create"),
					App("app/services/analytics_client.rb", "raise Error,", "publish"))...)},
			web.symptom("/api/activity", 502, "STOREFRONT-D1"),
		},
		Noise: []NoiseSpec{
			{From: 0, Svc: "search", Path: "/api/related/SKU-2231", Level: "error", Issue: "SEARCH-6",
				Chain: Ex("*errors.errorString", "more-like-this: field \"description\" has no term vectors", App("internal/search/related.go", "sentry.CaptureException(err)", "(*Searcher).Related"))},
		},
		Expected: incident.Expected{Service: "activity", Repo: "acme/activity", File: "app/models/activity_event.rb", Function: "to_payload",
			Explanation: "activity's ActivityEvent#to_payload sends occurred_at in milliseconds since the epoch (1765128312451) while analytics reads seconds; " +
				"normalize's datetime.fromtimestamp fails (year 57906 is out of range, 400) and activity answers 502. Send seconds (created_at.to_i) or ISO 8601."},
	}
}

// accountPlanRenamed: accounts 2.8.0 (Python) renamed the account's
// "plan" to "plan_id" in its API; invoicing (Java) reads "plan" from the
// answer and fails. The producer is the service called, not the caller.
func accountPlanRenamed() *Spec {
	serializerOld := src(`
def serialize_account(account):
    return {
        "id": account.public_id,
        "name": account.name,
        "plan": account.plan.code,
        "currency": account.currency,
        "billing_email": account.billing_email,
    }
`)
	return &Spec{
		Name: "account-plan-renamed", Ordinal: 25, Start: time.Date(2026, 12, 8, 2, 0, 3, 10000000, time.UTC), Holdout: true,
		Description: "Made-up incident (demo data): the nightly invoicing run fails for every account since accounts' release.",
		Services: []SvcSpec{
			{Slug: "invoicing", Platform: Java, Version: "4.1.0", Files: map[string]string{
				"src/main/java/com/acme/invoicing/InvoiceBuilder.java": src(`
package com.acme.invoicing;

import com.fasterxml.jackson.databind.JsonNode;

public class InvoiceBuilder {
    private final PlanCatalog plans;

    public InvoiceBuilder(PlanCatalog plans) {
        this.plans = plans;
    }

    public Invoice build(JsonNode account, Usage usage) {
        JsonNode plan = account.get("plan");
        if (plan == null || plan.isNull()) {
            throw new IllegalStateException("account " + account.get("id").asText() + " has no plan");
        }
        return new Invoice(account.get("id").asText(), plans.price(plan.asText(), usage), account.get("currency").asText());
    }
}
`),
				"src/main/java/com/acme/invoicing/MonthlyRun.java": src(`
package com.acme.invoicing;

import io.sentry.Sentry;

public class MonthlyRun {
    private final AccountsClient accounts;
    private final InvoiceBuilder builder;

    public void invoice(String accountId) {
        try {
            var account = accounts.get(accountId);
            var invoice = builder.build(account, usage.forMonth(accountId));
            invoices.save(invoice);
        } catch (IllegalStateException e) {
            Sentry.captureException(e);
            throw e;
        }
    }
}
`),
			}},
			{Slug: "accounts", Platform: Python, Version: "2.8.0", Files: map[string]string{
				"accounts/serializers.py": stringsReplace(serializerOld, `"plan": account.plan.code,`, `"plan_id": account.plan.code,`),
				"accounts/api.py": src(`
from flask import Blueprint, jsonify

from accounts import models, serializers

bp = Blueprint("accounts", __name__)


@bp.get("/v1/accounts/<account_id>")
def get_account(account_id):
    account = models.Account.by_public_id(account_id)
    return jsonify(serializers.serialize_account(account))
`),
			}, Changes: &Changes{PrevVersion: "2.7.3", Old: map[string]string{"accounts/serializers.py": serializerOld},
				Commits: []history.Commit{{Message: "api: name foreign keys *_id consistently\n",
					Author: "Sofia Rossi <sofia.rossi@acme.test>", Date: "2026-12-07T10:12:33Z"}}}},
			{Slug: "usage", Platform: Go, Version: "2.2.0", Files: map[string]string{
				"internal/usage/month.go": src(`
package usage

import "log/slog"

// ForMonth sums an account's metered usage over a month.
func (s *Store) ForMonth(account string, month Month) Totals {
	t := s.sum(account, month)
	if t.Late > 0 {
		slog.Warn("usage records arrived after the month closed", "account", account, "late", t.Late)
	}
	return t
}
`),
			}},
		},
		Hops: []Hop{
			{Svc: "invoicing", Method: "POST", Path: "/jobs/monthly-invoices/acc_42", Route: "/jobs/monthly-invoices/{accountId}", Status: 500,
				After: []Work{Fn("usage.forMonth", 3.3)}},
			{Svc: "accounts", Method: "GET", Path: "/v1/accounts/acc_42", Route: "/v1/accounts/<account_id>", Status: 200,
				Before: []Work{Q("SELECT a.public_id, a.name, a.currency, a.billing_email, p.code FROM accounts a JOIN plans p ON p.id = a.plan_id WHERE a.public_id = %s", 1.6)}},
		},
		Errors: []ErrSpec{
			{Hop: 0, Issue: "INVOICING-5", Count: 1180, Symptom: true,
				Chain: []Exception{{Type: "IllegalStateException", Module: "java.lang", Value: "account acc_42 has no plan",
					Frames: append(SpringDispatch(),
						App("src/main/java/com/acme/invoicing/MonthlyRun.java", "var invoice = builder.build(", "invoice"),
						App("src/main/java/com/acme/invoicing/InvoiceBuilder.java", "throw new IllegalStateException(", "build"))}}},
		},
		Noise: []NoiseSpec{
			{From: 0, Svc: "usage", Path: "/v1/usage/acc_42?month=2026-11", Level: "warning", Threads: true, Issue: "USAGE-3",
				Chain: Ex("", "usage records arrived after the month closed", App("internal/usage/month.go", "slog.Warn(", "(*Store).ForMonth"))},
		},
		Expected: incident.Expected{Service: "accounts", Repo: "acme/accounts", File: "accounts/serializers.py", Function: "serialize_account",
			Explanation: "accounts 2.8.0 renamed the account's \"plan\" to \"plan_id\" in serialize_account; invoicing's InvoiceBuilder.build reads " +
				"\"plan\" from accounts' answer, finds none and throws IllegalStateException for every account. Keep \"plan\" (or version the API)."},
	}
}

// taxCurrencyCase: orders (Go) sends tax quotes with the currency in lower
// case; tax (TypeScript) refuses it and logs the refusal as a message
// (stack in its thread); orders answers 502.
func taxCurrencyCase() *Spec {
	web := webCall{Page: "ReviewPage", Handler: "handleReview", APIFile: "orders", APIFn: "previewOrder", Method: "POST",
		PathExpr: `"/api/orders/preview"`}
	return &Spec{
		Name: "tax-currency-case", Ordinal: 26, Start: time.Date(2026, 12, 8, 9, 14, 27, 720000000, time.UTC), Holdout: true,
		Description: "Made-up incident (demo data): the order review page fails with 502 for customers in Germany.",
		Services: []SvcSpec{
			{Slug: "storefront", Platform: Browser, Version: "4.19.2", Files: web.files()},
			{Slug: "orders", Platform: Go, Version: "7.4.0", Files: map[string]string{
				"internal/tax/request.go": src(`
package tax

import (
	"strings"

	"github.com/acme/orders/internal/cart"
)

// QuoteRequest is POST /v1/quotes of the tax service.
type QuoteRequest struct {
	Country  string ‵json:"country"‵
	Currency string ‵json:"currency"‵
	Lines    []Line ‵json:"lines"‵
}

// quoteRequest is the tax quote request for a cart.
func quoteRequest(c *cart.Cart) QuoteRequest {
	q := QuoteRequest{Country: c.Country, Currency: strings.ToLower(c.Currency)}
	for _, l := range c.Lines {
		q.Lines = append(q.Lines, Line{SKU: l.SKU, Amount: l.TotalCents, Category: l.TaxCategory})
	}
	return q
}
`),
				"internal/tax/client.go": src(`
package tax

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/acme/orders/internal/cart"
)

// Client asks the tax service for quotes.
type Client struct {
	base string
	http *http.Client
}

// Quote computes the taxes of a cart.
func (c *Client) Quote(ctx context.Context, ct *cart.Cart) (*Quote, error) {
	body, _ := json.Marshal(quoteRequest(ct))
	req, _ := http.NewRequestWithContext(ctx, "POST", c.base+"/v1/quotes", bytes.NewReader(body))
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		b, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("tax quote: %d %s", resp.StatusCode, b)
	}
	var q Quote
	return &q, json.NewDecoder(resp.Body).Decode(&q)
}
`),
				"internal/orders/preview.go": src(`
package orders

import (
	"net/http"

	"github.com/getsentry/sentry-go"
)

// Preview serves POST /api/orders/preview.
func (h *Handler) Preview(w http.ResponseWriter, r *http.Request) {
	ct, err := h.carts.Current(r.Context(), customerID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	taxes, err := h.tax.Quote(r.Context(), ct)
	if err != nil {
		sentry.GetHubFromContext(r.Context()).CaptureException(err)
		writeError(w, http.StatusBadGateway, "tax_unavailable")
		return
	}
	writeJSON(w, preview(ct, taxes))
}
`),
			}},
			{Slug: "tax", Platform: Node, Version: "2.0.3", Files: map[string]string{
				"src/quotes.ts": src(`
import * as Sentry from "@sentry/node";
import { rates } from "./rates";

const CURRENCIES = new Set(["EUR", "GBP", "CHF", "SEK", "PLN"]);

export class QuoteRefused extends Error {}

export function checkCurrency(country: string, currency: string) {
  if (!CURRENCIES.has(currency)) {
    Sentry.captureMessage("unsupported currency '" + currency + "' for " + country + ", quote refused", "error");
    throw new QuoteRefused("currency");
  }
}

export function quote(req: { country: string; currency: string; lines: { amount: number; category: string }[] }) {
  checkCurrency(req.country, req.currency);
  return req.lines.map((l) => Math.round(l.amount * rates.for(req.country, l.category)));
}
`),
				"src/server.ts": src(`
import express from "express";
import { quote, QuoteRefused } from "./quotes";

export const app = express();

app.post("/v1/quotes", function createQuote(req, res) {
  try {
    res.json({ taxes: quote(req.body) });
  } catch (err) {
    if (err instanceof QuoteRefused) {
      res.status(422).json({ error: "quote_refused", field: err.message });
      return;
    }
    throw err;
  }
});
`),
			}},
			{Slug: "loyalty", Platform: Python, Version: "1.6.1", Files: map[string]string{
				"loyalty/tiers.py": src(`
import logging

log = logging.getLogger(__name__)


def tier_for(points):
    if points < 0:
        log.error("negative points balance %d, treating as 0", points)
        points = 0
    return "gold" if points > 5000 else "silver" if points > 1000 else "basic"
`),
			}},
		},
		Hops: []Hop{
			{Svc: "storefront", Path: "/checkout/review"},
			{Svc: "orders", Method: "POST", Path: "/api/orders/preview", Status: 502,
				Before: []Work{Q("SELECT c.id, c.country, c.currency, l.sku, l.total_cents, p.tax_category FROM carts c JOIN cart_lines l ON l.cart_id = c.id JOIN products p ON p.sku = l.sku WHERE c.customer_id = $1", 2.5)}},
			{Svc: "tax", Method: "POST", Path: "/v1/quotes", Status: 422,
				Body: map[string]any{"country": "DE", "currency": "eur", "lines": []any{map[string]any{"sku": "SKU-5120", "amount": 4999, "category": "standard"}}}},
		},
		Errors: []ErrSpec{
			{Hop: 2, Issue: "TAX-6", Count: 2044, Threads: true,
				Chain: Ex("", "unsupported currency 'eur' for DE, quote refused",
					App("src/server.ts", "res.json({ taxes: quote(req.body) });", "createQuote"),
					App("src/quotes.ts", "checkCurrency(req.country, req.currency);", "quote"),
					App("src/quotes.ts", "Sentry.captureMessage(", "checkCurrency"))},
			{Hop: 1, Issue: "ORDERS-8V", Count: 2051,
				Chain: []Exception{{Type: "*errors.errorString", Value: `tax quote: 422 {"error":"quote_refused","field":"currency"}`,
					Frames: append(GoServe(),
						App("internal/orders/preview.go", "taxes, err := h.tax.Quote(r.Context(), ct)", "(*Handler).Preview"),
						App("internal/tax/client.go", `return nil, fmt.Errorf("tax quote:`, "(*Client).Quote"))}}},
			web.symptom("/api/orders/preview", 502, "STOREFRONT-D4"),
		},
		Noise: []NoiseSpec{
			{From: 0, Svc: "loyalty", Path: "/api/loyalty/tier", Level: "error", Threads: true, Issue: "LOYALTY-3",
				Chain: Ex("", "negative points balance -120, treating as 0", App("loyalty/tiers.py", "log.error(", "tier_for"))},
		},
		Expected: incident.Expected{Service: "orders", Repo: "acme/orders", File: "internal/tax/request.go", Function: "quoteRequest",
			Explanation: "orders' quoteRequest lower-cases the currency (\"eur\") while the tax service takes ISO 4217 codes in upper case; " +
				"checkCurrency refuses the quote (422, logged as a message) and orders answers 502. Send the currency code unchanged."},
	}
}
