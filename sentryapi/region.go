package sentryapi

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// The organization's region: a sentry.io organization may live on a
// regional host (its links.regionUrl); the client asks once and
// sends the organization's requests there.

// regionBase returns the host for org-scoped calls: links.regionUrl of the
// organization, fetched once from the control host. Self-hosted servers send
// no region and keep the base URL. A region on a foreign host is ignored so
// the token never leaves the configured Sentry.
func (c *Client) regionBase(ctx context.Context) (*url.URL, error) {
	if err := c.lockRegion(ctx); err != nil {
		return nil, err
	}
	defer c.unlockRegion()
	if c.region != nil {
		return c.region, nil
	}
	// Requests that waited for a lookup that just failed on the network
	// fail with it, instead of each waiting for a lookup of their own.
	if c.regionErr != nil && time.Since(c.regionErrAt) < 10*time.Second {
		return nil, c.regionErr
	}
	if c.org == "" {
		return nil, errors.New("no organization configured: pass --org, set SENTRY_ORG, add [defaults] org to .sentryclirc, or paste an issue URL")
	}
	org, err := c.fetchOrg(ctx)
	if err != nil {
		// Auth problems must surface; anything else falls back to the
		// base URL, as other Sentry clients do.
		// So must a network failure: the base URL is the same host, and
		// trying it again would only repeat the wait.
		var ae *APIError
		if !errors.As(err, &ae) && ctx.Err() == nil {
			c.regionErr, c.regionErrAt = err, time.Now()
		}
		if !errors.As(err, &ae) || errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrForbidden) || errors.Is(err, ErrNotFound) || ctx.Err() != nil {
			return nil, err
		}
		// Said once: later requests use the base URL without asking again.
		c.notify(fmt.Sprintf("could not discover the organization's region (%v); using %s", shortErr(err), c.base))
		c.region = c.base
		return c.base, nil
	}
	c.region = c.base
	if r := org.Links.RegionURL; r != "" {
		if u, err := parseBaseURL(r); err == nil && sameSentry(c.base, u) {
			c.region = u
		} else {
			c.debug(fmt.Sprintf("ignoring region URL %q: not the configured Sentry", r))
		}
	}
	return c.region, nil
}

func (c *Client) lockRegion(ctx context.Context) error {
	select {
	case c.regionLock <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) unlockRegion() { <-c.regionLock }

// sameSentry reports whether region may receive the token meant for base:
// the same host name, or a *.sentry.io host over https for SaaS.
func sameSentry(base, region *url.URL) bool {
	if strings.EqualFold(base.Hostname(), region.Hostname()) {
		return true
	}
	return isSaaSHost(base.Hostname()) && isSaaSHost(region.Hostname()) && region.Scheme == "https"
}

func isSaaSHost(h string) bool {
	h = strings.ToLower(h)
	return h == "sentry.io" || strings.HasSuffix(h, ".sentry.io")
}

func (c *Client) fetchOrg(ctx context.Context) (*wire.Organization, error) {
	if c.org0 != nil {
		return c.org0, nil
	}
	var org wire.Organization
	if _, err := c.get(ctx, request{host: controlHost, path: "organizations/" + url.PathEscape(c.org) + "/", scope: "org:read"}, &org); err != nil {
		return nil, err
	}
	c.org0 = &org
	return &org, nil
}
