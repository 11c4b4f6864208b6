package scenario

import (
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo/internal/history"
	"github.com/tracehound/tracehound/demo/internal/incident"
)

// badDeployConfig: catalog 3.4.0 changed the default PRICING_URL to the
// versioned root ".../v1", and the pricing client appends "/v1/prices/…"
// itself, so every price lookup asks pricing for /v1/v1/prices/{sku} (404);
// catalog answers 502 and the product page shows an error.
func badDeployConfig() *Incident {
	in := New("bad-deploy-config", 1, time.Date(2026, 12, 2, 14, 7, 31, 204000000, time.UTC))
	in.Description = "Made-up incident (demo data): product pages of the shop fail with \"502 Bad Gateway\" " +
		"since this afternoon; the storefront only sees the 502, the cause is a change deployed to a service behind it."
	sf := in.Service(&Service{Slug: "storefront", Platform: Browser, Version: "4.13.1", Deployed: "2026-11-27T10:02:18.331904Z"})
	cat := in.Service(&Service{Slug: "catalog", Platform: Python, Version: "3.4.0", Deployed: "2026-12-02T13:21:09.512876Z",
		Host: "shop.acme.test", Server: "catalog-6c9f7d8b5-x2jwq",
		DB: DB{System: "postgresql", Name: "catalog", Host: "pg-catalog.internal", Port: 5432},
		History: []history.Commit{
			{Message: "Release 3.3.2", Author: "Acme Shop CI <ci@acme.test>", Date: "2026-11-24T09:40:12Z", Tag: "v3.3.2",
				Files: map[string]string{"catalog/settings.py": "history/acme/catalog/v3.3.2/catalog/settings.py"}},
			{Message: "settings: address internal services by their versioned API root\n\n" +
				"The platform team's service catalogue lists every internal API with its\n" +
				"version prefix (http://pricing.internal:8080/v1). Use the same form for\n" +
				"PRICING_URL so the defaults match the catalogue.\n",
				Author: "Jonas Weber <jonas.weber@acme.test>", Date: "2026-12-01T16:12:40Z"},
		}})
	pr := in.Service(&Service{Slug: "pricing", Platform: Go, Version: "1.12.3", Deployed: "2026-11-18T16:44:02.118305Z",
		Host: "pricing.internal:8080", Server: "pricing-5f8d6c9b7-tq4nm"})

	const sku = "SKU-20417"
	pl := in.Pageload("pageload", sf, "/products/"+sku, in.shop+"/search?q=espresso", 0, 2241.6)
	root := pl.Root

	// The product: catalog → pricing, with the doubled version prefix.
	fetch := root.HTTP("GET", "/api/products/"+sku, 502, 655.2, 33.8)
	prod := fetch.Serve("catalog/product", cat, "/api/products/<sku>", 502, 2.4, 1.9)
	p := prod.Root
	p.Cache("cache.get", "catalog:product:"+sku, false, 0.5, 1.0)
	q1 := p.DB("SELECT p.sku, p.name, p.description, p.brand, p.attributes FROM products p WHERE p.sku = %s", 1.9, 3.6)
	q2 := p.DB("SELECT url, alt, position FROM product_images WHERE sku = %s ORDER BY position", 5.8, 2.4)
	p.Cache("cache.put", "catalog:product:"+sku, false, 8.5, 0.7)
	priceURL := "http://pricing.internal:8080/v1/v1/prices/" + sku + "?currency=EUR"
	price := p.HTTP("GET", priceURL, 404, 9.6, 6.3)
	pt := price.Serve("pricing/price", pr, "/v1/v1/prices/"+sku, 404, 1.2, 1.0)
	pt.Source = "url"

	// The reviews load fine.
	rfetch := root.HTTP("GET", "/api/products/"+sku+"/reviews", 200, 657.9, 41.2)
	rev := rfetch.Serve("catalog/reviews", cat, "/api/products/<sku>/reviews", 200, 2.2, 1.5).Root
	rev.Cache("cache.get", "catalog:reviews:"+sku+":1", false, 0.4, 0.9)
	rev.DB("SELECT rating, title, body, author FROM reviews WHERE sku = %s AND published ORDER BY created_at DESC LIMIT 20", 1.6, 27.3)
	rev.Cache("cache.put", "catalog:reviews:"+sku+":1", false, 29.2, 0.6)
	root.HTTP("POST", "https://events.acme-analytics.test/v1/batch", 200, 1490.2, 61.3)
	root.Add("ui.long-task", "Main UI thread blocked", 702.4, 63.1, Origin("auto.ui.browser.metrics"))

	// catalog: the pricing call fails; the view logs it and answers 502.
	getPriceVars := map[string]any{
		"self": "<catalog.pricing_client.PricingClient object at 0x7f1b2c3d9e50>", "sku": "'" + sku + "'", "currency": "'EUR'",
		"url": "'http://pricing.internal:8080/v1/v1/prices/" + sku + "'", "resp": "<Response [404]>",
	}
	in.Error(&Error{
		Key: "error/catalog", Span: p, At: price.End + MS(2.0), Handled: true, Mechanism: "logging",
		Chain: []Exception{
			{Type: "HTTPError", Module: "requests.exceptions", Value: "404 Client Error: Not Found for url: " + priceURL, Frames: []Frame{
				withVars(App("catalog/pricing_client.py", "resp.raise_for_status()", "get_price"), getPriceVars),
				RaiseForStatus(404, "Not Found", priceURL),
			}},
			{Type: "PricingUnavailable", Module: "catalog.pricing_client", Value: "pricing returned 404 for " + sku, Frames: []Frame{
				withVars(App("catalog/products.py", `product["price"] = pricing.get_price(sku)`, "get_product"), map[string]any{
					"sku": "'" + sku + "'", "pricing": "<catalog.pricing_client.PricingClient object at 0x7f1b2c3d9e50>",
					"product": map[string]any{"sku": "'" + sku + "'", "name": "'Barista Pro 2 espresso machine'", "brand": "'Acme Home'", "images": "[...]"},
				}),
				withVars(App("catalog/pricing_client.py", "raise PricingUnavailable(", "get_price"), getPriceVars),
			}},
		},
		Crumbs: []wire.Breadcrumb{q1.QueryCrumb(), q2.QueryCrumb(), price.HTTPCrumb(),
			Crumb(price.End+MS(1.1), "log", "catalog.app", "error", "no price for "+sku, nil)},
		Tags:  [][2]string{{"logger", "catalog.app"}, {"url", "https://shop.acme.test/api/products/" + sku}},
		Issue: &Issue{ShortID: "CATALOG-3F", Count: 1412, FirstSeen: "2026-12-02T13:22:47Z"},
	})

	// storefront: what the customer sees; the issue the user opens.
	in.Symptom = in.Error(&Error{
		Key: "error/storefront", Span: root, At: fetch.End + MS(1.6), Handled: true, Mechanism: "generic",
		Chain: []Exception{{Type: "Error", Value: "GET /api/products/" + sku + " failed: 502 Bad Gateway", Frames: []Frame{
			{Path: "src/pages/ProductPage.tsx", At: "const p = await getProduct(sku);", Function: "loadProduct", Col: "getProduct("},
			{Path: "src/api/products.ts", At: `return apiFetch<Product>("GET"`, Function: "getProduct", Col: "apiFetch"},
			{Path: "src/api/client.ts", At: "throw new Error(`${method} ${path} failed", Function: "apiFetch", Col: "new Error"},
		}}},
		Crumbs: []wire.Breadcrumb{
			Crumb(in.At(-1630.2), "user", "ui.click", "info", "div.results > a.product-card[href=\"/products/"+sku+"\"]", nil),
			Crumb(in.At(-1588.9), "navigation", "navigation", "info", "", map[string]any{"from": "/search?q=espresso", "to": "/products/" + sku}),
			fetch.HTTPCrumb(),
		},
		User:  in.BrowserUser(),
		Issue: &Issue{ShortID: "STOREFRONT-8M", Count: 977, Users: 911, FirstSeen: "2026-12-02T13:22:49Z"},
	})

	// Noise: a browser extension's script fails on every page.
	in.Error(&Error{
		Key: "error/extension", Span: root, At: in.At(1203.4), Mechanism: "onerror",
		Chain: []Exception{{Type: "TypeError", Value: "Cannot read properties of undefined (reading 'postMessage')", Frames: []Frame{
			{Function: "r.sendMessage", File: "chrome-extension://fhbjgbiflinjbdggehcddcbncdddomop/inpage.js", Abs: "chrome-extension://fhbjgbiflinjbdggehcddcbncdddomop/inpage.js", Line: 1, ColNo: 48211},
			{Function: "Object.init", File: "chrome-extension://fhbjgbiflinjbdggehcddcbncdddomop/inpage.js", Abs: "chrome-extension://fhbjgbiflinjbdggehcddcbncdddomop/inpage.js", Line: 1, ColNo: 51077},
		}}},
		User:  in.BrowserUser(),
		Issue: &Issue{ShortID: "STOREFRONT-2C", Count: 9312, Users: 2208, FirstSeen: "2026-09-14T08:11:05Z", Substatus: "ongoing", Priority: "low", FirstRelease: "storefront@4.9.0"},
	})

	in.Expected = incident.Expected{
		Service: "catalog", Repo: "acme/catalog", File: "catalog/settings.py", Function: "load_settings",
		Explanation: "catalog 3.4.0 changed the default PRICING_URL in load_settings to the versioned root " +
			"http://pricing.internal:8080/v1, but PricingClient.get_price (catalog/pricing_client.py) still appends /v1/prices/{sku}, " +
			"so every price lookup requests /v1/v1/prices/{sku}; pricing answers 404 route_not_found, catalog raises PricingUnavailable " +
			"and answers 502, and the storefront's product page fails.",
	}
	return in
}

func withVars(f Frame, vars map[string]any) Frame {
	f.Vars = vars
	return f
}
