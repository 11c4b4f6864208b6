package ui

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/sentryapi/wire"
	"github.com/tracehound/tracehound/tracetree"
	"github.com/tracehound/tracehound/tracetree/tracegen"
)

// fetchHarness runs the explorer over a generated trace inside a
// synctest bubble, with a fake fetch that records what it was asked for.
// Commands run in goroutines; pump delivers their messages once every
// goroutine of the bubble is blocked (on a timer, on a fetch).
type fetchHarness struct {
	t         *testing.T
	m         *Model
	msgs      chan tea.Msg
	calls     []*tracetree.Node // the targets fetched, in order
	cancelled int               // fetches that ended by their context
	release   chan struct{}     // when set, a fetch waits for it (or its context)
}

func newFetchHarness(t *testing.T) *fetchHarness {
	t.Helper()
	tree := genTree(t, tracegen.Config{Spans: 600, Transactions: 200, Services: 8, Errors: 5, Seed: 6})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	h := &fetchHarness{t: t, m: New(ctx, Config{}), msgs: make(chan tea.Msg, 1024)}
	h.m.Update(tea.WindowSizeMsg{Width: 140, Height: 45})
	h.m.loading = false
	h.m.in = &agent.Incident{Tree: tree}
	h.m.tree = newTreePane(h.m.st, tree)
	h.m.fetcher.fetch = func(ctx context.Context, req detailReq) detailMsg {
		h.calls = append(h.calls, req.target)
		if h.release != nil {
			select {
			case <-h.release:
			case <-ctx.Done():
				h.cancelled++
				return detailMsg{key: req.key, id: req.target.ID, tab: req.tab, err: ctx.Err()}
			}
		}
		msg := detailMsg{key: req.key, id: req.target.ID, tab: req.tab}
		switch {
		case req.tab == TabSpans && len(req.target.Spans) > 0:
			msg.spans = tracetree.BuildSpanTreeFromTrace(req.target.Spans[0])
		default:
			msg.tab, msg.event = TabError, &wire.Event{EventID: req.target.ID, Title: "boom"}
		}
		return msg
	}
	return h
}

func (h *fetchHarness) run(cmd tea.Cmd) { runCmd(cmd, func(msg tea.Msg) { h.msgs <- msg }) }

// pump delivers messages until none is pending and every goroutine of the
// bubble is blocked.
func (h *fetchHarness) pump() {
	for {
		synctest.Wait()
		select {
		case msg := <-h.msgs:
			if _, ok := msg.(tickMsg); ok {
				continue // the spinner
			}
			_, cmd := h.m.Update(msg)
			h.run(cmd)
		default:
			return
		}
	}
}

func (h *fetchHarness) key(k string) {
	_, cmd := h.m.Update(runeKey(rune(k[0])))
	h.run(cmd)
	h.pump()
}

// want is the node the detail pane's active tab shows for the selection.
func (h *fetchHarness) want() *tracetree.Node {
	targets, _ := detailTargets(h.m.tree.Selected())
	return targets[h.m.detail.Tab()]
}

// TestHeldKeyFetchesOnce: holding j over 40 rows (a row every 30 ms) fires
// no fetch; when the cursor rests, one fetch, for the row it rests on.
func TestHeldKeyFetchesOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newFetchHarness(t)
		for range 40 {
			h.key("j")
			time.Sleep(30 * time.Millisecond)
			h.pump()
		}
		if len(h.calls) != 0 {
			t.Fatalf("%d fetches while the key was held", len(h.calls))
		}
		if h.m.detail.status != dtStatusLoading {
			t.Fatalf("the detail pane does not say it is fetching (status %d)", h.m.detail.status)
		}
		time.Sleep(detailDebounce)
		h.pump()
		if len(h.calls) != 1 || h.calls[0] != h.want() {
			t.Fatalf("fetched %d times (%v); want once, for %s", len(h.calls), ids(h.calls), h.want().ID)
		}
		if h.m.detail.status != dtStatusNone {
			t.Fatalf("the fetched content is not shown (status %d)", h.m.detail.status)
		}
	})
}

// TestCursorMoveCancelsFetch: a move while a fetch is in flight cancels
// it, and its late answer is not shown.
func TestCursorMoveCancelsFetch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newFetchHarness(t)
		h.release = make(chan struct{})
		h.key("j")
		time.Sleep(detailDebounce)
		h.pump()
		if len(h.calls) != 1 || h.cancelled != 0 {
			t.Fatalf("%d fetches, %d cancelled; want one in flight", len(h.calls), h.cancelled)
		}
		h.key("j")
		if h.cancelled != 1 {
			t.Fatalf("the move did not cancel the fetch in flight (%d cancelled)", h.cancelled)
		}
		if h.m.detail.status != dtStatusLoading {
			t.Fatalf("the cancelled fetch's answer was shown (status %d: %v)", h.m.detail.status, h.m.detail.err)
		}
		close(h.release)
		time.Sleep(detailDebounce)
		h.pump()
		if len(h.calls) != 2 || h.calls[1] != h.want() || h.m.detail.status != dtStatusNone {
			t.Fatalf("after resting: %d fetches, status %d", len(h.calls), h.m.detail.status)
		}
	})
}

// TestRevisitFromCache: moving back to a row fetched before shows it at
// once, with no fetch.
func TestRevisitFromCache(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newFetchHarness(t)
		h.key("j")
		time.Sleep(detailDebounce)
		h.pump()
		first := h.want()
		h.key("j")
		time.Sleep(detailDebounce)
		h.pump()
		if len(h.calls) != 2 {
			t.Fatalf("%d fetches", len(h.calls))
		}
		h.key("k")
		if h.want() != first || len(h.calls) != 2 {
			t.Fatalf("moving back fetched again (%d fetches)", len(h.calls))
		}
		if h.m.detail.status != dtStatusNone || h.m.detail.ts[h.m.detail.Tab()].id != first.ID {
			t.Fatalf("moving back does not show %s at once (status %d, showing %q)", first.ID, h.m.detail.status, h.m.detail.ts[h.m.detail.Tab()].id)
		}
	})
}

// TestDetailCacheBounded: the cache keeps the detailCacheSize most
// recently used contents.
func TestDetailCacheBounded(t *testing.T) {
	var c detailCache
	for i := range detailCacheSize + 10 {
		c.put(fmt.Sprint(i), detailMsg{key: fmt.Sprint(i)})
		if i == 5 {
			c.get("0") // used: kept
		}
	}
	if len(c.msgs) != detailCacheSize || len(c.keys) != detailCacheSize {
		t.Fatalf("%d entries, %d keys", len(c.msgs), len(c.keys))
	}
	if _, ok := c.get("0"); ok {
		t.Error("0 is kept though 42 were put after its last use")
	}
	if _, ok := c.get("1"); ok {
		t.Error("the least recently used entry is kept")
	}
	if _, ok := c.get(fmt.Sprint(detailCacheSize + 9)); !ok {
		t.Error("the latest entry is gone")
	}
}

func ids(ns []*tracetree.Node) []string {
	var out []string
	for _, n := range ns {
		out = append(out, tracetree.ShortID(n.ID))
	}
	return out
}
