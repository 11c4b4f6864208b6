package local

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/go-json-experiment/json/jsontext"
)

// chunkProfile is the profile member of a v2 chunk, decoded just enough to
// merge: frames stay raw, stacks and samples are remapped.
type chunkProfile struct {
	Frames         []jsontext.Value          `json:"frames"`
	Stacks         [][]wire.FlexInt          `json:"stacks"`
	Samples        []wire.ProfileSample      `json:"samples"`
	ThreadMetadata map[string]jsontext.Value `json:"thread_metadata"`
}

// chunkProfileOut is the merged profile member.
type chunkProfileOut struct {
	Frames         []jsontext.Value          `json:"frames"`
	Stacks         [][]int                   `json:"stacks"`
	Samples        []wire.ProfileSample      `json:"samples"`
	ThreadMetadata map[string]jsontext.Value `json:"thread_metadata"`
}

// chunkIn is one chunk file.
type chunkIn struct {
	file    string
	meta    object // the chunk's members but profile
	project string
	prof    chunkProfile
	first   float64 // time of the earliest sample
}

// loadChunk reads one chunk file: a bare chunk object, or the {"chunk": …}
// response shape, which is unwrapped.
func (d *files) loadChunk(file string) (*chunkIn, error) {
	o, err := d.readObject(file)
	if err != nil {
		return nil, err
	}
	if inner, ok := o.get("chunk"); ok {
		if _, has := o.get("profile"); !has {
			if o, err = decodeObject(inner); err != nil {
				return nil, &dataset.FileError{Path: file, Err: fmt.Errorf("chunk: %w", err)}
			}
		}
	}
	raw, ok := o.get("profile")
	if !ok {
		return nil, &dataset.FileError{Path: file, Err: errors.New(`no "profile" member`)}
	}
	c := &chunkIn{file: file, first: math.Inf(1)}
	if err := wire.Decode(raw, &c.prof); err != nil {
		return nil, &dataset.FileError{Path: file, Err: fmt.Errorf("profile: %w", err)}
	}
	for i, st := range c.prof.Stacks {
		for _, f := range st {
			if f < 0 || int(f) >= len(c.prof.Frames) {
				return nil, &dataset.FileError{Path: file, Err: fmt.Errorf("stack %d refers to frame %d of %d", i, f, len(c.prof.Frames))}
			}
		}
	}
	for i := range c.prof.Samples {
		s := &c.prof.Samples[i]
		if s.StackID < 0 || int(s.StackID) >= len(c.prof.Stacks) {
			return nil, &dataset.FileError{Path: file, Err: fmt.Errorf("sample %d refers to stack %d of %d", i, s.StackID, len(c.prof.Stacks))}
		}
		c.first = min(c.first, float64(s.Time()))
	}
	if v, ok := o.get("project_id"); ok {
		c.project = rawString(v)
	}
	o.del("profile")
	c.meta = o
	return c, nil
}

// parseWhen reads start/end: ISO 8601 or epoch seconds. An unescaped "+" of
// a zone offset arrives as a space; it is put back.
func parseWhen(s string) (wire.Timestamp, error) {
	t, err := wire.ParseTimestamp(s)
	if err != nil && strings.Contains(s, " ") {
		if t2, err2 := wire.ParseTimestamp(strings.ReplaceAll(s, " ", "+")); err2 == nil {
			return t2, nil
		}
	}
	return t, err
}

func (s *Server) chunks(r *http.Request, _ params) *reply {
	q := query(r)
	projs := q["project"]
	if len(projs) != 1 || projs[0] == "" {
		return detailReply(http.StatusBadRequest, "project must be specified: exactly one numeric project id.")
	}
	proj := projs[0]
	if _, err := strconv.ParseInt(proj, 10, 64); err != nil {
		return detailReply(http.StatusBadRequest, "Invalid project parameter. Values must be numbers.")
	}
	profilerID := q.Get("profiler_id")
	if profilerID == "" {
		return detailReply(http.StatusBadRequest, "profiler_id must be specified.")
	}
	var window [2]wire.Timestamp
	for i, name := range []string{"start", "end"} {
		v := q.Get(name)
		if v == "" {
			return detailReply(http.StatusBadRequest, name+" must be specified.")
		}
		t, err := parseWhen(v)
		if err != nil {
			return detailReply(http.StatusBadRequest, fmt.Sprintf("%s: %v", name, err))
		}
		window[i] = t
	}
	if window[1] < window[0] {
		return detailReply(http.StatusBadRequest, "start must be before end.")
	}
	known, err := s.data.Projects()
	if err != nil {
		return s.errorReply(r, err)
	}
	if len(known) > 0 && !slices.ContainsFunc(known, func(p dataset.Project) bool { return p.ID == proj }) {
		return notFound()
	}
	files := s.data.Chunks[dataset.NormID(profilerID)]
	if len(files) == 0 {
		return notFound()
	}
	var in []*chunkIn
	for _, f := range files {
		c, err := s.data.loadChunk(f)
		if err != nil {
			return s.errorReply(r, err)
		}
		if c.project == "" || c.project == proj {
			in = append(in, c)
		}
	}
	merged, ok := mergeChunks(in, profilerID, window[0], window[1])
	if !ok {
		return notFound()
	}
	body := merged.appendTo([]byte(`{"chunk":`))
	return jsonReply(http.StatusOK, append(body, '}'))
}

// mergeChunks merges the chunks of one profiler into one chunk holding the
// samples whose time is within [start, end]: frames are deduplicated and
// stacks remapped to the merged frame list, samples are sorted by time and
// point at the merged stacks; only the frames and stacks the kept samples
// use remain. The chunk's other members come from the earliest chunk that
// contributes a sample; profiler_id is filled from the query if missing.
// ok is false when no sample falls in the window.
func mergeChunks(in []*chunkIn, profilerID string, start, end wire.Timestamp) (object, bool) {
	slices.SortStableFunc(in, func(a, b *chunkIn) int {
		return cmp.Or(cmp.Compare(a.first, b.first), cmp.Compare(a.file, b.file))
	})
	out := chunkProfileOut{
		Frames:         []jsontext.Value{},
		Stacks:         [][]int{},
		Samples:        []wire.ProfileSample{},
		ThreadMetadata: map[string]jsontext.Value{},
	}
	frameIdx := map[string]int{}
	stackIdx := map[string]int{}
	var base object
	for _, c := range in {
		frameMap := make([]int, len(c.prof.Frames))
		stackMap := make([]int, len(c.prof.Stacks))
		for i := range frameMap {
			frameMap[i] = -1
		}
		for i := range stackMap {
			stackMap[i] = -1
		}
		mapFrame := func(i int) int {
			if frameMap[i] < 0 {
				v := c.prof.Frames[i].Clone()
				_ = v.Compact(jsonOpts...) // the key only; on failure the raw text is as good
				key := string(v)
				n, ok := frameIdx[key]
				if !ok {
					n = len(out.Frames)
					frameIdx[key] = n
					out.Frames = append(out.Frames, c.prof.Frames[i])
				}
				frameMap[i] = n
			}
			return frameMap[i]
		}
		mapStack := func(i int) int {
			if stackMap[i] < 0 {
				st := make([]int, len(c.prof.Stacks[i]))
				var key strings.Builder
				for j, f := range c.prof.Stacks[i] {
					st[j] = mapFrame(int(f))
					key.WriteString(strconv.Itoa(st[j]))
					key.WriteByte(',')
				}
				n, ok := stackIdx[key.String()]
				if !ok {
					n = len(out.Stacks)
					stackIdx[key.String()] = n
					out.Stacks = append(out.Stacks, st)
				}
				stackMap[i] = n
			}
			return stackMap[i]
		}
		used := false
		for _, smp := range c.prof.Samples {
			t := smp.Time()
			if t < start || t > end {
				continue
			}
			smp.StackID = wire.FlexInt(mapStack(int(smp.StackID)))
			smp.Timestamp, smp.TimestampMS = t, 0
			out.Samples = append(out.Samples, smp)
			tid := smp.ThreadID.String()
			if _, ok := out.ThreadMetadata[tid]; !ok {
				if tm, ok := c.prof.ThreadMetadata[tid]; ok {
					out.ThreadMetadata[tid] = tm
				}
			}
			used = true
		}
		if used && base == nil {
			base = c.meta.clone()
		}
	}
	if len(out.Samples) == 0 {
		return nil, false
	}
	slices.SortStableFunc(out.Samples, func(a, b wire.ProfileSample) int {
		return cmp.Compare(a.Time(), b.Time())
	})
	if v, ok := base.get("profiler_id"); !ok || rawString(v) == "" {
		base.set("profiler_id", jsonString(profilerID))
	}
	prof, err := wire.Encode(out)
	if err != nil {
		// Every part was decoded from JSON a moment ago; encoding cannot
		// fail short of a bug.
		panic(fmt.Sprintf("local: encoding a merged chunk: %v", err))
	}
	base.set("profile", prof)
	return base, true
}
