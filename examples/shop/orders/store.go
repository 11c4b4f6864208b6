package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/getsentry/sentry-go"
)

type order struct {
	ID       string
	CartID   string
	Amount   string
	Currency string
	Status   string
}

// orderStore keeps the orders in memory; its methods are traced as the
// database queries a real service would make.
type orderStore struct {
	mu     sync.Mutex
	orders map[string]*order
	seq    int
}

func newOrderStore() *orderStore {
	return &orderStore{orders: make(map[string]*order)}
}

func (st *orderStore) insert(ctx context.Context, req orderRequest) order {
	span := sentry.StartSpan(ctx, "db.query",
		sentry.WithDescription("INSERT INTO orders (id, cart_id, amount, currency, status) VALUES (?, ?, ?, ?, 'pending')"))
	defer span.Finish()
	span.SetData("db.system", "memory")

	st.mu.Lock()
	defer st.mu.Unlock()
	st.seq++
	o := &order{
		ID:       fmt.Sprintf("ord_%d", st.seq),
		CartID:   req.CartID,
		Amount:   req.Amount,
		Currency: req.Currency,
		Status:   "pending",
	}
	st.orders[o.ID] = o
	span.Status = sentry.SpanStatusOK
	return *o
}

func (st *orderStore) setStatus(ctx context.Context, id, status string) {
	span := sentry.StartSpan(ctx, "db.query",
		sentry.WithDescription("UPDATE orders SET status = ? WHERE id = ?"))
	defer span.Finish()
	span.SetData("db.system", "memory")

	st.mu.Lock()
	defer st.mu.Unlock()
	if o, ok := st.orders[id]; ok {
		o.Status = status
		span.Status = sentry.SpanStatusOK
	} else {
		span.Status = sentry.SpanStatusNotFound
	}
}
