package tracetree

import (
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo"
)

const (
	pfDemoProfile = "profiles/payments/7abf05618b4455f9cc7d5ea4a986e312.json"
	pfDemoChunk   = "chunks/9408ebd106f566cd2595ccbb6e7a24a1/3323f8b87e4a5224c78c0a41b1a6936b.json"
	pfDemoGwTxn   = "events/api-gateway/1fdbda141bc53dd1b130ba1ba0b06967.json"
	pfDemoPayErr  = "events/payments/0bae00036f60844109f6674d1cae98b9.json"
	pfDemoGwErr   = "events/api-gateway/41da8e730b5124445d5233301957103d.json"
)

func pfDemoPayments(t testing.TB) *wire.Profile {
	t.Helper()
	p := new(wire.Profile)
	evDemoDecode(t, pfDemoProfile, p)
	return p
}

func pfDemoGatewayChunk(t testing.TB) (*wire.ProfileChunk, *wire.Event) {
	t.Helper()
	ch := new(wire.ProfileChunk)
	evDemoDecode(t, pfDemoChunk, ch)
	return ch, evDemoEvent(t, pfDemoGwTxn)
}

func TestProfileDemoGolden(t *testing.T) {
	rel := RelevantFunctions(evDemoEvent(t, pfDemoPayErr))
	pt, err := BuildProfile(pfDemoPayments(t), ProfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "profile_payments.txt", pt.Text(ProfileOptions{RelevantFunctions: rel}))

	ch, txn := pfDemoGatewayChunk(t)
	ct, err := BuildChunkProfile(ch, txn.StartTimestamp, txn.EndTimestamp, ProfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "profile_api_gateway_chunk.txt", ct.Text(ProfileOptions{RelevantFunctions: RelevantFunctions(evDemoEvent(t, pfDemoGwErr))}))
}

func TestProfileFixtureGolden(t *testing.T) {
	for _, tc := range []struct {
		golden, path string
		chunk        bool
	}{
		{"profile_fixture_vroom_node.txt", "profiles/vroom-node.json", false},
		{"profile_fixture_relay_v1.txt", "profiles/relay-sample-v1-valid.json", false},
		{"profile_fixture_relay_v2.txt", "profiles/relay-sample-v2-valid.json", true},
		{"profile_fixture_chunk.txt", "api/profile-chunk.json", true},
		{"profile_fixture_transaction_v1.txt", "api/transaction-profile-v1.json", false},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			var pt *ProfileTree
			var err error
			if tc.chunk {
				var resp wire.ChunkResponse
				evFixture(t, tc.path, &resp)
				ch := resp.Merged()
				if ch == nil {
					ch = new(wire.ProfileChunk)
					evFixture(t, tc.path, ch)
				}
				pt, err = BuildChunkProfile(ch, 0, 0, ProfileOptions{})
			} else {
				p := new(wire.Profile)
				evFixture(t, tc.path, p)
				pt, err = BuildProfile(p, ProfileOptions{})
			}
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.golden, pt.Text(ProfileOptions{}))
		})
	}
}

func pfDecode(t testing.TB, js string) *wire.Profile {
	t.Helper()
	p := new(wire.Profile)
	if err := wire.Decode([]byte(js), p); err != nil {
		t.Fatalf("test profile: %v", err)
	}
	return p
}

// pfHandMade: thread 1 (no app code, many samples), thread 2 (app code);
// frames 0 main (app) → 1 handle (app) → 2 requests.get (sys) → 3
// socket.recv (sys); 4 loop (sys); 5 compute (app).
const pfHandMade = `{"event_id":"0123456789abcdef0123456789abcdef","version":"1","platform":"python",
 "profile":{"frames":[
   {"function":"main","filename":"app/main.py","lineno":3,"in_app":true},
   {"function":"handle","filename":"app/handler.py","lineno":10,"in_app":true},
   {"function":"get","module":"requests.api","filename":"requests/api.py","lineno":73,"in_app":false},
   {"function":"recv","module":"socket","filename":"socket.py","lineno":700,"in_app":false},
   {"function":"loop","module":"selectors","filename":"selectors.py","lineno":4,"in_app":false},
   {"function":"compute","filename":"app/handler.py","lineno":20,"in_app":true}],
  "stacks":[[3,2,1,0],[5,1,0],[4],[1,0]],
  "samples":[
   {"stack_id":2,"thread_id":1,"elapsed_since_start_ns":0},
   {"stack_id":2,"thread_id":1,"elapsed_since_start_ns":10000000},
   {"stack_id":2,"thread_id":1,"elapsed_since_start_ns":20000000},
   {"stack_id":2,"thread_id":1,"elapsed_since_start_ns":30000000},
   {"stack_id":2,"thread_id":1,"elapsed_since_start_ns":40000000},
   {"stack_id":0,"thread_id":2,"elapsed_since_start_ns":0},
   {"stack_id":0,"thread_id":2,"elapsed_since_start_ns":10000000},
   {"stack_id":1,"thread_id":2,"elapsed_since_start_ns":30000000},
   {"stack_id":3,"thread_id":2,"elapsed_since_start_ns":40000000}],
  "thread_metadata":{"1":{"name":"Loop"},"2":{"name":"Worker"}}}}`

func TestProfileThreadChoiceAndWeights(t *testing.T) {
	pt, err := BuildProfile(pfDecode(t, pfHandMade), ProfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pt.Thread.ID != "2" || !strings.Contains(pt.ThreadReason, "most samples in app code") {
		t.Errorf("chose thread %s (%s); want 2, the one with app code", pt.Thread.ID, pt.ThreadReason)
	}
	// Weights: 10 + 20 + 10 + median(10,20,10)=10 → 50ms.
	if pt.TotalMS != 50 || pt.IntervalMS != 10 {
		t.Errorf("total %v, interval %v; want 50 and 10", pt.TotalMS, pt.IntervalMS)
	}
	text := pt.Text(ProfileOptions{})
	for _, want := range []string{
		"thread Worker (id 2), the thread with the most samples in app code (4 of 4): 4 samples ~10ms apart, 50ms",
		"other threads: Loop 5 samples (no app code)",
		"└─ main (app/main.py:3) 50ms 100%",
		"└─ handle (app/handler.py:10) 50ms 100%, self 10ms",
		"├─ + 2 system frames 30ms 60%: requests.api.get → socket.recv",
		"└─ compute (app/handler.py:20) 10ms 20%, self 10ms",
		"30ms  60%  socket.recv (socket.py:700) ← handle (app/handler.py)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q:\n%s", want, text)
		}
	}

	// The transaction's active thread wins; an explicit ThreadID wins over it.
	withActive := strings.Replace(pfHandMade, `"version":"1",`, `"version":"1","transaction":{"name":"/x","active_thread_id":1},`, 1)
	pt, err = BuildProfile(pfDecode(t, withActive), ProfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pt.Thread.ID != "1" || pt.ThreadReason != "the transaction's active thread" || !pt.AllFrames {
		t.Errorf("active thread: got %s (%s), all frames %v", pt.Thread.ID, pt.ThreadReason, pt.AllFrames)
	}
	if text := pt.Text(ProfileOptions{}); !strings.Contains(text, "no frame on this thread is app code") || !strings.Contains(text, "selectors.loop") && !strings.Contains(text, "loop (selectors.py:4)") {
		t.Errorf("a thread without app code should show all its frames:\n%s", text)
	}
	pt, err = BuildProfile(pfDecode(t, withActive), ProfileOptions{ThreadID: "2"})
	if err != nil || pt.Thread.ID != "2" || pt.ThreadReason != "chosen by the caller" {
		t.Errorf("ThreadID 2: %v %+v", err, pt)
	}
	if _, err := BuildProfile(pfDecode(t, pfHandMade), ProfileOptions{ThreadID: "99"}); err == nil || !strings.Contains(err.Error(), "2 (Worker)") {
		t.Errorf("unknown thread: %v (should list the threads)", err)
	}
	missing := strings.Replace(pfHandMade, `"version":"1",`, `"version":"1","transaction":{"active_thread_id":77},`, 1)
	pt, err = BuildProfile(pfDecode(t, missing), ProfileOptions{})
	if err != nil || pt.Thread.ID != "2" || !strings.Contains(pt.Text(ProfileOptions{}), "active thread 77 has no samples") {
		t.Errorf("absent active thread: %v", err)
	}
}

func TestProfileStringNumbers(t *testing.T) {
	js := `{"event_id":"e","version":"1","platform":"python","transactions":[{"name":"t","active_thread_id":"2"}],
	 "profile":{"frames":[{"function":"work","filename":"app/w.py","lineno":"7","in_app":true}],"stacks":[[0]],
	  "samples":[{"stack_id":"0","thread_id":"2","elapsed_since_start_ns":"1000000"},{"stack_id":"0","thread_id":"2","elapsed_since_start_ns":"21000000"}]}}`
	pt, err := BuildProfile(pfDecode(t, js), ProfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pt.Thread.ID != "2" || pt.ThreadReason != "the transaction's active thread" || pt.TotalMS != 40 {
		t.Errorf("string-typed numbers: thread %s (%s), total %v", pt.Thread.ID, pt.ThreadReason, pt.TotalMS)
	}
	if text := pt.Text(ProfileOptions{}); !strings.Contains(text, "work (app/w.py:7) 40ms 100%, self 40ms") {
		t.Errorf("got:\n%s", text)
	}
	// The relay fixture sends every number as a string.
	p := new(wire.Profile)
	evFixture(t, "profiles/relay-sample-v1-valid.json", p)
	pt, err = BuildProfile(p, ProfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pt.Thread.ID != "1" || pt.Thread.Samples != 4 || pt.TotalMS != 40 {
		t.Errorf("relay v1: thread %s, %d samples, %vms", pt.Thread.ID, pt.Thread.Samples, pt.TotalMS)
	}
}

func TestProfileWindowingMarksRelevantFunctions(t *testing.T) {
	rel := RelevantFunctions(evDemoEvent(t, pfDemoPayErr))
	if strings.Join(rel, ",") != "introspect,create_charge" {
		t.Fatalf("RelevantFunctions(payments error) = %v", rel)
	}
	pt, err := BuildProfile(pfDemoPayments(t), ProfileOptions{RelevantFunctions: rel})
	if err != nil {
		t.Fatal(err)
	}
	text := pt.Text(ProfileOptions{})
	for _, want := range []string{
		"◀ marks functions in the error's stack: create_charge; not sampled: introspect",
		"├─ create_charge (payments/charges.py:25) 410ms 87% ◀",
		"score_transaction (payments/risk.py:23)",
		"_jaccard (payments/risk.py:55)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q:\n%s", want, text)
		}
	}
	// Under a tight budget the relevant path survives.
	small := pt.Text(ProfileOptions{Budget: 220})
	if CountTokens(small) > 220 || !strings.Contains(small, "create_charge (payments/charges.py:25)") || !strings.Contains(small, "◀") {
		t.Errorf("budget 220 lost the relevant path (%d tokens):\n%s", CountTokens(small), small)
	}
}

// pfWide is an app tree: root → handler → {a, b, c}, each with children;
// the relevant function sits under b.
func pfWide(t testing.TB) *wire.Profile {
	t.Helper()
	frames := []string{
		`{"function":"handler","filename":"app/h.py","lineno":1,"in_app":true}`,
		`{"function":"branch_a","filename":"app/a.py","lineno":1,"in_app":true}`,
		`{"function":"leaf_a","filename":"app/a.py","lineno":9,"in_app":true}`,
		`{"function":"branch_b","filename":"app/b.py","lineno":1,"in_app":true}`,
		`{"function":"target","filename":"app/b.py","lineno":5,"in_app":true}`,
		`{"function":"branch_c","filename":"app/c.py","lineno":1,"in_app":true}`,
		`{"function":"leaf_c","filename":"app/c.py","lineno":9,"in_app":true}`,
		`{"function":"leaf_b","filename":"app/b.py","lineno":9,"in_app":true}`,
	}
	stacks := `[[2,1,0],[4,3,0],[6,5,0],[7,3,0]]`
	var samples []string
	counts := []int{40, 10, 30, 5} // a: 40 samples, target 10, c 30, leaf_b 5
	ns := 0
	for s, n := range counts {
		for i := 0; i < n; i++ {
			samples = append(samples, fmt.Sprintf(`{"stack_id":%d,"thread_id":5,"elapsed_since_start_ns":%d}`, s, ns))
			ns += 1_000_000
		}
	}
	return pfDecode(t, `{"event_id":"f","version":"1","profile":{"frames":[`+strings.Join(frames, ",")+`],"stacks":`+stacks+`,"samples":[`+strings.Join(samples, ",")+`]}}`)
}

func TestProfileWindowingElidesTheRest(t *testing.T) {
	pt, err := BuildProfile(pfWide(t), ProfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	full := pt.Text(ProfileOptions{})
	if !strings.Contains(full, "leaf_a") || !strings.Contains(full, "leaf_c") {
		t.Fatalf("without relevant functions everything shows:\n%s", full)
	}
	text := pt.Text(ProfileOptions{RelevantFunctions: []string{"target", "not_there"}})
	for _, want := range []string{
		"◀ marks functions in the error's stack: target; not sampled: not_there",
		"branch_b (app/b.py:1) 15ms 18%",
		"target (app/b.py:5) 10ms 12%, self 10ms ◀",
		"leaf_b (app/b.py:9)",            // sibling of the marked node
		"branch_a (app/a.py:1) 40ms 47%", // sibling of the path, its line kept
		"… 1 more (40ms)",                // and its children elided
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q:\n%s", want, text)
		}
	}
	if tree, _, _ := strings.Cut(text, "Hottest"); strings.Contains(tree, "leaf_a") || strings.Contains(tree, "leaf_c") {
		t.Errorf("children of context nodes should be elided:\n%s", text)
	}
}

func TestProfileSystemFoldingCounts(t *testing.T) {
	// app → 3 system frames (requests → urllib3 → socket), twice, plus app →
	// urllib3 → ssl once: 4 distinct system functions folded into app.
	js := `{"event_id":"f","version":"1","profile":{"frames":[
	 {"function":"fetch","filename":"app/f.py","lineno":3,"in_app":true},
	 {"function":"get","module":"requests.api","in_app":false},
	 {"function":"urlopen","module":"urllib3.connectionpool","in_app":false},
	 {"function":"readinto","module":"socket","in_app":false},
	 {"function":"read","module":"ssl","in_app":false}],
	 "stacks":[[3,2,1,0],[4,2,0]],
	 "samples":[{"stack_id":0,"thread_id":1,"elapsed_since_start_ns":0},{"stack_id":0,"thread_id":1,"elapsed_since_start_ns":10000000},
	  {"stack_id":1,"thread_id":1,"elapsed_since_start_ns":20000000}]}}`
	pt, err := BuildProfile(pfDecode(t, js), ProfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := pt.Root.Children[0]
	if n.Function != "fetch" || n.System == nil || n.System.Frames != 4 || n.System.TotalMS != 30 || n.SelfMS != 0 {
		t.Fatalf("folding: %+v %+v", n, n.System)
	}
	text := pt.Text(ProfileOptions{})
	if !strings.Contains(text, "+ 4 system frames 30ms 100%: requests.api.get → … → socket.readinto") {
		t.Errorf("folded line:\n%s", text)
	}
	if !strings.Contains(text, "20ms  67%  socket.readinto ← fetch (app/f.py)") || !strings.Contains(text, "10ms  33%  ssl.read ← fetch (app/f.py)") {
		t.Errorf("system hot list:\n%s", text)
	}
}

func TestProfileChunkWindow(t *testing.T) {
	ch, txn := pfDemoGatewayChunk(t)
	// A window inside the chunk keeps only its samples and clips the last.
	start := wire.Timestamp(1795144344.0086)
	end := wire.Timestamp(1795144344.0500)
	pt, err := BuildChunkProfile(ch, start, end, ProfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pt.Thread.Samples != 5 || math.Abs(pt.TotalMS-41.4) > 0.01 {
		t.Errorf("window: %d samples, %.3fms; want 5 samples, 41.4ms", pt.Thread.Samples, pt.TotalMS)
	}
	full, err := BuildChunkProfile(ch, txn.StartTimestamp, txn.EndTimestamp, ProfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := float64(txn.EndTimestamp-txn.StartTimestamp) * 1000; math.Abs(full.TotalMS-want) > 0.01 {
		t.Errorf("the transaction's window: %.3fms of profile, want %.3fms", full.TotalMS, want)
	}
	if _, err := BuildChunkProfile(ch, 1, 2, ProfileOptions{}); err == nil || !strings.Contains(err.Error(), "inside the window") {
		t.Errorf("window outside the chunk: %v", err)
	}
	if _, err := BuildChunkProfile(ch, end, start, ProfileOptions{}); err == nil {
		t.Error("reversed window accepted")
	}
}

func TestProfileMalformed(t *testing.T) {
	base := `{"event_id":"e","version":"1","profile":{"frames":[{"function":"f","filename":"app/f.py","in_app":true}],"stacks":[[0]],"samples":%s}}`
	for _, tc := range []struct {
		name, samples, wantErr, wantNote string
	}{
		{"no samples", `[]`, "no samples", ""},
		{"stack out of range", `[{"stack_id":4,"thread_id":1,"elapsed_since_start_ns":0},{"stack_id":-1,"thread_id":1,"elapsed_since_start_ns":5}]`, "2 samples refer to stacks that do not exist", ""},
		{"one sample", `[{"stack_id":0,"thread_id":1,"elapsed_since_start_ns":0}]`, "only 1 usable sample", ""},
		{"same time", `[{"stack_id":0,"thread_id":1,"elapsed_since_start_ns":7},{"stack_id":0,"thread_id":1,"elapsed_since_start_ns":7}]`, "same time", ""},
		{"negative time", `[{"stack_id":0,"thread_id":1,"elapsed_since_start_ns":-5},{"stack_id":0,"thread_id":1,"elapsed_since_start_ns":0},{"stack_id":0,"thread_id":1,"elapsed_since_start_ns":1000000}]`, "", "1 sample with a negative time dropped"},
		{"some stacks bad", `[{"stack_id":9,"thread_id":1,"elapsed_since_start_ns":0},{"stack_id":0,"thread_id":1,"elapsed_since_start_ns":0},{"stack_id":0,"thread_id":1,"elapsed_since_start_ns":1000000}]`, "", "1 sample refer to stacks that do not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pt, err := BuildProfile(pfDecode(t, fmt.Sprintf(base, tc.samples)), ProfileOptions{})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if text := pt.Text(ProfileOptions{}); !strings.Contains(text, tc.wantNote) {
				t.Errorf("missing note %q:\n%s", tc.wantNote, text)
			}
		})
	}
	badFrame := `{"event_id":"e","version":"1","profile":{"frames":[{"function":"f"}],"stacks":[[0,3]],"samples":[{"stack_id":0,"thread_id":1,"elapsed_since_start_ns":0},{"stack_id":0,"thread_id":1,"elapsed_since_start_ns":9}]}}`
	if _, err := BuildProfile(pfDecode(t, badFrame), ProfileOptions{}); err == nil || !strings.Contains(err.Error(), "frames that do not exist") {
		t.Errorf("frame out of range: %v", err)
	}
	if _, err := BuildProfile(nil, ProfileOptions{}); err == nil {
		t.Error("nil profile accepted")
	}
	if _, err := BuildChunkProfile(nil, 0, 0, ProfileOptions{}); err == nil {
		t.Error("nil chunk accepted")
	}
	var nilTree *ProfileTree
	if nilTree.Text(ProfileOptions{}) == "" {
		t.Error("nil tree renders nothing")
	}
}

func TestProfileBudget(t *testing.T) {
	var trees []*ProfileTree
	pt, err := BuildProfile(pfDemoPayments(t), ProfileOptions{RelevantFunctions: RelevantFunctions(evDemoEvent(t, pfDemoPayErr))})
	if err != nil {
		t.Fatal(err)
	}
	trees = append(trees, pt)
	if wide, err := BuildProfile(pfWide(t), ProfileOptions{RelevantFunctions: []string{"target"}}); err == nil {
		trees = append(trees, wide)
	}
	if dir := evFixturesDir(t); dir != "" {
		p := new(wire.Profile)
		evFixture(t, "profiles/vroom-node.json", p)
		if node, err := BuildProfile(p, ProfileOptions{RelevantFunctions: []string{"BaseTab"}}); err == nil {
			trees = append(trees, node)
		}
	}
	for _, tr := range trees {
		full := tr.Text(ProfileOptions{})
		for _, budget := range []int{3000, 1200, 600, 300, 150, 60, 10} {
			got := tr.Text(ProfileOptions{Budget: budget})
			if n := CountTokens(got); n > budget {
				t.Errorf("%s budget %d: %d tokens", tr.ProfileID, budget, n)
			}
			if CountTokens(full) <= budget && got != full {
				t.Errorf("%s budget %d: the full text fits but was cut", tr.ProfileID, budget)
			}
			if budget >= 300 {
				if !strings.HasPrefix(got, "Profile "+ShortID(tr.ProfileID)) || !strings.Contains(got, tr.ThreadReason) || !strings.Contains(got, "◀") {
					t.Errorf("%s budget %d lost the header or the relevant path:\n%s", tr.ProfileID, budget, got)
				}
				if len(tr.Hot) > 0 && !strings.Contains(got, tr.Hot[0].Function+" (") {
					t.Errorf("%s budget %d lost the top of the hot list:\n%s", tr.ProfileID, budget, got)
				}
			}
		}
	}
}

func TestProfileSanitizes(t *testing.T) {
	js := `{"event_id":"e\u001b[2J","version":"1","platform":"py\u0007","transaction":{"name":"t\u001b]0;x\u0007"},"profile":{"frames":[
	 {"function":"f\u001b[31m","filename":"a\u202e.py","in_app":true},{"function":"s\u009b","module":"m\u001b","in_app":false}],
	 "stacks":[[1,0]],"samples":[{"stack_id":0,"thread_id":"t\u001b","elapsed_since_start_ns":0},{"stack_id":0,"thread_id":"t\u001b","elapsed_since_start_ns":9}],
	 "thread_metadata":{"t\u001b":{"name":"n\u001b[1m"}}}}`
	pt, err := BuildProfile(pfDecode(t, js), ProfileOptions{RelevantFunctions: []string{"f\x1b[31m"}})
	if err != nil {
		t.Fatal(err)
	}
	got := pt.Text(ProfileOptions{})
	for _, bad := range []string{"\x1b", "\x07", "\u202e", "\u009b"} {
		if strings.Contains(got, bad) {
			t.Errorf("raw control %q in profile text:\n%q", bad, got)
		}
	}
}

// FuzzBuildProfile: any JSON that decodes as a profile or a chunk builds
// and renders without panicking.
func FuzzBuildProfile(f *testing.F) {
	f.Add([]byte(pfHandMade))
	f.Add([]byte(`{"profile":{"frames":[],"stacks":[],"samples":[{"stack_id":0,"thread_id":1}]}}`))
	f.Add([]byte(`{"profile":{"frames":[{"function":"a"}],"stacks":[[0,0,0]],"samples":[{"stack_id":0,"thread_id":"x","timestamp":1.5},{"stack_id":0,"thread_id":"x","timestamp":1.4}]}}`))
	f.Add([]byte(`{"transaction":{"active_thread_id":"1"},"profile":{"frames":[{"in_app":true}],"stacks":[[0],[-1],[7]],"samples":[{"stack_id":1,"thread_id":1,"elapsed_since_start_ns":-1},{"stack_id":0,"thread_id":1,"elapsed_since_start_ns":9223372036854775807},{"stack_id":2,"thread_id":1}]}}`))
	if dir := evFixturesDir(f); dir != "" {
		for _, name := range []string{"profiles/vroom-node.json", "profiles/relay-sample-v1-valid.json", "profiles/relay-sample-v2-valid.json", "api/profile-chunk.json", "api/transaction-profile-v1.json"} {
			if b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name))); err == nil {
				f.Add(b)
			}
		}
	}
	if b, err := fs.ReadFile(demo.Dataset(), pfDemoProfile); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var p wire.Profile
		if wire.Decode(data, &p) == nil {
			if pt, err := BuildProfile(&p, ProfileOptions{RelevantFunctions: []string{"a", "main"}}); err == nil {
				_ = pt.Text(ProfileOptions{})
				_ = pt.Text(ProfileOptions{Budget: 80})
			}
		}
		var ch wire.ProfileChunk
		if wire.Decode(data, &ch) == nil {
			if pt, err := BuildChunkProfile(&ch, 0, 0, ProfileOptions{TopN: 3}); err == nil {
				_ = pt.Text(ProfileOptions{})
			}
			if pt, err := BuildChunkProfile(&ch, 1.45, 1.6, ProfileOptions{}); err == nil {
				_ = pt.Text(ProfileOptions{Budget: 50})
			}
		}
	})
}
