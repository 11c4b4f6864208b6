// Package shed limits the requests a server works on at once.
package shed

import (
	"net/http"
	"sync/atomic"
)

// Limit serves at most max requests at once with next and answers the
// others 503 overloaded with Retry-After: 1.
func Limit(max int64, next http.Handler) http.Handler {
	var inFlight atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if inFlight.Add(1) > max {
			inFlight.Add(-1)
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"error":"overloaded"}`))
			return
		}
		defer inFlight.Add(-1)
		next.ServeHTTP(w, r)
	})
}
