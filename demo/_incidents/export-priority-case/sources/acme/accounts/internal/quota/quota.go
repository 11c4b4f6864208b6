package quota

import "log/slog"

// Check reports whether a merchant may start another export.
func (q *Quotas) Check(merchant string) bool {
	used, limit := q.used(merchant), q.limit(merchant)
	if used*10 >= limit*9 {
		slog.Warn("merchant close to the export quota", "merchant", merchant, "used", used, "limit", limit)
	}
	return used < limit
}
