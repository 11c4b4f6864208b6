package rates

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/getsentry/sentry-go"
)

// Carrier is the client of a carrier's rating API.
type Carrier struct {
	Name   string
	URL    string // e.g. https://api.parcelcarrier.test/v2/rates
	APIKey string
	HTTP   *http.Client
}

// Rates asks the carrier for the options of one parcel.
func (c *Carrier) Rates(ctx context.Context, req Request) ([]Option, error) {
	body, _ := json.Marshal(map[string]any{
		"origin": req.Warehouse, "destination": req.Destination, "weight_g": req.WeightG, "dimensions_mm": req.DimensionsMM,
	})
	span := sentry.StartSpan(ctx, "http.client", sentry.WithDescription("POST "+c.URL))
	defer span.Finish()
	hr, err := http.NewRequestWithContext(span.Context(), http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hr.Header.Set("Authorization", "Bearer "+c.APIKey)
	hr.Header.Set("Content-Type", "application/json")
	resp, err := c.HTTP.Do(hr)
	if err != nil {
		span.Status = sentry.SpanStatusDeadlineExceeded
		return nil, fmt.Errorf("carrier %s: %w", c.Name, err)
	}
	span.SetData("http.response.status_code", resp.StatusCode)
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("carrier %s: status %d", c.Name, resp.StatusCode)
	}
	var out struct {
		Options []Option `json:"options"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("carrier %s: %w", c.Name, err)
	}
	return out.Options, nil
}
