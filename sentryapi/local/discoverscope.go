package local

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/sentryapi/wire"
)

// What a store that hands this server only the files a request reads
// (ingest) needs to know of Discover's events endpoint: a transaction
// event's row (its name, time and id, to index it by), and of a query
// the name its rows have, their order, how many of them a page reads and
// which rows match — all decided by the code that answers the endpoint.

// DiscoverRow is a transaction event as the events endpoint reads it.
type DiscoverRow struct{ row txnRow }

// ReadDiscoverRow reads the event file file (its path in the dataset,
// data its content); ok is false when it is not a transaction.
func ReadDiscoverRow(file string, data []byte) (row DiscoverRow, ok bool, err error) {
	var sum txnSummary
	if err := wire.Decode(data, &sum); err != nil {
		return DiscoverRow{}, false, &dataset.FileError{Path: file, Err: err}
	}
	if sum.Type != "transaction" {
		return DiscoverRow{}, false, nil
	}
	return DiscoverRow{sum.row(file)}, true, nil
}

// Name is the transaction's name (what transaction:NAME matches).
func (r DiscoverRow) Name() string { return r.row.name }

// Timestamp is what the endpoint sorts by (epoch seconds; ties go by ID).
func (r DiscoverRow) Timestamp() float64 { return r.row.end }

// ID is the event's id as the endpoint lists it.
func (r DiscoverRow) ID() string { return r.row.id }

// DiscoverScope is a query of the events endpoint as a store selects rows
// for it.
type DiscoverScope struct {
	// Transaction is the name every row the query can list has.
	Transaction string
	// Ascending is the order rows are listed in: by Timestamp then ID,
	// the oldest first when true, else the newest.
	Ascending bool
	// Rows is how many matching rows, in that order, the page asked for
	// and its links read (the page, those before it, and one more).
	Rows int

	q        discoverQuery
	projects map[string]bool
}

// ParseDiscoverScope reads the query of an events request (projects: the
// organization's projects). ok is false when it names no transaction: a
// store must give every row. Rows is 0 when no row can matter: the
// endpoint answers the query with an error, or no row has its name.
func ParseDiscoverScope(q url.Values, projects []dataset.Project) (s DiscoverScope, ok bool) {
	d, rep := parseDiscover(q)
	if rep != nil {
		return s, true
	}
	named := false
	for _, t := range d.terms {
		if t.key == "transaction" && !t.negate {
			if named && t.value != s.Transaction {
				return s, true // no row has two names
			}
			s.Transaction, named = t.value, true
		}
	}
	if !named {
		return s, false
	}
	if vals := q["project"]; len(vals) > 0 && !slices.Equal(vals, []string{"-1"}) {
		if s.projects, rep = projectSlugs(vals, projects); rep != nil {
			return DiscoverScope{}, true
		}
	}
	// As paginate reads them, or more (a scope may hold more rows than
	// the page needs, never fewer).
	perPage, offset := maxPerPage, 0
	if v, ok := q["per_page"]; ok && len(v) > 0 {
		if n, err := strconv.Atoi(strings.TrimSpace(v[len(v)-1])); err == nil && n >= 1 && n <= maxPerPage {
			perPage = n
		}
	}
	if c := q.Get("cursor"); c != "" {
		if n, ok := parseCursor(c); ok {
			offset = n
		}
	}
	s.Ascending, s.Rows, s.q = d.asc, offset+perPage+1, d
	return s, true
}

// Match says whether the query lists row.
func (s *DiscoverScope) Match(row DiscoverRow) bool { return s.q.match(row.row, s.projects) }
