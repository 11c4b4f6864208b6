package unread

import (
	"context"
	"errors"
	"fmt"

	"github.com/getsentry/sentry-go"
	"github.com/redis/go-redis/v9"
)

// Service counts unread notifications.
type Service struct {
	rdb   *redis.Client
	stale map[string]int
}

// Count returns the unread notifications of a customer, from Redis, or the
// last known count when Redis is slow.
func (s *Service) Count(ctx context.Context, customer string) (int, error) {
	n, err := s.rdb.Get(ctx, "unread:"+customer).Int()
	if errors.Is(err, redis.ErrPoolTimeout) {
		sentry.CaptureException(fmt.Errorf("redis: connection pool timeout; serving a stale unread count: %w", err))
		return s.stale[customer], nil
	}
	return n, err
}
