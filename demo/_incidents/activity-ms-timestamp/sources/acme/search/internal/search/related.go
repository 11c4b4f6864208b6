package search

import "github.com/getsentry/sentry-go"

// Related finds products related to a SKU.
func (s *Searcher) Related(sku string) []string {
	res, err := s.index.MoreLikeThis(sku, 12)
	if err != nil {
		sentry.CaptureException(err)
		return nil
	}
	return res
}
