package local

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxPerPage is Sentry's default and maximum page size.
const maxPerPage = 100

// page is one page of a list: elements [lo, hi) and the Link header.
type page struct {
	lo, hi int
	link   string
}

// paginate reads per_page and cursor the way Sentry's offset paginators do
// (GenericOffsetPaginator: cursor "0:<offset>:<is_prev>") and builds the Link
// header of sentry-api.md §4: always a previous and a next entry, absolute
// URLs on the request's host, results="true" only where there is more.
func (s *Server) paginate(r *http.Request, total int) (page, *reply) {
	q := query(r)
	perPage := s.perPage
	if v, ok := q["per_page"]; ok && len(v) > 0 {
		n, err := strconv.Atoi(strings.TrimSpace(v[len(v)-1]))
		if err != nil || n < 1 {
			return page{}, detailReply(http.StatusBadRequest, "Invalid per_page parameter.")
		}
		if n > maxPerPage {
			return page{}, detailReply(http.StatusBadRequest,
				fmt.Sprintf("Invalid per_page value. Cannot exceed %d.", maxPerPage))
		}
		perPage = n
	}
	offset := 0
	if c := q.Get("cursor"); c != "" {
		var ok bool
		if offset, ok = parseCursor(c); !ok {
			return page{}, detailReply(http.StatusBadRequest, "Invalid cursor parameter.")
		}
	}
	p := page{lo: min(offset, total), hi: min(offset+perPage, total)}
	prev := fmt.Sprintf("0:%d:1", max(0, offset-perPage))
	next := fmt.Sprintf("0:%d:0", offset+perPage)
	p.link = cursorLink(r, "previous", prev, offset > 0) + ", " +
		cursorLink(r, "next", next, offset+perPage < total)
	return p, nil
}

// parseCursor reads "value:offset:is_prev" and returns the offset.
func parseCursor(c string) (int, bool) {
	parts := strings.Split(c, ":")
	if len(parts) != 3 {
		return 0, false
	}
	if _, err := strconv.ParseFloat(parts[0], 64); err != nil {
		return 0, false
	}
	off, err := strconv.Atoi(parts[1])
	if err != nil || off < 0 {
		return 0, false
	}
	if _, err := strconv.Atoi(parts[2]); err != nil {
		return 0, false
	}
	return off, true
}

// cursorLink renders one Link entry exactly as Sentry's build_cursor_link:
// the request URL without its cursor parameter, then "&cursor=…".
func cursorLink(r *http.Request, rel, cursor string, results bool) string {
	var kept []string
	for _, part := range strings.Split(r.URL.RawQuery, "&") {
		if part == "" {
			continue
		}
		name, _, _ := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil && n == "cursor" {
			continue
		}
		kept = append(kept, part)
	}
	return fmt.Sprintf(`<%s%s?%s&cursor=%s>; rel="%s"; results="%t"; cursor="%s"`,
		baseURL(r), r.URL.EscapedPath(), strings.Join(kept, "&"), cursor, rel, results, cursor)
}

// pageReply answers one page of a list of encoded elements.
func (s *Server) pageReply(r *http.Request, elems [][]byte) *reply {
	p, rep := s.paginate(r, len(elems))
	if rep != nil {
		return rep
	}
	out := jsonReply(http.StatusOK, appendArray(nil, elems[p.lo:p.hi]))
	out.header.Set("Link", p.link)
	return out
}
