package local_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

func chunkPath(project, profilerID, start, end string) string {
	q := url.Values{}
	if project != "" {
		q.Set("project", project)
	}
	if profilerID != "" {
		q.Set("profiler_id", profilerID)
	}
	if start != "" {
		q.Set("start", start)
	}
	if end != "" {
		q.Set("end", end)
	}
	return "/api/0/organizations/acme/profiling/chunks/?" + q.Encode()
}

// frames returns the function names of a merged stack, leaf first.
func stackFunctions(ch *wire.ProfileChunk, stack int) []string {
	var out []string
	for _, f := range ch.Profile.Stacks[stack] {
		out = append(out, ch.Profile.Frames[f].Function)
	}
	return out
}

func TestChunksMerge(t *testing.T) {
	s := newServer(t, dataset())
	forEach(t, s, func(t *testing.T, c conn) {
		// The window holds c1's samples at 100.01 and 100.02 and c2's at
		// 100.03; 100.00 and 100.04 fall outside.
		var res wire.ChunkResponse
		c.get(t, chunkPath("11", profiler, "100.01", "100.035")).want(t, 200).decode(t, &res)
		ch := res.Merged()
		if ch == nil || res.Chunk == nil {
			t.Fatalf("no chunk member: %+v", res)
		}
		var times []float64
		for _, smp := range ch.Profile.Samples {
			times = append(times, float64(smp.Time()))
		}
		if !slices.Equal(times, []float64{100.01, 100.02, 100.03}) {
			t.Fatalf("sample times = %v", times)
		}
		// c1's stack 0 is [1,0] over frames [main, pay]; c2's stack 0 is
		// [2,1] over frames [charge, main, pay]: the same call stack,
		// pay ← main, numbered differently. Merged, all three samples point
		// at one stack over one frame list.
		for i, smp := range ch.Profile.Samples {
			if got := stackFunctions(ch, int(smp.StackID)); !slices.Equal(got, []string{"pay", "main"}) {
				t.Errorf("sample %d stack = %v, want [pay main]", i, got)
			}
		}
		// Only used frames and stacks remain, each once.
		var fns []string
		for _, f := range ch.Profile.Frames {
			fns = append(fns, f.Function)
		}
		if !slices.Equal(fns, []string{"pay", "main"}) || len(ch.Profile.Stacks) != 1 {
			t.Errorf("frames %v, %d stacks; want [pay main] and 1 stack", fns, len(ch.Profile.Stacks))
		}
		if got := []string{ch.Profile.Samples[1].ThreadID.String(), ch.Profile.ThreadMetadata["2"].Name, ch.Profile.ThreadMetadata["1"].Name}; !slices.Equal(got, []string{"2", "Worker", "MainThread"}) {
			t.Errorf("threads = %v", got)
		}
		// Members come from the first contributing chunk; profiler_id is
		// filled in from the query when the chunk has none.
		if ch.ChunkID != "c1" || ch.ProfilerID != profiler || ch.Platform != "python" || string(ch.Release) != `"backend@1"` {
			t.Errorf("chunk = %+v", ch)
		}

		// The whole of both chunks, with ISO times (and a "+" zone sent
		// unescaped, which arrives as a space).
		c.get(t, "/api/0/organizations/acme/profiling/chunks/?project=11&profiler_id="+profiler+
			"&start=1970-01-01T00:01:40+00:00&end=1970-01-01T00:01:41Z").want(t, 200).decode(t, &res)
		if n := len(res.Merged().Profile.Samples); n != 5 {
			t.Fatalf("full window: %d samples, want 5", n)
		}
		if fns := stackFunctions(res.Merged(), int(res.Merged().Profile.Samples[0].StackID)); !slices.Equal(fns, []string{"main"}) {
			t.Errorf("first sample stack = %v", fns)
		}
		if fns := stackFunctions(res.Merged(), int(res.Merged().Profile.Samples[4].StackID)); !slices.Equal(fns, []string{"charge", "pay", "main"}) {
			t.Errorf("last sample stack = %v", fns)
		}
		// Only c2 in the window: its members, and the UUID form of the id.
		dashed := profiler[:8] + "-" + profiler[8:12] + "-" + profiler[12:16] + "-" + profiler[16:20] + "-" + profiler[20:]
		c.get(t, chunkPath("11", dashed, "100.03", "100.05")).want(t, 200).decode(t, &res)
		if ch := res.Merged(); ch.ChunkID != "c2" || len(ch.Profile.Samples) != 2 || len(ch.Profile.Frames) != 3 {
			t.Errorf("c2 only = %+v", ch)
		}
	})
}

func TestChunksErrors(t *testing.T) {
	s := newServer(t, dataset())
	forEach(t, s, func(t *testing.T, c conn) {
		for _, tc := range []struct {
			path   string
			status int
			detail string
		}{
			{chunkPath("", profiler, "100", "101"), 400, "project"},
			{chunkPath("backend", profiler, "100", "101"), 400, "project"},
			{chunkPath("11", "", "100", "101"), 400, "profiler_id"},
			{chunkPath("11", profiler, "", "101"), 400, "start"},
			{chunkPath("11", profiler, "100", ""), 400, "end"},
			{chunkPath("11", profiler, "yesterday", "101"), 400, "start"},
			{chunkPath("11", profiler, "101", "100"), 400, "start must be before end"},
			{chunkPath("11", profiler, "100", "101") + "&project=12", 400, "project"},
			// no sample in the window
			{chunkPath("11", profiler, "200", "300"), 404, "The requested resource does not exist"},
			// unknown profiler
			{chunkPath("11", unknownID, "100", "101"), 404, "The requested resource does not exist"},
			// the chunks belong to project 11
			{chunkPath("12", profiler, "100", "101"), 404, "The requested resource does not exist"},
			// no such project
			{chunkPath("99", profiler, "100", "101"), 404, "The requested resource does not exist"},
		} {
			if d := c.get(t, tc.path).want(t, tc.status).detail(t); !strings.Contains(d, tc.detail) {
				t.Errorf("%s: detail %q, want it to mention %q", tc.path, d, tc.detail)
			}
		}
	})
}

func TestChunksMalformed(t *testing.T) {
	for name, tc := range map[string]struct{ data, reason string }{
		"syntax":       {`{"chunk_id":"c3","profile":{`, "dataset file chunks/" + profiler + "/c3.json: "},
		"no profile":   {`{"chunk_id":"c3"}`, `no "profile"`},
		"bad stack":    {`{"profile":{"frames":[{}],"stacks":[[0,4]],"samples":[]}}`, "stack 0 refers to frame 4 of 1"},
		"bad sample":   {`{"profile":{"frames":[{}],"stacks":[[0]],"samples":[{"stack_id":3,"thread_id":"1","timestamp":100}]}}`, "sample 0 refers to stack 3 of 1"},
		"wrong shapes": {`{"profile":{"frames":{},"stacks":[],"samples":[]}}`, "dataset file chunks/"},
	} {
		t.Run(name, func(t *testing.T) {
			fsys := dataset()
			fsys["chunks/"+profiler+"/c3.json"] = &fstest.MapFile{Data: []byte(tc.data)}
			s := newServer(t, fsys)
			c := conns(t, s)[1]
			if d := c.get(t, chunkPath("11", profiler, "100", "101")).want(t, 500).detail(t); !strings.Contains(d, tc.reason) {
				t.Errorf("detail %q, want it to mention %q", d, tc.reason)
			}
		})
	}
}
