package search

import "github.com/getsentry/sentry-go"

// Suggest completes a prefix from the suggestion index.
func (s *Suggester) Suggest(prefix string) []string {
	out, err := s.index.Prefix(prefix, 8)
	if err != nil {
		sentry.CaptureException(err)
		return nil
	}
	return out
}
