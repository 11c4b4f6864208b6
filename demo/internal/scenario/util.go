package scenario

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// Fixed facts shared by every incident: one made-up organization.
const (
	OrgSlug = "acme"
	orgName = "Acme Shop (demo)"
	orgID   = "1150472"
)

// hexID derives a stable hex id of n characters from the incident's name and
// parts, so ids do not change when unrelated parts of an incident do.
func (in *Incident) hexID(n int, parts ...string) string {
	sum := sha256.Sum256([]byte("tracehound-demo/" + in.Name + "/" + strings.Join(parts, "/")))
	return hex.EncodeToString(sum[:])[:n]
}

// issueNumber derives a stable numeric issue id.
func (in *Incident) issueNumber(shortID string) int64 {
	v, _ := strconv.ParseUint(in.hexID(12, "issue", shortID), 16, 64)
	return 6200000000 + int64(v%700000000)
}

func ts(t µs) wire.Timestamp { return wire.Timestamp(float64(t) / 1e6) }

func iso(t µs) string { return time.UnixMicro(t).UTC().Format("2006-01-02T15:04:05.000000Z") }

func parseISO(s string) µs {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UnixMicro()
}

func raw(v any) wire.Raw {
	b, err := wire.Encode(v)
	if err != nil {
		panic(err)
	}
	return b
}

func toExtra(m map[string]any) wire.Extra {
	if len(m) == 0 {
		return nil
	}
	e := wire.Extra{}
	for k, v := range m {
		e[k] = raw(v)
	}
	return e
}

func ptr[T any](v T) *T { return &v }
