package scenario

import (
	"time"

	"github.com/tracehound/tracehound/demo/internal/history"
	"github.com/tracehound/tracehound/demo/internal/incident"
)

// profileRenamedField: profile 6.1.0 (Node) sends the mailer the public
// user shape, whose address field is "email", while mailer (Go) reads
// "email_address"; mailer rejects every message (422) and profile fails
// the address change. The producer's serializer is at fault.
func profileRenamedField() *Spec {
	web := webCall{Page: "AddressPage", Handler: "handleSave", APIFile: "profile", APIFn: "saveAddress", Method: "PUT",
		PathExpr: `"/api/profile/address"`}
	recipientOld := src(`
import type { User } from "../users/model";

// The recipient block of a mailer message.
export function toRecipient(user: User) {
  return { id: user.id, name: user.displayName, email_address: user.email };
}
`)
	return &Spec{
		Name: "profile-renamed-field", Ordinal: 13, Start: time.Date(2026, 12, 5, 7, 55, 3, 120000000, time.UTC),
		Description: "Made-up incident (demo data): customers cannot change their delivery address; saving fails with 500.",
		Services: []SvcSpec{
			{Slug: "storefront", Platform: Browser, Version: "4.18.3", Files: web.files()},
			{Slug: "profile", Platform: Node, Version: "6.1.0", Files: map[string]string{
				"src/mail/recipient.ts": stringsReplace(recipientOld, "email_address: user.email", "email: user.email"),
				"src/mail/client.ts": src(`
import { fetch } from "undici";

export class MailerError extends Error {
  constructor(readonly status: number, readonly body: string) {
    super("mailer answered " + status + ": " + body.slice(0, 200));
    this.name = "MailerError";
  }
}

const MAILER_URL = process.env.MAILER_URL ?? "http://mailer.internal:8080";

export async function sendMail(template: string, recipient: Record<string, unknown>, vars: Record<string, unknown> = {}) {
  const res = await fetch(MAILER_URL + "/v1/messages", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ template, recipient, vars }),
  });
  if (res.status >= 400) {
    throw new MailerError(res.status, await res.text());
  }
}
`),
				"src/routes/address.ts": src(`
import { Router } from "express";
import * as Sentry from "@sentry/node";
import { sendMail } from "../mail/client";
import { toRecipient } from "../mail/recipient";
import { users } from "../users/store";

export const router = Router();

router.put("/api/profile/address", async function updateAddress(req, res) {
  const user = await users.byId(req.session.userId);
  await users.saveAddress(user.id, req.body);
  try {
    await sendMail("address-changed", toRecipient(user), { city: req.body.city });
    res.json({ ok: true });
  } catch (err) {
    Sentry.captureException(err);
    res.status(500).json({ error: "address_not_saved" });
  }
});
`),
				"src/users/model.ts": src(`
export interface User {
  id: string;
  displayName: string;
  email: string;
  locale: string;
}
`),
			}, Changes: &Changes{PrevVersion: "6.0.2", Old: map[string]string{"src/mail/recipient.ts": recipientOld},
				Commits: []history.Commit{{Message: "mail: send the public user shape to the mailer\n\nOne user shape everywhere (the API's).\n",
					Author: "Lena Fischer <lena.fischer@acme.test>", Date: "2026-12-04T15:31:40Z"}}}},
			{Slug: "mailer", Platform: Go, Version: "2.4.1", Files: map[string]string{
				"internal/mail/message.go": src(`
package mail

// Message is POST /v1/messages.
type Message struct {
	Template  string         ‵json:"template"‵
	Recipient Recipient      ‵json:"recipient"‵
	Vars      map[string]any ‵json:"vars"‵
}

// Recipient is who a message goes to.
type Recipient struct {
	ID           string ‵json:"id"‵
	Name         string ‵json:"name"‵
	EmailAddress string ‵json:"email_address"‵
}
`),
				"internal/mail/compose.go": src(`
package mail

import "fmt"

// RecipientError is a message whose recipient cannot be mailed.
type RecipientError struct{ ID, Reason string }

func (e *RecipientError) Error() string { return fmt.Sprintf("mail: recipient %s %s", e.ID, e.Reason) }

// Composer renders messages from templates.
type Composer struct{ templates *Templates }

// Recipient checks the recipient of m.
func (c *Composer) Recipient(m *Message) (*Recipient, error) {
	if m.Recipient.EmailAddress == "" {
		return nil, &RecipientError{ID: m.Recipient.ID, Reason: "has no email_address"}
	}
	return &m.Recipient, nil
}
`),
				"internal/mail/handler.go": src(`
package mail

import (
	"encoding/json"
	"net/http"

	"github.com/getsentry/sentry-go"
)

// Handler serves POST /v1/messages.
type Handler struct{ composer *Composer }

func (h *Handler) Send(w http.ResponseWriter, r *http.Request) {
	var m Message
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	rcpt, err := h.composer.Recipient(&m)
	if err != nil {
		sentry.GetHubFromContext(r.Context()).CaptureException(err)
		writeError(w, http.StatusUnprocessableEntity, "invalid_recipient")
		return
	}
	h.queue(r.Context(), rcpt, &m)
	w.WriteHeader(http.StatusAccepted)
}
`),
				"internal/mail/templates.go": src(`
package mail

import "log/slog"

// Templates are the message templates.
type Templates struct{ byName map[string]*Template }

func (t *Templates) Get(name string) *Template {
	tpl := t.byName[name]
	if tpl != nil && tpl.Text == "" {
		slog.Warn("template has no plain-text part", "template", name)
	}
	return tpl
}
`),
			}},
			{Slug: "loyalty", Platform: Python, Version: "1.6.0", Files: map[string]string{
				"loyalty/points.py": src(`
import logging

import redis
import sentry_sdk

from loyalty import db

log = logging.getLogger(__name__)
cache = redis.Redis(host="redis.internal", port=6379)


def balance(customer_id):
    try:
        return int(cache.get("points:" + customer_id) or 0)
    except redis.exceptions.ConnectionError as exc:
        sentry_sdk.capture_exception(exc)
        return db.points_balance(customer_id)
`),
			}},
		},
		Hops: []Hop{
			{Svc: "storefront", Path: "/account/address"},
			{Svc: "profile", Method: "PUT", Path: "/api/profile/address", Status: 500,
				Body: map[string]any{"street": "Oudegracht 141", "city": "Utrecht", "postcode": "3511 AK", "country": "NL"},
				Before: []Work{Q("SELECT id, display_name, email, locale FROM users WHERE id = $1", 1.3),
					Q("UPDATE addresses SET street = $2, city = $3, postcode = $4, country = $5 WHERE user_id = $1", 2.6)}},
			{Svc: "mailer", Method: "POST", Path: "/v1/messages", Status: 422,
				Body:   map[string]any{"template": "address-changed", "recipient": map[string]any{"id": "u_51230", "name": "Ana Souza", "email": "ana.souza@example.test"}, "vars": map[string]any{"city": "Utrecht"}},
				Before: []Work{Fn("templates.Get", 0.3)}},
		},
		Errors: []ErrSpec{
			{Hop: 2, Issue: "MAILER-4C", Count: 512,
				Chain: []Exception{{Type: "*mail.RecipientError", Module: "github.com/acme/mailer/internal/mail", Value: "mail: recipient u_51230 has no email_address",
					Frames: append(GoServe(),
						App("internal/mail/handler.go", "rcpt, err := h.composer.Recipient(&m)", "(*Handler).Send"),
						App("internal/mail/compose.go", "return nil, &RecipientError{", "(*Composer).Recipient"))}}},
			{Hop: 1, Issue: "PROFILE-2W", Count: 515,
				Chain: Ex("MailerError", `mailer answered 422: {"error":"invalid_recipient"}`,
					App("src/routes/address.ts", "await sendMail(", "updateAddress"),
					App("src/mail/client.ts", "throw new MailerError(", "sendMail"),
					NodeTicks())},
			web.symptom("/api/profile/address", 500, "STOREFRONT-A1"),
		},
		Noise: []NoiseSpec{
			{From: 0, Svc: "loyalty", Path: "/api/loyalty/points", Level: "error", Issue: "LOYALTY-1F",
				Chain: Ex("ConnectionError", "Error 111 connecting to redis.internal:6379. Connection refused.",
					App("loyalty/points.py", `return int(cache.get("points:" + customer_id) or 0)`, "balance"))},
			{From: 2, Svc: "mailer", Level: "warning", Threads: true, Issue: "MAILER-2",
				Chain: Ex("", "template has no plain-text part",
					App("internal/mail/templates.go", "slog.Warn(", "(*Templates).Get"))},
		},
		Expected: incident.Expected{Service: "profile", Repo: "acme/profile", File: "src/mail/recipient.ts", Function: "toRecipient",
			Explanation: "profile 6.1.0 changed toRecipient to send the recipient's address as \"email\" instead of \"email_address\", " +
				"which mailer's Recipient type reads; mailer's (*Composer).Recipient rejects every message (422) and profile fails the address change with 500."},
	}
}

// stockNullCrash: inventory (Java) dereferences a warehouse's region,
// which a newly added warehouse does not have (NullPointerException);
// cart answers 502. The crash site is the root cause: StockService.reserve
// assumes every warehouse has a region.
func stockNullCrash() *Spec {
	web := webCall{Page: "ProductPage", Handler: "handleAddToCart", APIFile: "cart", APIFn: "addToCart", Method: "POST",
		PathExpr: `"/api/cart/lines"`}
	return &Spec{
		Name: "stock-null-crash", Ordinal: 14, Start: time.Date(2026, 12, 5, 13, 12, 40, 2000000, time.UTC),
		Description: "Made-up incident (demo data): some products cannot be added to the cart (502), others can.",
		Services: []SvcSpec{
			{Slug: "storefront", Platform: Browser, Version: "4.18.3", Files: web.files()},
			{Slug: "cart", Platform: Python, Version: "8.0.3", Files: map[string]string{
				"cart/inventory_client.py": src(`
import requests

from cart import settings


class InventoryError(Exception):
    pass


def reserve_stock(sku, quantity, warehouse):
    resp = requests.post(
        settings.INVENTORY_URL + "/v1/reservations",
        json={"sku": sku, "quantity": quantity, "warehouse": warehouse},
        timeout=2,
    )
    if resp.status_code >= 400:
        raise InventoryError("inventory answered %d reserving %s" % (resp.status_code, sku))
    return resp.json()["reservation_id"]
`),
				"cart/views.py": src(`
import sentry_sdk
from flask import Blueprint, jsonify, request

from cart import carts, inventory_client

bp = Blueprint("cart", __name__)


@bp.post("/api/cart/lines")
def add_line():
    body = request.get_json()
    cart = carts.current()
    warehouse = carts.nearest_warehouse(cart)
    try:
        reservation = inventory_client.reserve_stock(body["sku"], body.get("quantity", 1), warehouse)
    except inventory_client.InventoryError as exc:
        sentry_sdk.capture_exception(exc)
        return jsonify(error="out_of_stock_or_unavailable"), 502
    carts.add_line(cart, body["sku"], body.get("quantity", 1), reservation)
    return jsonify(carts.view(cart))
`),
			}},
			{Slug: "inventory", Platform: Java, Version: "3.3.0", Files: map[string]string{
				"src/main/java/com/acme/inventory/ReservationController.java": src(`
package com.acme.inventory;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class ReservationController {
    private final StockService stockService;

    public ReservationController(StockService stockService) {
        this.stockService = stockService;
    }

    @PostMapping("/v1/reservations")
    public Reservation reserve(@RequestBody ReservationRequest request) {
        return stockService.reserve(request.sku(), request.quantity(), request.warehouse());
    }
}
`),
				"src/main/java/com/acme/inventory/StockService.java": src(`
package com.acme.inventory;

import org.springframework.stereotype.Service;

@Service
public class StockService {
    private final WarehouseRepository warehouses;
    private final StockRepository stock;

    public StockService(WarehouseRepository warehouses, StockRepository stock) {
        this.warehouses = warehouses;
        this.stock = stock;
    }

    public Reservation reserve(String sku, int quantity, String warehouseCode) {
        Warehouse warehouse = warehouses.byCode(warehouseCode);
        String region = warehouse.getRegion().code();
        int available = stock.available(sku, warehouse.getId());
        if (available < quantity) {
            throw new OutOfStockException(sku, warehouseCode);
        }
        return stock.reserve(sku, quantity, warehouse.getId(), region);
    }
}
`),
				"src/main/java/com/acme/inventory/Warehouse.java": src(`
package com.acme.inventory;

public class Warehouse {
    private long id;
    private String code;
    private Region region; // null until the warehouse is assigned to a region

    public long getId() { return id; }
    public String getCode() { return code; }
    public Region getRegion() { return region; }
}
`),
			}},
			{Slug: "personalization", Platform: Node, Version: "1.2.0", Files: map[string]string{
				"src/recent.ts": src(`
import * as Sentry from "@sentry/node";

export async function recentlyViewed(customerId: string, store: RecentStore) {
  try {
    const entry = await store.get(customerId);
    return entry.items.map((i: { sku: string }) => i.sku);
  } catch (err) {
    Sentry.captureException(err);
    return [];
  }
}
`),
			}},
		},
		Hops: []Hop{
			{Svc: "storefront", Path: "/products/SKU-4410"},
			{Svc: "cart", Method: "POST", Path: "/api/cart/lines", Status: 502,
				Body:   map[string]any{"sku": "SKU-4410", "quantity": 1},
				Before: []Work{Q("SELECT id, customer_id, status FROM carts WHERE customer_id = %s AND status = 'open'", 1.4), Q("SELECT code FROM warehouses ORDER BY distance(location, %s) LIMIT 1", 1.9)}},
			{Svc: "inventory", Method: "POST", Path: "/v1/reservations", Status: 500,
				Body:   map[string]any{"sku": "SKU-4410", "quantity": 1, "warehouse": "AMS-2"},
				Before: []Work{Q("select w.id, w.code, w.region_id from warehouses w where w.code=?", 1.2)}},
		},
		Errors: []ErrSpec{
			{Hop: 2, Issue: "INVENTORY-6", Count: 143,
				Chain: []Exception{{Type: "NullPointerException", Module: "java.lang",
					Value: `Cannot invoke "com.acme.inventory.Region.code()" because the return value of "com.acme.inventory.Warehouse.getRegion()" is null`,
					Frames: append(SpringDispatch(),
						App("src/main/java/com/acme/inventory/ReservationController.java", "return stockService.reserve(", "reserve"),
						App("src/main/java/com/acme/inventory/StockService.java", "warehouse.getRegion().code()", "reserve"))}}},
			{Hop: 1, Issue: "CART-3J", Count: 149,
				Chain: Ex("InventoryError", "inventory answered 500 reserving SKU-4410", append(FlaskDispatch(),
					App("cart/views.py", "reservation = inventory_client.reserve_stock(", "add_line"),
					App("cart/inventory_client.py", "raise InventoryError(", "reserve_stock"))...)},
			web.symptom("/api/cart/lines", 502, "STOREFRONT-A4"),
		},
		Noise: []NoiseSpec{
			{From: 0, Svc: "personalization", Path: "/api/recently-viewed", Status: 200, Level: "error", Issue: "PERSONALIZATION-9",
				Chain: Ex("TypeError", "Cannot read properties of undefined (reading 'map')",
					App("src/recent.ts", "return entry.items.map(", "recentlyViewed"), NodeTicks())},
		},
		Expected: incident.Expected{Service: "inventory", Repo: "acme/inventory", File: "src/main/java/com/acme/inventory/StockService.java", Function: "reserve",
			Explanation: "StockService.reserve dereferences warehouse.getRegion(), which is null for warehouses not yet assigned to a region (AMS-2); " +
				"the NullPointerException makes inventory answer 500 and cart 502. Handle a warehouse without a region (or reject it with a clear error)."},
	}
}

// parcelWeightUnits: checkout (Go) sends the parcel's weight in grams in
// the "weight" field, which shipping (Python) documents in kilograms;
// shipping rejects a 2350 kg parcel. The producer's unit is wrong.
func parcelWeightUnits() *Spec {
	web := webCall{Page: "ShippingPage", Handler: "handleQuote", APIFile: "checkout", APIFn: "shippingQuote", Method: "POST",
		PathExpr: `"/api/checkout/shipping-quote"`}
	return &Spec{
		Name: "parcel-weight-units", Ordinal: 15, Start: time.Date(2026, 12, 6, 10, 3, 9, 777000000, time.UTC),
		Description: "Made-up incident (demo data): checkout cannot quote shipping for most carts (\"Shipping unavailable\", 502).",
		Services: []SvcSpec{
			{Slug: "storefront", Platform: Browser, Version: "4.19.0", Files: web.files()},
			{Slug: "checkout", Platform: Go, Version: "5.5.0", Files: map[string]string{
				"internal/shipping/parcel.go": src(`
package shipping

import "github.com/acme/checkout/internal/cart"

// Parcel is the shipping service's parcel.
type Parcel struct {
	Weight   int ‵json:"weight"‵
	LengthCM int ‵json:"length_cm"‵
	WidthCM  int ‵json:"width_cm"‵
	HeightCM int ‵json:"height_cm"‵
}

// parcelFromCart packs a cart into one standard box.
func parcelFromCart(c *cart.Cart) Parcel {
	grams := 0
	for _, l := range c.Lines {
		grams += l.Product.WeightGrams * l.Quantity
	}
	return Parcel{Weight: grams, LengthCM: 40, WidthCM: 30, HeightCM: 20}
}
`),
				"internal/shipping/client.go": src(`
package shipping

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"

	"github.com/acme/checkout/internal/cart"
)

// QuoteError is a quote the shipping service refused.
type QuoteError struct {
	Status int
	Body   string
}

func (e *QuoteError) Error() string {
	return "shipping quote: " + http.StatusText(e.Status) + " " + e.Body
}

// Client asks the shipping service for quotes.
type Client struct {
	base string
	http *http.Client
}

// Quote prices the shipping of a cart to a postcode.
func (c *Client) Quote(ctx context.Context, ct *cart.Cart, dest string) (*Quote, error) {
	body, _ := json.Marshal(map[string]any{"parcel": parcelFromCart(ct), "destination": dest})
	req, _ := http.NewRequestWithContext(ctx, "POST", c.base+"/v1/quotes", bytes.NewReader(body))
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		b, _ := io.ReadAll(resp.Body)
		return nil, &QuoteError{Status: resp.StatusCode, Body: string(b)}
	}
	var q Quote
	return &q, json.NewDecoder(resp.Body).Decode(&q)
}
`),
				"internal/checkout/handler.go": src(`
package checkout

import (
	"net/http"

	"github.com/getsentry/sentry-go"
)

// ShippingQuote serves POST /api/checkout/shipping-quote.
func (h *Handler) ShippingQuote(w http.ResponseWriter, r *http.Request) {
	ct, err := h.carts.Current(r.Context(), customerID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q, err := h.shipping.Quote(r.Context(), ct, ct.Postcode)
	if err != nil {
		sentry.GetHubFromContext(r.Context()).CaptureException(err)
		writeError(w, http.StatusBadGateway, "shipping_unavailable")
		return
	}
	writeJSON(w, q)
}
`),
			}},
			{Slug: "shipping", Platform: Python, Version: "2.7.1", Files: map[string]string{
				"shipping/parcels.py": src(`
"""Parcels as the quote API takes them (see docs/api.md: weight in kg, sizes in cm)."""

from shipping import carriers


class ParcelError(ValueError):
    pass


def validate_parcel(parcel):
    weight_kg = float(parcel["weight"])
    limit = carriers.max_weight_kg()
    if weight_kg > limit:
        raise ParcelError("parcel weight %.1f kg exceeds the carrier limit of %.1f kg" % (weight_kg, limit))
    return weight_kg
`),
				"shipping/api.py": src(`
import logging

import sentry_sdk
from flask import Blueprint, jsonify, request

from shipping import carriers, parcels

bp = Blueprint("quotes", __name__)
log = logging.getLogger(__name__)


@bp.post("/v1/quotes")
def create_quote():
    body = request.get_json()
    try:
        weight = parcels.validate_parcel(body["parcel"])
    except parcels.ParcelError as exc:
        sentry_sdk.capture_exception(exc)
        return jsonify(error="parcel_rejected", detail=str(exc)), 422
    return jsonify(carriers.quote(weight, body["destination"]))
`),
				"shipping/carriers.py": src(`
import logging

log = logging.getLogger(__name__)


def max_weight_kg():
    table = rates_table()
    if table.age_days > 7:
        log.warning("carrier rates table is %d days old", table.age_days)
    return table.max_weight_kg
`),
			}},
			{Slug: "reviews", Platform: Ruby, Version: "2.0.4", Files: map[string]string{
				"app/models/review.rb": src(`
class Review < ApplicationRecord
  def self.top_for(sku)
    where(sku: sku, published: true).order(helpful_count: :desc).limit(5).to_a
  rescue ActiveRecord::QueryCanceled => e
    Sentry.capture_exception(e)
    []
  end
end
`),
			}},
		},
		Hops: []Hop{
			{Svc: "storefront", Path: "/checkout/shipping"},
			{Svc: "checkout", Method: "POST", Path: "/api/checkout/shipping-quote", Status: 502,
				Before: []Work{Q("SELECT c.id, c.postcode, l.sku, l.quantity, p.weight_grams FROM carts c JOIN cart_lines l ON l.cart_id = c.id JOIN products p ON p.sku = l.sku WHERE c.customer_id = $1", 2.8)}},
			{Svc: "shipping", Method: "POST", Path: "/v1/quotes", Status: 422,
				Body:   map[string]any{"parcel": map[string]any{"weight": 2350, "length_cm": 40, "width_cm": 30, "height_cm": 20}, "destination": "NL-3511"},
				Before: []Work{Fn("carriers.rates_table", 0.9)}},
		},
		Errors: []ErrSpec{
			{Hop: 2, Issue: "SHIPPING-2P", Count: 980,
				Chain: Ex("ParcelError", "parcel weight 2350.0 kg exceeds the carrier limit of 31.5 kg", append(FlaskDispatch(),
					App("shipping/api.py", "weight = parcels.validate_parcel(", "create_quote"),
					App("shipping/parcels.py", "raise ParcelError(", "validate_parcel"))...)},
			{Hop: 1, Issue: "CHECKOUT-7B", Count: 991,
				Chain: []Exception{{Type: "*shipping.QuoteError", Module: "github.com/acme/checkout/internal/shipping",
					Value: `shipping quote: Unprocessable Entity {"error":"parcel_rejected","detail":"parcel weight 2350.0 kg exceeds the carrier limit of 31.5 kg"}`,
					Frames: append(GoServe(),
						App("internal/checkout/handler.go", "q, err := h.shipping.Quote(", "(*Handler).ShippingQuote"),
						App("internal/shipping/client.go", "return nil, &QuoteError{", "(*Client).Quote"))}}},
			web.symptom("/api/checkout/shipping-quote", 502, "STOREFRONT-A9"),
		},
		Noise: []NoiseSpec{
			{From: 0, Svc: "reviews", Path: "/api/reviews/top", Level: "error", Issue: "REVIEWS-5",
				Chain: Ex("ActiveRecord::QueryCanceled", "PG::QueryCanceled: ERROR:  canceling statement due to statement timeout",
					App("app/models/review.rb", "where(sku: sku, published: true)", "top_for"))},
			{From: 2, Svc: "shipping", Level: "warning", Threads: true, Issue: "SHIPPING-1",
				Chain: Ex("", "carrier rates table is 9 days old",
					App("shipping/parcels.py", "limit = carriers.max_weight_kg()", "validate_parcel"),
					App("shipping/carriers.py", "log.warning(", "max_weight_kg"))},
		},
		Expected: incident.Expected{Service: "checkout", Repo: "acme/checkout", File: "internal/shipping/parcel.go", Function: "parcelFromCart",
			Explanation: "checkout's parcelFromCart puts the cart's weight in grams (2350) into the parcel's \"weight\" field, which shipping's quote API " +
				"takes in kilograms; validate_parcel rejects a 2350 kg parcel (422) and checkout answers 502. Send kilograms (grams/1000) or rename the field weight_grams on both sides."},
	}
}
