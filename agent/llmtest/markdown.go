package llmtest

import (
	"fmt"
	"strings"
)

// LongMarkdown returns a deterministic markdown answer of about words
// white-space separated words (Text streams one per chunk, so about as
// many tokens), written as a model writes a long report: sections with
// headings, paragraphs with bold and inline code, bullet and numbered
// lists (nested, and continued across a blank line), code fences (one
// with a blank line inside), quotes and a table. For streaming benchmarks
// and rendering tests.
func LongMarkdown(words int) string {
	var b strings.Builder
	n := 0
	for section := 1; n < words; section++ {
		s := fmt.Sprintf(mdSection, section, section*7%23, section+1, section*3)
		b.WriteString(s)
		n += len(strings.Fields(s))
	}
	return strings.TrimRight(b.String(), "\n")
}

// mdSection is one section of LongMarkdown (about 230 words).
const mdSection = "## %d. Why the checkout fails\n\n" +
	"The **payments** service answers `500` because `auth-service` rejects its signature: the canonical request " +
	"changed in release v2.14.%d, and every request with a query string is refused. The error rate went from " +
	"0.1 %% to 38 %% within a minute of the deploy, which matches the trace: the storefront's `POST /checkout` " +
	"waits on payments, which waits on auth, which answers 401 after 3 ms.\n\n" +
	"### What the trace shows\n\n" +
	"- storefront `POST /checkout` — 1.2 s, status `internal_error`\n" +
	"  - payments `POST /charge` — 1.1 s, retried %d times\n" +
	"    - auth `POST /verify` — 3 ms, 401 `signature mismatch`\n" +
	"- inventory `GET /reserve` — 40 ms, fine\n\n" +
	"  The retries add latency but no new information; the first 401 is the cause.\n\n" +
	"1. Open the error event `214e70f1` and read the frames of `CanonicalRequest`.\n" +
	"2. Compare the string to sign on both sides: the caller signs the path, the verifier the `RequestURI`.\n" +
	"3. Check the release diff of `internal/signing/canonical.go` (%d lines changed).\n\n" +
	"```go\n" +
	"func CanonicalRequest(r *http.Request) string {\n" +
	"\t// Since v2.14.0 the query string is signed too.\n" +
	"\treturn r.Method + \"\\n\" + r.URL.RequestURI()\n" +
	"\n" +
	"\t// Before: r.Method + \"\\n\" + r.URL.Path\n" +
	"}\n" +
	"```\n\n" +
	"> The verifier and the signer must agree on the canonical form; a change on one side only breaks every " +
	"request that differs between the two forms, here every request with a query string.\n\n" +
	"| service | p50 | p99 | errors |\n" +
	"| --- | --- | --- | --- |\n" +
	"| storefront | 180 ms | 1.4 s | 38 %% |\n" +
	"| payments | 150 ms | 1.2 s | 38 %% |\n" +
	"| auth | 2 ms | 5 ms | 0 %% |\n\n" +
	"So the fix belongs in `auth-service`: sign the path only, as the callers do, or roll the release back and " +
	"add a test that signs a request with a query string on both sides.\n\n"
