// Package ingest receives Sentry SDK envelopes and keeps what they carry
// (errors, transactions with their spans, standalone spans, profiles and
// profile chunks) in an embedded database, served back through the same
// Sentry-compatible API as sentryapi/local, so the CLI, the explorer and
// the agent work on a developer's own traffic with no Sentry account.
//
// The store (bbolt) keeps indexes by trace, issue, issue and time, last
// seen, and transaction name and time (for compare's search, Discover's
// events endpoint), so that a read costs the same with 100 or 100,000
// items: each API request is answered from a dataset of just the files it
// reads (read.go, index.go). Writes are group-committed by one writer and
// acknowledged only once on disk (write.go).
package ingest

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tracehound/tracehound/dataset"
	bolt "go.etcd.io/bbolt"
)

// Record kinds: the kinds of telemetry of a dataset.
const (
	KindError       = dataset.KindError
	KindTransaction = dataset.KindTransaction
	KindSpan        = dataset.KindSpan
	KindProfile     = dataset.KindProfile
	KindChunk       = dataset.KindChunk
)

// Buckets. Items are keyed "kind:id"; the indexes point at those keys.
var (
	bProjects = []byte("projects")    // slug → Project
	bKeys     = []byte("keys")        // public key → slug
	bItems    = []byte("items")       // kind:id → record (without its payload)
	bPayloads = []byte("payloads")    // kind:id → payload
	bTrace    = []byte("by_trace")    // trace id \x00 kind:id → ""
	bRecv     = []byte("by_received") // 8-byte unix nanos + kind:id → ""
	bIssues   = []byte("issues")      // 8-byte group id → issue
	bPrints   = []byte("fingerprints")
	bMeta     = []byte("meta")

	// The read indexes (index version 2): every lookup a read makes is a
	// seek in one of them, whatever the size of the store.
	bGroupTime = []byte("by_group_time")   // 8-byte group id + 8-byte event time + event id → ""
	bGroupRank = []byte("by_group_rank")   // 8-byte group id + rank + 8-byte event time + event id → ""
	bSeen      = []byte("issues_by_seen")  // 8-byte last seen + 8-byte group id → ""
	bShort     = []byte("issues_by_short") // upper-case short id → 8-byte group id

	// Index version 3: transactions by name and time, for Discover's
	// events endpoint (compare's search for a healthy trace).
	bTxnName = []byte("txn_by_name") // 4-byte name length + name + 8-byte timestamp + event id → kind:id

	// bGroupV1 (8-byte group id + event id) is what index version 2
	// replaced with bGroupTime; migrate deletes it.
	bGroupV1 = []byte("by_group")
)

// allBuckets are created by Open.
var allBuckets = [][]byte{bProjects, bKeys, bItems, bPayloads, bTrace, bRecv, bIssues, bPrints, bMeta, bGroupTime, bGroupRank, bSeen, bShort, bTxnName}

// Project is a project events can be sent to: its DSN carries Key.
type Project struct {
	ID       int64     `json:"id"`
	Slug     string    `json:"slug"`
	Name     string    `json:"name"`
	Platform string    `json:"platform,omitempty"`
	Key      string    `json:"key"`
	Created  time.Time `json:"created"`
}

// record is one stored item.
type record struct {
	Kind      string `json:"kind"`
	ID        string `json:"id"`
	ProjectID int64  `json:"project_id"`
	TraceID   string `json:"trace_id,omitempty"`
	GroupID   int64  `json:"group_id,omitempty"`
	Received  int64  `json:"received"` // unix nanoseconds
	ParentID  string `json:"parent_id,omitempty"`
	// Time and Rank order an issue's events (the error records with a
	// GroupID): Time is the event's dateCreated in unix nanoseconds, Rank
	// how good an example of its issue it is (see eventOrder). Kept to
	// find the index entries again when the record goes.
	Time int64  `json:"time,omitempty"`
	Rank []byte `json:"rank,omitempty"`
	// Txn is a transaction's key in bTxnName (see txnNameKey).
	Txn     []byte          `json:"txn,omitempty"`
	Payload json.RawMessage `json:"-"` // stored apart: listing records never reads payloads

	bare json.RawMessage // an error event encoded without its groupID (Ingest → assignIssue)
}

func (r *record) key() []byte { return []byte(r.Kind + ":" + r.ID) }

// Retention bounds what the store keeps. Ages count from when an item was
// received, never from its own timestamp: SDK clocks and replayed
// captures can be far off.
type Retention struct {
	MaxAge   time.Duration // 0: no age limit
	MaxItems int           // 0: no count limit
}

// DefaultRetention keeps a week and at most 100,000 items.
func DefaultRetention() Retention { return Retention{MaxAge: 7 * 24 * time.Hour, MaxItems: 100_000} }

// Store is the embedded database. Safe for concurrent use.
//
// Writes are committed in groups: each write joins the queue of one
// writer goroutine, which commits everything queued in one transaction
// (one pair of fsyncs) and only then returns to each writer, so a write
// that returned is on disk (see write).
type Store struct {
	db      *bolt.DB
	ret     Retention
	version atomic.Uint64
	now     func() time.Time

	wmu        sync.RWMutex // held to send on writes; Close takes it to close writes
	closed     bool
	writes     chan writeOp
	writerDone chan struct{}
	closeOnce  sync.Once
	closeErr   error

	byKey sync.Map // DSN public key → Project, as found

	receiving atomic.Int64 // envelopes the server is handling (see writer)
}

// OpenOption tunes Open.
type OpenOption func(*openConfig)

type openConfig struct{ notice func(string) }

// WithNotice has Open say (through notice) when it is about to do
// something that takes a while: building the indexes of a store written
// by an older tracehound.
func WithNotice(notice func(msg string)) OpenOption {
	return func(c *openConfig) { c.notice = notice }
}

// Open opens (creating) the database at path. A store written by an
// older tracehound gets its read indexes built first, once.
func Open(path string, ret Retention, opts ...OpenOption) (*Store, error) {
	var cfg openConfig
	for _, o := range opts {
		o(&cfg)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("%s is in use by another tracehound serve (stop it, or pass --db another file)", path)
		}
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return migrate(tx, path, cfg.notice)
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	return open(db, ret, time.Now)
}

// open applies the retention at once (data may have aged while no
// server ran), starts the writer and returns the store.
func open(db *bolt.DB, ret Retention, now func() time.Time) (*Store, error) {
	s := &Store{db: db, ret: ret, now: now, writes: make(chan writeOp, maxBatch), writerDone: make(chan struct{})}
	if err := db.Update(s.prune); err != nil {
		db.Close()
		return nil, err
	}
	s.version.Store(1)
	go s.writer()
	return s, nil
}

// Close waits for the writes under way, then closes the database.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.wmu.Lock()
		s.closed = true
		close(s.writes)
		s.wmu.Unlock()
		<-s.writerDone
		s.closeErr = s.db.Close()
	})
	return s.closeErr
}

// Version changes whenever something is written.
func (s *Store) Version() uint64 { return s.version.Load() }

func (s *Store) changed() { s.version.Add(1) }

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,49}$`)

// EnsureProject returns the project with this slug, creating it (with a
// new random key) when it does not exist.
func (s *Store) EnsureProject(slug, platform string) (Project, error) {
	slug = strings.ToLower(strings.TrimSpace(slug))
	if !slugRE.MatchString(slug) {
		return Project{}, fmt.Errorf("project name %q: use lowercase letters, digits, - and _ (at most 50)", slug)
	}
	var p Project
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bProjects)
		if v := b.Get([]byte(slug)); v != nil {
			return json.Unmarshal(v, &p)
		}
		id, err := nextSeq(tx, "project")
		if err != nil {
			return err
		}
		key := make([]byte, 16)
		if _, err := rand.Read(key); err != nil {
			return err
		}
		p = Project{ID: int64(id), Slug: slug, Name: slug, Platform: platform, Key: hex.EncodeToString(key), Created: s.now().UTC()}
		v, _ := json.Marshal(p)
		if err := b.Put([]byte(slug), v); err != nil {
			return err
		}
		return tx.Bucket(bKeys).Put([]byte(p.Key), []byte(slug))
	})
	if err == nil {
		s.changed()
	}
	return p, err
}

// Projects lists the projects by id.
func (s *Store) Projects() ([]Project, error) {
	var out []Project
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bProjects).ForEach(func(_, v []byte) error {
			var p Project
			if err := json.Unmarshal(v, &p); err != nil {
				return err
			}
			out = append(out, p)
			return nil
		})
	})
	sortProjects(out)
	return out, err
}

// ProjectByKey finds the project a DSN public key belongs to. Found
// projects are remembered: a project and its key never change.
func (s *Store) ProjectByKey(key string) (Project, bool) {
	if p, ok := s.byKey.Load(key); ok {
		return p.(Project), true
	}
	var p Project
	ok := false
	_ = s.db.View(func(tx *bolt.Tx) error {
		slug := tx.Bucket(bKeys).Get([]byte(key))
		if slug == nil {
			return nil
		}
		if v := tx.Bucket(bProjects).Get(slug); v != nil && json.Unmarshal(v, &p) == nil {
			ok = true
		}
		return nil
	})
	if ok {
		s.byKey.Store(key, p)
	}
	return p, ok
}

func nextSeq(tx *bolt.Tx, name string) (uint64, error) {
	b := tx.Bucket(bMeta)
	k := []byte("seq:" + name)
	var n uint64
	if v := b.Get(k); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	n++
	return n, b.Put(k, be64(n))
}

// count is how many items are stored (kept in meta: a bucket's own
// statistics walk every page).
func count(tx *bolt.Tx) int64 {
	if v := tx.Bucket(bMeta).Get([]byte("count")); len(v) == 8 {
		return int64(binary.BigEndian.Uint64(v))
	}
	return 0
}

func addCount(tx *bolt.Tx, d int64) error {
	return tx.Bucket(bMeta).Put([]byte("count"), be64(uint64(max(count(tx)+d, 0))))
}

func sortProjects(ps []Project) {
	slices.SortFunc(ps, func(a, b Project) int { return cmp.Compare(a.ID, b.ID) })
}

func be64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

// put stores records (replacing ones with the same kind and id) and
// their indexes in one write (see write), the retention applied.
func (s *Store) put(recs []*record, issue func(tx *bolt.Tx, r *record) error) error {
	if len(recs) == 0 {
		return nil
	}
	return s.write(func(tx *bolt.Tx) error {
		items := tx.Bucket(bItems)
		for _, r := range recs {
			if old := items.Get(r.key()); old != nil {
				var o record
				if json.Unmarshal(old, &o) == nil {
					if err := unindex(tx, &o); err != nil {
						return err
					}
				}
			} else if err := addCount(tx, 1); err != nil {
				return err
			}
			if issue != nil && r.Kind == KindError {
				if err := issue(tx, r); err != nil {
					return err
				}
			}
			v, err := json.Marshal(r)
			if err != nil {
				return err
			}
			if err := items.Put(r.key(), v); err != nil {
				return err
			}
			if err := tx.Bucket(bPayloads).Put(r.key(), r.Payload); err != nil {
				return err
			}
			if err := index(tx, r); err != nil {
				return err
			}
		}
		return nil
	})
}

func traceKey(traceID string, key []byte) []byte {
	return append([]byte(traceID+"\x00"), key...)
}

// index adds a record's index entries.
func index(tx *bolt.Tx, r *record) error {
	if r.TraceID != "" {
		if err := tx.Bucket(bTrace).Put(traceKey(r.TraceID, r.key()), nil); err != nil {
			return err
		}
	}
	if err := tx.Bucket(bRecv).Put(append(be64(uint64(r.Received)), r.key()...), nil); err != nil {
		return err
	}
	if r.GroupID != 0 {
		if err := tx.Bucket(bGroupTime).Put(groupTimeKey(r), nil); err != nil {
			return err
		}
		if err := tx.Bucket(bGroupRank).Put(groupRankKey(r), nil); err != nil {
			return err
		}
	}
	if r.Txn != nil {
		return tx.Bucket(bTxnName).Put(r.Txn, r.key())
	}
	return nil
}

// unindex removes a record's index entries (not the record).
func unindex(tx *bolt.Tx, r *record) error {
	if r.TraceID != "" {
		if err := tx.Bucket(bTrace).Delete(traceKey(r.TraceID, r.key())); err != nil {
			return err
		}
	}
	if err := tx.Bucket(bRecv).Delete(append(be64(uint64(r.Received)), r.key()...)); err != nil {
		return err
	}
	if r.GroupID != 0 {
		if err := tx.Bucket(bGroupTime).Delete(groupTimeKey(r)); err != nil {
			return err
		}
		if err := tx.Bucket(bGroupRank).Delete(groupRankKey(r)); err != nil {
			return err
		}
	}
	if r.Txn != nil {
		return tx.Bucket(bTxnName).Delete(r.Txn)
	}
	return nil
}

// prune deletes what the retention no longer allows, oldest first; an
// issue whose last event goes goes with it.
func (s *Store) prune(tx *bolt.Tx) error {
	recv := tx.Bucket(bRecv)
	items := tx.Bucket(bItems)
	total := int(count(tx))
	var cutoff int64
	if s.ret.MaxAge > 0 {
		cutoff = s.now().Add(-s.ret.MaxAge).UnixNano()
	}
	var doomed [][]byte
	c := recv.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		over := s.ret.MaxItems > 0 && total-len(doomed) > s.ret.MaxItems
		old := cutoff != 0 && int64(binary.BigEndian.Uint64(k[:8])) < cutoff
		if !over && !old {
			break
		}
		doomed = append(doomed, append([]byte(nil), k[8:]...))
	}
	groups := map[int64]bool{}
	for _, key := range doomed {
		v := items.Get(key)
		if v == nil {
			continue
		}
		var r record
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		if err := unindex(tx, &r); err != nil {
			return err
		}
		if err := items.Delete(key); err != nil {
			return err
		}
		if err := tx.Bucket(bPayloads).Delete(key); err != nil {
			return err
		}
		if err := addCount(tx, -1); err != nil {
			return err
		}
		if r.GroupID != 0 {
			groups[r.GroupID] = true
		}
	}
	for g := range groups {
		prefix := be64(uint64(g))
		if k, _ := tx.Bucket(bGroupTime).Cursor().Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) {
			continue // the issue still has events
		}
		v := tx.Bucket(bIssues).Get(prefix)
		if v != nil {
			var is issueRecord
			if json.Unmarshal(v, &is) == nil {
				_ = tx.Bucket(bPrints).Delete([]byte(is.Fingerprint))
				_ = tx.Bucket(bSeen).Delete(seenKey(&is))
				_ = tx.Bucket(bShort).Delete(shortKey(is.ShortID))
			}
		}
		if err := tx.Bucket(bIssues).Delete(prefix); err != nil {
			return err
		}
	}
	return nil
}

// traceRecords reads every record of a trace, and the short ids of the
// issues its errors belong to, in one read transaction.
func (s *Store) traceRecords(traceID string) ([]*record, map[int64]string, error) {
	var out []*record
	var shortIDs map[int64]string
	err := s.db.View(func(tx *bolt.Tx) (err error) {
		out, shortIDs, err = traceRecordsIn(tx, traceID)
		return err
	})
	return out, shortIDs, err
}

// traceRecordsIn is traceRecords in the transaction tx.
func traceRecordsIn(tx *bolt.Tx, traceID string) ([]*record, map[int64]string, error) {
	var out []*record
	shortIDs := map[int64]string{}
	prefix := []byte(traceID + "\x00")
	items, issues := tx.Bucket(bItems), tx.Bucket(bIssues)
	c := tx.Bucket(bTrace).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		v := items.Get(k[len(prefix):])
		if v == nil {
			continue
		}
		r := &record{}
		if err := json.Unmarshal(v, r); err != nil {
			return nil, nil, err
		}
		r.Payload = append(json.RawMessage(nil), tx.Bucket(bPayloads).Get(r.key())...)
		out = append(out, r)
		if r.GroupID == 0 {
			continue
		}
		if v := issues.Get(be64(uint64(r.GroupID))); v != nil {
			var is issueRecord
			if json.Unmarshal(v, &is) == nil {
				shortIDs[r.GroupID] = is.ShortID
			}
		}
	}
	return out, shortIDs, nil
}

// Counts reports how many items of each kind are stored.
func (s *Store) Counts() (map[string]int, error) {
	out := map[string]int{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bItems).ForEach(func(k, _ []byte) error {
			kind, _, _ := strings.Cut(string(k), ":")
			out[kind]++
			return nil
		})
	})
	return out, err
}
