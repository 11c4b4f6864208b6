package investigation

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/tracehound/tracehound/agent"
)

// Subscribers joining at any moment of a concurrent stream receive every
// event exactly once, in order: the history, then the live events.
func TestHubJoinDuringPublishingHasNoGapNoDuplicate(t *testing.T) {
	const n = 2000
	h := newHub()
	subs := make(chan *Subscription, 20)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; i <= n; i++ {
			h.publish(agent.Event{Kind: agent.EventStepDone, Step: i})
			if i%(n/20) == 0 {
				subs <- h.subscribe() // joins between two publishes…
			}
		}
		close(subs)
		h.close()
	}()
	for range 5 { // …and others join from other goroutines at any time
		wg.Add(1)
		go func() {
			defer wg.Done()
			checkSequence(t, h.subscribe(), n)
		}()
	}
	for s := range subs {
		checkSequence(t, s, n)
	}
	wg.Wait()
}

func checkSequence(t *testing.T, s *Subscription, n int) {
	t.Helper()
	want := 1
	for {
		e, ok := s.Next(context.Background())
		if !ok {
			break
		}
		if e.Step != want {
			t.Errorf("got step %d, want %d", e.Step, want)
			return
		}
		want++
	}
	if want != n+1 {
		t.Errorf("the stream ended after step %d of %d", want-1, n)
	}
}

// A reader waiting in Next wakes for the next event and for the end; a
// slow one finds deltas merged and state events kept, in order.
func TestSubscriptionWaitsAndMerges(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHub()
		h.deltaRoom = 1 // merge as soon as one event waits
		s := h.subscribe()
		got := make(chan agent.Event)
		go func() {
			for {
				e, ok := s.Next(context.Background())
				if !ok {
					close(got)
					return
				}
				got <- e
			}
		}()
		synctest.Wait() // the reader is blocked in Next
		h.publish(agent.Event{Kind: agent.EventTextDelta, Step: 1, Text: "a"})
		if e := <-got; e.Text != "a" {
			t.Fatalf("first event %+v", e)
		}
		// The reader is now blocked sending on got: it lags.
		h.publish(agent.Event{Kind: agent.EventTextDelta, Step: 1, Text: "b"})
		synctest.Wait()
		h.publish(agent.Event{Kind: agent.EventTextDelta, Step: 1, Text: "c"})
		h.publish(agent.Event{Kind: agent.EventTextDelta, Step: 1, Text: "d"})
		h.publish(agent.Event{Kind: agent.EventToolProposed, Step: 1})
		h.publish(agent.Event{Kind: agent.EventTextDelta, Step: 2, Text: "e"})
		h.close()
		var texts []string
		for e := range got {
			texts = append(texts, e.Kind.String()+":"+e.Text)
		}
		want := []string{"text:b", "text:cd", "tool_proposed:", "text:e"}
		if len(texts) != len(want) {
			t.Fatalf("got %v, want %v", texts, want)
		}
		for i := range want {
			if texts[i] != want[i] {
				t.Fatalf("got %v, want %v", texts, want)
			}
		}
	})
}

// Next returns when its context ends; Close ends a subscription.
func TestSubscriptionContextAndClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHub()
		s := h.subscribe()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan bool)
		go func() {
			_, ok := s.Next(ctx)
			done <- ok
		}()
		synctest.Wait()
		cancel()
		if <-done {
			t.Fatal("Next returned an event after its context ended")
		}
		s.Close()
		h.publish(agent.Event{Kind: agent.EventStepDone})
		if evs, closed := s.Drain(); len(evs) != 0 || !closed {
			t.Fatalf("a closed subscription got %d events (closed %v)", len(evs), closed)
		}
	})
}
