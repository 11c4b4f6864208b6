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
