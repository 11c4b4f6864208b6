// The offline analyzer's evidence gathering: the failing path through the
// trace, every error on it whatever its shape (exception, logged message
// with its stack in a thread, no in-app frame), and the clues each one
// gives (the fields and values it names, the fields its code reads, the
// request body the service received).

package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/tracehound/tracehound/sentryapi/wire"
	"github.com/tracehound/tracehound/tracetree"
)

// failure is an error on the failing request, with what it says.
type failure struct {
	node    *tracetree.Node
	ev      *wire.Event
	txn     *tracetree.Node // the transaction it happened in
	service string
	level   string
	// text is everything the error says: title, exception types and
	// values, message, log breadcrumbs.
	text string
	// frames are the in-app frames (exception, else the current thread),
	// innermost last.
	frames []wire.Frame
	// body is the JSON request body the transaction received, if recorded.
	body map[string]any
}

// serious reports whether the error is an error (not a warning or info).
func (f *failure) serious() bool {
	return f.level == "" || f.level == "error" || f.level == "fatal"
}

// failingPath is the chain of transactions the failure went through: the
// focus's transaction and its ancestors, then, from the focus down, each
// time the child transaction that failed (a non-ok status), ending at the
// deepest one. Transactions of side requests that succeeded are not on it:
// their errors are noise for this failure.
func failingPath(t *tracetree.Tree) []*tracetree.Node {
	if t == nil {
		return nil
	}
	start := t.Focus
	if start != nil && start.Kind != tracetree.KindTransaction {
		start = start.Parent
	}
	if start == nil {
		if len(t.Roots) == 0 {
			return nil
		}
		start = t.Roots[0]
	}
	var path []*tracetree.Node
	for n := start; n != nil; n = n.Parent {
		if n.Kind == tracetree.KindTransaction {
			path = append([]*tracetree.Node{n}, path...)
		}
	}
	for cur := start; ; {
		var next *tracetree.Node
		for _, c := range cur.Children {
			if c.Kind == tracetree.KindTransaction && failedStatus(c.Status) && !containsNode(path, c) {
				// The failing child with the most errors below it; the
				// earliest on ties.
				if next == nil || errorsBelow(c) > errorsBelow(next) {
					next = c
				}
			}
		}
		if next == nil {
			return path
		}
		path = append(path, next)
		cur = next
	}
}

func failedStatus(s string) bool {
	return s != "" && s != "ok" && s != "unknown"
}

func errorsBelow(n *tracetree.Node) int {
	c := 0
	for _, x := range subtree(n) {
		if x.Kind == tracetree.KindError && (x.Level == "" || x.Level == "error" || x.Level == "fatal") {
			c++
		}
	}
	return c
}

// gatherFailures reads the errors of the failing path, deepest first and,
// within a transaction, errors before warnings. Errors off the path (side
// requests that succeeded) are left out unless the path has none.
func (o *Offline) gatherFailures(ctx context.Context, path []*tracetree.Node, chain []*tracetree.Node) []*failure {
	var out []*failure
	for _, n := range chain {
		txn := n.Parent
		if txn == nil || (len(path) > 0 && !containsNode(path, txn)) {
			continue
		}
		if f := o.readFailure(ctx, n); f != nil {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		for _, n := range chain {
			if f := o.readFailure(ctx, n); f != nil {
				out = append(out, f)
			}
		}
	}
	depth := func(f *failure) int {
		if i := slices.Index(path, f.txn); i >= 0 {
			return i
		}
		return f.node.Depth()
	}
	sort.SliceStable(out, func(i, j int) bool {
		if di, dj := depth(out[i]), depth(out[j]); di != dj {
			return di > dj
		}
		return out[i].serious() && !out[j].serious()
	})
	return out
}

func (o *Offline) readFailure(ctx context.Context, n *tracetree.Node) *failure {
	ev, err := o.in.EventFor(ctx, n)
	if err != nil {
		return nil
	}
	f := &failure{node: n, ev: ev, txn: n.Parent, service: cmpOr(ev.ProjectSlug, n.Project), level: strings.ToLower(n.Level)}
	if lv := ev.Tag("level"); lv != "" {
		f.level = lv
	}
	var b strings.Builder
	b.WriteString(ev.Title + "\n" + ev.Message + "\n")
	if ex := ev.Exception(); ex != nil {
		for _, v := range ex.Values {
			b.WriteString(v.Type + ": " + v.Value + "\n")
		}
	}
	if m := ev.Entry(wire.EntryMessage); m != nil && m.Message != nil {
		b.WriteString(m.Message.Formatted + "\n")
	}
	if bc := ev.Breadcrumbs(); bc != nil {
		for _, c := range bc.Values {
			if c.Type != "http" && c.Category != "query" && c.Message != "" {
				b.WriteString(c.Message + "\n")
			}
		}
	}
	f.text = b.String()
	f.frames = inAppFrames(ev)
	if r := ev.Request(); r != nil && len(r.Data) > 0 {
		var body map[string]any
		if json.Unmarshal(r.Data, &body) == nil {
			f.body = body
		}
	}
	return f
}

// inAppFrames are an event's in-app frames, innermost last: the reported
// exception's (or its causes'), else the current thread's of a logged
// message.
func inAppFrames(ev *wire.Event) []wire.Frame {
	var sts []*wire.Stacktrace
	if ex := ev.Exception(); ex != nil {
		for i := len(ex.Values) - 1; i >= 0; i-- {
			sts = append(sts, ex.Values[i].Stacktrace)
		}
	}
	if th := ev.Entry(wire.EntryThreads); th != nil && th.Threads != nil {
		for _, t := range th.Threads.Values {
			if t.Current || t.Crashed || len(th.Threads.Values) == 1 {
				sts = append(sts, t.Stacktrace)
			}
		}
	}
	if st := ev.Entry(wire.EntryStacktrace); st != nil && st.Stacktrace != nil {
		sts = append(sts, st.Stacktrace)
	}
	for _, st := range sts {
		if st == nil {
			continue
		}
		var out []wire.Frame
		for _, fr := range st.Frames {
			if fr.IsInApp() {
				out = append(out, fr)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// frameLine is the code of a frame's own line, from its context.
func frameLine(f wire.Frame) string {
	for _, c := range f.Context {
		if c.Line == f.LineNo {
			return c.Text
		}
	}
	return ""
}

// clue is a field of the request body that the failure implicates.
type clue struct {
	key   string // the field's own name (the last element of its path)
	path  string // where it is in the body: recipient.email, lines[].qty
	value string // its value, as text ("" for objects)
	// siblings are the other keys of the object holding it: the object the
	// producer builds.
	siblings []string
	score    float64
	why      []string
}

var (
	quotedRE = regexp.MustCompile(`'([^'\s]{1,64})'|"([^"\s]{1,64})"|‘([^’\s]{1,64})’|\x60([^\x60\s]{1,64})\x60`)
	wordRE   = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)
	numberRE = regexp.MustCompile(`-?\d+(?:\.\d+)?`)
)

// bodyField is one leaf or object of a request body.
type bodyField struct {
	path, key, value string
	siblings         []string
	object           bool // an object or a list, not a value
}

// flatten lists a body's fields, depth first.
func flatten(prefix string, v any, out *[]bodyField) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			val, obj := "", false
			switch y := x[k].(type) {
			case string:
				val = y
			case float64, bool:
				val = fmt.Sprint(y)
			case map[string]any, []any:
				obj = true
			}
			*out = append(*out, bodyField{path: p, key: k, value: val, siblings: keys, object: obj})
			flatten(p, x[k], out)
		}
	case []any:
		for _, e := range x {
			flatten(prefix+"[]", e, out)
		}
	}
}

// normName compares identifiers across naming styles: amount_cents,
// amountCents and AmountCents are one name.
func normName(s string) string { return strings.ReplaceAll(strings.ToLower(s), "_", "") }

// clues weighs each field of the failure's request body by how the failure
// implicates it. The rules, each about a shape of evidence:
//   - the error's text names the field (Unrecognized field "qty", parcel
//     weight …);
//   - the error's text shows the field's value ('HIGH', 2350);
//   - the failing code reads the field on its stack (fetch("due_date"),
//     event["occurred_at"]);
//   - the error names a field the body lacks, and the body has one whose
//     name contains it or is contained in it (amount_cents vs amount,
//     email_address vs email): a renamed field.
func clues(f *failure) []clue {
	if len(f.body) == 0 {
		return nil
	}
	var fields []bodyField
	flatten("", f.body, &fields)
	text := f.text
	words := standaloneWords(text)
	quoted := map[string]bool{}
	for _, m := range quotedRE.FindAllStringSubmatch(text, -1) {
		quoted[m[1]+m[2]+m[3]+m[4]] = true
	}
	numbers := map[string]bool{}
	for _, n := range numberRE.FindAllString(text, -1) {
		numbers[strings.TrimSuffix(strings.TrimRight(n, "0"), ".")] = true
		numbers[n] = true
	}
	keys := map[string]bool{}
	for _, fl := range fields {
		keys[normName(fl.key)] = true
	}
	read := singleFieldRead(f.frames, fields)
	var out []clue
	for _, fl := range fields {
		c := clue{key: fl.key, path: fl.path, value: fl.value, siblings: fl.siblings}
		nk := normName(fl.key)
		if len(nk) >= 3 && words[nk] {
			// Naming an object (the recipient) is weaker than naming a
			// value: the fault is in one of its fields.
			c.score += 3
			if fl.object {
				c.score -= 1.5
			}
			c.why = append(c.why, fmt.Sprintf("the error names the field %s", fl.path))
		}
		// An id names the entity the request is about; seeing it in the
		// error says nothing about whether it is bad.
		if v := fl.value; v != "" && len(v) <= 64 && !strings.HasSuffix(nk, "id") {
			isNum := numberRE.MatchString(v) && numberRE.FindString(v) == v
			if (isNum && len(v) >= 2 && numbers[v]) || (!isNum && len(v) >= 2 && (quoted[v] || (len(v) >= 4 && strings.Contains(text, v)))) {
				c.score += 3
				c.why = append(c.why, fmt.Sprintf("the error shows the value sent in %s (%s)", fl.path, clipLine(v, 40)))
			}
		}
		if read == fl.key {
			c.score += 2
			c.why = append(c.why, fmt.Sprintf("the failing code reads %s on its stack", fl.key))
		}
		out = append(out, c)
	}
	// A field the error names that the body lacks: the body's similar key
	// is the renamed one.
	for w := range words {
		if len(w) < 4 || keys[w] {
			continue
		}
		for i := range out {
			nk := normName(out[i].key)
			if len(nk) >= 3 && nk != w && (strings.HasPrefix(w, nk) || strings.HasPrefix(nk, w) || strings.HasSuffix(w, nk) || strings.HasSuffix(nk, w)) && identInText(text, w) {
				out[i].score += 3
				out[i].why = append(out[i].why, fmt.Sprintf("the error asks for a field the body lacks, and %s is its nearest name (a renamed field?)", out[i].path))
			}
		}
	}
	var kept []clue
	for _, c := range out {
		if c.score > 0 {
			kept = append(kept, c)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].score > kept[j].score })
	return kept
}

// standaloneWords are the words of a text (normalised) that stand alone:
// not part of a dotted name (com.acme.Warehouse.getRegion) or a call,
// which name code, not data.
func standaloneWords(text string) map[string]bool {
	out := map[string]bool{}
	for _, m := range wordRE.FindAllStringIndex(text, -1) {
		before, after := byte(' '), byte(' ')
		if m[0] > 0 {
			before = text[m[0]-1]
		}
		if m[1] < len(text) {
			after = text[m[1]]
		}
		if before == '.' || after == '.' && m[1]+1 < len(text) && isWordByte(text[m[1]+1]) || after == '(' {
			continue
		}
		out[normName(text[m[0]:m[1]])] = true
	}
	return out
}

func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// singleFieldRead is the body field the failing code reads where it fails:
// the one field the innermost two in-app frames' lines read (fetch("k"),
// ["k"], get("k"), .k), when they read exactly one. Code that passes the
// whole request on reads many, and says nothing about which is bad.
func singleFieldRead(frames []wire.Frame, fields []bodyField) string {
	if len(frames) > 2 {
		frames = frames[len(frames)-2:]
	}
	var code strings.Builder
	for _, fr := range frames {
		code.WriteString(frameLine(fr) + "\n")
	}
	read := code.String()
	found := map[string]bool{}
	for _, fl := range fields {
		if len(fl.key) >= 3 && regexp.MustCompile(`["'\x60.\[]`+regexp.QuoteMeta(fl.key)+`\b`).MatchString(read) {
			found[fl.key] = true
		}
	}
	if len(found) != 1 {
		return ""
	}
	for k := range found {
		return k
	}
	return ""
}

// identInText reports whether a normalised name appears in text as an
// identifier that looks like a field (snake_case, camelCase or quoted), not
// as a plain English word.
func identInText(text, norm string) bool {
	for _, w := range identRE.FindAllString(text, -1) {
		if normName(w) == norm {
			return true
		}
	}
	for _, m := range quotedRE.FindAllStringSubmatch(text, -1) {
		if normName(m[1]+m[2]+m[3]+m[4]) == norm {
			return true
		}
	}
	return false
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
