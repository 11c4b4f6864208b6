package flags

import (
	"log/slog"
	"time"
)

// Evaluate returns a flag's value for a customer.
func (s *Store) Evaluate(name, customer string) bool {
	rs := s.rules.Load()
	if time.Since(rs.Loaded) > 5*time.Minute {
		slog.Warn("flag evaluated with a stale ruleset", "flag", name, "age", time.Since(rs.Loaded))
	}
	return rs.Eval(name, customer)
}
