package tracetree

import (
	"strings"
	"testing"
)

func TestFormatDuration(t *testing.T) {
	for ms, want := range map[float64]string{
		0: "0ms", 0.85: "850µs", 4.24: "4.2ms", 9.99: "10ms", 590.4: "590ms", 1820: "1.82s",
		12_345: "12.3s", 65_000: "1m05s", -1: "?", 999.7: "1.00s", 9_999: "10.0s", 59_960: "1m00s", 0.9996: "1.0ms",
	} {
		if got := FormatDuration(ms); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", ms, got, want)
		}
	}
}

func TestTruncate(t *testing.T) {
	sql := "SELECT stock_levels.sku, stock_levels.quantity, stock_levels.warehouse_id FROM stock_levels WHERE stock_levels.sku = %s"
	got := Truncate(sql, 60)
	if n := len([]rune(got)); n != 60 {
		t.Errorf("len = %d: %q", n, got)
	}
	if !strings.HasPrefix(got, "SELECT stock_levels.sku") || !strings.HasSuffix(got, "sku = %s") || !strings.Contains(got, "…") {
		t.Errorf("Truncate kept the wrong parts: %q", got)
	}
	if Truncate("short", 60) != "short" {
		t.Error("short strings must not change")
	}
	if got := Truncate("日本語のテキストです", 5); got != "日本語の…" {
		t.Errorf("rune-aware truncation: %q", got)
	}
}

func TestCountTokens(t *testing.T) {
	if CountTokens("") != 0 {
		t.Error("empty string has tokens")
	}
	n := CountTokens("http.server - POST /api/checkout (590ms)")
	if n < 8 || n > 20 {
		t.Errorf("CountTokens = %d, implausible for a short tree line", n)
	}
	long := strings.Repeat("hello world ", 100)
	if m := CountTokens(long); m < 150 || m > 250 {
		t.Errorf("CountTokens(200 words) = %d", m)
	}
}
