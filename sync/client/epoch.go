package client

import (
	"fmt"
	"net/http"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/wire"
)

// keptEpoch returns the epoch of centrale's store that the desk keeps,
// read from Local the first time; "" when it keeps none.
func (c *Client) keptEpoch() (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.loaded {
		e, err := c.cfg.Local.CentraleEpoch()
		if err != nil {
			return "", fmt.Errorf("centrale's epoch: %w", err)
		}
		c.epoch, c.loaded = e, true
	}
	return c.epoch, nil
}

// sawEpoch notes the epoch of centrale's store that resp names, if any:
// followEpoch takes it.
func (c *Client) sawEpoch(resp *http.Response) {
	if e := resp.Header.Get(wire.EpochHeader); e != "" {
		c.mu.Lock()
		c.seen = e
		c.mu.Unlock()
	}
}

// followEpoch takes the epoch of centrale's store that its last answer
// named, when it is not the one the desk keeps (pinsede.Desk.FollowEpoch),
// and reports whether the store was put back from a copy since the desk
// kept its epoch: the desk has put the events it sent back in its outbox,
// to push again before the others, and pulls again from the copy's
// newest change; the state says so (CentraleRestored). Under run: no
// push or pull is under way.
func (c *Client) followEpoch() (bool, error) {
	kept, err := c.keptEpoch()
	if err != nil {
		return false, err
	}
	c.mu.Lock()
	seen := c.seen
	c.mu.Unlock()
	if seen == "" || seen == kept {
		return false, nil
	}
	e, err := wire.ParseEpoch(seen)
	if err != nil {
		return false, fmt.Errorf("centrale's answer: %w", err)
	}
	done, err := c.cfg.Desk.FollowEpoch(seen, e.From, c.cfg.Now())
	if err != nil {
		return false, err
	}
	c.mu.Lock()
	c.epoch, c.resend = seen, done != nil
	if done != nil && done.Pruned {
		c.oldest = done.Oldest
	}
	c.mu.Unlock()
	if done == nil {
		return false, nil
	}
	c.auditChain, c.auditNext = nil, 0 // ask centrale where its copy of the audit log ends
	c.update(func(s *State) { s.CentraleRestored = done })
	return true, nil
}

// takeResend reports whether followEpoch put events back in the outbox
// since it was last asked.
func (c *Client) takeResend() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.resend
	c.resend = false
	return r
}

// watchOldest looks, among items answered by results, for the oldest
// event sent again after centrale was put back from a copy, while older
// ones were pruned: when the copy lacked it (not a duplicate), it lacks
// those too, lost, and the state says so (CentraleRestored.Lost).
func (c *Client) watchOldest(items []pinsede.OutboxEntry, results map[string]wire.Result) {
	c.mu.Lock()
	seq := c.oldest
	c.mu.Unlock()
	if seq == 0 {
		return
	}
	for _, it := range items {
		if it.Seq != seq {
			continue
		}
		c.mu.Lock()
		c.oldest = 0
		c.mu.Unlock()
		if results[it.ID].Verdict != wire.Duplicate {
			c.update(func(s *State) {
				if s.CentraleRestored != nil {
					r := *s.CentraleRestored
					r.Lost = true
					s.CentraleRestored = &r
				}
			})
		}
		return
	}
}
