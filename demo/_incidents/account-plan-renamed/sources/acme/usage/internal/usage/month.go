package usage

import "log/slog"

// ForMonth sums an account's metered usage over a month.
func (s *Store) ForMonth(account string, month Month) Totals {
	t := s.sum(account, month)
	if t.Late > 0 {
		slog.Warn("usage records arrived after the month closed", "account", account, "late", t.Late)
	}
	return t
}
