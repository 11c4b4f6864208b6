package local

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/go-json-experiment/json/jsontext"
)

// params are the named segments of a matched route.
type params map[string]string

// route is one endpoint: a path pattern under /api/0/ (segments, "{name}"
// for a parameter), the resource whose read scope it needs, and its handler.
type route struct {
	segs    []string
	scope   string
	handler func(*Server, *http.Request, params) *reply
}

var routes []route

func init() {
	add := func(pattern, scope string, h func(*Server, *http.Request, params) *reply) {
		routes = append(routes, route{segs: strings.Split(pattern, "/"), scope: scope, handler: h})
	}
	add("organizations", "org", (*Server).orgList)
	add("organizations/{org}", "org", (*Server).orgDetail)
	add("organizations/{org}/projects", "project", (*Server).projectList)
	add("organizations/{org}/issues", "event", (*Server).issueList)
	add("organizations/{org}/issues/{issue}", "event", (*Server).issueDetail)
	add("organizations/{org}/issues/{issue}/events", "event", (*Server).issueEventList)
	add("organizations/{org}/issues/{issue}/events/{event}", "event", (*Server).issueEvent)
	add("organizations/{org}/shortids/{shortid}", "event", (*Server).shortIDLookup)
	add("organizations/{org}/events", "event", (*Server).eventsTable)
	add("organizations/{org}/events/{projectevent}", "event", (*Server).orgEvent)
	add("organizations/{org}/eventids/{event}", "event", (*Server).eventIDLookup)
	add("organizations/{org}/trace/{trace}", "event", (*Server).trace)
	add("organizations/{org}/trace-meta/{trace}", "event", (*Server).traceMeta)
	add("organizations/{org}/events-trace/{trace}", "event", (*Server).legacyTrace)
	add("organizations/{org}/profiling/chunks", "event", (*Server).chunks)
	add("organizations/{org}/repos", "org", (*Server).repos)
	add("organizations/{org}/code-mappings", "org-integrations", (*Server).codeMappings)
	add("projects/{org}/{project}", "project", (*Server).projectDetail)
	add("projects/{org}/{project}/events/{event}", "event", (*Server).projectEvent)
	add("projects/{org}/{project}/profiling/profiles/{profile}", "event", (*Server).profile)
}

// match finds the route of a URL path. The path must start with /api/0/;
// the trailing slash is optional; empty segments never match.
func match(urlPath string) (*route, params, bool) {
	rest, ok := strings.CutPrefix(urlPath, "/api/0/")
	if !ok {
		return nil, nil, false
	}
	rest = strings.TrimSuffix(rest, "/")
	if rest == "" {
		return nil, nil, false
	}
	segs := strings.Split(rest, "/")
	if slices.Contains(segs, "") {
		return nil, nil, false
	}
next:
	for i := range routes {
		rt := &routes[i]
		if len(rt.segs) != len(segs) {
			continue
		}
		var p params
		for j, pat := range rt.segs {
			if name, ok := strings.CutPrefix(pat, "{"); ok {
				if p == nil {
					p = params{}
				}
				p[strings.TrimSuffix(name, "}")] = segs[j]
			} else if pat != segs[j] {
				continue next
			}
		}
		return rt, p, true
	}
	return nil, nil, false
}

// ---- organizations ----

// orgJSON is organization.json with links.regionUrl set for the fake.
func (s *Server) orgJSON() []byte {
	o := s.data.org.clone()
	var links object
	if raw, ok := o.get("links"); ok && raw.Kind() == '{' {
		links, _ = decodeObject(raw)
	}
	switch {
	case s.regionURL != nil:
		links.set("regionUrl", jsonString(*s.regionURL))
		o.set("links", links.encode())
	default:
		if v, ok := links.get("regionUrl"); ok && isSaaS(rawString(v)) {
			links.set("regionUrl", jsonString(""))
			o.set("links", links.encode())
		}
	}
	return o.encode()
}

// isSaaS reports whether u points at sentry.io or one of its subdomains.
func isSaaS(u string) bool {
	pu, err := url.Parse(u)
	if err != nil {
		return false
	}
	h := strings.ToLower(pu.Hostname())
	return h == "sentry.io" || strings.HasSuffix(h, ".sentry.io")
}

func (s *Server) orgList(r *http.Request, _ params) *reply {
	return s.pageReply(r, [][]byte{s.orgJSON()})
}

func (s *Server) orgDetail(r *http.Request, _ params) *reply {
	return jsonReply(http.StatusOK, s.orgJSON())
}

// ---- projects ----

func (s *Server) projectList(r *http.Request, _ params) *reply {
	projs, err := s.data.Projects()
	if err != nil {
		return s.errorReply(r, err)
	}
	if query(r).Get("all_projects") == "1" {
		// Sentry answers every project, sorted by slug, unpaginated.
		slices.SortStableFunc(projs, func(a, b dataset.Project) int { return cmp.Compare(a.Slug, b.Slug) })
		elems := make([][]byte, len(projs))
		for i, p := range projs {
			elems[i] = p.Raw
		}
		return jsonReply(http.StatusOK, appendArray(nil, elems))
	}
	elems := make([][]byte, len(projs))
	for i, p := range projs {
		elems[i] = p.Raw
	}
	return s.pageReply(r, elems)
}

// resolveProject maps a project slug or numeric id to its slug, from
// projects.json; a slug that only names a directory under events/ or
// profiles/ is accepted too, so datasets without projects.json work.
func (s *Server) resolveProject(r *http.Request, key string) (string, *reply) {
	projs, err := s.data.Projects()
	if err != nil {
		return "", s.errorReply(r, err)
	}
	for _, p := range projs {
		if p.Slug == key || (p.ID != "" && p.ID == key) {
			return p.Slug, nil
		}
	}
	if _, ok := s.data.Events[key]; ok {
		return key, nil
	}
	if _, ok := s.data.Profiles[key]; ok {
		return key, nil
	}
	return "", notFound()
}

func (s *Server) projectDetail(r *http.Request, p params) *reply {
	projs, err := s.data.Projects()
	if err != nil {
		return s.errorReply(r, err)
	}
	for _, pr := range projs {
		if pr.Slug == p["project"] || (pr.ID != "" && pr.ID == p["project"]) {
			return jsonReply(http.StatusOK, pr.Raw)
		}
	}
	return notFound()
}

// ---- issues ----

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// findIssue resolves a numeric issue id or a short id (case-insensitive).
// A numeric id is looked up by file name first, then by the files' "id".
// When nothing matches and some issue file is broken, the answer is a 500
// naming it: the issue may be in that file.
func (s *Server) findIssue(r *http.Request, key string, shortOnly bool) (string, *issueSummary, *reply) {
	numeric := isDigits(key)
	if numeric && shortOnly {
		return "", nil, notFound()
	}
	if numeric {
		if file, ok := s.data.Issues[key]; ok {
			sum, err := summary[issueSummary](s.data, file)
			if err != nil {
				return "", nil, s.errorReply(r, err)
			}
			return file, sum, nil
		}
	}
	files := make([]string, 0, len(s.data.Issues))
	for _, f := range s.data.Issues {
		files = append(files, f)
	}
	slices.Sort(files)
	var firstErr error
	for _, file := range files {
		sum, err := summary[issueSummary](s.data, file)
		if err != nil {
			firstErr = cmp.Or(firstErr, err)
			continue
		}
		if numeric && string(sum.ID) == key || !numeric && sum.ShortID != "" && strings.EqualFold(sum.ShortID, key) {
			return file, sum, nil
		}
	}
	if firstErr != nil {
		return "", nil, s.errorReply(r, firstErr)
	}
	return "", nil, notFound()
}

// issueList answers the organization's issues, the most recently seen
// first (Sentry's sort=date; other sorts and the query are not offered),
// at most limit of them (1–100), paginated.
func (s *Server) issueList(r *http.Request, _ params) *reply {
	limit := maxPerPage
	if v := query(r).Get("limit"); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 || n > maxPerPage {
			return detailReply(http.StatusBadRequest, fmt.Sprintf("Invalid limit: a number from 1 to %d.", maxPerPage))
		}
		limit = n
	}
	type entry struct {
		sum  *issueSummary
		data []byte
	}
	var list []entry
	for _, file := range s.data.Issues {
		sum, err := summary[issueSummary](s.data, file)
		if err != nil {
			return s.errorReply(r, err)
		}
		data, err := s.data.Read(file, '{')
		if err != nil {
			return s.errorReply(r, err)
		}
		list = append(list, entry{sum, data})
	}
	seen := func(e entry) wire.Timestamp {
		t, _ := wire.ParseTimestamp(e.sum.LastSeen)
		return t
	}
	slices.SortFunc(list, func(a, b entry) int {
		return dataset.CompareIssues(seen(a), string(a.sum.ID), seen(b), string(b.sum.ID))
	})
	elems := make([][]byte, 0, min(len(list), limit))
	for _, e := range list[:min(len(list), limit)] {
		elems = append(elems, e.data)
	}
	return s.pageReply(r, elems)
}

func (s *Server) issueDetail(r *http.Request, p params) *reply {
	file, _, rep := s.findIssue(r, p["issue"], false)
	if rep != nil {
		return rep
	}
	data, err := s.data.Read(file, '{')
	if err != nil {
		return s.errorReply(r, err)
	}
	return jsonReply(http.StatusOK, data)
}

func (s *Server) shortIDLookup(r *http.Request, p params) *reply {
	file, sum, rep := s.findIssue(r, p["shortid"], true)
	if rep != nil {
		return rep
	}
	data, err := s.data.Read(file, '{')
	if err != nil {
		return s.errorReply(r, err)
	}
	o := object{
		{"organizationSlug", jsonString(s.data.OrgSlug)},
		{"projectSlug", jsonString(sum.Project.Slug)},
		{"groupId", jsonString(string(sum.ID))},
		{"shortId", jsonString(sum.ShortID)},
		{"group", data},
	}
	return jsonReply(http.StatusOK, o.encode())
}

// eventRef is an event file and what the server knows of it.
type eventRef struct {
	file string
	id   string
	sum  *eventSummary
}

// issueEvents returns the events of an issue, newest first. The events are
// looked for in the issue's project directory (all of events/ when the
// issue names no project that has one).
func (s *Server) issueEvents(r *http.Request, key string) ([]eventRef, *reply) {
	_, isum, rep := s.findIssue(r, key, false)
	if rep != nil {
		return nil, rep
	}
	var files []string
	if dir, ok := s.data.Events[isum.Project.Slug]; ok && isum.Project.Slug != "" {
		for _, f := range dir {
			files = append(files, f)
		}
	} else {
		for _, dir := range s.data.Events {
			for _, f := range dir {
				files = append(files, f)
			}
		}
	}
	slices.Sort(files)
	var evs []eventRef
	for _, file := range files {
		sum, err := summary[eventSummary](s.data, file)
		if err != nil {
			return nil, s.errorReply(r, err)
		}
		if sum.GroupID == "" || sum.GroupID != isum.ID {
			continue
		}
		id := dataset.NormID(cmp.Or(string(sum.ID), string(sum.EventID), strings.TrimSuffix(path.Base(file), ".json")))
		evs = append(evs, eventRef{file: file, id: id, sum: sum})
	}
	slices.SortStableFunc(evs, func(a, b eventRef) int {
		return cmp.Or(cmp.Compare(b.sum.time(), a.sum.time()), cmp.Compare(b.id, a.id))
	})
	return evs, nil
}

// truthy reads a flag the way Sentry reads full=: any non-empty value but
// the obvious negatives.
func truthy(v string) bool {
	switch strings.ToLower(v) {
	case "", "0", "false", "no", "off":
		return false
	}
	return true
}

func (s *Server) issueEventList(r *http.Request, p params) *reply {
	evs, rep := s.issueEvents(r, p["issue"])
	if rep != nil {
		return rep
	}
	pg, rep := s.paginate(r, len(evs))
	if rep != nil {
		return rep
	}
	full := truthy(query(r).Get("full"))
	elems := make([][]byte, 0, pg.hi-pg.lo)
	for _, ev := range evs[pg.lo:pg.hi] {
		o, err := s.data.readObject(ev.file)
		if err != nil {
			return s.errorReply(r, err)
		}
		if !full {
			o.del("entries")
		}
		elems = append(elems, o.encode())
	}
	out := jsonReply(http.StatusOK, appendArray(nil, elems))
	out.header.Set("Link", pg.link)
	return out
}

// recommendedOrder is Sentry's order for the recommended event: a replay,
// a sampled trace, fewer processing errors, a profile, then the newest.
func recommendedOrder(a, b eventRef) int {
	bo := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	return cmp.Or(
		cmp.Compare(bo(b.sum.hasReplay()), bo(a.sum.hasReplay())),
		cmp.Compare(bo(b.sum.hasTrace()), bo(a.sum.hasTrace())),
		cmp.Compare(a.sum.processingErrors(), b.sum.processingErrors()),
		cmp.Compare(bo(b.sum.hasProfile()), bo(a.sum.hasProfile())),
		cmp.Compare(b.sum.time(), a.sum.time()),
		cmp.Compare(b.id, a.id),
	)
}

func (s *Server) issueEvent(r *http.Request, p params) *reply {
	evs, rep := s.issueEvents(r, p["issue"])
	if rep != nil {
		return rep
	}
	var ev *eventRef
	switch which := p["event"]; which {
	case "latest", "oldest", "recommended":
		if len(evs) == 0 {
			return detailReply(http.StatusNotFound, msgNoEvent)
		}
		switch which {
		case "latest":
			ev = &evs[0]
		case "oldest":
			ev = &evs[len(evs)-1]
		default:
			sorted := slices.Clone(evs)
			slices.SortStableFunc(sorted, recommendedOrder)
			ev = &sorted[0]
		}
	default:
		id := dataset.NormID(which)
		for i := range evs {
			if evs[i].id == id {
				ev = &evs[i]
				break
			}
		}
		if ev == nil {
			return detailReply(http.StatusNotFound, msgEventNotFound)
		}
	}
	data, err := s.data.Read(ev.file, '{')
	if err != nil {
		return s.errorReply(r, err)
	}
	return jsonReply(http.StatusOK, data)
}

// ---- events ----

func (s *Server) projectEvent(r *http.Request, p params) *reply {
	slug, rep := s.resolveProject(r, p["project"])
	if rep != nil {
		return rep
	}
	file, ok := s.data.Events[slug][dataset.NormID(p["event"])]
	if !ok {
		return detailReply(http.StatusNotFound, msgEventNotFound)
	}
	data, err := s.data.Read(file, '{')
	if err != nil {
		return s.errorReply(r, err)
	}
	return jsonReply(http.StatusOK, data)
}

func (s *Server) orgEvent(r *http.Request, p params) *reply {
	proj, eventID, ok := strings.Cut(p["projectevent"], ":")
	if !ok || proj == "" || eventID == "" {
		return notFound()
	}
	slug, rep := s.resolveProject(r, proj)
	if rep != nil {
		return rep
	}
	file, ok := s.data.Events[slug][dataset.NormID(eventID)]
	if !ok {
		return detailReply(http.StatusNotFound, msgEventNotFound)
	}
	o, err := s.data.readObject(file)
	if err != nil {
		return s.errorReply(r, err)
	}
	if _, ok := o.get("projectSlug"); !ok {
		o.set("projectSlug", jsonString(slug))
	}
	return jsonReply(http.StatusOK, o.encode())
}

func (s *Server) eventIDLookup(r *http.Request, p params) *reply {
	id := dataset.NormID(p["event"])
	files := s.data.EventByID[id]
	if len(files) == 0 {
		return notFound()
	}
	file := files[0]
	o, err := s.data.readObject(file)
	if err != nil {
		return s.errorReply(r, err)
	}
	groupID := jsontext.Value("null")
	if v, ok := o.get("groupID"); ok && rawString(v) != "" {
		groupID = jsonString(rawString(v))
	}
	eventID := id
	if v, ok := o.get("eventID"); ok && rawString(v) != "" {
		eventID = rawString(v)
	}
	out := object{
		{"organizationSlug", jsonString(s.data.OrgSlug)},
		{"projectSlug", jsonString(path.Base(path.Dir(file)))},
		{"groupId", groupID},
		{"eventId", jsonString(eventID)},
		{"event", o.encode()},
	}
	return jsonReply(http.StatusOK, out.encode())
}

// ---- traces ----

// traceID normalises the trace id of the path; ok is false when it is not
// a 32-hex id.
func (s *Server) traceID(p params) (string, bool) {
	id := dataset.NormID(p["trace"])
	return id, dataset.IsHexID(id)
}

func (s *Server) trace(r *http.Request, p params) *reply {
	id, ok := s.traceID(p)
	if !ok {
		return notFound()
	}
	file, ok := s.data.Traces[id]
	if !ok {
		// Sentry answers an unknown trace with an empty list.
		return jsonReply(http.StatusOK, []byte("[]"))
	}
	if rep := s.streamFile(r, file, '['); rep != nil {
		return rep
	}
	data, err := s.data.Read(file, '[')
	if err != nil {
		return s.errorReply(r, err)
	}
	return jsonReply(http.StatusOK, data)
}

// streamFile answers a file bigger than streamAbove from the file as it
// is read (nil for a smaller one: the caller reads and checks it whole).
func (s *Server) streamFile(r *http.Request, file string, want jsontext.Kind) *reply {
	f, size, err := s.data.OpenStream(file, want)
	if err != nil {
		return s.errorReply(r, err)
	}
	if size <= streamAbove {
		f.Close()
		return nil
	}
	rep := jsonReply(http.StatusOK, nil)
	rep.stream, rep.size = f, size
	return rep
}

// countTrace counts a trace for trace-meta: a big trace file token by
// token as it is read (countMetaFrom), a smaller one decoded (countMeta).
func (s *Server) countTrace(id string) (metaOut, error) {
	file, ok := s.data.Traces[id]
	if !ok {
		return countMeta(nil), nil
	}
	f, size, err := s.data.OpenStream(file, '[')
	if err != nil {
		return metaOut{}, err
	}
	defer f.Close()
	if size <= streamAbove {
		t, _, err := s.loadTrace(id)
		return countMeta(t), err
	}
	m, err := countMetaFrom(f)
	if err != nil {
		return metaOut{}, &dataset.FileError{Path: file, Err: err}
	}
	return m, nil
}

// loadTrace decodes a trace file; ok is false when the dataset has none.
func (s *Server) loadTrace(id string) (wire.Trace, bool, error) {
	file, ok := s.data.Traces[id]
	if !ok {
		return nil, false, nil
	}
	data, err := s.data.Read(file, '[')
	if err != nil {
		return nil, true, err
	}
	var t wire.Trace
	if err := wire.Decode(data, &t); err != nil {
		return nil, true, &dataset.FileError{Path: file, Err: err}
	}
	return t, true, nil
}

func (s *Server) traceMeta(r *http.Request, p params) *reply {
	id, ok := s.traceID(p)
	if !ok {
		return notFound()
	}
	if file, ok := s.data.TraceMeta[id]; ok {
		data, err := s.data.Read(file, '{')
		if err != nil {
			return s.errorReply(r, err)
		}
		return jsonReply(http.StatusOK, data)
	}
	meta, err := s.countTrace(id)
	if err != nil {
		return s.errorReply(r, err)
	}
	body, err := wire.Encode(meta)
	if err != nil {
		return s.errorReply(r, err)
	}
	return jsonReply(http.StatusOK, body)
}

func (s *Server) legacyTrace(r *http.Request, p params) *reply {
	id, ok := s.traceID(p)
	if !ok {
		return notFound()
	}
	t, _, err := s.loadTrace(id)
	if err != nil {
		return s.errorReply(r, err)
	}
	body, err := wire.Encode(deriveLegacy(t))
	if err != nil {
		return s.errorReply(r, err)
	}
	return jsonReply(http.StatusOK, body)
}

// ---- profiles ----

func (s *Server) profile(r *http.Request, p params) *reply {
	slug, rep := s.resolveProject(r, p["project"])
	if rep != nil {
		return rep
	}
	file, ok := s.data.Profiles[slug][dataset.NormID(p["profile"])]
	if !ok {
		return notFound()
	}
	data, err := s.data.Read(file, '{')
	if err != nil {
		return s.errorReply(r, err)
	}
	return jsonReply(http.StatusOK, data)
}

// ---- repositories and code mappings ----

func (s *Server) repos(r *http.Request, _ params) *reply {
	elems, err := s.data.OptionalArray(dataset.ReposFile)
	if err != nil {
		return s.errorReply(r, err)
	}
	return s.pageReply(r, toBytes(elems))
}

func (s *Server) codeMappings(r *http.Request, _ params) *reply {
	elems, err := s.data.OptionalArray(dataset.CodeMappingsFile)
	if err != nil {
		return s.errorReply(r, err)
	}
	if proj := query(r).Get("project"); proj != "" && proj != "-1" {
		if _, err := strconv.ParseInt(proj, 10, 64); err != nil {
			return detailReply(http.StatusBadRequest, "Invalid project parameter. Values must be numbers.")
		}
		kept := elems[:0:0]
		for i, e := range elems {
			var cm struct {
				ProjectID wire.FlexString `json:"projectId"`
			}
			if err := wire.Decode(e, &cm); err != nil {
				return s.errorReply(r, &dataset.FileError{Path: dataset.CodeMappingsFile, Err: fmt.Errorf("element %d: %w", i, err)})
			}
			if string(cm.ProjectID) == proj {
				kept = append(kept, e)
			}
		}
		elems = kept
	}
	return s.pageReply(r, toBytes(elems))
}

func toBytes(vs []jsontext.Value) [][]byte {
	out := make([][]byte, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}
