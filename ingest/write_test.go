package ingest

import (
	"fmt"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A write that fails (returns an error, or panics) fails alone: the writes
// committed with it are kept, and the writer goes on.
func TestGroupCommitIsolatesAFailingWrite(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st, err := Open(filepath.Join(t.TempDir(), "db"), Retention{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		// Hold the writer inside a commit so that the next writes queue
		// up and are committed as one group.
		release := make(chan struct{})
		go st.write(func(*bolt.Tx) error {
			<-release
			return nil
		})
		synctest.Wait()
		errs := make(chan error, 4)
		put := func(k string) func(tx *bolt.Tx) error {
			return func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put([]byte(k), []byte("v")) }
		}
		for _, fn := range []func(tx *bolt.Tx) error{put("a"), func(*bolt.Tx) error { return fmt.Errorf("boom") }, func(*bolt.Tx) error { panic("boom") }, put("b")} {
			go func() { errs <- st.write(fn) }()
		}
		synctest.Wait()
		if n := len(st.writes); n != 4 {
			t.Fatalf("%d writes queued behind the held one, want 4", n)
		}
		close(release)
		failed := 0
		for range 4 {
			if err := <-errs; err != nil {
				failed++
			}
		}
		if failed != 2 {
			t.Errorf("%d writes failed, want the 2 that returned an error and panicked", failed)
		}
		if err := st.write(put("after")); err != nil {
			t.Errorf("a write after the panicking one: %v", err)
		}
		_ = st.db.View(func(tx *bolt.Tx) error {
			if tx.Bucket(bMeta).Get([]byte("a")) == nil || tx.Bucket(bMeta).Get([]byte("b")) == nil {
				t.Error("the writes grouped with the failing one were lost")
			}
			return nil
		})
		st.Close()
		if err := st.write(put("c")); err == nil {
			t.Error("a write after Close succeeded")
		}
	})
}

// While more envelopes are being received than are queued, the writer
// waits (up to groupWait) so that they share the commit; with nobody
// else receiving it commits at once.
func TestGroupCommitWaitsForEnvelopesBeingReceived(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st, err := Open(filepath.Join(t.TempDir(), "db"), Retention{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		put := func(k string) func(tx *bolt.Tx) error {
			return func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put([]byte(k), []byte("v")) }
		}
		start, v0 := time.Now(), st.Version()
		if err := st.write(put("alone")); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("a lone write waited %v", d)
		}

		st.receiving.Store(2) // two envelopes in the server
		v0 = st.Version()
		done := make(chan error, 2)
		go func() { done <- st.write(put("first")) }()
		synctest.Wait() // the writer holds "first", waiting for the other
		go func() { done <- st.write(put("second")) }()
		for range 2 {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		if n := st.Version() - v0; n != 1 {
			t.Errorf("the two writes took %d commits, want 1", n)
		}

		st.receiving.Store(3) // one of them never writes (a bad envelope)
		start, v0 = time.Now(), st.Version()
		if err := st.write(put("third")); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != groupWait {
			t.Errorf("waited %v for a write that never came, want groupWait (%v)", d, groupWait)
		}
	})
}
