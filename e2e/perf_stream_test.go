package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracehound/tracehound/agent/llmtest"
)

// TestStreamCPU measures what streaming the agent's answer costs the
// whole program: the real binary in a 140×45 tmux terminal, over the
// demo incident, the model a scripted server streaming a long markdown
// answer (llmtest.LongMarkdown, one word a chunk) at 20 and 100 tokens a
// second; the binary's own CPU time (user+sys of every thread, from
// /proc/PID/stat) over a window of streaming, as percent of one core.
// It is a benchmark, not a test: it runs only when
// TRACEHOUND_BENCH_STREAM is set.
//
//	TRACEHOUND_BENCH_STREAM=1 go test ./e2e -run TestStreamCPU -v -timeout 20m
//
// TRACEHOUND_BENCH_VS=/path/to/other/tracehound measures that binary too,
// runs interleaved (A B A B …), and prints the ratio of the medians;
// TRACEHOUND_BENCH_RUNS (3) and TRACEHOUND_BENCH_SECONDS (10) set how
// many runs and how long a window.
func TestStreamCPU(t *testing.T) {
	if os.Getenv("TRACEHOUND_BENCH_STREAM") == "" {
		t.Skip("a benchmark: set TRACEHOUND_BENCH_STREAM=1 to run it")
	}
	runs := envInt(t, "TRACEHOUND_BENCH_RUNS", 3)
	window := time.Duration(envInt(t, "TRACEHOUND_BENCH_SECONDS", 10)) * time.Second
	bins := []string{build(t)}
	if vs := os.Getenv("TRACEHOUND_BENCH_VS"); vs != "" {
		abs, err := filepath.Abs(vs)
		if err != nil {
			t.Fatal(err)
		}
		bins = append(bins, abs)
	}
	for _, rate := range []int{20, 100} {
		got := make([][]float64, len(bins))
		for range runs {
			for i, bin := range bins {
				got[i] = append(got[i], streamCPU(t, bin, rate, window))
			}
		}
		for i, bin := range bins {
			t.Logf("%3d tok/s  %-40s  runs %s  median %.1f %% of a core", rate, bin, percents(got[i]), median(got[i]))
		}
		if len(bins) == 2 {
			t.Logf("%3d tok/s  ratio of the medians (this build / the other): %.3f", rate, median(got[0])/median(got[1]))
		}
	}
}

// streamCPU runs bin on the demo with a model streaming at rate tokens a
// second and returns its CPU use over window, in percent of one core.
func streamCPU(t *testing.T, bin string, rate int, window time.Duration) float64 {
	t.Helper()
	words := rate * int(window/time.Second+6)
	asked := make(chan struct{})
	var once sync.Once
	srv := llmtest.NewServer(t, llmtest.Text(llmtest.LongMarkdown(words)).Rate(float64(rate)).Expect(func(llmtest.Request) error {
		once.Do(func() { close(asked) })
		return nil
	})).Forever(llmtest.Hang())
	env := append(stateEnv(t), "OPENAI_BASE_URL="+srv.URL(), "OPENAI_API_KEY=test-key", "TRACEHOUND_MODEL=gpt-test")
	tm := start(t, 140, 45, env, bin+" --demo")
	defer tm.run("kill-server")
	tm.waitText("STOREFRONT-4Z", "Exception")
	tm.keys("a")
	select {
	case <-asked:
	case <-time.After(20 * time.Second):
		t.Fatalf("the model was not asked within 20 s; the screen:\n%s", tm.screen())
	}
	tm.waitText("Why the checkout fails")
	pid := tm.programPID(bin)
	cpu0, wall0 := procCPU(t, pid), time.Now()
	time.Sleep(window)
	cpu, wall := procCPU(t, pid)-cpu0, time.Since(wall0)
	if s := tm.screen(); !strings.Contains(s, "investigating") {
		t.Fatalf("the answer was not streaming at the end of the window; the screen:\n%s", s)
	}
	return 100 * cpu.Seconds() / wall.Seconds()
}

// programPID is the pid of the process running bin in the session (a
// child of the pane's shell).
func (tm *term) programPID(bin string) int {
	tm.t.Helper()
	shell := strings.TrimSpace(tm.run("list-panes", "-t", "e2e", "-F", "#{pane_pid}"))
	tasks, _ := filepath.Glob("/proc/" + shell + "/task/*/children")
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		for _, c := range strings.Fields(string(b)) {
			if exe, err := os.Readlink("/proc/" + c + "/exe"); err == nil && filepath.Base(exe) == filepath.Base(bin) {
				pid, _ := strconv.Atoi(c)
				return pid
			}
		}
	}
	tm.t.Fatalf("no process of %s under the pane's shell %s", bin, shell)
	return 0
}

// procCPU is the user+sys time of every thread of pid.
func procCPU(t *testing.T, pid int) time.Duration {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// The fields after the command name (in parentheses, which may hold
	// spaces): utime and stime are the 14th and 15th of the line.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticks
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func percents(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.1f", x)
	}
	return strings.Join(parts, " ")
}
