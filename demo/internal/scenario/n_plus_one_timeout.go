package scenario

import (
	"fmt"
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo/internal/genkit"
	"github.com/tracehound/tracehound/demo/internal/incident"
)

// nPlusOneTimeout: cart's load_cart_items runs one product query per cart
// line. A business customer's cart of 120 lines needs ~3.4 s of queries, the
// gateway gives cart 2.9 s, so cart stops at the deadline (504), the gateway
// answers 504 and the cart page fails.
func nPlusOneTimeout() *Incident {
	in := New("n-plus-one-timeout", 2, time.Date(2026, 12, 4, 9, 41, 12, 530000000, time.UTC))
	in.Description = "Made-up incident (demo data): for some customers the cart page fails with \"504 Gateway Timeout\"; " +
		"most carts load fine."
	sf := in.Service(&Service{Slug: "storefront", Platform: Browser, Version: "4.13.1", Deployed: "2026-11-27T10:02:18.331904Z"})
	gw := in.Service(&Service{Slug: "api-gateway", Platform: Node, Version: "1.32.0", Deployed: "2026-11-30T15:12:44.208113Z",
		Server: "api-gateway-7c9d8f6b5-4kq2x"})
	cart := in.Service(&Service{Slug: "cart", Platform: Python, Version: "2.6.1", Deployed: "2026-11-14T08:30:51.662019Z",
		Host: "cart.internal:8000", Server: "cart-5d7f9c8b6-p9x4z",
		DB: DB{System: "postgresql", Name: "cart", Host: "pg-cart.internal", Port: 5432}})

	const cartID, sid = "c_7d2e91", "s_91fe27c4d0b3"
	pl := in.Pageload("pageload", sf, "/cart", in.shop+"/products/SKU-44182", 0, 3981.4)
	root := pl.Root

	me := root.HTTP("GET", "/api/me", 200, 712.0, 38.2)
	meT := me.Serve("gateway/me", gw, "/api/me", 200, 2.4, 1.7)
	meT.Express("/api/me", "sess:"+sid)

	fetch := root.HTTP("GET", "/api/cart", 504, 715.3, 2931.2)
	gwT := fetch.Serve("gateway/cart", gw, "/api/cart", 504, 2.5, 1.8)
	h := gwT.Express("/api/cart", "sess:"+sid)
	call := h.HTTP("GET", "http://cart.internal:8000/v1/carts/"+cartID+"?include=items", 504, 0.4, h.DurMS()-0.4-2.2)
	ct := call.Serve("cart/get", cart, "/v1/carts/<cart_id>", 504, 1.0, 0.8)
	c := ct.Root
	q1 := c.DB("SELECT id, customer_id, currency, updated_at FROM carts WHERE id = %s", 1.2, 2.4)
	q2 := c.DB("SELECT sku, quantity, added_at FROM cart_lines WHERE cart_id = %s ORDER BY added_at", 3.9, 6.2)
	const productSQL = "SELECT p.sku, p.name, p.image_url, pl.unit_price_cents, p.tax_class, coalesce(s.on_hand, 0) AS on_hand " +
		"FROM products p JOIN price_lists pl ON pl.sku = p.sku AND pl.list = 'retail' LEFT JOIN stock s ON s.sku = p.sku WHERE p.sku = %s"
	r := genkit.NewRNG("n+1")
	var products []*Span
	cur := 10.4
	for {
		d := r.Between(25.8, 30.1)
		if cur+d > c.DurMS()-2.0 {
			break
		}
		products = append(products, c.DB(productSQL, cur, d))
		cur += d + r.Between(0.2, 0.4)
	}
	queries := 2 + len(products)
	in.NPlusOne(ct, &Issue{ShortID: "CART-2D", Count: 48210, FirstSeen: "2026-11-12T10:58:02Z", FirstRelease: "cart@2.6.0"}, products)

	// cart: the deadline passes in the loop.
	lastLine := products[len(products)-1]
	crumbs := []wire.Breadcrumb{q1.QueryCrumb(), q2.QueryCrumb()}
	for _, p := range products[len(products)-5:] {
		crumbs = append(crumbs, p.QueryCrumb())
	}
	deadlineMsg := fmt.Sprintf("request deadline (2900 ms) exceeded after %d queries", queries)
	in.Error(&Error{
		Key: "error/cart", Span: c, At: lastLine.End + MS(0.3), Handled: true, Mechanism: "generic",
		Chain: []Exception{{Type: "DeadlineExceeded", Module: "cart.db", Value: deadlineMsg, Frames: append(FlaskDispatch()[3:],
			withVars(App("cart/views.py", "cart = repository.load_cart(cart_id, include_items=include_items)", "get_cart"),
				map[string]any{"cart_id": "'" + cartID + "'", "include_items": "True"}),
			withVars(App("cart/repository.py", `cart["lines"] = load_cart_items(conn, cart["id"]) if include_items else []`, "load_cart"),
				map[string]any{"cart_id": "'" + cartID + "'", "include_items": "True", "conn": "<psycopg.Connection [IDLE] (host=pg-cart.internal database=cart) at 0x7f3a1c2b4e10>",
					"cart": map[string]any{"id": "'" + cartID + "'", "customer_id": "'cus_b2b_0419'", "currency": "'EUR'", "updated_at": "datetime.datetime(2026, 12, 4, 9, 38, 51, 204113, tzinfo=datetime.timezone.utc)"}}),
			withVars(App("cart/repository.py", `product = db.fetch_one(conn, PRODUCT_SQL, (line["sku"],))`, "load_cart_items"),
				map[string]any{"cart_id": "'" + cartID + "'", "conn": "<psycopg.Connection [IDLE] (host=pg-cart.internal database=cart) at 0x7f3a1c2b4e10>",
					"lines": fmt.Sprintf("[{'sku': 'SKU-10342', 'quantity': 24, ...}, ... (%d items)]", 120),
					"line":  map[string]any{"sku": "'SKU-61877'", "quantity": "6", "added_at": "datetime.datetime(2026, 12, 3, 16, 2, 9, 771020, tzinfo=datetime.timezone.utc)"},
					"items": fmt.Sprintf("[{'sku': 'SKU-10342', 'quantity': 24, 'name': 'Paper cups 8oz (1000)', ...}, ... (%d items)]", len(products))}),
			App("cart/db.py", "return _execute(conn, sql, params).fetchone()", "fetch_one"),
			App("cart/db.py", "=check_deadline()", "_execute"),
			App("cart/db.py", "raise DeadlineExceeded(", "check_deadline"),
		)}},
		Crumbs: crumbs,
		Tags:   [][2]string{{"url", "http://cart.internal:8000/v1/carts/" + cartID}},
		Issue:  &Issue{ShortID: "CART-1K", Count: 64, FirstSeen: "2026-11-12T11:03:27Z", Substatus: "escalating", Priority: "medium", FirstRelease: "cart@2.6.0"},
	})

	// api-gateway: the 504 becomes the gateway's 504.
	in.Error(&Error{
		Key: "error/gateway", Span: h, At: call.End + MS(1.2), Mechanism: "auto.middleware.express",
		Chain: []Exception{{Type: "UpstreamError", Value: "cart responded 504 to GET /v1/carts/" + cartID + "?include=items", Frames: []Frame{
			{Path: "src/routes/cart.ts", At: "const cart = await callUpstream<Cart>(", Col: "callUpstream", Function: "getCart"},
			NodeTicks(),
			{Path: "src/lib/upstream.ts", At: "throw new UpstreamError(", Col: "new UpstreamError", Function: "callUpstream"},
		}}},
		Crumbs: []wire.Breadcrumb{call.HTTPCrumb()},
		Tags:   [][2]string{{"http.route", "/api/cart"}, {"upstream.service", "cart"}},
		Contexts: map[string]any{"UpstreamError": map[string]any{"service": "cart", "status": 504, "method": "GET",
			"path": "/v1/carts/" + cartID + "?include=items", "body": `{"error":"deadline_exceeded"}`}},
		User:  &wire.User{ID: in.userID()},
		Issue: &Issue{ShortID: "API-GATEWAY-5R", Count: 71, Users: 12, FirstSeen: "2026-11-12T11:03:28Z", Substatus: "escalating", Priority: "medium", FirstRelease: "api-gateway@1.30.4"},
	})

	// storefront: the issue the user opens.
	in.Symptom = in.Error(&Error{
		Key: "error/storefront", Span: root, At: fetch.End + MS(1.4), Handled: true, Mechanism: "generic",
		Chain: []Exception{{Type: "Error", Value: "GET /api/cart failed: 504 Gateway Timeout", Frames: []Frame{
			{Path: "src/pages/CartPage.tsx", At: "setCart(await getCart());", Col: "getCart()", Function: "loadCart"},
			{Path: "src/api/cart.ts", At: `return apiFetch<Cart>("GET", "/api/cart");`, Col: "apiFetch", Function: "getCart"},
			{Path: "src/api/client.ts", At: "throw new Error(`${method} ${path} failed", Col: "new Error", Function: "apiFetch"},
		}}},
		Crumbs: []wire.Breadcrumb{
			Crumb(in.At(-2204.7), "user", "ui.click", "info", "header > a.mini-cart[href=\"/cart\"]", nil),
			Crumb(in.At(-2188.1), "navigation", "navigation", "info", "", map[string]any{"from": "/products/SKU-44182", "to": "/cart"}),
			me.HTTPCrumb(), fetch.HTTPCrumb(),
		},
		User:  in.BrowserUser(),
		Issue: &Issue{ShortID: "STOREFRONT-9B", Count: 58, Users: 11, FirstSeen: "2026-11-12T11:03:29Z", Substatus: "escalating", Priority: "medium", FirstRelease: "storefront@4.12.0"},
	})

	in.Expected = incident.Expected{
		Service: "cart", Repo: "acme/cart", File: "cart/repository.py", Function: "load_cart_items",
		Explanation: "load_cart_items runs PRODUCT_SQL once per cart line (an N+1 query, ~28 ms each); a business cart of 120 lines " +
			"needs over 3 s, more than the 2.9 s the gateway allows (X-Acme-Deadline-Ms), so cart raises DeadlineExceeded and answers 504, " +
			"api-gateway passes the 504 on and the storefront cannot load the cart. Load the products of all lines in one query " +
			"(WHERE p.sku = ANY(%s)).",
	}
	return in
}
