package tracetree

import (
	"errors"
	"fmt"
	"math"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// ProfileOptions tune how a profile becomes a call tree and text.
type ProfileOptions struct {
	// ThreadID selects the thread ("": the transaction's active thread,
	// else the thread with the most samples in app code).
	ThreadID string
	// RelevantFunctions are function names to mark and to centre the text
	// on, typically RelevantFunctions(errorEvent).
	RelevantFunctions []string
	// TopN is the length of the hot-function lists (0: 10; negative: none).
	TopN int
	// Budget is the most model tokens the text may take (0: no limit).
	Budget int
}

func (o ProfileOptions) topN() int {
	switch {
	case o.TopN < 0:
		return 0
	case o.TopN == 0:
		return 10
	}
	return o.TopN
}

// ProfileTree is the call tree of one thread of a sampled profile (v1
// transaction profile or v2 chunk), with app frames as nodes and system
// frames folded into their nearest app caller.
type ProfileTree struct {
	Kind        string // "transaction profile" or "profile chunk"
	ProfileID   string // v1
	ChunkID     string // v2
	ProfilerID  string // v2
	Platform    string
	Release     string
	Environment string

	Transaction   string // v1: the profiled transaction
	TransactionID string
	TraceID       string
	TxnDurationMS float64

	// Window limits a chunk to [Start, End] (zero: the whole chunk).
	Start, End     wire.Timestamp
	WindowSamples  int // samples inside the window, all threads
	ChunkSamples   int // samples in the chunk, all threads
	Thread         ProfileThread
	ThreadReason   string
	OtherThreads   []ProfileThread
	IntervalMS     float64 // median sampling interval of the thread
	TotalMS        float64 // the thread's sampled time
	Root           *ProfileNode
	AllFrames      bool   // no app frames on the thread: every frame is a node
	InAppInferred  bool   // in_app was missing and was inferred from paths
	PathPrefix     string // removed from app file paths (shared by all)
	Notes          []string
	Hot, HotSystem []ProfileHot

	opts ProfileOptions
}

// ProfileThread summarises one sampled thread.
type ProfileThread struct {
	ID         string
	Name       string
	Samples    int
	AppSamples int // samples with at least one app frame
	DurationMS float64
}

// ProfileNode is one app function on a call path. TotalMS includes
// everything below it; SelfMS is time in its own code; System is the time
// it spent in system code it called directly (folded frames).
type ProfileNode struct {
	Function string
	Module   string
	File     string
	Line     int // the line where it spent the most time
	TotalMS  float64
	SelfMS   float64
	Samples  int
	System   *ProfileFolded
	Children []*ProfileNode

	key   string
	lines map[int]float64
	index map[string]*ProfileNode
}

// ProfileFolded describes the system frames folded into an app node: the
// time the node was the innermost app frame with system code running.
type ProfileFolded struct {
	Frames  int      // distinct system functions
	TotalMS float64  // time
	Entry   string   // the system function the app called (hottest)
	Hottest []string // system functions with the most self time, hottest first

	entry map[string]float64
	self  map[string]float64
	seen  map[string]bool
}

// ProfileHot is one line of a hot-function list.
type ProfileHot struct {
	Function string // display name
	Location string // file:line
	SelfMS   float64
	Caller   string // system functions: the app function that called in
}

// pfSample is a sample with its time in milliseconds.
type pfSample struct {
	stack  int
	thread string
	t      float64
	w      float64
}

// BuildProfile builds the call tree of a sampled (v1) transaction profile.
// A sample lasts until the next sample of its thread
// (elapsed_since_start_ns); the last one of each thread gets the median
// interval. Empty or malformed profiles give an error that says what is
// wrong; bad samples among good ones are dropped and noted.
func BuildProfile(p *wire.Profile, opts ProfileOptions) (*ProfileTree, error) {
	if p == nil {
		return nil, errors.New("no profile")
	}
	pt := &ProfileTree{
		Kind:        "transaction profile",
		ProfileID:   p.EventID,
		Platform:    p.Platform,
		Release:     pfRelease(p.Release),
		Environment: p.Environment,
		opts:        opts,
	}
	if pt.ProfileID == "" {
		pt.ProfileID = p.ProfileID
	}
	active := ""
	if tx := p.MainTransaction(); tx != nil {
		pt.Transaction, pt.TransactionID, pt.TraceID = tx.Name, tx.ID, tx.TraceID
		active = tx.ActiveThreadID.String()
		switch {
		case tx.DurationNS > 0:
			pt.TxnDurationMS = float64(tx.DurationNS) / 1e6
		case tx.RelativeEndNS > tx.RelativeStartNS:
			pt.TxnDurationMS = float64(tx.RelativeEndNS-tx.RelativeStartNS) / 1e6
		}
	}
	samples := make([]pfSample, 0, len(p.Profile.Samples))
	neg := 0
	for _, s := range p.Profile.Samples {
		if s.ElapsedSinceStartNS < 0 {
			neg++
			continue
		}
		samples = append(samples, pfSample{stack: int(s.StackID), thread: s.ThreadID.String(), t: float64(s.ElapsedSinceStartNS) / 1e6})
	}
	if neg > 0 {
		pt.Notes = append(pt.Notes, fmt.Sprintf("%s with a negative time dropped", plural(neg, "sample")))
	}
	if err := pt.build(&p.Profile, samples, len(p.Profile.Samples), active, 0, 0); err != nil {
		return nil, err
	}
	return pt, nil
}

// BuildChunkProfile builds the call tree of a continuous-profiling chunk
// (v2) limited to [start, end] (epoch seconds; zero values leave that side
// open), typically a transaction's startTimestamp and endTimestamp. Sample
// durations are measured on the whole chunk and clipped to the window.
func BuildChunkProfile(ch *wire.ProfileChunk, start, end wire.Timestamp, opts ProfileOptions) (*ProfileTree, error) {
	if ch == nil {
		return nil, errors.New("no profile chunk")
	}
	if start != 0 && end != 0 && end < start {
		return nil, fmt.Errorf("profile window ends before it starts (%s > %s)", evFormatTime(start), evFormatTime(end))
	}
	pt := &ProfileTree{
		Kind:        "profile chunk",
		ChunkID:     ch.ChunkID,
		ProfilerID:  ch.ProfilerID,
		Platform:    ch.Platform,
		Release:     pfRelease(ch.Release),
		Environment: ch.Environment,
		Start:       start,
		End:         end,
		opts:        opts,
	}
	samples := make([]pfSample, 0, len(ch.Profile.Samples))
	bad := 0
	for _, s := range ch.Profile.Samples {
		t := float64(s.Time())
		if t <= 0 || math.IsNaN(t) || math.IsInf(t, 0) {
			bad++
			continue
		}
		samples = append(samples, pfSample{stack: int(s.StackID), thread: s.ThreadID.String(), t: t * 1000})
	}
	if bad > 0 {
		pt.Notes = append(pt.Notes, fmt.Sprintf("%s without a valid timestamp dropped", plural(bad, "sample")))
	}
	if err := pt.build(&ch.Profile, samples, len(ch.Profile.Samples), "", float64(start)*1000, float64(end)*1000); err != nil {
		return nil, err
	}
	return pt, nil
}

func pfRelease(raw wire.Raw) string {
	if v := evRawField(raw, "version"); v != "" {
		return v
	}
	return evRawString(raw)
}
