package ingest

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/tracehound/tracehound/dataset"
	"github.com/tracehound/tracehound/sentryapi/local"
	"github.com/tracehound/tracehound/sentryapi/wire"

	bolt "go.etcd.io/bbolt"
)

// The read indexes are keyed so that bbolt's byte order is the order a
// read wants: big-endian numbers, signed times with the sign bit flipped.
// The newest issue is the last key of bSeen, an issue's latest event the
// last key under its id in bGroupTime, its recommended event the last
// under its id in bGroupRank. A transaction name's rows of Discover's
// events endpoint are the keys under it in bTxnName, in the endpoint's
// order (timestamp, then id).

// indexVersion is the version of the indexes this code keeps (meta
// "index_version"); Open builds them for a store written before.
const indexVersion = 3

var keyIndexVersion = []byte("index_version")

// orderedTime encodes unix nanoseconds so that byte order is time order.
func orderedTime(ns int64) []byte { return be64(uint64(ns) ^ 1<<63) }

func groupTimeKey(r *record) []byte {
	k := append(be64(uint64(r.GroupID)), orderedTime(r.Time)...)
	return append(k, r.ID...)
}

func groupRankKey(r *record) []byte {
	k := append(be64(uint64(r.GroupID)), r.Rank...)
	k = append(k, orderedTime(r.Time)...)
	return append(k, r.ID...)
}

func seenKey(is *issueRecord) []byte {
	return append(orderedTime(is.LastSeen.UnixNano()), be64(uint64(is.ID))...)
}

// txnNameKey is a transaction's key in bTxnName, from its row as
// sentryapi/local's events endpoint reads it.
func txnNameKey(row local.DiscoverRow) []byte {
	return append(txnNamePrefix(row.Name()), append(orderedFloat(row.Timestamp()), row.ID()...)...)
}

// txnNamePrefix starts the keys of the transactions named name (its
// length first, so that no name is a prefix of another's keys).
func txnNamePrefix(name string) []byte {
	k := make([]byte, 4, 4+len(name)+8+32)
	binary.BigEndian.PutUint32(k, uint32(len(name)))
	return append(k, name...)
}

// orderedFloat encodes f so that byte order is numeric order.
func orderedFloat(f float64) []byte {
	u := math.Float64bits(f)
	if u&(1<<63) != 0 {
		u = ^u
	} else {
		u |= 1 << 63
	}
	return be64(u)
}

// transactionKey is the bTxnName key of a transaction stored in project
// slug with this payload (nil when it is not read as one).
func transactionKey(slug, id string, payload []byte) []byte {
	row, ok, err := local.ReadDiscoverRow(dataset.EventPath(slug, id), payload)
	if err != nil || !ok {
		return nil
	}
	return txnNameKey(row)
}

func shortKey(shortID string) []byte { return []byte(strings.ToUpper(shortID)) }

// eventFacts is what orders an issue's events, read from the stored
// event as sentryapi/local reads it (its eventSummary).
type eventFacts struct {
	DateCreated jsontext.Value `json:"dateCreated"`
	Errors      jsontext.Value `json:"errors"`
	Contexts    struct {
		Trace *struct {
			TraceID wire.FlexString `json:"trace_id"`
			Sampled jsontext.Value  `json:"sampled"`
		} `json:"trace"`
		Profile *struct {
			ProfileID  wire.FlexString `json:"profile_id"`
			ProfilerID wire.FlexString `json:"profiler_id"`
		} `json:"profile"`
		Replay *struct {
			ReplayID wire.FlexString `json:"replay_id"`
		} `json:"replay"`
	} `json:"contexts"`
}

// eventOrder returns an error event's time (its dateCreated, unix
// nanoseconds; 0 when it has none) and rank: five bytes whose byte order
// is Sentry's order for the recommended event — a replay, a sampled
// trace, fewer processing errors, a profile — the better the larger.
// Time, then the event id, break ties, as in sentryapi/local.
func eventOrder(payload []byte) (int64, []byte) {
	var f eventFacts
	if wire.Decode(payload, &f) != nil {
		return 0, []byte{0, 0, 0xff, 0xff, 0}
	}
	var ns int64
	var s string
	if json.Unmarshal(f.DateCreated, &s) == nil {
		if t, err := wire.ParseTimestamp(s); err == nil {
			ns = int64(math.Round(float64(t) * 1e9))
		}
	}
	var errs []jsontext.Value
	perr := 0
	if f.Errors.Kind() == '[' && wire.Decode(f.Errors, &errs) == nil {
		perr = min(len(errs), 0xffff)
	}
	c := f.Contexts
	rank := []byte{
		b2i(c.Replay != nil && c.Replay.ReplayID != ""),
		b2i(c.Trace != nil && c.Trace.TraceID != "" && string(c.Trace.Sampled) != "false"),
		0, 0,
		b2i(c.Profile != nil && (c.Profile.ProfileID != "" || c.Profile.ProfilerID != "")),
	}
	binary.BigEndian.PutUint16(rank[2:4], uint16(0xffff-perr))
	return ns, rank
}

func b2i(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// migrateNoticeItems is the store size above which building the indexes
// is announced.
const migrateNoticeItems = 20_000

// migrate builds the read indexes of a store written by an older
// tracehound, in the transaction that opens it: index version 1 had no
// bGroupTime, bGroupRank, bSeen, bShort; version 2 no bTxnName. A new
// store just gets the version.
func migrate(tx *bolt.Tx, path string, notice func(string)) error {
	meta := tx.Bucket(bMeta)
	var from uint64
	if v := meta.Get(keyIndexVersion); len(v) == 8 {
		from = binary.BigEndian.Uint64(v)
	}
	if from >= indexVersion {
		return nil
	}
	big := count(tx) > migrateNoticeItems && notice != nil
	if big {
		notice(fmt.Sprintf("indexing the %d items of %s for fast reads (once, after an upgrade; this can take a minute)…", count(tx), path))
	}
	start := time.Now()
	if from < 2 {
		if err := migrateV2(tx); err != nil {
			return err
		}
	}
	if err := migrateTransactions(tx); err != nil {
		return fmt.Errorf("indexing the stored transactions: %w", err)
	}
	if big {
		notice(fmt.Sprintf("indexed in %s", time.Since(start).Round(time.Millisecond)))
	}
	return meta.Put(keyIndexVersion, be64(indexVersion))
}

// migrateV2 builds the indexes of version 2 (issues and their events).
func migrateV2(tx *bolt.Tx) error {
	if err := migrateEvents(tx); err != nil {
		return fmt.Errorf("indexing the stored events: %w", err)
	}
	err := tx.Bucket(bIssues).ForEach(func(k, v []byte) error {
		var is issueRecord
		if err := json.Unmarshal(v, &is); err != nil {
			return err
		}
		if err := tx.Bucket(bSeen).Put(seenKey(&is), nil); err != nil {
			return err
		}
		return tx.Bucket(bShort).Put(shortKey(is.ShortID), be64(uint64(is.ID)))
	})
	if err != nil {
		return fmt.Errorf("indexing the stored issues: %w", err)
	}
	if tx.Bucket(bGroupV1) != nil {
		return tx.DeleteBucket(bGroupV1)
	}
	return nil
}

// migrateTransactions gives each stored transaction its entry in
// bTxnName (index version 3).
func migrateTransactions(tx *bolt.Tx) error {
	slugs := map[int64]string{}
	err := tx.Bucket(bProjects).ForEach(func(_, v []byte) error {
		var p Project
		if err := json.Unmarshal(v, &p); err != nil {
			return err
		}
		slugs[p.ID] = p.Slug
		return nil
	})
	if err != nil {
		return err
	}
	return reindex(tx, KindTransaction, func(r *record, payload []byte) bool {
		r.Txn = transactionKey(slugs[r.ProjectID], r.ID, payload)
		return r.Txn != nil
	})
}

// migrateEvents gives each stored error of an issue its time and rank,
// and its entries in bGroupTime and bGroupRank.
func migrateEvents(tx *bolt.Tx) error {
	return reindex(tx, KindError, func(r *record, payload []byte) bool {
		if r.GroupID == 0 {
			return false
		}
		r.Time, r.Rank = eventOrder(payload)
		return true
	})
}

// reindex rewrites the records of one kind that update (given each
// record and its payload) changes — it says so — and indexes them again.
func reindex(tx *bolt.Tx, kind string, update func(r *record, payload []byte) bool) error {
	items, payloads := tx.Bucket(bItems), tx.Bucket(bPayloads)
	prefix := []byte(kind + ":")
	var recs []*record
	c := items.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		r := &record{}
		if err := json.Unmarshal(v, r); err != nil {
			return fmt.Errorf("item %s: %w", k, err)
		}
		if update(r, payloads.Get(k)) {
			recs = append(recs, r)
		}
	}
	// Written after the walk: a cursor must not see its bucket change.
	for _, r := range recs {
		v, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if err := items.Put(r.key(), v); err != nil {
			return err
		}
		if err := index(tx, r); err != nil {
			return err
		}
	}
	return nil
}
