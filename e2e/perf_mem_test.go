package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tracehound/tracehound/tracetree/tracegen"
)

// The memory and huge-trace benchmarks (issue 14 goals 3 and 5; results in
// BENCHMARKS.md, "Memory" and "Huge traces"). Each runs the real binary
// as a child process on a generated dataset and reports the child's peak
// RSS (getrusage), its CPU time and the wall time:
//
//	go test ./e2e -run XXX -bench 'TreeMemory|DecodeBaseline' -benchtime 3x
//	TRACEHOUND_BENCH_BIN=/tmp/old/tracehound go test ./e2e -run XXX -bench TreeMemory100k -benchtime 3x
//
// TRACEHOUND_BENCH_BIN runs another build (say, the one before a change)
// on the same data. The 1M-span dataset (475 MB) is generated at benchmark
// time, never committed.

func BenchmarkTreeMemory100k(b *testing.B) { benchTree(b, tracegen.Default100k()) }
func BenchmarkTreeMemory1M(b *testing.B)   { benchTree(b, tracegen.Default1M()) }

// BenchmarkDecodeBaseline100k is the like-for-like baseline: the same JSON
// library decoding the same file into the same typed structs, in a
// program that does nothing else (internal/memprobe), whole file first
// (read) or from the file (stream).
func BenchmarkDecodeBaseline100k(b *testing.B) {
	for _, mode := range []string{"read", "stream"} {
		b.Run(mode, func(b *testing.B) {
			dir, traceID, size := genDataset(b, tracegen.Default100k())
			probe := filepath.Join(b.TempDir(), "memprobe")
			if out, err := exec.Command("go", "build", "-o", probe, "../internal/memprobe").CombinedOutput(); err != nil {
				b.Fatalf("go build: %v\n%s", err, out)
			}
			file := filepath.Join(dir, "traces", traceID+".json")
			runChild(b, size, probe, "-mode", mode, file)
		})
	}
}

// genDataset writes the trace of cfg as a dataset and returns its directory,
// the trace id and the size of the trace's JSON.
func genDataset(b *testing.B, cfg tracegen.Config) (string, string, int) {
	b.Helper()
	dir := b.TempDir()
	res := tracegen.Generate(cfg)
	if _, err := tracegen.WriteDataset(dir, res); err != nil {
		b.Fatal(err)
	}
	id, size := res.TraceID, len(res.JSON())
	res = nil
	runtime.GC() // the generator's memory is not the child's, but the machine's
	return dir, id, size
}

func benchTree(b *testing.B, cfg tracegen.Config) {
	bin := os.Getenv("TRACEHOUND_BENCH_BIN")
	if bin == "" {
		bin = build(b)
	}
	dir, traceID, size := genDataset(b, cfg)
	stdout := runChild(b, size, bin, "tree", traceID, "--data", dir)
	if !strings.Contains(stdout, "Trace "+traceID) {
		b.Fatalf("tree printed no trace:\n%.500s", stdout)
	}
}

// runChild runs the command b.N times and reports the worst peak RSS (in
// MiB and per JSON byte), the mean CPU time and the mean wall time.
//
// The child is run under GNU time (/usr/bin/time), which forks it from a
// small process: Linux counts in a child's peak RSS the memory of the
// process it was forked from (Go's exec shares the parent's memory until
// the child's exec), so getrusage of a child of this test binary would
// report the test binary's size.
func runChild(b *testing.B, jsonBytes int, name string, args ...string) string {
	b.Helper()
	gnuTime, err := exec.LookPath("/usr/bin/time")
	if err != nil {
		b.Skip("needs GNU time at /usr/bin/time (apt-get install time) to measure a child's peak RSS")
	}
	var peak int64
	var cpu, wall time.Duration
	var stdout bytes.Buffer
	report := filepath.Join(b.TempDir(), "time.txt")
	b.ResetTimer()
	for b.Loop() {
		stdout.Reset()
		var stderr bytes.Buffer
		cmd := exec.Command(gnuTime, append([]string{"-o", report, "-f", "%M %U %S", name}, args...)...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("%s: %v\n%s", name, err, stderr.Bytes())
		}
		wall += time.Since(start)
		raw, err := os.ReadFile(report)
		if err != nil {
			b.Fatal(err)
		}
		var kib int64
		var user, sys float64
		if _, err := fmt.Sscan(string(raw), &kib, &user, &sys); err != nil {
			b.Fatalf("time's report %q: %v", raw, err)
		}
		peak = max(peak, kib*1024)
		cpu += time.Duration((user + sys) * float64(time.Second))
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
	b.ReportMetric(float64(peak)/float64(jsonBytes), "peak-RSS-x-JSON")
	b.ReportMetric(cpu.Seconds()/n, "cpu-s/op")
	b.ReportMetric(wall.Seconds()/n, "wall-s/op")
	return stdout.String()
}
