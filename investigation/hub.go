package investigation

import (
	"context"
	"sync"

	"github.com/tracehound/tracehound/agent"
)

// hub fans an investigation's events out to any number of subscribers.
// It keeps the whole history, so a subscriber that joins late first
// receives everything that happened, then the live stream, in order, with
// no gap and no duplicate (joining and publishing take the same lock).
//
// Publishing never blocks: each subscriber has its own queue. Once a
// subscriber is deltaRoom events behind, text and reasoning deltas are
// merged into the last queued delta of the same kind and step (the text
// is concatenated, never lost); state events are always queued. So a slow
// or stuck subscriber costs at most deltaRoom deltas plus the state
// events it has not read, never time for the run or for the other
// subscribers; one that keeps up sees the text as it was streamed. The
// history keeps deltas merged.
type hub struct {
	mu        sync.Mutex
	history   []agent.Event
	subs      map[*Subscription]struct{}
	closed    bool
	deltaRoom int
}

// defaultDeltaRoom is how far behind a subscriber may be before its
// deltas are merged.
const defaultDeltaRoom = 256

func newHub() *hub { return &hub{subs: map[*Subscription]struct{}{}, deltaRoom: defaultDeltaRoom} }

func isDelta(k agent.EventKind) bool {
	return k == agent.EventTextDelta || k == agent.EventReasoningDelta
}

// appendEvent appends e to q, merging a delta into a last queued delta of
// the same kind and step once q holds room events or more.
func appendEvent(q []agent.Event, e agent.Event, room int) []agent.Event {
	if n := len(q); n > 0 && n >= room && isDelta(e.Kind) && q[n-1].Kind == e.Kind && q[n-1].Step == e.Step {
		q[n-1].Text += e.Text
		return q
	}
	return append(q, e)
}

// publish records e and queues it for every subscriber.
func (h *hub) publish(e agent.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.history = appendEvent(h.history, e, 0)
	for s := range h.subs {
		s.push(e, h.deltaRoom)
	}
}

// subscribe returns a subscription whose queue starts with the history.
func (h *hub) subscribe() *Subscription {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := &Subscription{h: h, notify: make(chan struct{}, 1)}
	s.queue = append(s.queue, h.history...)
	if len(s.queue) > 0 {
		s.notify <- struct{}{}
	}
	if h.closed {
		s.closed = true
	} else {
		h.subs[s] = struct{}{}
	}
	return s
}

// snapshot returns the history so far.
func (h *hub) snapshot() []agent.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]agent.Event(nil), h.history...)
}

// close ends every subscription once it has read what is queued.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	for s := range h.subs {
		s.end()
	}
	h.subs = nil
}

func (h *hub) unsubscribe(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, s)
}

// Subscription is one front end's view of an investigation's events:
// the history first, then the live stream. Read it with Next (blocking)
// or Drain (what is queued now) after a signal on Ready. It is safe for
// use by one reader at a time.
type Subscription struct {
	h      *hub
	notify chan struct{} // a token when the queue became non-empty or closed

	mu     sync.Mutex
	queue  []agent.Event
	closed bool
}

func (s *Subscription) push(e agent.Event, room int) {
	s.mu.Lock()
	s.queue = appendEvent(s.queue, e, room)
	s.mu.Unlock()
	s.signal()
}

func (s *Subscription) end() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.signal()
}

func (s *Subscription) signal() {
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// Next returns the next event, waiting for one. ok is false when the
// investigation was closed and every event was read, or ctx ended.
func (s *Subscription) Next(ctx context.Context) (e agent.Event, ok bool) {
	for {
		s.mu.Lock()
		if len(s.queue) > 0 {
			e = s.queue[0]
			s.queue[0] = agent.Event{}
			s.queue = s.queue[1:]
			more := len(s.queue) > 0
			s.mu.Unlock()
			if more {
				s.signal()
			}
			return e, true
		}
		closed := s.closed
		s.mu.Unlock()
		if closed {
			return agent.Event{}, false
		}
		select {
		case <-s.notify:
		case <-ctx.Done():
			return agent.Event{}, false
		}
	}
}

// Drain returns every event queued now (none when nothing is), without
// waiting. closed says the stream has ended.
func (s *Subscription) Drain() (events []agent.Event, closed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	events, s.queue = s.queue, nil
	return events, s.closed
}

// Ready receives a value when events may be waiting (or the stream
// ended): a front end with its own loop selects on it, then Drains.
func (s *Subscription) Ready() <-chan struct{} { return s.notify }

// Close stops the subscription: nothing more is queued for it.
func (s *Subscription) Close() {
	s.h.unsubscribe(s)
	s.end()
}
