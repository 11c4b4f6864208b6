package sentryapi

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Progress of a slow request: what the client reports while it waits on
// Sentry or downloads a big answer (the watcher), and how that reads as a
// line or a bar.

// Progress is a report on one slow request (see Options.Progress).
type Progress struct {
	Method, Path string        // the request, without host, query or credentials
	Host         string        // the host asked
	Attempt      int           // 1 for the first attempt
	Waited       time.Duration // since the request started (all attempts)
	Bytes        int64         // body bytes received in this attempt so far
	Total        int64         // the body's announced size (Content-Length), 0 when unknown
	Items        int           // trace items (spans, errors) decoded so far in this attempt
	Done         bool          // the request ended (answered or failed)
}

// String is the line a command prints: "waiting for sentry.io: GET
// /api/0/…/issues/1/ (4s, attempt 2)".
func (p Progress) String() string {
	if p.Done {
		return fmt.Sprintf("%s %s answered after %s", p.Method, p.Path, p.Waited.Round(time.Second))
	}
	s := fmt.Sprintf("waiting for %s: %s %s (%s", p.Host, p.Method, p.Path, p.Waited.Round(time.Second))
	if p.Attempt > 1 {
		s += fmt.Sprintf(", attempt %d", p.Attempt)
	}
	if p.Bytes > 0 {
		s += ", " + sizeText(p.Bytes)
		if p.Total > 0 {
			s += fmt.Sprintf(" of %s (%.0f%%)", sizeText(p.Total), 100*min(float64(p.Bytes)/float64(p.Total), 1))
		}
		s += " so far"
	}
	if p.Items > 0 {
		s += ", " + countText(p.Items) + " spans read"
	}
	return s + ")…"
}

// Bar is the report as a progress bar of width cells, for a loading
// screen: "GET …/trace/…/ ███████░░░░░ 58%  262.1 MiB of 452.3 MiB ·
// 581,000 spans · 14s". Without a known size it has no bar; without bytes
// it is String.
func (p Progress) Bar(width int) string {
	if p.Done || p.Bytes == 0 {
		return p.String()
	}
	what := "reading " + p.Path
	if i := strings.Index(p.Path, "/trace/"); i >= 0 {
		what = "reading the trace"
	}
	s := what + " "
	if p.Total > 0 {
		frac := min(float64(p.Bytes)/float64(p.Total), 1)
		full := int(frac*float64(width) + 0.5)
		s += strings.Repeat("█", full) + strings.Repeat("░", width-full) + fmt.Sprintf(" %3.0f%%  %s of %s", frac*100, sizeText(p.Bytes), sizeText(p.Total))
	} else {
		s += sizeText(p.Bytes)
	}
	if p.Items > 0 {
		s += " · " + countText(p.Items) + " spans"
	}
	return s + " · " + p.Waited.Round(time.Second).String()
}

// countText writes n with thousands separators: 1,000,000.
func countText(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// watcher reports one slow request through Options.Progress. Its methods
// do nothing on a nil watcher (no Progress configured).
type watcher struct {
	c     *Client
	start time.Time
	mu    sync.Mutex
	p     Progress
	timer *time.Timer
	told  bool // a report was sent
	ended bool
}

func (c *Client) watch(u *url.URL) *watcher {
	if c.progress == nil {
		return nil
	}
	w := &watcher{c: c, start: time.Now(), p: Progress{Method: http.MethodGet, Path: u.Path, Host: u.Host, Attempt: 1}}
	w.timer = time.AfterFunc(c.progAfter, w.tick)
	return w
}

func (w *watcher) tick() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ended {
		return
	}
	p := w.p
	p.Waited = time.Since(w.start)
	w.told = true
	w.timer.Reset(w.c.progEvery)
	w.c.progress(p)
}

func (w *watcher) attempt(n int) {
	w.set(func(p *Progress) { p.Attempt, p.Bytes, p.Total, p.Items = n, 0, 0, 0 })
}

func (w *watcher) bytes(n int64) { w.set(func(p *Progress) { p.Bytes = n }) }
func (w *watcher) total(n int64) { w.set(func(p *Progress) { p.Total = max(n, 0) }) }
func (w *watcher) items(n int)   { w.set(func(p *Progress) { p.Items = n }) }

// set changes the report under the lock (nothing on a nil watcher).
func (w *watcher) set(change func(*Progress)) {
	if w == nil {
		return
	}
	w.mu.Lock()
	change(&w.p)
	w.mu.Unlock()
}

func (w *watcher) done() {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ended = true
	w.timer.Stop()
	if w.told {
		p := w.p
		p.Waited, p.Done = time.Since(w.start), true
		w.c.progress(p)
	}
}
