package envelope

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/tracehound/tracehound/internal/fixtures"
)

// fixtureItem is what a conformance case expects of one item: its type and
// the event_id inside its payload ("" when the payload has none).
type fixtureItem struct {
	typ, payloadID string
}

// fixtureCases lists every file under fixtures/sentry/envelopes (path
// relative to it). Each is a real SDK capture; the expectations were read
// off the files.
var fixtureCases = []struct {
	file    string
	eventID string // envelope header event_id
	dsn     string
	items   []fixtureItem
	// wantNote, when set, is the Note of the first item: what Parse
	// tolerated (an overstated length) in a hand-edited file.
	wantNote string
}{
	{
		// Android (sentry.java.android 7.2.0): an error with its session
		// and a view-hierarchy attachment, every item with a length.
		file:    "application_x_sentry_envelope-1706290053204.txt",
		eventID: "f9b386bac7054161b4a22b0684fccdd5",
		items: []fixtureItem{
			{"event", "f9b386bac7054161b4a22b0684fccdd5"},
			{"session", ""},
			{"attachment", ""},
		},
	},
	{
		// Cocoa continuous profiling. The two chunk files say
		// "length":1671 / 1432 but their payload is 1643 / 1404 bytes (plus
		// "\n"): hand-edited captures (note the made-up ids). Relay would
		// reject them; we read the one-line JSON payload, with a note.
		file:     "continuous_profiling/profile_chunk_1.txt",
		eventID:  "3e11a5c9831f4e49939c0a81944ea2cb",
		items:    []fixtureItem{{"profile_chunk", ""}},
		wantNote: "item 0 (profile_chunk): length 1671 but the JSON payload is 1643 bytes; read to the end of its line",
	},
	{
		file:     "continuous_profiling/profile_chunk_2.txt",
		eventID:  "abc123def456789012345678901234cd",
		items:    []fixtureItem{{"profile_chunk", ""}},
		wantNote: "item 0 (profile_chunk): length 1432 but the JSON payload is 1404 bytes; read to the end of its line",
	},
	{
		// Its event_id is not a UUID: kept as given.
		file:    "continuous_profiling/transaction.txt",
		eventID: "txn_continuous_profile_123abc",
		items:   []fixtureItem{{"transaction", "txn_continuous_profile_123abc"}},
	},
	{
		file:    "envelope_empty_payload.txt",
		eventID: "9ec79c33ec9942ab8353589fcb2e04dc",
		items:   []fixtureItem{{"attachment", ""}, {"attachment", ""}},
	},
	{
		file:    "envelope_java.txt",
		eventID: "dad187904fee477e9aa75429a1eda314",
		items:   []fixtureItem{{"transaction", "dad187904fee477e9aa75429a1eda314"}},
	},
	{
		// No length and no final newline: the payload runs to EOF.
		file:    "envelope_no_len_w_eof.txt",
		eventID: "9ec79c33ec9942ab8353589fcb2e04dc",
		items:   []fixtureItem{{"attachment", ""}},
	},
	{
		// PHP (Laravel): no length, a dsn in the header, and the payload
		// has no event_id of its own.
		file:    "envelope_php.txt",
		eventID: "dcef34f4069c4e2db2fe59fa028ab8a8",
		dsn:     "https://c95c00c52d4177f7bf66a76dd2895550@o447951.ingest.sentry.io/4506269264052224",
		items:   []fixtureItem{{"transaction", ""}},
	},
	{
		// A header with no event_id (sent_at and trace only).
		file:  "envelope_with_only_span.txt",
		items: []fixtureItem{{"span", ""}},
	},
	{
		// Browser JS (react 9.0.1): no lengths; the profile's own id.
		file:    "enveplope_browser_js_profile.bin",
		eventID: "a79bb264f52f4a9992d7b1914a0c27d5",
		items: []fixtureItem{
			{"transaction", "a79bb264f52f4a9992d7b1914a0c27d5"},
			{"profile", "e1445bbbdc2145f8b53aa8a11ed71406"},
		},
	},
	// One trace: five Django (Python) transactions with lengths, then the
	// React pageload with its profile, without lengths.
	{
		file:    "large_sentry_transaction/application_x_sentry_envelope-1701423927482.txt",
		eventID: "1e128779a506465f9bbaa600df973290",
		items:   []fixtureItem{{"transaction", "1e128779a506465f9bbaa600df973290"}},
	},
	{
		file:    "large_sentry_transaction/application_x_sentry_envelope-1701423927991.txt",
		eventID: "534cd3b471434f3d8c54703b35c55d5b",
		items:   []fixtureItem{{"transaction", "534cd3b471434f3d8c54703b35c55d5b"}},
	},
	{
		file:    "large_sentry_transaction/application_x_sentry_envelope-1701423928010.txt",
		eventID: "627927c0e8624ef3ac6987e29253e7f6",
		items:   []fixtureItem{{"transaction", "627927c0e8624ef3ac6987e29253e7f6"}},
	},
	{
		file:    "large_sentry_transaction/application_x_sentry_envelope-1701423928556.txt",
		eventID: "7233ea6a1da74a2b98ddd4ccd70f4d74",
		items:   []fixtureItem{{"transaction", "7233ea6a1da74a2b98ddd4ccd70f4d74"}},
	},
	{
		file:    "large_sentry_transaction/application_x_sentry_envelope-1701423928840.txt",
		eventID: "f107892206fd4d29a9ddf910abaf69f4",
		items:   []fixtureItem{{"transaction", "f107892206fd4d29a9ddf910abaf69f4"}},
	},
	{
		file:    "large_sentry_transaction/application_x_sentry_envelope-1701423930091.txt",
		eventID: "78ad2fa7b4eb4fd4a1f055d9db1d511b",
		items: []fixtureItem{
			{"transaction", "78ad2fa7b4eb4fd4a1f055d9db1d511b"},
			{"profile", "c34629add2af4829934e537a8f708893"},
		},
	},
	{
		// Next.js logs: one "log" item batching 7 records (item_count).
		file:  "log_envelope.txt",
		items: []fixtureItem{{"log", ""}},
	},
}

func envelopesDir(t testing.TB) string {
	t.Helper()
	d := fixtures.Dir()
	if d == "" {
		t.Skip("no fixtures folder (../shared/fixtures/sentry); set TRACEHOUND_FIXTURES")
	}
	return filepath.Join(d, "envelopes")
}

// fixtureFiles lists the files under dir, relative, sorted.
func fixtureFiles(t testing.TB, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		files = append(files, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

func TestFixturesConformance(t *testing.T) {
	dir := envelopesDir(t)
	var listed []string
	for _, c := range fixtureCases {
		listed = append(listed, c.file)
	}
	sort.Strings(listed)
	if got := fixtureFiles(t, dir); !slices.Equal(got, listed) {
		t.Fatalf("fixture files changed; update fixtureCases\n on disk: %q\n listed:  %q", got, listed)
	}
	for _, c := range fixtureCases {
		t.Run(c.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			env, err := Parse(data, DefaultLimits())
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(env.Items) > 0 && env.Items[0].Note != c.wantNote {
				t.Errorf("note = %q, want %q", env.Items[0].Note, c.wantNote)
			}
			checkFixture(t, env, c.eventID, c.dsn, c.items)
		})
	}
}

func checkFixture(t *testing.T, env *Envelope, eventID, dsn string, want []fixtureItem) {
	t.Helper()
	if env.Header.EventID != eventID {
		t.Errorf("header event_id = %q, want %q", env.Header.EventID, eventID)
	}
	if env.Header.DSN != dsn {
		t.Errorf("header dsn = %q, want %q", env.Header.DSN, dsn)
	}
	if !json.Valid(env.Header.Raw) {
		t.Errorf("header raw is not JSON: %s", env.Header.Raw)
	}
	var got []fixtureItem
	for i, it := range env.Items {
		if it.Err != nil {
			t.Errorf("item %d: Err = %v", i, it.Err)
		}
		if !json.Valid(it.Header) {
			t.Errorf("item %d: header is not JSON: %s", i, it.Header)
		}
		fi := fixtureItem{typ: it.Type}
		if jsonTypes[it.Type] {
			var p struct {
				EventID string `json:"event_id"`
			}
			if err := json.Unmarshal(it.Payload, &p); err != nil {
				t.Errorf("item %d (%s): payload: %v", i, it.Type, err)
			}
			fi.payloadID = p.EventID
		}
		got = append(got, fi)
	}
	if !slices.Equal(got, want) {
		t.Errorf("items = %v, want %v", got, want)
	}
}
