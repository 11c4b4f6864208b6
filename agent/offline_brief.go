// The evidence the offline analyzer gathers from the trace, as a short
// brief for the model's first message: the same reasoning from effect to
// cause, without reading code.

package agent

import (
	"context"
	"fmt"
	"strings"

	"github.com/tracehound/tracehound/redact"
	"github.com/tracehound/tracehound/tracetree"
)

// evidenceBrief says what the trace shows about where the failure came
// from: the failing path, its errors deepest first with their crash sites,
// and the request fields the failure implicates with the service that sent
// them. Values that look secret or personal are left out. It is "" when
// the trace shows no failing path.
func evidenceBrief(ctx context.Context, in *Incident) string {
	if in == nil || in.Tree == nil {
		return ""
	}
	o := &Offline{in: in}
	path := failingPath(in.Tree)
	fs := o.gatherFailures(ctx, path, errorChain(in.Tree))
	if len(fs) == 0 {
		return ""
	}
	var b strings.Builder
	var hops []string
	for _, t := range path {
		hops = append(hops, fmt.Sprintf("%s %s (%s)", t.Project, briefLine(t.Name, 60), orDash(t.Status)))
	}
	if len(hops) > 0 {
		fmt.Fprintf(&b, "- Failing path: %s.\n", strings.Join(hops, " → "))
	}
	shown := 0
	for _, f := range fs {
		if shown == 3 {
			break
		}
		if !f.serious() {
			continue
		}
		shown++
		where := "no in-app frame"
		if fr, ok := crashFrame(f.ev); ok {
			where = fmt.Sprintf("raised in %s (%s:%d)", briefLine(fr.Function, 60), briefLine(cmpOr(fr.Filename, fr.AbsPath), 80), fr.LineNo)
		}
		fmt.Fprintf(&b, "- Error %s in %s: %s — %s.\n", tracetree.ShortID(f.node.ID), f.service, briefLine(f.ev.Title, 120), where)
		if f.txn == nil || f.txn.Parent == nil {
			continue
		}
		sender := enclosingTxn(f.txn.Parent)
		var named []string
		for _, c := range clues(f) {
			if len(named) == 3 {
				break
			}
			v := ""
			if c.value != "" && !redact.IsSensitiveKey(c.key) && !redact.IsSecretValue(c.value) && !strings.Contains(c.value, "@") && len(c.value) <= 40 {
				v = "=" + briefLine(c.value, 40)
			}
			named = append(named, briefLine(c.path, 60)+v)
		}
		if len(named) > 0 && sender != nil {
			blame := ""
			if clientErrorStatus(f.txn.Status) {
				blame = fmt.Sprintf(" %s answered %s: the request was refused as bad, so look where %s writes these fields.", f.service, f.txn.Status, sender.Project)
			}
			fmt.Fprintf(&b, "  The failure implicates the request fields %s, sent by %s.%s\n", strings.Join(named, ", "), sender.Project, blame)
		}
	}
	if shown == 0 {
		return ""
	}
	return b.String()
}

// briefLine is event text for the model: secrets scrubbed first (so a cut
// cannot hide one from the scrubber), then one clipped, sanitised line.
func briefLine(s string, n int) string {
	scrubbed, _ := redact.Secrets(s)
	return clipLine(scrubbed, n)
}
