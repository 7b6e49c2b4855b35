package boltstore

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// maxGroup is the most calls one group commit takes: what one write
// transaction holds stays bounded whatever the callers.
const maxGroup = 256

// errLead tells a waiting call that it now leads the group.
var errLead = errors.New("lead the group commit")

// group commits the write transactions of concurrent callers together:
// the first caller to find no commit under way commits its own at once;
// the callers that come while it commits wait, and the first of them then
// commits all of theirs in one transaction: one commit, and bbolt's two
// fdatasyncs, instead of one each. Two callers at a time never share a
// commit (one waits while the other's runs); from three on they do.
// Each caller is answered only once the transaction holding its function
// has committed (or failed), so what it was told is on disk. The
// functions of a transaction run one after the other, each seeing what
// those before it wrote, as if committed one by one.
//
// A function may run more than once (its transaction rolled back because
// another function in it failed): it must set its results afresh each
// time, as a function given to bbolt's DB.Batch.
type group struct {
	db      file
	mu      sync.Mutex
	pending []*groupCall
	leading bool // a caller is committing, or has been told to
	// commits counts the transactions committed, for the tests.
	commits atomic.Int64
	// onQueue, when set (by the tests), is called under mu each time a
	// call is queued.
	onQueue func()
}

// groupCall is one caller's function and where its answer goes.
type groupCall struct {
	fn   func(*bolt.Tx) error
	done chan error
}

// update runs fn in a write transaction, committed with those of the
// callers waiting at the same time, and returns its error or the
// commit's.
func (g *group) update(fn func(*bolt.Tx) error) error {
	c := &groupCall{fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, c)
	if g.onQueue != nil {
		g.onQueue()
	}
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	if lead {
		g.lead()
	}
	for {
		err := <-c.done
		if err != errLead {
			return err
		}
		g.lead()
	}
}

// lead commits the calls pending, at most maxGroup, answers them, and
// hands the lead on to the first of the calls left waiting, if any.
func (g *group) lead() {
	g.mu.Lock()
	n := min(len(g.pending), maxGroup)
	calls := slices.Clone(g.pending[:n])
	g.pending = slices.Delete(g.pending, 0, n)
	g.mu.Unlock()

	g.run(calls)

	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.pending) == 0 {
		g.leading = false
		return
	}
	g.pending[0].done <- errLead
}

// run commits calls in one transaction and answers each. A function that
// fails rolls the transaction back: it is answered by running it alone,
// and the others are committed again without it.
func (g *group) run(calls []*groupCall) {
	for len(calls) > 0 {
		failed := -1
		err := g.db.Update(func(tx *bolt.Tx) error {
			for i, c := range calls {
				if err := safely(c.fn, tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed < 0 {
			if err == nil {
				g.commits.Add(1)
			}
			for _, c := range calls {
				c.done <- err
			}
			return
		}
		c := calls[failed]
		calls = slices.Delete(calls, failed, failed+1)
		c.done <- g.db.Update(func(tx *bolt.Tx) error { return safely(c.fn, tx) })
	}
}

// safely calls fn, turning its panic into an error, so that a caller's
// panic does not leave the group without a leader.
func safely(fn func(*bolt.Tx) error, tx *bolt.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in a grouped transaction: %v", p)
		}
	}()
	return fn(tx)
}
