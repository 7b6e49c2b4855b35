package client

import "time"

// WaitAfter returns how long Run waits after a sync that failed with err
// (nil: none), with backoff the back-off in force.
func (c *Client) WaitAfter(err error, backoff time.Duration) time.Duration {
	wait, _ := c.after(err, backoff)
	return wait
}

// Notified reports whether Run was asked to sync (Notify, SyncNow), and
// takes the request.
func (c *Client) Notified() bool {
	select {
	case <-c.notify:
		return true
	default:
		return false
	}
}
