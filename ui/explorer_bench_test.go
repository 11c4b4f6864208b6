package ui

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/investigation"
	"github.com/tracehound/tracehound/sentryapi"
	"github.com/tracehound/tracehound/sentryapi/local"
	"github.com/tracehound/tracehound/tracetree/tracegen"
)

// The explorer on a wide trace (issue 14): tracegen.Wide20k, 20,000
// transactions, opened through the real load path (a dataset served by
// sentryapi/local) on a 160×50 terminal. Each benchmark drives the model's
// Update with key messages as the Bubble Tea runtime does and measures
// the UI thread's part of a key: Update and the frame drawn after it. The
// filter benchmark also measures the time until the match list is on
// screen (the background search done and its result drawn).

var wide20k = sync.OnceValue(func() *tracegen.Result { return tracegen.Generate(tracegen.Wide20k()) })

// wide20kConfig opens tracegen.Wide20k's trace (by its trace id) from an
// in-memory dataset.
func wide20kConfig(tb testing.TB) Config {
	tb.Helper()
	r := wide20k()
	fsys := dataset.NewMemFS()
	for name, v := range r.Dataset() {
		fsys.AddJSON(name, v)
	}
	srv, err := local.New(fsys)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := sentryapi.New(sentryapi.Options{BaseURL: "http://dataset.test", Org: tracegen.OrgSlug, Transport: srv.Transport()})
	if err != nil {
		tb.Fatal(err)
	}
	opts := investigation.Options{
		Source: investigation.Source{
			Client: c, Label: "tracegen Wide20k", Dataset: fsys,
			Target: sentryapi.Target{Kind: sentryapi.TargetTrace, Trace: r.TraceID},
		},
		CacheDir: tb.TempDir(),
		Model:    investigation.ModelConfig{Offline: true},
	}
	return Config{
		Source: "tracegen Wide20k",
		Open: func(ctx context.Context, progress Progress) (*investigation.Investigation, error) {
			return investigation.Open(ctx, opts)
		},
	}
}

// benchRuntime is the Bubble Tea runtime, reduced: commands run in
// goroutines and their messages come back to the benchmark's goroutine,
// which is the UI thread.
type benchRuntime struct {
	m    *Model
	msgs chan tea.Msg
	done chan struct{}
}

func newBenchRuntime(b *testing.B, w, h int) *benchRuntime {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cfg := wide20kConfig(b)
	r := &benchRuntime{m: New(ctx, cfg), msgs: make(chan tea.Msg, 1024), done: make(chan struct{})}
	b.Cleanup(func() {
		cancel()
		r.m.close()
		close(r.done)
	})
	r.m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	inv, err := cfg.Open(ctx, Progress{Step: func(string) {}, Bar: func(string) {}})
	if err != nil {
		b.Fatal(err)
	}
	_, cmd := r.m.Update(loadedMsg{inv: inv})
	r.run(cmd)
	r.m.View()
	if r.m.tree == nil || len(r.m.tree.rows) < 1000 {
		b.Fatal("the trace did not open")
	}
	return r
}

func (r *benchRuntime) run(cmd tea.Cmd) {
	runCmd(cmd, func(msg tea.Msg) {
		select {
		case r.msgs <- msg:
		case <-r.done:
		}
	})
}

// runCmd runs cmd in a goroutine as the Bubble Tea runtime does (each
// command of a batch in its own) and hands its messages to send.
func runCmd(cmd tea.Cmd, send func(tea.Msg)) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		if batch, ok := msg.(tea.BatchMsg); ok {
			for _, c := range batch {
				runCmd(c, send)
			}
			return
		}
		send(msg)
	}()
}

// key delivers a key press and draws the frame after it.
func (r *benchRuntime) key(k tea.KeyPressMsg) {
	_, cmd := r.m.Update(k)
	r.run(cmd)
	r.m.View()
}

// until delivers the commands' messages until cond holds, drawing a frame
// after each.
func (r *benchRuntime) until(b *testing.B, cond func() bool) {
	deadline := time.After(time.Minute)
	for !cond() {
		select {
		case msg := <-r.msgs:
			if _, ok := msg.(tickMsg); ok {
				continue
			}
			_, cmd := r.m.Update(msg)
			r.run(cmd)
			r.m.View()
		case <-deadline:
			b.Fatal("the filter did not settle within a minute")
		}
	}
}

// filterSettled says the match list for the query as typed is on screen:
// no search in flight.
func filterSettled(m *Model) bool { return !m.tree.searching() }

// forgetFilters empties the filter's cache of recent results.
func forgetFilters(m *Model) { m.tree.search.cache = nil }

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func runeKey(r rune) tea.KeyPressMsg { return tea.KeyPressMsg(tea.Key{Code: r, Text: string(r)}) }

// benchQuery is typed key by key: its first keys match almost every
// transaction ("p": 20,027 of 20,045 nodes), the whole of it 721.
// benchMatchQuery matches 12,677 nodes, for n and N.
const benchQuery, benchMatchQuery = "payments", "GET"

// BenchmarkExplorer20k measures the UI thread's part of a key on a
// 20,000-transaction trace: a typed filter key (ui-*: Update and the
// frame; list-*: until the match list is on screen), n and N over 12,677
// matches, j and k; each as the median and the slowest key, in wall time
// and in the UI thread's CPU time (*-cpu-*: the benchmark goroutine is
// locked to its thread, so the machine's load does not count).
func BenchmarkExplorer20k(b *testing.B) {
	b.Run("filter-key", func(b *testing.B) {
		runtime.LockOSThread() // the UI thread: its CPU time is this thread's
		defer runtime.UnlockOSThread()
		r := newBenchRuntime(b, 160, 50)
		var ui, uiCPU, list, listCPU []time.Duration
		for b.Loop() {
			forgetFilters(r.m) // each query typed anew, not answered from the last iteration's cache
			r.key(runeKey('/'))
			for _, c := range benchQuery {
				start, cpu := time.Now(), threadCPU()
				r.key(runeKey(c))
				ui, uiCPU = append(ui, time.Since(start)), append(uiCPU, threadCPU()-cpu)
				r.until(b, func() bool { return filterSettled(r.m) })
				list, listCPU = append(list, time.Since(start)), append(listCPU, threadCPU()-cpu)
			}
			r.key(chatKey("esc"))
		}
		for _, m := range []struct {
			name string
			ds   []time.Duration
		}{{"ui", ui}, {"ui-cpu", uiCPU}, {"list", list}, {"list-cpu", listCPU}} {
			b.ReportMetric(ms(median(m.ds)), m.name+"-p50-ms")
			b.ReportMetric(ms(slices.Max(m.ds)), m.name+"-max-ms")
		}
	})
	for _, k := range []string{"n", "N", "j", "k"} {
		b.Run(k, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			r := newBenchRuntime(b, 160, 50)
			if k == "n" || k == "N" {
				r.key(runeKey('/'))
				for _, c := range benchMatchQuery {
					r.key(runeKey(c))
				}
				r.until(b, func() bool { return filterSettled(r.m) })
				r.key(chatKey("enter"))
				if n := len(r.m.tree.matches); n < 10_000 {
					b.Fatalf("%d matches for %q", n, benchMatchQuery)
				}
			}
			var wall, cpu []time.Duration
			for b.Loop() {
				switch t := r.m.tree; {
				case k == "j" && t.sel == len(t.rows)-1:
					t.toTop()
				case k == "k" && t.sel == 0:
					t.toBottom()
				}
				start, c := time.Now(), threadCPU()
				r.key(runeKey(rune(k[0])))
				wall, cpu = append(wall, time.Since(start)), append(cpu, threadCPU()-c)
			}
			b.ReportMetric(ms(median(wall)), "p50-ms")
			b.ReportMetric(ms(slices.Max(wall)), "max-ms")
			b.ReportMetric(ms(median(cpu)), "cpu-p50-ms")
			b.ReportMetric(ms(slices.Max(cpu)), "cpu-max-ms")
		})
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
