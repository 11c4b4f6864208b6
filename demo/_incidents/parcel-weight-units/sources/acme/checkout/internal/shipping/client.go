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
