// Command orders takes orders: POST /orders stores the order and charges it
// through the payments service. It is the middle one of the shop's three
// services (storefront → orders → payments).
//
// Environment: SENTRY_DSN (required), PORT (default 8081), PAYMENTS_URL
// (default http://127.0.0.1:8082), SENTRY_RELEASE, SENTRY_ENVIRONMENT.
package main

import (
	"net/http"
	"os"

	"github.com/tracehound/tracehound/examples/shop/internal/shopkit"
)

func main() {
	os.Exit(shopkit.Run("orders", "8081", func() http.Handler {
		payments := shopkit.NewDownstream(shopkit.Getenv("PAYMENTS_URL", "http://127.0.0.1:8082"))
		return newServer(payments).routes()
	}))
}
