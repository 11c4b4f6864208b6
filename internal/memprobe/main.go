// Command memprobe is the like-for-like baseline of the memory benchmark
// (BENCHMARKS.md, "Memory"): it decodes a trace file into the project's
// typed structs (wire.Trace) with the project's JSON library
// (github.com/go-json-experiment/json, wire's options) and nothing else,
// so that its peak RSS is what the decoding itself needs:
//
//	memprobe -mode read FILE    # os.ReadFile, then json.Unmarshal
//	memprobe -mode stream FILE  # json.UnmarshalRead from the open file
//
// It prints the number of top-level items and the live heap after a GC.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

func main() {
	mode := flag.String("mode", "read", "read (the whole file, then decode) or stream (decode from the file)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: memprobe -mode read|stream FILE")
		os.Exit(2)
	}
	opts := json.JoinOptions(jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
	var tr wire.Trace
	var err error
	switch *mode {
	case "read":
		var data []byte
		if data, err = os.ReadFile(flag.Arg(0)); err == nil {
			err = json.Unmarshal(data, &tr, opts)
		}
	case "stream":
		var f *os.File
		if f, err = os.Open(flag.Arg(0)); err == nil {
			err = json.UnmarshalRead(f, &tr, opts)
			f.Close()
		}
	default:
		err = fmt.Errorf("unknown mode %q", *mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "memprobe:", err)
		os.Exit(1)
	}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	fmt.Printf("%d items, %d MiB live\n", len(tr), m.HeapAlloc>>20)
	runtime.KeepAlive(tr)
}
