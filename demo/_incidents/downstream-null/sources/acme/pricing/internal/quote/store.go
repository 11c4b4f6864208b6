package quote

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Promotion is a time-limited price of a SKU.
type Promotion struct {
	ID       string
	SKU      string
	Price    Money
	StartsAt time.Time
	EndsAt   time.Time
}

// Store reads list prices and promotions from PostgreSQL.
type Store struct{ pool *pgxpool.Pool }

// NewStore returns a Store on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// ListPrices returns the regular price of each SKU that has one.
func (s *Store) ListPrices(ctx context.Context, skus []string, currency string) (map[string]Money, error) {
	rows, err := s.pool.Query(ctx, `SELECT sku, amount::text, currency FROM list_prices WHERE sku = ANY($1) AND currency = $2`, skus, currency)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Money{}
	for rows.Next() {
		var sku string
		var m Money
		if err := rows.Scan(&sku, &m.Amount, &m.Currency); err != nil {
			return nil, err
		}
		out[sku] = m
	}
	return out, rows.Err()
}

// Promotions returns, per SKU, the promotion that is running or, failing
// that, the one that ended last within the past 7 days (for "was" prices).
func (s *Store) Promotions(ctx context.Context, skus []string, currency string) (map[string]*Promotion, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT DISTINCT ON (sku) id, sku, amount::text, currency, starts_at, ends_at
		FROM promotions
		WHERE sku = ANY($1) AND currency = $2 AND starts_at <= now() AND ends_at > now() - interval '7 days'
		ORDER BY sku, ends_at DESC`, skus, currency)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*Promotion{}
	for rows.Next() {
		p := &Promotion{}
		if err := rows.Scan(&p.ID, &p.SKU, &p.Price.Amount, &p.Price.Currency, &p.StartsAt, &p.EndsAt); err != nil {
			return nil, err
		}
		out[p.SKU] = p
	}
	return out, rows.Err()
}
