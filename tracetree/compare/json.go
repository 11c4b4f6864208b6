package compare

import "time"

// JSON is the comparison in the machine-readable form of `tracehound
// compare --format json` (raw event text: the caller's JSON writer scrubs
// it).
type JSON struct {
	Transaction     JSONTransaction `json:"transaction"`
	Failing         JSONSide        `json:"failing"`
	Healthy         JSONSide        `json:"healthy"`
	FirstDivergence *JSONDiff       `json:"first_divergence"`
	Differences     []JSONDiff      `json:"differences"`
	Matched         int             `json:"matched_spans"`
	FailingSpans    int             `json:"failing_spans"`
	HealthySpans    int             `json:"healthy_spans"`
	Rule            string          `json:"noise_rule"`
	Notes           []string        `json:"notes,omitempty"`
}

// JSONTransaction names the compared transaction.
type JSONTransaction struct {
	Project string `json:"project"`
	Op      string `json:"op"`
	Name    string `json:"name"`
}

// JSONSide is one of the two traces.
type JSONSide struct {
	TraceID       string  `json:"trace_id"`
	TransactionID string  `json:"transaction_id"`
	Start         string  `json:"start,omitempty"`
	DurationMS    float64 `json:"duration_ms"`
	Status        string  `json:"status,omitempty"`
	Found         string  `json:"found,omitempty"`
}

// JSONDiff is one span that differs.
type JSONDiff struct {
	// Path lists the spans from the compared transaction down to this
	// one's parent, as "project op description".
	Path []string `json:"path"`
	// Change lists how it differs: appeared, vanished, count, duration,
	// status, attributes, errors.
	Change []string `json:"change"`
	*Node
}

// JSON returns the comparison's machine-readable form.
func (r *Result) JSON() JSON {
	root := r.Root
	j := JSON{
		Transaction:  JSONTransaction{Project: root.Project, Op: root.Op, Name: root.Description},
		Failing:      jsonSide(r.FailingTraceID, root.Failing, r.FailingStart),
		Healthy:      jsonSide(r.HealthyTraceID, root.Healthy, r.HealthyStart),
		Matched:      r.Matched,
		FailingSpans: r.FailingSpans,
		HealthySpans: r.HealthySpans,
		Rule:         r.Rule,
		Differences:  []JSONDiff{},
	}
	j.Healthy.Found = r.HealthyHow
	for _, n := range r.Diffs {
		d := r.jsonDiff(n)
		j.Differences = append(j.Differences, d)
		if n == r.First {
			j.FirstDivergence = &d
		}
	}
	return j
}

func jsonSide(traceID string, s *Side, start float64) JSONSide {
	j := JSONSide{TraceID: traceID}
	if start > 0 {
		j.Start = time.UnixMilli(int64(start * 1000)).UTC().Format(time.RFC3339Nano)
	}
	if s != nil {
		j.TransactionID, j.DurationMS, j.Status = s.TransactionID, s.DurationMS, s.Status
	}
	return j
}

func (r *Result) jsonDiff(n *Node) JSONDiff {
	d := JSONDiff{Node: n, Path: []string{}, Change: []string{}}
	for _, a := range r.ancestors(n) {
		d.Path = append(d.Path, a.Label())
	}
	add := func(ok bool, what string) {
		if ok {
			d.Change = append(d.Change, what)
		}
	}
	add(n.Appeared(), "appeared")
	add(n.Vanished(), "vanished")
	add(n.CountChanged(), "count")
	add(n.Duration != nil, "duration")
	add(n.Status != nil, "status")
	add(len(n.Attrs) > 0, "attributes")
	add(len(n.Errors) > 0, "errors")
	return d
}
