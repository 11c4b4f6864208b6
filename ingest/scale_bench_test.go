package ingest

// Whole-path benchmarks of the store at scale (issue 14): reads right
// after a write at 100 and 100,000 stored items, and ingest throughput
// with 4 concurrent senders over real HTTP on loopback. They use only the
// package's exported API, so the same file runs against an older build
// for a before/after. Not run in CI (benchmarks never are).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// scaleTrace is the items of synthetic trace i: a transaction with
// spans spans and an error of one of issues error types (so the number
// of issues grows with the store too).
func scaleTrace(i, spans, issues int) []Item {
	trace := fmt.Sprintf("%032x", 0xbe000000+i)
	root := fmt.Sprintf("%016x", 0x1000000+i)
	var sp []string
	for j := range spans {
		sp = append(sp, fmt.Sprintf(`{"span_id":"%016x","parent_span_id":%q,"op":"db","description":"SELECT %d","start_timestamp":1700000000.1,"timestamp":1700000000.2,"trace_id":%q}`, 0x2000000+i*64+j, root, j, trace))
	}
	status := "ok" // one in 7 failed
	if i%7 == 0 {
		status = "internal_error"
	}
	tx := fmt.Sprintf(`{"event_id":"%032x","type":"transaction","platform":"go","transaction":"GET /items/%d",
"start_timestamp":%d.0,"timestamp":%d.25,
"contexts":{"trace":{"trace_id":%q,"span_id":%q,"op":"http.server","status":%q}},
"spans":[%s]}`, 0xa0000000+i, i%10, 1700000000+i, 1700000000+i, trace, root, status, strings.Join(sp, ","))
	ev := fmt.Sprintf(`{"event_id":"%032x","platform":"go","timestamp":%d.5,"level":"error",
"contexts":{"trace":{"trace_id":%q,"span_id":%q}},
"exception":{"values":[{"type":"E%d","value":"boom","stacktrace":{"frames":[
 {"function":"main","module":"main","filename":"main.go","lineno":10,"in_app":true},
 {"function":"Charge","module":"shop/payments","filename":"payments/charge.go","lineno":42,"in_app":true}]}}]}}`,
		0xe0000000+i, 1700000000+i, trace, root, i%max(issues, 1))
	return []Item{{Type: "transaction", Payload: []byte(tx)}, {Type: "event", Payload: []byte(ev)}}
}

func scaleEnvelope(items []Item) []byte {
	var b bytes.Buffer
	b.WriteString("{}\n")
	for _, it := range items {
		fmt.Fprintf(&b, `{"type":%q,"length":%d}`+"\n%s\n", it.Type, len(it.Payload), it.Payload)
	}
	return b.Bytes()
}

// BenchmarkReadAfterWrite is what `tracehound --local` asks right after
// an envelope arrived — the latest issue, that issue, its recommended
// event and the new event's trace — over HTTP, with 100 and with 100,000
// items stored. read-ms/op counts the four reads only (not the write).
// discover-ms/op is the search compare (compare --local, the agent's
// compare_with_healthy) then makes: Discover's events endpoint for healthy
// transactions of the new transaction's name in other traces.
func BenchmarkReadAfterWrite(b *testing.B) {
	for _, n := range []int{100, 100_000} {
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			st, err := Open(filepath.Join(b.TempDir(), "db"), Retention{})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			p, _ := st.EnsureProject("shop", "go")
			issues := n / 20
			var batch []Item
			for i := range n / 2 {
				batch = append(batch, scaleTrace(i, 0, issues)...)
				if len(batch) >= 2000 || i == n/2-1 {
					if _, err := st.Ingest(p, "", batch); err != nil {
						b.Fatal(err)
					}
					batch = batch[:0]
				}
			}
			srv := httptest.NewServer(NewServer(st, Options{RatePerSecond: 1e9}))
			defer srv.Close()
			c := srv.Client()
			get := func(path string) []byte {
				resp, err := c.Get(srv.URL + path)
				if err != nil {
					b.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != 200 {
					b.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
				}
				return body
			}
			post := func(env []byte) {
				req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/%d/envelope/", srv.URL, p.ID), bytes.NewReader(env))
				req.Header.Set("X-Sentry-Auth", "Sentry sentry_key="+p.Key)
				resp, err := c.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("POST: %d", resp.StatusCode)
				}
			}
			get("/api/0/organizations/local/issues/?limit=1") // warm
			var reads, discover time.Duration
			i := n / 2
			for b.Loop() {
				i++
				post(scaleEnvelope(scaleTrace(i, 0, issues)))
				start := time.Now()
				var list []struct {
					ID string `json:"id"`
				}
				if err := json.Unmarshal(get("/api/0/organizations/local/issues/?limit=1"), &list); err != nil || len(list) != 1 {
					b.Fatalf("latest issue: %v %v", err, list)
				}
				get("/api/0/organizations/local/issues/" + list[0].ID + "/")
				get("/api/0/organizations/local/issues/" + list[0].ID + "/events/recommended/")
				trace := get(fmt.Sprintf("/api/0/organizations/local/trace/%032x/", 0xbe000000+i))
				reads += time.Since(start)
				if !bytes.Contains(trace, []byte(fmt.Sprintf("%032x", 0xa0000000+i))) {
					b.Fatalf("the new trace lacks its transaction: %.200s", trace)
				}
				start = time.Now()
				found := get("/api/0/organizations/local/events/?" + compareSearch(i))
				discover += time.Since(start)
				if !bytes.Contains(found, []byte(fmt.Sprintf(`"GET /items/%d"`, i%10))) {
					b.Fatalf("compare's search found nothing: %.200s", found)
				}
			}
			b.ReportMetric(float64(reads.Microseconds())/1000/float64(b.N), "read-ms/op")
			b.ReportMetric(float64(discover.Microseconds())/1000/float64(b.N), "discover-ms/op")
		})
	}
}

// compareSearch is the query of compare's search for a healthy trace of
// scaleTrace i's transaction (as sentryapi.SearchTransactions sends it).
func compareSearch(i int) string {
	q := url.Values{
		"dataset":     {"transactions"},
		"field":       {"id", "trace", "transaction", "transaction.op", "project", "timestamp", "transaction.status", "transaction.duration"},
		"query":       {fmt.Sprintf(`event.type:transaction transaction:"GET /items/%d" transaction.op:http.server transaction.status:ok !trace:%032x`, i%10, 0xbe000000+i)},
		"sort":        {"-timestamp"},
		"per_page":    {"10"},
		"statsPeriod": {"14d"},
		"project":     {"-1"},
		"referrer":    {"api.tracehound.compare"},
	}
	return q.Encode()
}

// BenchmarkIngestSenders is 4 concurrent senders, each posting
// envelopes one after another (a 10-span transaction and an error each)
// over real HTTP on loopback, each answer awaited before the next send,
// as an SDK's transport does. envelopes/s is the throughput.
func BenchmarkIngestSenders(b *testing.B) {
	const senders = 4
	st, err := Open(filepath.Join(b.TempDir(), "db"), Retention{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	p, _ := st.EnsureProject("shop", "go")
	srv := httptest.NewServer(NewServer(st, Options{RatePerSecond: 1e9}))
	defer srv.Close()
	c := srv.Client()
	c.Transport.(*http.Transport).MaxIdleConnsPerHost = senders
	url := fmt.Sprintf("%s/api/%d/envelope/", srv.URL, p.ID)
	var next atomic.Int64
	send := func() error {
		i := int(next.Add(1))
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(scaleEnvelope(scaleTrace(i, 10, 50))))
		req.Header.Set("X-Sentry-Auth", "Sentry sentry_key="+p.Key)
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("POST: %d", resp.StatusCode)
		}
		return nil
	}
	start, cpu, v0 := time.Now(), processCPU(), st.Version()
	total := 0
	for b.Loop() {
		// One op is 400 envelopes, 100 per sender.
		var wg sync.WaitGroup
		errs := make(chan error, senders)
		for range senders {
			wg.Go(func() {
				for range 100 {
					if err := send(); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
		total += 400
	}
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "envelopes/s")
	// The process's CPU per envelope (server and senders): on this shared
	// machine the throughput is bounded by the CPU share the process gets,
	// which this figure does not depend on.
	b.ReportMetric(float64((processCPU()-cpu).Microseconds())/float64(total), "cpu-µs/envelope")
	// Each commit (a write transaction: two fsyncs) bumps the version.
	b.ReportMetric(float64(st.Version()-v0)/float64(total), "commits/envelope")
}
