package config

import (
	"os"
	"time"
)

// Config is the search service's configuration.
type Config struct {
	IndexURL     string
	QueryTimeout time.Duration
	MaxResults   int
}

// Defaults is the configuration when no environment variable overrides it.
func Defaults() Config {
	return Config{
		IndexURL:     envOr("INDEX_URL", "http://index.internal:8080"),
		QueryTimeout: 400 * time.Millisecond,
		MaxResults:   48,
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
