package ingest

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Group commit. A bbolt transaction costs two fsyncs however little it
// writes, so committing each envelope on its own bounds ingest at a few
// hundred envelopes a second. Instead every write is queued to one writer
// goroutine, which takes all that is queued when it gets to it (up to
// maxBatch), runs them in one transaction, applies the retention once,
// commits, and only then answers each: a write that returned nil is on
// disk, so an envelope acknowledged after it survives a crash. With one
// sender each write is committed at once; with many, those that arrive
// during a commit share the next one, and while the server is still
// reading more envelopes than are queued the writer waits for them (at
// most groupWait), so they share the commit too.

// maxBatch bounds how many writes share a transaction.
const maxBatch = 256

// groupWait is how long a group waits for requests being received.
const groupWait = time.Millisecond

// errClosed is what a write gets once the store is closed.
var errClosed = errors.New("the store is closed (tracehound serve is stopping)")

type writeOp struct {
	fn   func(tx *bolt.Tx) error
	done chan error
}

// write runs fn in a write transaction shared with the writes queued
// with it, and returns once that transaction is durable (or failed).
// fn may be run more than once (when another write in its group fails,
// the group is retried without it): it must leave nothing behind in
// memory that a second run would not set again.
func (s *Store) write(fn func(tx *bolt.Tx) error) error {
	op := writeOp{fn: fn, done: make(chan error, 1)}
	s.wmu.RLock()
	if s.closed {
		s.wmu.RUnlock()
		return errClosed
	}
	s.writes <- op
	s.wmu.RUnlock()
	return <-op.done
}

// writer commits the queued writes, a group at a time, until Close.
func (s *Store) writer() {
	defer close(s.writerDone)
	for op := range s.writes {
		group := []writeOp{op}
		var wait <-chan time.Time
	more:
		for len(group) < maxBatch {
			select {
			case op, ok := <-s.writes:
				if !ok {
					break more
				}
				group = append(group, op)
				continue
			default:
			}
			// Requests still being read will write soon: wait a little
			// for them, so that they share this commit.
			if s.receiving.Load() <= int64(len(group)) {
				break
			}
			if wait == nil {
				wait = time.After(groupWait)
			}
			select {
			case op, ok := <-s.writes:
				if !ok {
					break more
				}
				group = append(group, op)
			case <-wait:
				break more
			}
		}
		s.commit(group)
	}
}

// commit runs a group of writes in one transaction and answers each.
// When one of them fails the transaction is rolled back, and each is
// run again alone, so that only the failing one fails.
func (s *Store) commit(group []writeOp) {
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, op := range group {
			if err := run(op.fn, tx); err != nil {
				return err
			}
		}
		return s.prune(tx)
	})
	if err != nil && len(group) > 1 {
		for _, op := range group {
			s.commit([]writeOp{op})
		}
		return
	}
	if err == nil {
		s.changed()
	}
	for _, op := range group {
		op.done <- err
	}
}

// run runs one write, a panic turned into its error: it would otherwise
// take the writer, and so the server, down (a request's own goroutine
// only loses that request).
func run(fn func(tx *bolt.Tx) error, tx *bolt.Tx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("internal error while storing (please report it): %v", v)
		}
	}()
	return fn(tx)
}
