package sentryapi

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-json-experiment/json"
	"gopkg.in/ini.v1"
)

// Config is the resolved connection to Sentry, with where each value came
// from. Resolution is compatible with sentry-cli (reference §3.3).
type Config struct {
	URL     string
	Org     string
	Project string
	Token   string

	// Source says where each of "url", "org", "project", "token" came from
	// ("--org flag", "SENTRY_ORG", "/home/me/app/.sentryclirc", "org auth
	// token", "default").
	Source map[string]string
	// Files are the .sentryclirc files that were read, nearest first.
	Files []string
	// Warnings are conflicts the user should know about (an org token
	// overriding a different --org, an unreadable file).
	Warnings []string
}

// ConfigInput is everything ResolveConfig reads; the zero value of each
// field means "not given". Env and the directories are injected for tests.
type ConfigInput struct {
	FlagURL, FlagOrg, FlagProject, FlagToken string

	Getenv        func(string) string // default os.Getenv
	WorkDir       string              // default os.Getwd
	HomeDir       string              // default os.UserHomeDir
	XDGConfigHome string              // default $XDG_CONFIG_HOME or ~/.config
}

// TokenClaims are the unsigned hints embedded in an org auth token
// (sntrys_<base64 JSON>_<secret>).
type TokenClaims struct {
	URL       string `json:"url"`
	RegionURL string `json:"region_url"`
	Org       string `json:"org"`
}

// ParseOrgToken returns the claims of an org auth token, or false when tok
// is not one (user tokens and legacy hex tokens carry no claims).
func ParseOrgToken(tok string) (TokenClaims, bool) {
	var c TokenClaims
	if !strings.HasPrefix(tok, "sntrys_") {
		return c, false
	}
	parts := strings.Split(tok, "_")
	if len(parts) != 3 {
		return c, false
	}
	payload := parts[1]
	var raw []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err = enc.DecodeString(payload); err == nil {
			break
		}
	}
	if err != nil || json.Unmarshal(raw, &c) != nil {
		return TokenClaims{}, false
	}
	return c, true
}

// MaskToken shows enough of a token to recognise it, never enough to use it.
func MaskToken(tok string) string {
	if tok == "" {
		return "(none)"
	}
	prefix := ""
	for _, p := range []string{"sntrys_", "sntryu_"} {
		if strings.HasPrefix(tok, p) {
			prefix = p
		}
	}
	if len(tok) < 12 {
		return prefix + "****"
	}
	return fmt.Sprintf("%s****%s (%d characters)", prefix, tok[len(tok)-4:], len(tok))
}

type rcValues struct {
	url, org, project, token string
	urlSrc, orgSrc           string
	projectSrc, tokenSrc     string
}

// ResolveConfig resolves the Sentry connection from flags, environment,
// .sentryclirc files (walking up from the working directory, nearest
// first, then the global file) and org auth token claims.
//
// Precedence, first match wins:
//
//	token:   --auth-token, SENTRY_AUTH_TOKEN, [auth] token
//	url:     org token's url, --url, SENTRY_URL, [defaults] url, https://sentry.io/
//	org:     org token's org, --org, SENTRY_ORG, [defaults] org
//	project: --project, SENTRY_PROJECT, [defaults] project
func ResolveConfig(in ConfigInput) (*Config, error) {
	getenv := in.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	cfg := &Config{Source: map[string]string{}}
	rc := readRCFiles(in, getenv, cfg)

	pick := func(key string, cands ...[2]string) string {
		for _, c := range cands {
			if v := strings.TrimSpace(c[0]); v != "" {
				cfg.Source[key] = c[1]
				return v
			}
		}
		return ""
	}
	cfg.Token = pick("token",
		[2]string{in.FlagToken, "--auth-token flag"},
		[2]string{getenv("SENTRY_AUTH_TOKEN"), "SENTRY_AUTH_TOKEN"},
		[2]string{rc.token, rc.tokenSrc})
	claims, isOrgToken := ParseOrgToken(cfg.Token)

	cfg.URL = pick("url",
		[2]string{in.FlagURL, "--url flag"},
		[2]string{getenv("SENTRY_URL"), "SENTRY_URL"},
		[2]string{rc.url, rc.urlSrc})
	cfg.Org = pick("org",
		[2]string{in.FlagOrg, "--org flag"},
		[2]string{getenv("SENTRY_ORG"), "SENTRY_ORG"},
		[2]string{rc.org, rc.orgSrc})
	cfg.Project = pick("project",
		[2]string{in.FlagProject, "--project flag"},
		[2]string{getenv("SENTRY_PROJECT"), "SENTRY_PROJECT"},
		[2]string{rc.project, rc.projectSrc})

	if isOrgToken {
		if claims.URL != "" {
			if cfg.URL != "" && !sameURL(cfg.URL, claims.URL) {
				cfg.Warnings = append(cfg.Warnings, fmt.Sprintf("the org auth token is for %s; ignoring url %s from %s", claims.URL, cfg.URL, cfg.Source["url"]))
			}
			cfg.URL, cfg.Source["url"] = claims.URL, "org auth token"
		}
		if claims.Org != "" {
			if cfg.Org != "" && cfg.Org != claims.Org {
				cfg.Warnings = append(cfg.Warnings, fmt.Sprintf("the org auth token is for organization %q; ignoring %q from %s", claims.Org, cfg.Org, cfg.Source["org"]))
			}
			cfg.Org, cfg.Source["org"] = claims.Org, "org auth token"
		}
	}
	// SENTRY_PROJECT may be "org/project" (getsentry/cli).
	if o, p, ok := strings.Cut(cfg.Project, "/"); ok && o != "" && p != "" {
		cfg.Project = p
		if cfg.Org == "" {
			cfg.Org, cfg.Source["org"] = o, cfg.Source["project"]
		}
	}
	if cfg.URL == "" {
		cfg.URL, cfg.Source["url"] = DefaultURL, "default"
	}
	if _, err := parseBaseURL(cfg.URL); err != nil {
		return cfg, fmt.Errorf("%w (from %s)", err, cfg.Source["url"])
	}
	return cfg, nil
}

func sameURL(a, b string) bool {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(a)), "/") == strings.TrimSuffix(strings.ToLower(strings.TrimSpace(b)), "/")
}

// rcFileNames are the names sentry-cli looks for in each directory.
var rcFileNames = []string{".sentryclirc", "sentrycli.ini"}

// readRCFiles reads project-local files walking up from the working
// directory, then the global one; nearer files win per key.
func readRCFiles(in ConfigInput, getenv func(string) string, cfg *Config) rcValues {
	var files []string
	wd := in.WorkDir
	if wd == "" {
		wd, _ = os.Getwd()
	}
	home := in.HomeDir
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	seen := map[string]bool{}
	add := func(p string) {
		if p == "" || seen[p] {
			return
		}
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			seen[p] = true
			files = append(files, p)
		}
	}
	if wd != "" {
		for dir := filepath.Clean(wd); ; dir = filepath.Dir(dir) {
			for _, n := range rcFileNames {
				add(filepath.Join(dir, n))
			}
			if parent := filepath.Dir(dir); parent == dir {
				break
			}
		}
	}
	// Global: ~/.sentryclirc, else $XDG_CONFIG_HOME/sentry/sentrycli.ini.
	global := ""
	if home != "" {
		if p := filepath.Join(home, ".sentryclirc"); fileExists(p) {
			global = p
		}
	}
	if global == "" {
		xdg := in.XDGConfigHome
		if xdg == "" {
			xdg = getenv("XDG_CONFIG_HOME")
		}
		if xdg == "" && home != "" {
			xdg = filepath.Join(home, ".config")
		}
		if xdg != "" {
			global = filepath.Join(xdg, "sentry", "sentrycli.ini")
		}
	}
	add(global)

	var v rcValues
	set := func(dst, src *string, val, file string) {
		if *dst == "" && strings.TrimSpace(val) != "" {
			*dst, *src = strings.TrimSpace(val), file
		}
	}
	for _, f := range files {
		ff, err := ini.LoadSources(ini.LoadOptions{Insensitive: true, IgnoreInlineComment: true, SkipUnrecognizableLines: true}, f)
		if err != nil {
			cfg.Warnings = append(cfg.Warnings, fmt.Sprintf("could not read %s: %v", f, err))
			continue
		}
		cfg.Files = append(cfg.Files, f)
		d := ff.Section("defaults")
		set(&v.url, &v.urlSrc, d.Key("url").String(), f)
		set(&v.org, &v.orgSrc, d.Key("org").String(), f)
		set(&v.project, &v.projectSrc, d.Key("project").String(), f)
		set(&v.token, &v.tokenSrc, ff.Section("auth").Key("token").String(), f)
	}
	return v
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// Describe renders the configuration for `tracehound config`, the token
// masked.
func (c *Config) Describe() string {
	var b strings.Builder
	row := func(k, v string) {
		src := c.Source[k]
		if v == "" {
			v, src = "(not set)", ""
		}
		if src != "" {
			src = "  ← " + src
		}
		fmt.Fprintf(&b, "%-8s %s%s\n", k+":", v, src)
	}
	row("url", c.URL)
	row("org", c.Org)
	row("project", c.Project)
	row("token", maskOrEmpty(c.Token))
	if claims, ok := ParseOrgToken(c.Token); ok {
		fmt.Fprintf(&b, "         org auth token for %s (org %s)\n", claims.URL, claims.Org)
	}
	if len(c.Files) > 0 {
		fmt.Fprintf(&b, "files:   %s\n", strings.Join(c.Files, ", "))
	}
	for _, w := range c.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	return b.String()
}

func maskOrEmpty(t string) string {
	if t == "" {
		return ""
	}
	return MaskToken(t)
}
