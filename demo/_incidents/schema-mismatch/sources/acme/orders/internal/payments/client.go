package payments

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Intent is a created payment intent.
type Intent struct {
	ID          string  `json:"id"`
	Status      string  `json:"status"`
	RedirectURL *string `json:"redirect_url"`
}

// APIError is a non-2xx answer of the payments service.
type APIError struct {
	OrderID string
	Status  int
	Body    string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("payments: create intent for %s: %d %s", e.OrderID, e.Status, e.Body)
}

// Client calls the payments service.
type Client struct {
	BaseURL string // http://payments.internal:3000
	HTTP    *http.Client
}

// CreateIntent creates the payment intent of an order.
func (c *Client) CreateIntent(ctx context.Context, o Order) (Intent, error) {
	body, err := json.Marshal(NewIntentRequest(o))
	if err != nil {
		return Intent{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+"/v1/payment-intents", bytes.NewReader(body))
	if err != nil {
		return Intent{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Acme-Caller", "orders")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return Intent{}, fmt.Errorf("payments: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
		return Intent{}, &APIError{OrderID: o.ID, Status: resp.StatusCode, Body: string(bytes.TrimSpace(b))}
	}
	var in Intent
	if err := json.NewDecoder(resp.Body).Decode(&in); err != nil {
		return Intent{}, fmt.Errorf("payments: %w", err)
	}
	return in, nil
}
