package sentryapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// When a request is tried again, and how long the client waits first:
// permanent failures, retryable statuses, backoff and Sentry's rate-limit
// headers.

// permanent reports network errors that another attempt cannot fix: a
// host name that does not resolve, a certificate that does not verify.
func permanent(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.IsNotFound || !(dns.IsTemporary || dns.IsTimeout)
	}
	var cert *tls.CertificateVerificationError
	if errors.As(err, &cert) {
		return true
	}
	var unk x509.UnknownAuthorityError
	var host x509.HostnameError
	return errors.As(err, &unk) || errors.As(err, &host)
}

func retryableStatus(st int) bool {
	switch st {
	case 408, 500, 502, 503, 504, 507, 520, 522, 524:
		return true
	}
	return false
}

func (c *Client) backoff(attempt int) time.Duration {
	d := c.backoffBase << min(attempt-1, 5)
	if d > 10*time.Second {
		d = 10 * time.Second
	}
	// Full jitter in [d/2, d].
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// rateLimitWait reads how long to wait on a 429: X-Sentry-Rate-Limit-Reset
// (epoch seconds), else Retry-After (seconds or HTTP date), else fallback.
func rateLimitWait(h http.Header, now time.Time, fallback time.Duration) (time.Duration, string) {
	if v := h.Get("X-Sentry-Rate-Limit-Reset"); v != "" {
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
			reset := time.Unix(0, int64(f*1e9))
			d := reset.Sub(now)
			if d < 0 {
				d = 0
			}
			return d + 100*time.Millisecond, "until the limit resets at " + reset.UTC().Format("15:04:05 UTC")
		}
	}
	if v := h.Get("Retry-After"); v != "" {
		if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
			return time.Duration(s) * time.Second, "Retry-After " + v + "s"
		}
		if t, err := http.ParseTime(v); err == nil {
			d := t.Sub(now)
			if d < 0 {
				d = 0
			}
			return d, "Retry-After " + v
		}
	}
	return fallback, "no reset header; backing off"
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
