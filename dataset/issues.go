package dataset

import (
	"cmp"
	"strings"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// CompareIssues orders issues as Sentry's issue list does by default
// (sort=date): the most recently seen (lastSeen) first, then the larger
// numeric id first. Ids are compared as numbers written in decimal (a
// longer id is larger), so they need not be parsed.
func CompareIssues(aLastSeen wire.Timestamp, aID string, bLastSeen wire.Timestamp, bID string) int {
	return cmp.Or(cmp.Compare(bLastSeen, aLastSeen), cmp.Compare(len(bID), len(aID)), strings.Compare(bID, aID))
}
