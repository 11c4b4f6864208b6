package ui

import (
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/tracetree"
)

// Fetching what the detail pane shows for the selection. A cursor move
// does not fetch: it shows "fetching…" and waits detailDebounce for the
// cursor to rest (a held j does not fire a request per row); the fetch
// then runs with a context the next move cancels. Results are kept in a
// small LRU cache, so moving back is instant. The explorer prefetches
// every event of a trace in the background only when the trace is small
// enough; on a wide one, the errors and the issue's path.

// detailDebounce is how long the selection must rest before its content
// is fetched: longer than a held key's repeat (~30 ms), shorter than a
// glance.
const detailDebounce = 100 * time.Millisecond

// detailCacheSize bounds the fetched contents kept for revisits.
const detailCacheSize = 32

// prefetchAll is the largest tree (in nodes) whose every event the
// explorer fetches ahead (a 100k-span trace of 2,000 transactions is
// within it; 20,000 events would be 20,000 requests against Sentry's rate
// limits while the user waits). prefetchWide is how many events it
// fetches ahead of a wider trace: the errors and the issue's path.
const prefetchAll, prefetchWide = 2_500, 200

// detailReq is one content to fetch: the tab of a node.
type detailReq struct {
	key    string // target id + tab
	tab    DetailTab
	target *tracetree.Node
}

// detailDueMsg says the selection rested for detailDebounce since request
// seq.
type detailDueMsg struct {
	seq int
	req detailReq
}

// detailFetcher is the detail pane's fetching state.
type detailFetcher struct {
	seq    int                // the latest request; older ones' messages are dropped
	cancel context.CancelFunc // the fetch in flight
	cache  detailCache
	// fetch fetches a request (nil: from the incident; tests replace it).
	fetch func(ctx context.Context, req detailReq) detailMsg
}

// stop cancels the fetch in flight and makes earlier requests stale.
func (f *detailFetcher) stop() {
	if f.cancel != nil {
		f.cancel()
		f.cancel = nil
	}
	f.seq++
}

// fetchDetail shows what the active tab shows for a node: at once from
// the cache, else after the cursor rests (see detailDebounce).
func (m *Model) fetchDetail(n *tracetree.Node) tea.Cmd {
	tab := m.detail.Tab()
	targets, _ := detailTargets(n)
	target := targets[tab]
	if target == nil {
		return nil
	}
	k := target.ID + fmt.Sprint(tab)
	if k == m.shownID {
		return nil
	}
	m.shownID = k
	f := &m.fetcher
	f.stop()
	if msg, ok := f.cache.get(k); ok {
		msg.seq = f.seq
		m.showDetail(msg)
		return nil
	}
	short := tracetree.ShortID(target.ID)
	switch tab {
	case TabError:
		m.detail.Loading("fetching the error " + short + "…")
	case TabProfile:
		m.detail.Loading("fetching the profile of " + short + "…")
	case TabCompare:
		m.detail.Loading("comparing " + short + " with a healthy trace of it…")
	default:
		m.detail.Loading("fetching the spans of " + short + "…")
	}
	seq, req := f.seq, detailReq{key: k, tab: tab, target: target}
	return tea.Tick(detailDebounce, func(time.Time) tea.Msg { return detailDueMsg{seq: seq, req: req} })
}

// detailDue starts the fetch of a request the cursor rested on.
func (m *Model) detailDue(msg detailDueMsg) tea.Cmd {
	f := &m.fetcher
	if msg.seq != f.seq {
		return nil // the cursor moved on
	}
	ctx, cancel := context.WithCancel(m.ctx)
	f.cancel = cancel
	fetch := f.fetch
	if fetch == nil {
		fetch = incidentFetch(m.in, m.repos)
	}
	seq := msg.seq
	return func() tea.Msg {
		defer cancel()
		r := fetch(ctx, msg.req)
		r.seq = seq
		return r
	}
}

// detailDone keeps a fetched content and shows it, unless the cursor
// moved on.
func (m *Model) detailDone(msg detailMsg) {
	if msg.err == nil {
		m.fetcher.cache.put(msg.key, msg)
	}
	if msg.seq != m.fetcher.seq {
		return
	}
	m.fetcher.cancel = nil
	m.showDetail(msg)
}

// incidentFetch fetches from the incident (which caches events).
func incidentFetch(in *agent.Incident, repos *agent.Repos) func(ctx context.Context, req detailReq) detailMsg {
	return func(ctx context.Context, req detailReq) detailMsg {
		target := req.target
		out := detailMsg{key: req.key, id: target.ID, tab: req.tab}
		switch req.tab {
		case TabError:
			ev, err := in.EventFor(ctx, target)
			out.event, out.short, out.err = withLocalSource(ev, repos, target.Project), target.IssueShortID, err
		case TabProfile:
			out.profile, out.err = in.ProfileTree(ctx, target.ID)
		case TabCompare:
			out.compare, out.err = in.Compare(ctx, target.ID, "")
		default:
			out.tab = TabSpans
			out.spans, out.err = in.SpanTree(ctx, target.ID)
		}
		return out
	}
}

// prefetch fetches in the background the events the explorer is likely to
// show: all of a trace of up to prefetchAll nodes, else the errors and the
// issue's path (see prefetchAll).
func (m *Model) prefetch() {
	in, ctx := m.in, m.ctx
	if in == nil || in.Tree == nil {
		return
	}
	if len(in.Tree.Nodes) <= prefetchAll {
		go in.Prefetch(ctx)
		return
	}
	var ns []*tracetree.Node
	for _, n := range in.Tree.Nodes {
		if (n.Kind == tracetree.KindError || n.OnFocusPath) && n.Project != "" && len(ns) < prefetchWide {
			ns = append(ns, n)
		}
	}
	go func() {
		for _, n := range ns {
			if ctx.Err() != nil {
				return
			}
			in.EventFor(ctx, n) // a failure is noted by the incident and retried when shown
		}
	}()
}

// detailCache is a least-recently-used cache of fetched contents.
type detailCache struct {
	keys []string // least recently used first
	msgs map[string]detailMsg
}

func (c *detailCache) get(k string) (detailMsg, bool) {
	msg, ok := c.msgs[k]
	if ok {
		c.touch(k)
	}
	return msg, ok
}

func (c *detailCache) put(k string, msg detailMsg) {
	if c.msgs == nil {
		c.msgs = map[string]detailMsg{}
	}
	if _, ok := c.msgs[k]; ok {
		c.msgs[k] = msg
		c.touch(k)
		return
	}
	if len(c.keys) == detailCacheSize {
		delete(c.msgs, c.keys[0])
		c.keys = append(c.keys[:0], c.keys[1:]...)
	}
	c.msgs[k] = msg
	c.keys = append(c.keys, k)
}

func (c *detailCache) touch(k string) {
	for i, x := range c.keys {
		if x == k {
			copy(c.keys[i:], c.keys[i+1:])
			c.keys[len(c.keys)-1] = k
			return
		}
	}
}
