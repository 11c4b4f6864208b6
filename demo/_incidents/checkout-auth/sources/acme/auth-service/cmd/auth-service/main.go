// Command auth-service serves session validation and token introspection to
// acme's other services.
package main

import (
	"log"
	"net/http"
	"os"
	"time"

	"github.com/acme/auth-service/internal/httpapi"
	"github.com/acme/auth-service/internal/sessions"
	"github.com/acme/auth-service/internal/signing"
	"github.com/acme/auth-service/internal/tokens"
)

func main() {
	keys, err := signing.ParseKeys(os.Getenv("AUTH_SERVICE_KEYS"))
	if err != nil {
		log.Fatalf("AUTH_SERVICE_KEYS: %v", err)
	}
	addr := os.Getenv("AUTH_SERVICE_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	srv := httpapi.New(
		&signing.Verifier{Keys: keys},
		sessions.NewStore(30*time.Minute),
		tokens.NewIntrospector(),
	)
	s := &http.Server{
		Addr:              addr,
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
	}
	log.Printf("auth-service listening on %s", addr)
	log.Fatal(s.ListenAndServe())
}
