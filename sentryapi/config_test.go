package sentryapi

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func orgToken(url, org string) string {
	payload := base64.StdEncoding.EncodeToString([]byte(`{"iat":1700000000,"url":"` + url + `","region_url":"https://us.sentry.io","org":"` + org + `"}`))
	return "sntrys_" + payload + "_secretsecretsecret"
}

func TestResolveConfigPrecedence(t *testing.T) {
	root := t.TempDir()
	home := filepath.Join(root, "home")
	work := filepath.Join(root, "src", "app", "svc")
	os.MkdirAll(work, 0o755)
	// Global file: lowest precedence.
	writeFile(t, filepath.Join(home, ".sentryclirc"), "[defaults]\nurl = https://global.example.com\norg = global-org\nproject = global-proj\n[auth]\ntoken = global-token-0000\n")
	// Farther project file.
	writeFile(t, filepath.Join(root, "src", ".sentryclirc"), "[defaults]\norg = far-org\nproject = far-proj\n")
	// Nearer project file (in a parent of the working dir).
	writeFile(t, filepath.Join(root, "src", "app", ".sentryclirc"), "[defaults]\nproject = near-proj\n")

	base := ConfigInput{WorkDir: work, HomeDir: home, Getenv: envOf(nil)}
	cfg, err := ResolveConfig(base)
	if err != nil {
		t.Fatal(err)
	}
	check := func(cfg *Config, key, want, wantSrc string) {
		t.Helper()
		got := map[string]string{"url": cfg.URL, "org": cfg.Org, "project": cfg.Project, "token": cfg.Token}[key]
		if got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
		if !strings.Contains(cfg.Source[key], wantSrc) {
			t.Errorf("%s source = %q, want it to contain %q", key, cfg.Source[key], wantSrc)
		}
	}
	check(cfg, "project", "near-proj", filepath.Join("src", "app", ".sentryclirc"))
	check(cfg, "org", "far-org", filepath.Join("src", ".sentryclirc"))
	check(cfg, "url", "https://global.example.com", filepath.Join("home", ".sentryclirc"))
	check(cfg, "token", "global-token-0000", filepath.Join("home", ".sentryclirc"))
	if len(cfg.Files) != 3 {
		t.Errorf("files = %v, want 3", cfg.Files)
	}

	// Environment beats files.
	in := base
	in.Getenv = envOf(map[string]string{"SENTRY_AUTH_TOKEN": "env-token-1111", "SENTRY_URL": "https://env.example.com", "SENTRY_ORG": "env-org", "SENTRY_PROJECT": "env-proj"})
	cfg, _ = ResolveConfig(in)
	check(cfg, "token", "env-token-1111", "SENTRY_AUTH_TOKEN")
	check(cfg, "url", "https://env.example.com", "SENTRY_URL")
	check(cfg, "org", "env-org", "SENTRY_ORG")
	check(cfg, "project", "env-proj", "SENTRY_PROJECT")

	// Flags beat the environment.
	in.FlagToken, in.FlagURL, in.FlagOrg, in.FlagProject = "flag-token-2222", "https://flag.example.com", "flag-org", "flag-proj"
	cfg, _ = ResolveConfig(in)
	check(cfg, "token", "flag-token-2222", "--auth-token")
	check(cfg, "url", "https://flag.example.com", "--url")
	check(cfg, "org", "flag-org", "--org")
	check(cfg, "project", "flag-proj", "--project")

	// An org auth token's url and org win over everything, with a warning.
	in.FlagToken = orgToken("https://acme.sentry.example", "acme")
	cfg, _ = ResolveConfig(in)
	check(cfg, "url", "https://acme.sentry.example", "org auth token")
	check(cfg, "org", "acme", "org auth token")
	if len(cfg.Warnings) != 2 {
		t.Errorf("warnings = %q, want two (url and org overridden)", cfg.Warnings)
	}
	if d := cfg.Describe(); strings.Contains(d, "secretsecret") || strings.Contains(d, in.FlagToken) {
		t.Errorf("Describe leaks the token:\n%s", d)
	}
}

func TestResolveConfigDefaultsAndXDG(t *testing.T) {
	root := t.TempDir()
	cfg, err := ResolveConfig(ConfigInput{WorkDir: root, HomeDir: filepath.Join(root, "nohome"), Getenv: envOf(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.URL != DefaultURL || cfg.Source["url"] != "default" {
		t.Errorf("url = %q from %q, want the default", cfg.URL, cfg.Source["url"])
	}
	if cfg.Token != "" || cfg.Org != "" {
		t.Errorf("unexpected values: %+v", cfg)
	}

	xdg := filepath.Join(root, "xdg")
	writeFile(t, filepath.Join(xdg, "sentry", "sentrycli.ini"), "[auth]\ntoken=xdg-token-3333\n")
	cfg, _ = ResolveConfig(ConfigInput{WorkDir: root, HomeDir: filepath.Join(root, "nohome"), XDGConfigHome: xdg, Getenv: envOf(nil)})
	if cfg.Token != "xdg-token-3333" {
		t.Errorf("token = %q, want the XDG file's", cfg.Token)
	}

	// SENTRY_PROJECT=org/project supplies both.
	cfg, _ = ResolveConfig(ConfigInput{WorkDir: root, HomeDir: root, Getenv: envOf(map[string]string{"SENTRY_PROJECT": "acme/payments"})})
	if cfg.Org != "acme" || cfg.Project != "payments" {
		t.Errorf("org/project = %q/%q, want acme/payments", cfg.Org, cfg.Project)
	}
}

func TestResolveConfigBadInput(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, ".sentryclirc"), "this is [not ini\n\x00\x01")
	cfg, err := ResolveConfig(ConfigInput{WorkDir: root, HomeDir: root, Getenv: envOf(nil)})
	if err != nil {
		t.Fatalf("a garbled rc file must not stop resolution: %v", err)
	}
	_ = cfg
	_, err = ResolveConfig(ConfigInput{WorkDir: root, HomeDir: root, FlagURL: "sentry.io", Getenv: envOf(nil)})
	if err == nil || !strings.Contains(err.Error(), "--url") {
		t.Errorf("a URL without scheme should be rejected naming its source, got %v", err)
	}
}

func TestParseOrgTokenAndMask(t *testing.T) {
	c, ok := ParseOrgToken(orgToken("https://sentry.io", "acme"))
	if !ok || c.Org != "acme" || c.URL != "https://sentry.io" {
		t.Errorf("claims = %+v, %v", c, ok)
	}
	for _, bad := range []string{"", "sntryu_" + strings.Repeat("a", 64), strings.Repeat("f", 64), "sntrys_!!!_x", "sntrys_a_b_c"} {
		if _, ok := ParseOrgToken(bad); ok {
			t.Errorf("ParseOrgToken(%q) accepted", bad)
		}
	}
	tok := "sntryu_" + strings.Repeat("ab", 32)
	m := MaskToken(tok)
	if strings.Contains(m, strings.Repeat("ab", 4)) || !strings.HasPrefix(m, "sntryu_") {
		t.Errorf("MaskToken = %q", m)
	}
	if MaskToken("short") != "****" {
		t.Errorf("short token mask = %q", MaskToken("short"))
	}
}
