package share

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	gossh "golang.org/x/crypto/ssh"
)

// authorizedKey is one key allowed to join, with the name its comment gives.
type authorizedKey struct {
	key     gossh.PublicKey
	comment string
}

// parseAuthorizedKeys reads authorized_keys text: one key a line, blank
// lines and # comments skipped, options before the key type tolerated.
// A line that does not parse is an error naming it (a typo must not lock
// a colleague out silently).
func parseAuthorizedKeys(data []byte, source string) ([]authorizedKey, error) {
	var out []authorizedKey
	for n, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		key, comment, _, _, err := gossh.ParseAuthorizedKey(line)
		if err != nil {
			return nil, fmt.Errorf("%s line %d is not an SSH public key (%v); it should look like the line of an id_ed25519.pub file", source, n+1, err)
		}
		out = append(out, authorizedKey{key: key, comment: strings.TrimSpace(comment)})
	}
	return out, nil
}

// loadAuthorizedKeys reads the file (a missing file is no keys, not an
// error: the host is then told how to add one) and the --allow-key lines.
func loadAuthorizedKeys(path string, allow []string) ([]authorizedKey, error) {
	var keys []authorizedKey
	if path != "" {
		data, err := os.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("reading the authorized keys: %w", err)
		default:
			k, err := parseAuthorizedKeys(data, path)
			if err != nil {
				return nil, err
			}
			keys = append(keys, k...)
		}
	}
	for _, a := range allow {
		k, err := parseAuthorizedKeys([]byte(a), "--allow-key")
		if err != nil {
			return nil, err
		}
		keys = append(keys, k...)
	}
	return keys, nil
}

// hostKey returns the server's host key, creating it at path (mode 0600,
// its folder 0700) the first time, so guests see the same fingerprint each
// time the host shares.
func hostKey(path string) (gossh.Signer, []byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		_, priv, gerr := ed25519.GenerateKey(rand.Reader)
		if gerr != nil {
			return nil, nil, gerr
		}
		block, merr := gossh.MarshalPrivateKey(priv, "tracehound share host key")
		if merr != nil {
			return nil, nil, merr
		}
		data = pem.EncodeToMemory(block)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, nil, fmt.Errorf("creating the host key's folder: %w", err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return nil, nil, fmt.Errorf("writing the host key: %w", err)
		}
	} else if err != nil {
		return nil, nil, fmt.Errorf("reading the host key: %w", err)
	}
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		return nil, nil, fmt.Errorf("the host key %s is readable by others (mode %o): chmod 600 it", path, st.Mode().Perm())
	}
	signer, err := gossh.ParsePrivateKey(data)
	if err != nil {
		return nil, nil, fmt.Errorf("the host key %s does not parse: %w (delete it to make a new one)", path, err)
	}
	return signer, data, nil
}

// DefaultHostKeyPath is where the host key lives:
// $XDG_DATA_HOME/tracehound/share_host_ed25519.
func DefaultHostKeyPath(getenv func(string) string, home string) string {
	base := getenv("XDG_DATA_HOME")
	if base == "" {
		base = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(base, "tracehound", "share_host_ed25519")
}

// DefaultAuthorizedKeysPath is $XDG_CONFIG_HOME/tracehound/authorized_keys.
func DefaultAuthorizedKeysPath(getenv func(string) string, home string) string {
	base := getenv("XDG_CONFIG_HOME")
	if base == "" {
		base = filepath.Join(home, ".config")
	}
	return filepath.Join(base, "tracehound", "authorized_keys")
}
