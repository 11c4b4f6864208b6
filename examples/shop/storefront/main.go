// Command storefront is the shop's front: GET /checkout?cart=ID places the
// order of a cart through the orders service. It is the first of the shop's
// three services (storefront → orders → payments).
//
// Environment: SENTRY_DSN (required), PORT (default 8080), ORDERS_URL
// (default http://127.0.0.1:8081), SENTRY_RELEASE, SENTRY_ENVIRONMENT.
package main

import (
	"net/http"
	"os"

	"github.com/tracehound/tracehound/examples/shop/internal/shopkit"
)

func main() {
	os.Exit(shopkit.Run("storefront", "8080", func() http.Handler {
		orders := shopkit.NewDownstream(shopkit.Getenv("ORDERS_URL", "http://127.0.0.1:8081"))
		return newServer(orders).routes()
	}))
}
