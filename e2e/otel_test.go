package e2e

import (
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestOpenTelemetryThroughServe is the whole path with the real
// OpenTelemetry Go SDK: the three services of examples/otel export
// OTLP/HTTP to `tracehound serve` (pricing protobuf with gzip, catalog
// JSON, gateway plain protobuf), with no project created beforehand; the
// CLI reads back one trace with the three transactions linked and each
// one's error under it, the explorer opens on it, and the offline
// analysis names the failing service and function.
func TestOpenTelemetryThroughServe(t *testing.T) {
	bin := build(t)
	example, err := filepath.Abs("../examples/otel")
	if err != nil {
		t.Fatal(err)
	}
	svcDir := t.TempDir()
	// -trimpath=false: the stack the SDK records then has the absolute
	// paths a real build has.
	b := exec.Command("go", "build", "-trimpath=false", "-o", svcDir, "./gateway", "./catalog", "./pricing")
	b.Dir = example
	if out, err := b.CombinedOutput(); err != nil {
		t.Fatalf("building examples/otel: %v\n%s", err, out)
	}

	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	serve := startProc(t, nil, bin, "serve", "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--db", filepath.Join(t.TempDir(), "ingest.db"))
	serve.waitOutput(t, "serve to listen", regexp.MustCompile(`OTEL_EXPORTER_OTLP_ENDPOINT=`))

	ports := map[string]int{"gateway": freePort(t), "catalog": freePort(t), "pricing": freePort(t)}
	url := func(s string) string { return fmt.Sprintf("http://127.0.0.1:%d", ports[s]) }
	exporter := map[string][]string{
		"pricing": {"OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf", "OTEL_EXPORTER_OTLP_COMPRESSION=gzip"},
		"catalog": {"OTEL_EXPORTER_OTLP_PROTOCOL=http/json"},
		"gateway": {"OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf"},
	}
	for _, s := range []string{"pricing", "catalog", "gateway"} {
		env := append([]string{
			"OTEL_EXPORTER_OTLP_ENDPOINT=" + base, fmt.Sprintf("PORT=%d", ports[s]),
			"CATALOG_URL=" + url("catalog"), "PRICING_URL=" + url("pricing"), "OTEL_RESOURCE_ATTRIBUTES=",
		}, exporter[s]...)
		p := startProc(t, env, filepath.Join(svcDir, s))
		p.waitOutput(t, s+" to listen", regexp.MustCompile(s+` listening on`))
	}

	// s2's discount is written "15%": pricing fails, the others pass it up.
	resp, err := http.Get(url("gateway") + "/quote?sku=s2")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("the quote answered %d, want 502", resp.StatusCode)
	}

	chain := []string{"gateway", "catalog", "pricing"}
	waitChain(t, bin, base, chain)

	// The explorer opens on the latest issue of the OpenTelemetry trace.
	if _, err := exec.LookPath("tmux"); err == nil {
		tm := start(t, 140, 40, stateEnv(t), fmt.Sprintf("%s --local --url %s --offline", bin, base))
		tm.waitText("GATEWAY-1", "catalog", "pricing", "strconv.NumError")
		tm.keys("q")
	}

	var repos []string
	for _, s := range chain {
		repos = append(repos, "--repo", s+"="+example)
	}
	report := run(t, bin, append([]string{"analyze", "--local", "--url", base, "--offline"}, repos...)...)
	if !strings.Contains(report, "pricing") || !strings.Contains(report, "parseDiscountPercent") {
		t.Errorf("the analysis does not name pricing and parseDiscountPercent:\n%s", report)
	}
}
