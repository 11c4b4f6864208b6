package tracegen

import (
	"strings"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// Errors: where the error events go in the tree, the issues they group
// into, and how each reads (title, culprit).

// placeErrors puts each error on its own span, the deepest of a few random
// picks, so errors sit deep in the tree.
func (g *gen) placeErrors() {
	rng := g.rng
	ns := g.nodes
	for e := range g.errs {
		best := int32(-1)
		for try := 0; try < 4 || (best < 0 && try < 64); try++ {
			c := int32(rng.IntN(len(ns)))
			if ns[c].err < 0 && (best < 0 || ns[c].depth > ns[best].depth) {
				best = c
			}
		}
		if best < 0 { // nearly every span already has one
			for c := int32(rng.IntN(len(ns))); ; c = (c + 1) % int32(len(ns)) {
				if ns[c].err < 0 {
					best = c
					break
				}
			}
		}
		ns[best].err = int32(e)
		g.errs[e].node = best
		g.errs[e].item = g.errorItem(best, g.errs[e].eventID)
	}
}

func (g *gen) issueFor(svc int32, key int, title string) issue {
	k := int(svc)*1024 + key
	if is, ok := g.issues[k]; ok {
		return is
	}
	s := g.svcs[svc]
	g.issueSeq++
	s.issueSeq++
	is := issue{
		id:    g.issueKey + g.issueSeq*7919,
		short: upper(s.slug) + "-" + upper(itoa36(int64(s.issueSeq)*37+int64(len(title))%37+360)),
	}
	g.issues[k] = is
	return is
}

func itoa36(n int64) string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	var b [16]byte
	i := len(b)
	for {
		i--
		b[i] = digits[n%36]
		n /= 36
		if n == 0 {
			break
		}
	}
	return string(b[i:])
}

func upper(s string) string { return strings.ToUpper(s) }

func (g *gen) errorItem(nid int32, eventID string) wire.TraceItem {
	n := &g.nodes[nid]
	t := &g.txns[n.txn]
	s := g.svcs[t.svc]
	fam := family(n.op)
	tpls := errTemplates[s.lang][fam]
	ti := g.rng.IntN(len(tpls))
	tpl := tpls[ti]
	table := "orders"
	if len(s.tables) > 0 {
		table = s.tables[g.rng.IntN(len(s.tables))]
	}
	noun := singular(table)
	host := "api.shop.example"
	if fam == famHTTP {
		host = hostOf(n.desc)
	}
	title := strings.NewReplacer("{table}", table, "{host}", host, "{Noun}", pascal(noun), "{noun}", camelIf(s.lang, noun), "{svc}", pkgName(s.slug)).Replace(tpl.title)
	is := g.issueFor(t.svc, fam*64+ti, title)
	at := n.start + int64(float64(n.dur)*(0.6+0.4*g.rng.Float64()))
	return wire.TraceItem{
		EventID: eventID, EventType: wire.TraceItemError, IssueID: wire.FlexInt(is.id), ShortID: is.short,
		ProjectID: wire.FlexInt(s.projectID), ProjectSlug: s.slug, Description: title, Level: tpl.level,
		Culprit: g.culprit(nid), Transaction: t.name, StartTimestamp: ts(at), IssueType: 1,
	}
}

func camelIf(l lang, noun string) string {
	if l == python {
		return noun
	}
	return camel(noun)
}

// hostOf is the host of an http.client description ("GET https://h/p").
func hostOf(desc string) string {
	if _, rest, ok := strings.Cut(desc, "://"); ok {
		desc = rest
	}
	for i := 0; i < len(desc); i++ {
		if desc[i] == '/' || desc[i] == ':' {
			return desc[:i]
		}
	}
	return desc
}

// culprit is the nearest enclosing function of the error's span, in the
// platform's style ("orders.services in create_order"), else the
// transaction name.
func (g *gen) culprit(nid int32) string {
	t := &g.txns[g.nodes[nid].txn]
	s := g.svcs[t.svc]
	for c := nid; c >= 0 && g.nodes[c].txn == g.nodes[nid].txn; c = g.nodes[c].parent {
		n := &g.nodes[c]
		if n.op != "function" && !(s.lang == browser && n.op == "ui.react.render") {
			continue
		}
		switch s.lang {
		case python, java:
			for i := len(n.desc) - 1; i > 0; i-- {
				if n.desc[i] == '.' {
					return n.desc[:i] + " in " + n.desc[i+1:]
				}
			}
		case browser:
			return n.desc[1:len(n.desc)-1] + "(app:///_next/static/chunks/pages" + t.name + ".js)"
		}
		return n.desc
	}
	return t.name
}
