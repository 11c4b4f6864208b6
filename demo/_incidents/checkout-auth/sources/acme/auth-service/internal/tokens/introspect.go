// Package tokens answers OAuth-style token introspection for internal
// services (RFC 7662 shaped, audience-scoped).
package tokens

import (
	"slices"
	"sync"
	"time"
)

// Token is an issued payment or API token.
type Token struct {
	Value     string
	Subject   string
	Audiences []string
	Scope     string
	ExpiresAt time.Time
}

// Claims is the introspection answer.
type Claims struct {
	Active   bool   `json:"active"`
	Subject  string `json:"sub,omitempty"`
	Audience string `json:"aud,omitempty"`
	Scope    string `json:"scope,omitempty"`
	Expires  int64  `json:"exp,omitempty"`
}

// Introspector looks tokens up.
type Introspector struct {
	mu     sync.RWMutex
	tokens map[string]Token
}

// NewIntrospector returns an empty introspector.
func NewIntrospector() *Introspector {
	return &Introspector{tokens: map[string]Token{}}
}

// Issue registers a token.
func (in *Introspector) Issue(t Token) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.tokens[t.Value] = t
}

// Introspect returns the claims of value for the given audience; an unknown,
// expired or foreign-audience token is inactive.
func (in *Introspector) Introspect(value, audience string, now time.Time) Claims {
	in.mu.RLock()
	t, ok := in.tokens[value]
	in.mu.RUnlock()
	if !ok || now.After(t.ExpiresAt) || !slices.Contains(t.Audiences, audience) {
		return Claims{Active: false}
	}
	return Claims{Active: true, Subject: t.Subject, Audience: audience, Scope: t.Scope, Expires: t.ExpiresAt.Unix()}
}
