package incident

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/tracehound/tracehound/sentryapi/wire"
)

// hexID derives a stable hex id of n characters from a name, so ids do not
// change when unrelated parts of the story do.
func hexID(n int, parts ...string) string {
	sum := sha256.Sum256([]byte("tracehound-demo/checkout-auth/" + strings.Join(parts, "/")))
	return hex.EncodeToString(sum[:])[:n]
}

// µs is a point in time in microseconds since the epoch.
type µs = int64

func usOf(t time.Time) µs { return t.UnixMicro() }

func ms(v float64) µs {
	if v < 0 {
		return -µs(-v*1000 + 0.5)
	}
	return µs(v*1000 + 0.5)
}

func ts(t µs) wire.Timestamp { return wire.Timestamp(float64(t) / 1e6) }

func iso(t µs) string {
	return time.UnixMicro(t).UTC().Format("2006-01-02T15:04:05.000000Z")
}

func isoMS(t µs) string {
	return time.UnixMicro(t).UTC().Format("2006-01-02T15:04:05.000Z")
}

func raw(v any) wire.Raw {
	b, err := wire.Encode(v)
	if err != nil {
		panic(err)
	}
	return b
}

func extra(kv ...any) wire.Extra {
	if len(kv)%2 != 0 {
		panic("extra: odd arguments")
	}
	e := wire.Extra{}
	for i := 0; i < len(kv); i += 2 {
		e[kv[i].(string)] = raw(kv[i+1])
	}
	return e
}

func ptr[T any](v T) *T { return &v }
