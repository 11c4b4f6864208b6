// Package sessions keeps the browser sessions that api-gateway validates.
package sessions

import (
	"sync"
	"time"
)

// Session is a signed-in customer's session.
type Session struct {
	ID        string
	UserID    string
	ExpiresAt time.Time
}

// Store is an in-memory session store with sliding expiry.
type Store struct {
	mu       sync.Mutex
	sessions map[string]Session
	ttl      time.Duration
}

// NewStore returns an empty store whose sessions live ttl after last use.
func NewStore(ttl time.Duration) *Store {
	return &Store{sessions: map[string]Session{}, ttl: ttl}
}

// Put adds or replaces a session.
func (s *Store) Put(sess Session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions[sess.ID] = sess
}

// Validate returns the session if it exists and has not expired, and
// extends its expiry.
func (s *Store) Validate(id string, now time.Time) (Session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[id]
	if !ok || now.After(sess.ExpiresAt) {
		return Session{}, false
	}
	sess.ExpiresAt = now.Add(s.ttl)
	s.sessions[id] = sess
	return sess, true
}
