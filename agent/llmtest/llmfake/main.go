// Command llmfake serves the scripted OpenAI-compatible server of package
// llmtest on an address, to try tracehound's real binary against a
// misbehaving model by hand:
//
//	go run ./agent/llmtest/llmfake -addr 127.0.0.1:21700 -behave prose
//	OPENAI_BASE_URL=http://127.0.0.1:21700/v1 tracehound analyze --demo --model m
//
// Every request gets the same behaviour, forever (see -h for the list).
// -behave stream streams a long markdown answer of -tokens words at -rate
// tokens a second, to watch (and measure) streaming in the explorer:
//
//	go run ./agent/llmtest/llmfake -behave stream -rate 100 -tokens 3000
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"sort"
	"strings"

	"github.com/tracehound/tracehound/agent/llmtest"
)

// prose is what a small local model says instead of calling the tools.
const prose = "Looking at the trace, the storefront's checkout fails because payments is refused by auth-service: " +
	"the signature check in internal/signing/canonical.go (CanonicalRequest) signs the RequestURI including the query string, " +
	"while the caller signs only the path, so every request with a query gets a signature mismatch (ServiceAuthError). " +
	"The root cause is in auth-service's CanonicalRequest; fix it by signing the path only."

// Flags of the stream behaviour.
var (
	rate   = flag.Float64("rate", 100, "stream: tokens a second")
	tokens = flag.Int("tokens", 3000, "stream: words in the answer (one a token)")
)

var behaviours = map[string]struct {
	what  string
	setup func(*llmtest.Server)
}{
	"stream": {"streams a long markdown answer (headings, lists, code, a table) of -tokens words at -rate tokens a second",
		func(s *llmtest.Server) { s.Forever(llmtest.Text(llmtest.LongMarkdown(*tokens)).Rate(*rate)) }},
	"prose": {"answers every request in prose, never calls a tool, ignores tool_choice and response_format",
		func(s *llmtest.Server) { s.Forever(llmtest.Text(prose)) }},
	"prose-strict": {"answers in prose and rejects tool_choice and response_format with 400",
		func(s *llmtest.Server) { s.Forever(llmtest.Text(prose)).RejectToolChoice().RejectResponseFormat() }},
	"stall": {"sends the stream's headers, then nothing", func(s *llmtest.Server) { s.Forever(llmtest.Headers().Hang()) }},
	"stall-mid": {"sends a few words, then nothing", func(s *llmtest.Server) {
		s.Forever(llmtest.Text("Looking at the trace, the checkout").Hang())
	}},
	"big": {"streams 2 MB of text in 4 KB chunks", func(s *llmtest.Server) {
		chunk := strings.Repeat("ramble ", 585) + "\n"
		chunks := make([]string, 512)
		for i := range chunks {
			chunks[i] = chunk
		}
		s.Forever(llmtest.TextChunks(chunks...))
	}},
	"unknown-tool": {"calls get_everything (which does not exist) forever", func(s *llmtest.Server) {
		s.Forever(llmtest.Text("Let me get everything.").Tool("get_everything", `{}`))
	}},
	"html":      {"answers 200 with an HTML page", func(s *llmtest.Server) { s.Forever(llmtest.HTML("<html><body>Sign in</body></html>")) }},
	"malformed": {"sends a malformed SSE chunk", func(s *llmtest.Server) { s.Forever(llmtest.Text("Looking").Malformed()) }},
}

type logT struct{}

func (logT) Helper()                        {}
func (logT) Errorf(format string, a ...any) { log.Printf(format, a...) }
func (logT) Cleanup(func())                 {}

func main() {
	addr := flag.String("addr", "127.0.0.1:21700", "address to listen on")
	behave := flag.String("behave", "prose", "behaviour")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: llmfake [-addr HOST:PORT] [-behave NAME] [-rate N] [-tokens N]\n\nbehaviours:\n")
		var names []string
		for n := range behaviours {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(os.Stderr, "  %-13s %s\n", n, behaviours[n].what)
		}
		fmt.Fprintf(os.Stderr, "\nflags:\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	b, ok := behaviours[*behave]
	if !ok {
		flag.Usage()
		os.Exit(2)
	}
	srv := llmtest.NewInProcess(logT{})
	b.setup(srv)
	log.Printf("llmfake: %s on http://%s/v1", b.what, *addr)
	log.Fatal(http.ListenAndServe(*addr, srv.Handler()))
}
