package tax

import (
	"strings"

	"github.com/acme/orders/internal/cart"
)

// QuoteRequest is POST /v1/quotes of the tax service.
type QuoteRequest struct {
	Country  string `json:"country"`
	Currency string `json:"currency"`
	Lines    []Line `json:"lines"`
}

// quoteRequest is the tax quote request for a cart.
func quoteRequest(c *cart.Cart) QuoteRequest {
	q := QuoteRequest{Country: c.Country, Currency: strings.ToLower(c.Currency)}
	for _, l := range c.Lines {
		q.Lines = append(q.Lines, Line{SKU: l.SKU, Amount: l.TotalCents, Category: l.TaxCategory})
	}
	return q
}
