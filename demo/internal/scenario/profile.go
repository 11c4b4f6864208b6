package scenario

import (
	"fmt"

	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/tracehound/tracehound/demo/internal/genkit"
)

// SetProfile attaches a sampled profile to the transaction.
func (t *Txn) SetProfile(p *Profile) {
	t.Profile = p
	t.ProfileID = t.Service.inc.hexID(32, "profile", t.Key)
}

type profileBuilder struct {
	genkit.ProfileTable
	r *renderer
	s *Service
}

func (b *profileBuilder) frame(f PFrame) int {
	line, inApp := f.Line, false
	if f.At != "" {
		line, inApp = b.r.src.Find(b.s.Repo(), f.Path, f.At), true
	}
	pf, ok := genkit.ProfileFrame(b.s.Platform, f.Function, f.Module, f.Path, f.Abs, line, 0, inApp)
	if !ok {
		panic(fmt.Errorf("no sampled profiles for platform %s", b.s.Platform))
	}
	return b.Frame(pf)
}

// stack registers a root-first list of frames and returns its stack id
// (stored leaf-first, as Sentry does).
func (b *profileBuilder) stack(rootFirst ...PFrame) int {
	ids := make([]int, len(rootFirst))
	for i, f := range rootFirst {
		ids[len(rootFirst)-1-i] = b.frame(f)
	}
	return b.Stack(ids)
}

// profile renders the transaction's sampled (v1) profile: a sample every
// 10 ms (with jitter) on each thread.
func (r *renderer) profile(t *Txn) *wire.Profile {
	p := t.Profile
	s := t.Service
	b := &profileBuilder{r: r, s: s}
	type seg struct {
		until  float64
		stacks []int
	}
	var segs []seg
	for _, sg := range p.Segments {
		var ids []int
		for _, st := range sg.Stacks {
			ids = append(ids, b.stack(append(append([]PFrame{}, p.Base...), st...)...))
		}
		segs = append(segs, seg{sg.UntilMS, ids})
	}
	others := make([]int, len(p.Others))
	for i, o := range p.Others {
		others[i] = b.stack(o.Stack...)
	}
	dur := t.Root.DurMS()
	var samples []wire.ProfileSample
	rng := genkit.NewRNG(r.in.Name + "/profile/" + t.Key)
	n := 0
	for at := 0.0; at <= dur; at += 10.0 {
		el := at + rng.Between(0, 0.4)
		sid := segs[len(segs)-1].stacks[0]
		for _, sg := range segs {
			if el < sg.until {
				sid = sg.stacks[n%len(sg.stacks)]
				break
			}
		}
		n++
		ns := wire.FlexInt(MS(el) * 1000)
		samples = append(samples, wire.ProfileSample{StackID: wire.FlexInt(sid), ThreadID: wire.NumID(p.ThreadID), ElapsedSinceStartNS: ns})
		for i, o := range p.Others {
			samples = append(samples, wire.ProfileSample{StackID: wire.FlexInt(others[i]), ThreadID: wire.NumID(o.ID), ElapsedSinceStartNS: ns + wire.FlexInt(31000*(i+1))})
		}
	}
	threads := map[string]wire.ThreadMetadata{p.ThreadID: {Name: p.ThreadName}}
	for _, o := range p.Others {
		threads[o.ID] = wire.ThreadMetadata{Name: o.Name}
	}
	durNS := wire.FlexInt((t.Root.End - t.Root.Start) * 1000)
	status := fmt.Sprint(t.Root.Data["http.response.status_code"])
	rt := runtimeContexts(s)["runtime"].(map[string]any)
	return &wire.Profile{
		EventID: t.ProfileID, ProfileID: t.ProfileID, Version: "1", Platform: s.Platform, Environment: "production",
		Release: raw(map[string]any{"version": s.Release()}), Timestamp: wire.ISOTime(ts(t.Root.Start)), ProjectID: wire.FlexInt(s.id),
		Transaction: &wire.ProfileTransaction{
			ID: t.EventID, Name: t.Name, TraceID: r.in.traceID, SegmentID: t.Root.ID, ActiveThreadID: wire.NumID(p.ThreadID),
			DurationNS: durNS, RelativeEndNS: durNS,
		},
		Profile: wire.ProfileData{Frames: b.Frames, Stacks: b.Stacks, Samples: samples, ThreadMetadata: threads},
		Extra: toExtra(map[string]any{
			"organization_id": 1150472, "received": iso(t.Root.End + MS(1204.5)), "retention_days": 90, "sampled": true,
			"device":               map[string]any{"architecture": "x86_64", "classification": "", "locale": "C.UTF-8", "manufacturer": "", "model": ""},
			"os":                   map[string]any{"name": "Linux", "version": "6.1.0-27-cloud-amd64", "build_number": ""},
			"runtime":              map[string]any{"name": rt["name"], "version": rt["version"]},
			"client_sdk":           map[string]any{"name": sdk(s).Name, "version": sdk(s).Version},
			"debug_meta":           map[string]any{"images": []any{}},
			"measurements":         map[string]any{},
			"transaction_metadata": map[string]any{"environment": "production", "http.method": t.Root.Data["http.request.method"], "release": s.Release(), "transaction": t.Name, "transaction.status": t.Root.Status, "transaction.op": t.Root.Op},
			"transaction_tags":     map[string]any{"http.status_code": status, "server_name": s.Server},
		}),
	}
}
