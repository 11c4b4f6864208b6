// Hot lists: the heaviest app and system functions over all samples.

package tracetree

import (
	"sort"
	"strconv"
)

type pfHot struct {
	ProfileHot
	node   *ProfileNode // app functions: a node of the function (for its file)
	caller *ProfileNode // system functions: the app caller (nil: none)
	lines  map[int]float64
}

func pfHotList(m map[string]*pfHot) []ProfileHot {
	out := make([]ProfileHot, 0, len(m))
	for _, h := range m {
		if h.SelfMS <= 0 {
			continue
		}
		if l := pfTopLine(h.lines); l > 0 && h.Location != "" {
			h.Location += ":" + strconv.Itoa(l)
		}
		out = append(out, h.ProfileHot)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].SelfMS != out[j].SelfMS {
			return out[i].SelfMS > out[j].SelfMS
		}
		return out[i].Function+out[i].Caller < out[j].Function+out[j].Caller
	})
	return out
}
