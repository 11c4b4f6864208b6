package ui

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/tracehound/tracehound/agent"
	"github.com/tracehound/tracehound/agent/llmtest"
	"github.com/tracehound/tracehound/investigation"
)

// streamWindow is how long BenchmarkStreamProgram measures the streaming.
const streamWindow = 8 * time.Second

// BenchmarkStreamProgram is the whole explorer while the agent's answer
// streams: a real tea.Program (input a pipe, output discarded, 140×45 in
// 256 colours as in tmux, no TTY) over the demo incident, the model a scripted OpenAI-compatible
// server on loopback streaming a long markdown answer (llmtest.LongMarkdown,
// one word a chunk) at 20 and 100 tokens a second. It reports the
// process's CPU time (user+sys, getrusage) over streamWindow of
// streaming as cpu-%: percent of one core. The scripted server runs in
// this process and is counted too; e2e's TestStreamCPU measures the real
// binary alone.
//
//	go test ./ui -run XXX -bench StreamProgram -benchtime 1x -count 3
func BenchmarkStreamProgram(b *testing.B) {
	for _, rate := range []int{20, 100} {
		b.Run(fmt.Sprintf("%dtps", rate), func(b *testing.B) {
			for b.Loop() {
				b.ReportMetric(streamCPU(b, rate, streamWindow), "cpu-%")
			}
		})
	}
}

// streamCPU runs the explorer, starts the agent, and returns the percent
// of one core the process used over window once the answer streams at
// rate tokens a second.
func streamCPU(b *testing.B, rate int, window time.Duration) float64 {
	b.Helper()
	words := rate * int(window/time.Second+4)
	streaming := make(chan struct{})
	var once atomic.Bool
	srv := llmtest.NewServer(b, llmtest.Text(llmtest.LongMarkdown(words)).Rate(float64(rate)).Expect(func(llmtest.Request) error {
		if once.CompareAndSwap(false, true) {
			close(streaming)
		}
		return nil
	})).Forever(llmtest.Hang())
	cfg := demoConfig(b, func(o *investigation.Options) {
		o.Model = investigation.ModelConfig{OpenAI: agent.ModelConfig{BaseURL: srv.URL(), APIKey: "test-key", Model: "gpt-test"}}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in, keys := io.Pipe()
	loaded := make(chan struct{})
	var seen atomic.Bool
	filter := func(_ tea.Model, msg tea.Msg) tea.Msg {
		if _, ok := msg.(loadedMsg); ok && seen.CompareAndSwap(false, true) {
			close(loaded)
		}
		return msg
	}
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, cfg, tea.WithInput(in), tea.WithOutput(io.Discard), tea.WithWindowSize(140, 45),
			tea.WithColorProfile(colorprofile.ANSI256), tea.WithoutSignals(), tea.WithFilter(filter))
	}()
	select {
	case <-loaded:
	case err := <-done:
		b.Fatalf("the explorer ended before loading: %v", err)
	case <-time.After(30 * time.Second):
		b.Fatal("the demo did not load within 30 s")
	}
	if _, err := keys.Write([]byte("a")); err != nil {
		b.Fatal(err)
	}
	select {
	case <-streaming:
	case <-time.After(30 * time.Second):
		b.Fatal("the agent sent no request to the model within 30 s")
	}
	time.Sleep(500 * time.Millisecond) // the first tokens arrive; the pane settles
	cpu0, wall0 := processCPU(b), time.Now()
	time.Sleep(window)
	cpu, wall := processCPU(b)-cpu0, time.Since(wall0)
	cancel()
	keys.Close()
	<-done
	return 100 * cpu.Seconds() / wall.Seconds()
}

// processCPU is the user+sys CPU time this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
