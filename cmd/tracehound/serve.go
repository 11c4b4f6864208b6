package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/sentryapi/wire"

	"github.com/spf13/cobra"

	"github.com/tracehound/tracehound/demo"
	"github.com/tracehound/tracehound/sentryapi/local"
)

func newServeDataCmd(a *app) *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "serve-data [DIR] [--addr 127.0.0.1:9000]",
		Short: "Serve a dataset (or the demo) as a Sentry-compatible API on a local port",
		Long: `Serve a dataset directory (or, with --demo, the embedded demo incident) over
HTTP with the endpoints of the Sentry REST API that tracehound uses, so that
other tools and tests can read it like a real Sentry. No token is needed.`,
		Example: `  tracehound serve-data --demo
  tracehound serve-data ./incident --addr 127.0.0.1:9000
  tracehound issue --url http://127.0.0.1:9000 --org acme STOREFRONT-4Z`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var fsys fs.FS
			label := ""
			switch {
			case len(args) == 1 && a.demo:
				return usagef("give a DIR or --demo, not both")
			case len(args) == 1:
				st, err := os.Stat(args[0])
				if err != nil || !st.IsDir() {
					return usagef("%s is not a dataset directory", args[0])
				}
				fsys, label = os.DirFS(args[0]), args[0]
			case a.demo:
				fsys, label = demo.Dataset(), demo.Label
			default:
				return usagef("give a dataset DIR or --demo")
			}
			return serveData(cmd.Context(), a, fsys, label, addr)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:9000", "address to listen on")
	return cmd
}

func serveData(ctx context.Context, a *app, fsys fs.FS, label, addr string) error {
	srv, err := local.New(fsys)
	if err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	var org wire.Organization
	if err := dataset.ReadJSON(fsys, dataset.OrganizationFile, &org); err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	m, _ := dataset.ReadManifest(fsys) // a broken manifest only loses the hint
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		fmt.Fprintf(a.stderr, "warning: %s is reachable from other machines; the dataset is served without authentication\n", ln.Addr())
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(a.stdout, "serving %s at %s (organization %q)\n", label, base, org.Slug)
	if m.Issue != "" {
		fmt.Fprintf(a.stdout, "try:     tracehound issue --url %s --org %s %s\n", base, org.Slug, m.Issue)
	}
	fmt.Fprintln(a.stdout, "stop with ctrl+c")
	return serveUntil(ctx, ln, srv, nil)
}

// serveUntil serves h on ln until ctx ends (or, when set, until during
// returns), then shuts the server down gracefully.
func serveUntil(ctx context.Context, ln net.Listener, h http.Handler, during func() error) error {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	shutdown := func() {
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}
	if during != nil {
		err := during()
		shutdown()
		return err
	}
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
		shutdown()
		return nil
	}
}
