// Profile threads: ordering, names and labels.

package tracetree

import (
	"strconv"
	"strings"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// pfLessID orders thread ids numerically when both are numbers.
func pfLessID(a, b string) bool {
	x, err1 := strconv.ParseUint(a, 0, 64)
	y, err2 := strconv.ParseUint(b, 0, 64)
	if err1 == nil && err2 == nil {
		return x < y
	}
	return a < b
}

func pfThreadName(d *wire.ProfileData, id string) string {
	if m, ok := d.ThreadMetadata[id]; ok && m.Name != "" {
		return m.Name
	}
	return ""
}

func pfThreadLabel(t *ProfileThread) string {
	if t.Name != "" {
		return oneLine(t.Name, 80)
	}
	return "thread " + oneLine(t.ID, 64)
}

func pfThreadList(ids []string, threads map[string]*ProfileThread) string {
	var parts []string
	for _, id := range ids {
		t := threads[id]
		s := oneLine(id, 64)
		if t.Name != "" {
			s += " (" + oneLine(t.Name, 80) + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}
