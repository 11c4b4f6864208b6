package search

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/acme/search/internal/config"
)

// Client queries the index service.
type Client struct {
	cfg  config.Config
	http *http.Client
}

// Query asks the index for the documents matching q.
func (c *Client) Query(ctx context.Context, q Query) (*Result, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.QueryTimeout)
	defer cancel()
	body, _ := json.Marshal(q)
	req, _ := http.NewRequestWithContext(ctx, "POST", c.cfg.IndexURL+"/v2/query", bytes.NewReader(body))
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("index query %q: %w", q.Text, err)
	}
	defer resp.Body.Close()
	var r Result
	return &r, json.NewDecoder(resp.Body).Decode(&r)
}
