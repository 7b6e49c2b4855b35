package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/wire"
)

// AuditHeads reads the audit heads centrale keeps for the sede (GET
// /v1/audit/heads), every desk's chain, by chain and Seq, a page at a
// time, each page after the cursor of the one before, and gives each
// page to check as it comes (a local.AnchorCheck's Check), keeping none:
// its memory is a page's, however many heads the sede pushed. Each push
// carries the store's head (Push). It stops at check's first error, and
// returns it. A page that says more follow without a cursor past the one
// before (paging on would read the same heads again) is
// pinsede.ErrAuditCursor.
func (c *Client) AuditHeads(ctx context.Context, check func([]wire.KeptHead) error) error {
	var after wire.HeadCursor
	for n := 1; ; n++ {
		var resp wire.AuditHeadsResponse
		path := "/v1/audit/heads"
		if q := wire.HeadsQuery(after); q != "" {
			path += "?" + q
		}
		if err := c.call(ctx, http.MethodGet, path, nil, &resp); err != nil {
			return fmt.Errorf("audit heads, page %d: %w", n, err)
		}
		if err := check(resp.Heads); err != nil {
			return fmt.Errorf("audit heads, page %d: %w", n, err)
		}
		if !resp.More {
			return nil
		}
		next, err := wire.ParseHeadCursor(resp.Next)
		if err != nil || len(resp.Heads) == 0 || !after.Before(next) {
			return fmt.Errorf("audit heads, page %d of %d heads, next %q: %w", n, len(resp.Heads), resp.Next, pinsede.ErrAuditCursor)
		}
		after = next
	}
}

// auditBudget is the most bytes of entries a send carries: the body's
// limit, less room for the chain and the JSON around the entries.
const auditBudget = wire.MaxAuditEntriesBytes - 1024

// errBatchFull stops the read of a batch of entries.
var errBatchFull = errors.New("batch full")

// SendAudit sends centrale the entries of the desk's audit chain it has
// not got yet (POST /v1/audit/entries), oldest first, in batches of at
// most wire.MaxAuditEntries entries and auditBudget bytes, and returns
// how many it stored (the desk's own acts: those of other desks its chain
// records were sent by them). Centrale checks them against the heads it
// anchored, so that they serve the sede's audit search (SearchAudit).
// Where to start is asked once, then kept; asked again when the chain
// changes (a restore) or centrale says the batch does not follow. A
// centrale of before the endpoint (404) is no error: the entries wait.
// The entries go in centrale's push slots: a refusal until a time
// (Retry-After), of theirs or of a push, holds both back (Push).
func (c *Client) SendAudit(ctx context.Context) (int, error) {
	c.run.Lock()
	defer c.run.Unlock()
	if err := c.held(kindPush); err != nil {
		return 0, err
	}
	n, err := c.sendAudit(ctx)
	return n, c.hold(kindPush, err)
}

// sendAudit is SendAudit, under run.
func (c *Client) sendAudit(ctx context.Context) (int, error) {
	head, err := c.cfg.Local.AuditHead()
	if err != nil || head.Seq == 0 {
		return 0, err
	}
	if !bytes.Equal(c.auditChain, head.Chain) {
		c.auditChain, c.auditNext = head.Chain, 0
	}
	stored := 0
	for c.auditNext == 0 || c.auditNext <= head.Seq {
		var es []json.RawMessage
		size := 0
		if c.auditNext > 0 {
			err := c.cfg.Local.AuditEntries(c.auditNext, func(e pinsede.AuditEntry) error {
				b, err := json.Marshal(e)
				switch {
				case err != nil:
					return err
				case len(es) > 0 && (len(es) == wire.MaxAuditEntries || size+len(b)+1 > auditBudget):
					return errBatchFull
				}
				es, size = append(es, b), size+len(b)+1
				return nil
			})
			if err != nil && !errors.Is(err, errBatchFull) {
				return stored, fmt.Errorf("audit entries: %w", err)
			}
			if len(es) == 0 {
				return stored, nil
			}
		}
		body, err := json.Marshal(struct {
			Chain   []byte            `json:"chain"`
			Entries []json.RawMessage `json:"entries"`
		}{head.Chain, append([]json.RawMessage{}, es...)})
		if err != nil {
			return stored, fmt.Errorf("audit entries: %w", err)
		}
		var resp wire.AuditEntriesResponse
		if err := c.call(ctx, http.MethodPost, "/v1/audit/entries", body, &resp); err != nil {
			var p *wire.Problem
			switch {
			case errors.As(err, &p) && p.Type == problemEntriesGap:
				c.auditNext = 0 // ask again next time
			case errors.As(err, &p) && p.Status == http.StatusNotFound:
				return stored, nil // a centrale of before the sede's audit: the entries wait for its update
			}
			return stored, fmt.Errorf("audit entries from %d: %w", c.auditNext, err)
		}
		if resp.Next <= c.auditNext && len(es) > 0 {
			return stored, fmt.Errorf("audit entries from %d: centrale expects %d next", c.auditNext, resp.Next)
		}
		stored, c.auditNext = stored+resp.Stored, max(resp.Next, 1)
	}
	return stored, nil
}

// problemEntriesGap is the problem of a batch of entries that does not
// follow those centrale got.
const problemEntriesGap = wire.ProblemAuditEntriesGap

// SearchAudit searches the audit of the sede's desks at centrale (GET
// /v1/audit/search), within LookupTimeout: the newest entries f selects
// after the cursor after, each naming its desk. A failure is a
// *pinsede.Problem with one of the KeyLookup* keys, as for Credentials; a
// cursor that centrale did not write is KeyLookupServer's.
func (c *Client) SearchAudit(ctx context.Context, f pinsede.AuditFilter, after pinsede.AuditCursor) (pinsede.AuditSearch, error) {
	cur, err := wire.ParseAuditCursor(string(after))
	if err != nil {
		return pinsede.AuditSearch{}, fmt.Errorf("search the sede's audit at centrale: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, LookupTimeout)
	defer cancel()
	var resp wire.AuditSearchResponse
	if err := c.call(ctx, http.MethodGet, "/v1/audit/search?"+wire.AuditQuery(f, cur), nil, &resp); err != nil {
		return pinsede.AuditSearch{}, lookupProblem(fmt.Errorf("search the sede's audit at centrale: %w", err))
	}
	return pinsede.AuditSearch{Entries: resp.Entries, More: resp.More, Next: pinsede.AuditCursor(resp.Next)}, nil
}
