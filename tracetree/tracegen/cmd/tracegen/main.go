// Command tracegen writes a generated trace as a dataset directory, for
// benchmarks and manual runs on huge traces:
//
//	go run ./tracetree/tracegen/cmd/tracegen -preset 1m -out /tmp/trace1m
//	tracehound TRACE_ID --data /tmp/trace1m
//
// It prints the trace id (and, with -v, the sizes) on stdout.
package main

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/tracehound/tracehound/tracetree/tracegen"
)

func main() {
	preset := flag.String("preset", "100k", "the trace: "+strings.Join(slices.Sorted(maps.Keys(tracegen.Presets)), ", "))
	out := flag.String("out", "", "the dataset directory to write (created)")
	verbose := flag.Bool("v", false, "also print the spans, transactions, errors and JSON bytes")
	flag.Parse()
	cfg, ok := tracegen.Presets[*preset]
	if !ok || *out == "" || flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "usage: tracegen -preset %s -out DIR\n", strings.Join(slices.Sorted(maps.Keys(tracegen.Presets)), "|"))
		os.Exit(2)
	}
	r := tracegen.Generate(cfg())
	path, err := tracegen.WriteDataset(*out, r)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tracegen:", err)
		os.Exit(1)
	}
	fmt.Println(r.TraceID)
	if *verbose {
		fmt.Fprintf(os.Stderr, "%s: %d spans, %d transactions, %d errors, %d bytes of JSON\n", path, r.Spans, r.Transactions, r.Errors, len(r.JSON()))
	}
}
