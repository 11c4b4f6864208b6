package local

import (
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/sentryapi/wire"
)

// This file is Discover's events endpoint (GET /organizations/{org}/events/)
// for transactions: the rows are the dataset's transaction events, the
// search is the part of Sentry's syntax tracehound sends (see
// discoverKeys), anything else is a 400 that says what is offered.

// txnSummary is what the events endpoint reads of an event file.
type txnSummary struct {
	ID             wire.FlexString `json:"id"`
	EventID        wire.FlexString `json:"eventID"`
	Type           string          `json:"type"`
	Title          string          `json:"title"`
	ProjectSlug    string          `json:"projectSlug"`
	StartTimestamp wire.Timestamp  `json:"startTimestamp"`
	EndTimestamp   wire.Timestamp  `json:"endTimestamp"`
	DateCreated    string          `json:"dateCreated"`
	Tags           []wire.Tag      `json:"tags"`
	Contexts       struct {
		Trace struct {
			TraceID wire.FlexString `json:"trace_id"`
			Op      string          `json:"op"`
			Status  string          `json:"status"`
		} `json:"trace"`
	} `json:"contexts"`
}

// txnRow is one transaction event as the endpoint sees it.
type txnRow struct {
	id, trace, name, op, project, status string
	end, durMS                           float64
}

func (t *txnSummary) row(file string) txnRow {
	r := txnRow{
		id:      dataset.NormID(cmp.Or(string(t.ID), string(t.EventID), strings.TrimSuffix(path.Base(file), ".json"))),
		trace:   dataset.NormID(string(t.Contexts.Trace.TraceID)),
		name:    t.Title,
		op:      t.Contexts.Trace.Op,
		project: cmp.Or(t.ProjectSlug, path.Base(path.Dir(file))),
		status:  cmp.Or(t.Contexts.Trace.Status, "ok"),
		end:     float64(t.EndTimestamp),
	}
	for _, tag := range t.Tags {
		if tag.Key == "transaction" && tag.Value != "" {
			r.name = string(tag.Value)
		}
	}
	if r.end == 0 {
		if ts, err := wire.ParseTimestamp(t.DateCreated); err == nil {
			r.end = float64(ts)
		}
	}
	if t.StartTimestamp > 0 && t.EndTimestamp >= t.StartTimestamp {
		r.durMS = (float64(t.EndTimestamp) - float64(t.StartTimestamp)) * 1000
	}
	return r
}

// discoverKeys are the search keys the endpoint understands, with how a
// row's value is read.
var discoverKeys = map[string]func(txnRow) string{
	"event.type":         func(txnRow) string { return "transaction" },
	"transaction":        func(r txnRow) string { return r.name },
	"transaction.op":     func(r txnRow) string { return r.op },
	"transaction.status": func(r txnRow) string { return r.status },
	"project":            func(r txnRow) string { return r.project },
	"trace":              func(r txnRow) string { return r.trace },
	"id":                 func(r txnRow) string { return r.id },
}

// discoverFields are the columns the endpoint can answer, with their type.
var discoverFields = map[string]string{
	"id": "string", "trace": "string", "transaction": "string", "transaction.op": "string",
	"project": "string", "project.name": "string", "timestamp": "date", "transaction.status": "string",
	"transaction.duration": "duration",
}

// term is one "key:value" (or "!key:value") of a search query.
type term struct {
	key, value string
	negate     bool
}

// parseSearch splits a query into terms; values may be quoted ("a b",
// with \" and \\ escapes).
func parseSearch(q string) ([]term, error) {
	var out []term
	i := 0
	for {
		for i < len(q) && q[i] == ' ' {
			i++
		}
		if i >= len(q) {
			return out, nil
		}
		var t term
		if q[i] == '!' {
			t.negate = true
			i++
		}
		j := strings.IndexByte(q[i:], ':')
		if j <= 0 || strings.ContainsRune(q[i:i+j], ' ') {
			end := strings.IndexByte(q[i:], ' ')
			if end < 0 {
				end = len(q) - i
			}
			return nil, fmt.Errorf("free text %q is not supported here: use key:value terms", q[i:i+end])
		}
		t.key = q[i : i+j]
		i += j + 1
		if i < len(q) && q[i] == '"' {
			var b strings.Builder
			i++
			for ; i < len(q) && q[i] != '"'; i++ {
				if q[i] == '\\' && i+1 < len(q) {
					i++
				}
				b.WriteByte(q[i])
			}
			if i >= len(q) {
				return nil, fmt.Errorf("unterminated quoted value for %s", t.key)
			}
			i++
			t.value = b.String()
		} else {
			end := strings.IndexByte(q[i:], ' ')
			if end < 0 {
				end = len(q) - i
			}
			t.value = q[i : i+end]
			i += end
		}
		out = append(out, t)
	}
}

// discoverQuery is a query of the events endpoint, read and checked.
type discoverQuery struct {
	fields []string
	terms  []term
	asc    bool
}

// parseDiscover reads the query of the events endpoint; the reply is the
// 400 it gets when the endpoint does not answer it.
func parseDiscover(q url.Values) (discoverQuery, *reply) {
	var d discoverQuery
	if ds := q.Get("dataset"); ds != "" && ds != "transactions" && ds != "discover" {
		return d, detailReply(http.StatusBadRequest, fmt.Sprintf("this server answers dataset=transactions only, not %q", ds))
	}
	d.fields = q["field"]
	if len(d.fields) == 0 {
		return d, detailReply(http.StatusBadRequest, "No columns selected")
	}
	for _, f := range d.fields {
		if _, ok := discoverFields[f]; !ok {
			return d, detailReply(http.StatusBadRequest, fmt.Sprintf("Invalid field %q: this server offers %s", f, strings.Join(slices.Sorted(maps.Keys(discoverFields)), ", ")))
		}
	}
	terms, err := parseSearch(q.Get("query"))
	if err != nil {
		return d, detailReply(http.StatusBadRequest, "Parse error: "+err.Error())
	}
	for _, t := range terms {
		if _, ok := discoverKeys[t.key]; !ok {
			return d, detailReply(http.StatusBadRequest, fmt.Sprintf("the search key %q is not supported by this server (it offers %s)", t.key, strings.Join(slices.Sorted(maps.Keys(discoverKeys)), ", ")))
		}
		if t.key == "event.type" && t.value != "transaction" {
			return d, detailReply(http.StatusBadRequest, "this server searches transactions only (event.type:transaction)")
		}
	}
	d.terms = terms
	switch q.Get("sort") {
	case "", "-timestamp":
	case "timestamp":
		d.asc = true
	default:
		return d, detailReply(http.StatusBadRequest, fmt.Sprintf("sort %q is not supported by this server (timestamp or -timestamp)", q.Get("sort")))
	}
	return d, nil
}

// match says whether a row is one the query asks for (projects: the
// slugs of the project filter, nil for all).
func (d *discoverQuery) match(row txnRow, projects map[string]bool) bool {
	if projects != nil && !projects[row.project] {
		return false
	}
	for _, t := range d.terms {
		v := discoverKeys[t.key](row)
		match := v == t.value
		if t.key == "trace" || t.key == "id" {
			match = v == dataset.NormID(t.value)
		}
		if match == t.negate {
			return false
		}
	}
	return true
}

// compare orders rows as the endpoint lists them: by timestamp (newest
// first unless asc), then id.
func (d *discoverQuery) compare(a, b txnRow) int {
	if d.asc {
		return cmp.Or(cmp.Compare(a.end, b.end), cmp.Compare(a.id, b.id))
	}
	return cmp.Or(cmp.Compare(b.end, a.end), cmp.Compare(b.id, a.id))
}

func (s *Server) eventsTable(r *http.Request, _ params) *reply {
	d, rep := parseDiscover(query(r))
	if rep != nil {
		return rep
	}
	fields := d.fields
	projectIDs, rep := s.projectFilter(r)
	if rep != nil {
		return rep
	}
	rows, rep := s.transactionRows(r)
	if rep != nil {
		return rep
	}
	rows = slices.DeleteFunc(rows, func(row txnRow) bool { return !d.match(row, projectIDs) })
	slices.SortStableFunc(rows, d.compare)
	pg, rep := s.paginate(r, len(rows))
	if rep != nil {
		return rep
	}
	var data []object
	for _, row := range rows[pg.lo:pg.hi] {
		var o object
		for _, f := range fields {
			o.set(f, row.field(f))
		}
		data = append(data, o)
	}
	var fieldTypes, units object
	for _, f := range fields {
		fieldTypes.set(f, jsonString(discoverFields[f]))
		if f == "transaction.duration" {
			units.set(f, jsonString("millisecond"))
		} else {
			units.set(f, []byte("null"))
		}
	}
	elems := make([][]byte, len(data))
	for i, o := range data {
		elems[i] = o.encode()
	}
	body := object{
		{"data", appendArray(nil, elems)},
		{"meta", object{{"fields", fieldTypes.encode()}, {"units", units.encode()}, {"dataset", jsonString("transactions")}}.encode()},
	}
	out := jsonReply(http.StatusOK, body.encode())
	out.header.Set("Link", pg.link)
	return out
}

func (row txnRow) field(f string) []byte {
	switch f {
	case "timestamp":
		if row.end == 0 {
			return []byte("null")
		}
		return jsonString(isoTime(row.end))
	case "transaction.duration":
		return []byte(strconv.FormatFloat(row.durMS, 'f', -1, 64))
	case "project.name":
		return jsonString(row.project)
	}
	return jsonString(discoverKeys[f](row))
}

// projectFilter reads project= (numeric ids, repeatable; -1 or none: all)
// as a set of slugs; nil means every project.
func (s *Server) projectFilter(r *http.Request) (map[string]bool, *reply) {
	vals := query(r)["project"]
	if len(vals) == 0 || slices.Equal(vals, []string{"-1"}) {
		return nil, nil
	}
	projs, err := s.data.Projects()
	if err != nil {
		return nil, s.errorReply(r, err)
	}
	return projectSlugs(vals, projs)
}

// projectSlugs is projectFilter over the projects projs (vals not all).
func projectSlugs(vals []string, projs []dataset.Project) (map[string]bool, *reply) {
	out := map[string]bool{}
	for _, v := range vals {
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return nil, detailReply(http.StatusBadRequest, "Invalid project parameter. Values must be numbers.")
		}
		for _, p := range projs {
			if p.ID == v {
				out[p.Slug] = true
			}
		}
	}
	return out, nil
}

// transactionRows reads every transaction event of the dataset (each file
// once: the summaries are cached).
func (s *Server) transactionRows(r *http.Request) ([]txnRow, *reply) {
	var rows []txnRow
	for _, dir := range s.data.Events {
		for _, file := range dir {
			sum, err := summary[txnSummary](s.data, file)
			if err != nil {
				return nil, s.errorReply(r, err)
			}
			if sum.Type != "transaction" {
				continue
			}
			rows = append(rows, sum.row(file))
		}
	}
	return rows, nil
}

// isoTime renders epoch seconds as Sentry's timestamps do:
// "2026-11-20T03:12:24+00:00".
func isoTime(sec float64) string {
	return time.Unix(0, int64(sec*1e9)).UTC().Format("2006-01-02T15:04:05+00:00")
}
