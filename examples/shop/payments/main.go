// Command payments charges orders: POST /charges. It is the last of the
// shop's three services (storefront → orders → payments).
//
// Environment: SENTRY_DSN (required), PORT (default 8082), SENTRY_RELEASE,
// SENTRY_ENVIRONMENT.
package main

import (
	"net/http"
	"os"

	"github.com/tracehound/tracehound/examples/shop/internal/shopkit"
)

func main() {
	os.Exit(shopkit.Run("payments", "8082", func() http.Handler {
		return newServer().routes()
	}))
}
