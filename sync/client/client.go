// Package client is the sede's side of the sync: it drains the local outbox
// to centrale in order and in batches, pulls the changes that concern the
// sede, and tells the desk how the link is doing.
//
// # Basics
//
// Build a Client with New and start Run in a goroutine. Call Notify after
// each issue: the outbox is pushed at once. Subscribe gives the desk a
// channel of State (online, offline since, pending, last error, events not
// accepted). A batch is at most Batch events and BatchBytes bytes; one
// that carries archived forms is multipart, each PDF a binary part beside
// the JSON (wire.PushRequest). Every verdict is final: the client removes
// the event from the outbox, and keeps those not accepted in the local
// store for the desk to show. Each sync also fetches the eligibility policy centrale serves and
// caches it in the local store, where the desk finds it. Credentials looks
// a citizen up at centrale for the desk (lookup.go). Every answer measures
// this PC's clock against centrale's (clock.go): the desk issues no PIN
// while it runs ahead by more than centrale takes (ClockAhead). Each push
// says what this PC's clock reads as it leaves (wire.DeskClockHeader), and
// centrale keeps its events in its own clock.
//
// # Caveats
//
// A whole batch refused (a 4xx problem: certificate revoked, another
// sede's events) is never dropped: it stays in the outbox, the state says
// why, and the client retries with back-off. Retries wait from MinBackoff
// doubling to MaxBackoff with jitter, never in a busy loop. A push or a
// pull that centrale refuses with a time to come back (429 or 503 with
// Retry-After: a desk past its volume of events, centrale's slots busy)
// is not sent again before it, at most an hour, on Config.Now's clock;
// the syncs meanwhile do the rest, and the state keeps the refusal's
// fault (retryafter.go). Such a refusal, busy or limiting the desk,
// leaves the desk Online, centrale reached; only while it holds the
// pushes back does Online() say false, the new PINs not active yet.
package client

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/wire"
)

// Local is what the client reads of the sede's store (local.Store): the
// outbox, the pull cursor and whether the store, restored from a copy,
// gets back its own events, the audit head, and the cache of the policy.
type Local interface {
	OutboxEntries(after uint64, limit, budget int) ([]pinsede.OutboxEntry, error)
	OutboxLen() (int, error)
	SyncCursor() (uint64, error)
	RecoveringOwn() (bool, error)
	CachedPolicy() (pinsede.Policy, bool, error)
	SavePolicy(p pinsede.Policy) (bool, error)
	AuditHead() (wire.AuditHead, error)
	AuditEntries(from uint64, fn func(pinsede.AuditEntry) error) error
	CentraleEpoch() (string, error)
}

// Desk is the use cases the client drives (pinsede.Desk): every change
// of state that centrale's answers and changes bring goes through them.
type Desk interface {
	Acknowledge(seqs []uint64, refused []pinsede.NotAccepted) error
	ApplyPulled(cursor uint64, changes []pinsede.Change, now time.Time) ([]pinsede.Revocation, error)
	RecoverOwn(cursor uint64, changes []pinsede.Change, now time.Time, done bool) ([]pinsede.Revocation, error)
	FollowEpoch(epoch string, from uint64, now time.Time) (*pinsede.CentraleRestore, error)
}

var (
	_ Desk         = (*pinsede.Desk)(nil)
	_ pinsede.Link = (*Client)(nil)
)

// Config configures a Client.
type Config struct {
	// URL is centrale's base URL, e.g. https://centrale:8443.
	URL string
	// HTTP is the client with the sede's certificate (pki.ClientTLS).
	HTTP *http.Client
	// Sede is the sede's code, as in its certificate.
	Sede string
	// Local is the sede's store.
	Local Local
	// Desk is the sede's desk, on the same store (required).
	Desk Desk
	// Batch is the most events per push (wire.MaxBatch when 0).
	Batch int
	// BatchBytes is the largest push body (wire.MaxPushBytes when 0): a
	// batch ends before the event that would make it larger, archived
	// forms included, so that a run of them never makes a push centrale
	// refuses, and no more of the outbox is read than a push takes.
	BatchBytes int
	// MinBackoff and MaxBackoff bound the wait between failed attempts
	// (500 ms and 1 minute when 0).
	MinBackoff, MaxBackoff time.Duration
	// PullEvery is the wait between syncs when all is well (30 s when 0).
	PullEvery time.Duration
	// PressEvery is how often SyncNow may cut the back-off short after a
	// failed sync, counted from the last attempt (30 s when 0; see
	// SyncNow).
	PressEvery time.Duration
	// PullPage is the most changes a pull asks for at once, each page
	// applied in one local transaction (wire.MaxChanges when 0).
	PullPage int
	// Now is the clock of pushes and pulls (required): programs pass
	// time.Now, tests the suite's clock.
	Now func() time.Time
	// NotBefore, when set, is the NotBefore of the desk's certificate,
	// made by centrale's CA an hour before it issued it: a clock that
	// reads earlier is surely behind, though centrale cannot say so (TLS
	// refuses a certificate not yet valid: a PC whose clock went back to
	// the year 2000 never reaches it). See ClockBehind.
	NotBefore time.Time
}

// Status is the state of the link to centrale (pinsede.SyncStatus).
type Status = pinsede.SyncStatus

// The statuses.
const (
	Connecting = pinsede.SyncConnecting
	Online     = pinsede.SyncOnline
	Offline    = pinsede.SyncOffline
)

// State is what the desk shows of the sync (pinsede.SyncState).
type State = pinsede.SyncState

// Client syncs one sede with centrale. Its methods are safe for concurrent
// use; one Push or Pull runs at a time.
type Client struct {
	cfg    Config
	notify chan struct{}
	run    sync.Mutex // one push, pull or send of audit entries at a time
	// auditChain and auditNext are the chain whose entries SendAudit
	// sends, and the Seq centrale expects next of it (0: to ask). Under
	// run.
	auditChain []byte
	auditNext  uint64

	mu    sync.Mutex
	state State
	subs  map[chan State]struct{}
	// answers counts centrale's answers that measured the clock (do):
	// Sync forgets the reading when it got none. Under mu.
	answers uint64
	// holds are, by kind, centrale's last refusal of that kind of
	// request until a time (retryafter.go); nil: none. Under mu.
	holds [numKinds]*laterError
	// tried is when the last sync, or a SyncNow that asked for one,
	// began, and failing whether the last sync failed; retryAt is when Run
	// syncs again by itself (zero: not known yet). On Config.Now's
	// clock, under mu.
	tried, retryAt time.Time
	failing        bool
	// pushRefused is whether the last sync's push failed while the sync
	// reached centrale (Online): its PINs are not active. Under mu.
	pushRefused bool
	// epoch is the epoch of centrale's store the desk keeps (read from
	// Local once: loaded), which its requests name, and seen the one
	// centrale's last answer named (epoch.go). Under mu.
	epoch, seen string
	loaded      bool
	// resend says that followEpoch put the events sent back in the
	// outbox, for Sync to push them at once; oldest is the outbox seq of
	// the oldest of them when older ones were pruned, whose verdict ack
	// watches (0: none). Under mu.
	resend bool
	oldest uint64
}

// New returns a client with cfg, its zero fields defaulted.
func New(cfg Config) *Client {
	if cfg.Batch <= 0 || cfg.Batch > wire.MaxBatch {
		cfg.Batch = wire.MaxBatch
	}
	if cfg.BatchBytes <= 0 || cfg.BatchBytes > wire.MaxPushBytes {
		cfg.BatchBytes = wire.MaxPushBytes
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(time.Minute, cfg.MinBackoff)
	}
	if cfg.PressEvery <= 0 {
		cfg.PressEvery = 30 * time.Second
	}
	if cfg.PullPage <= 0 || cfg.PullPage > wire.MaxChanges {
		cfg.PullPage = wire.MaxChanges
	}
	if cfg.PullEvery <= 0 {
		cfg.PullEvery = 30 * time.Second
	}
	if cfg.Now == nil {
		panic("client.New: Config.Now is nil: pass the clock (time.Now in a program)")
	}
	if cfg.Desk == nil {
		panic("client.New: Config.Desk is nil: pass the desk on Config.Local")
	}
	if cfg.HTTP == nil {
		cfg.HTTP = http.DefaultClient
	}
	return &Client{cfg: cfg, notify: make(chan struct{}, 1), subs: map[chan State]struct{}{}}
}

// Notify asks Run to push at once. It never blocks.
func (c *Client) Notify() {
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// SyncNow is a clerk's "sync now": it asks Run to sync at once, as
// Notify, and returns the zero time and false. While centrale's refusal
// holds the pushes back (Retry-After) it asks nothing and returns when
// they may go, on Config.Now's clock, and true: the press is not a way
// round centrale's limit. A pull held back alone does not stop it: the
// sync pushes, and skips the pull.
//
// After a failed sync (centrale unreachable, or answering 500 with no
// Retry-After) a press cuts Run's back-off short at most once every
// Config.PressEvery since the last attempt; a press sooner asks nothing
// and returns the earlier of when Run tries again by itself and when a
// press may, and false. Without this bound every press of every desk
// during an outage would be a request at centrale, as it comes back; 30 s
// is the rhythm of the pulls when all is well, so a clerk whose network
// is back waits no longer than that.
func (c *Client) SyncNow() (until time.Time, held bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.cfg.Now()
	if until := c.heldUntil(kindPush, now); !until.IsZero() {
		return until, true
	}
	if again := c.tried.Add(c.cfg.PressEvery); c.failing && now.Before(again) {
		if !c.retryAt.IsZero() && c.retryAt.Before(again) {
			return c.retryAt, false
		}
		return again, false
	}
	c.tried = now
	c.Notify()
	return time.Time{}, false
}

// State returns the current state.
func (c *Client) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.copyState()
}

// Online reports whether the last sync reached centrale and its push
// was not refused (busy, limiting this desk, held back until a
// Retry-After, or its audit chain refused): a PIN issued now is pushed at once (Notify) and active
// once centrale takes it. It is false while the state is Online with
// FaultLimited, FaultBusy or FaultAuditFork of a push, so that the desk's new slips say
// their PIN is pending activation. With Notify it makes the client a
// pinsede.Link.
func (c *Client) Online() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state.Status == Online && !c.pushRefused
}

func (c *Client) copyState() State {
	s := c.state
	s.NotAccepted = append([]pinsede.NotAccepted(nil), s.NotAccepted...)
	s.Revoked = append([]pinsede.Revocation(nil), s.Revoked...)
	return s
}

// Subscribe returns a channel that receives the state after each change,
// and a function that ends the subscription. A slow reader misses
// intermediate states, never the latest.
func (c *Client) Subscribe() (<-chan State, func()) {
	ch := make(chan State, 1)
	c.mu.Lock()
	c.subs[ch] = struct{}{}
	ch <- c.copyState()
	c.mu.Unlock()
	return ch, func() {
		c.mu.Lock()
		delete(c.subs, ch)
		c.mu.Unlock()
	}
}

// update changes the state with fn and tells the subscribers.
func (c *Client) update(fn func(*State)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fn(&c.state)
	s := c.copyState()
	for ch := range c.subs {
		select { // drop the stale state, if any, for the latest
		case <-ch:
		default:
		}
		ch <- s
	}
}

// Run syncs until ctx ends: a push and a pull at once, then again every
// PullEvery, at once on Notify, and after a failure with back-off. After
// a sync that centrale told to come back later (Retry-After) it syncs
// again at that time, with back-off, or after PullEvery if sooner: the
// other kind of request goes on meanwhile.
func (c *Client) Run(ctx context.Context) error {
	backoff := c.cfg.MinBackoff
	for {
		c.mu.Lock()
		c.retryAt = time.Time{}
		c.mu.Unlock()
		err := c.Sync(ctx)
		if err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		var wait time.Duration
		wait, backoff = c.after(err, backoff)
		c.mu.Lock()
		c.retryAt = c.cfg.Now().Add(wait)
		c.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-c.notify:
		case <-t.C:
		}
		t.Stop()
	}
}

// after returns how long Run waits after a sync that failed with err
// (nil: none), with backoff the back-off in force, and the back-off of
// the next failure.
func (c *Client) after(err error, backoff time.Duration) (wait, next time.Duration) {
	if err == nil {
		return c.cfg.PullEvery, c.cfg.MinBackoff
	}
	wait = jitter(backoff)
	if d := c.untilHeld(); d > 0 && deferred(err) {
		wait = min(max(wait, d), c.cfg.PullEvery)
	}
	return wait, min(backoff*2, c.cfg.MaxBackoff)
}

// jitter returns a wait between d/2 and d.
func jitter(d time.Duration) time.Duration {
	return d/2 + rand.N(d/2+1)
}

// Sync pushes the whole outbox, pulls the changes, fetches the
// eligibility policy, then sends the audit entries centrale has not got
// (SendAudit), and records the outcome in the state. A push or pull that
// centrale refuses for now, busy or limiting this desk (FaultBusy,
// FaultLimited: 429 or 503, not a refusal of the events themselves),
// or that it refused until a time (Retry-After) now or at an earlier
// sync and is not sent before that time, or whose audit chain it refuses
// (FaultAuditFork: a store restored from an older copy), does not stop
// the rest: the sync fails with the refusal's fault (Classify) unless
// something else failed, and the next sync tries it again. The audit
// entries wait for the push.
//
// A sync whose only failures are such refusals leaves the desk Online
// with their fault, centrale reached; any other failure (centrale not
// reached, a certificate or clock refused) makes it Offline. Online()
// is false too while the push was refused, or the desk's audit chain
// (FaultAuditFork): a PIN issued then is not active at centrale until a
// later push is taken, and its slip says so.
func (c *Client) Sync(ctx context.Context) error {
	c.mu.Lock()
	answers := c.answers
	c.tried = c.cfg.Now()
	c.mu.Unlock()
	var err, later error // later: the first request centrale refused for now
	step := func(e error) {
		if forNow(e) || refusedFork(e) {
			later = cmp.Or(later, e)
		} else {
			err = e
		}
	}
	_, pushErr := c.Push(ctx)
	step(pushErr)
	if err == nil {
		_, e := c.Pull(ctx)
		step(e)
	}
	if err == nil && pushErr == nil && c.takeResend() { // the pull found centrale put back from a copy
		_, pushErr = c.Push(ctx)
		step(pushErr)
	}
	if err == nil {
		step(c.FetchPolicy(ctx))
	}
	if err == nil && pushErr == nil {
		_, e := c.SendAudit(ctx)
		step(e)
	}
	reached := err == nil // centrale answered, if only to refuse for now
	err = cmp.Or(err, later)
	if alert := c.refusal(ctx, err); alert != nil {
		err = fmt.Errorf("centrale refuses the certificate: %w (%w)", alert, err)
		reached = false
	}
	pending, perr := c.cfg.Local.OutboxLen()
	now := c.cfg.Now()
	c.update(func(s *State) {
		if perr == nil {
			s.Pending = pending
		}
		answered := c.answers != answers
		if !answered { // centrale not reached: its clock unknown
			s.Clock = pinsede.ClockReading{}
		}
		c.pushRefused, c.failing = pushErr != nil, err != nil
		s.PushHeldUntil, s.PullHeldUntil = c.heldUntil(kindPush, now), c.heldUntil(kindPull, now)
		if err != nil && !reached {
			if s.Status != Offline {
				s.OfflineSince = now
			}
			s.Status, s.LastError = Offline, err.Error()
			s.Fault, s.FaultTitle = Classify(err)
			return
		}
		s.Status, s.OfflineSince = Online, time.Time{}
		if err == nil || answered {
			s.LastSync = now
		}
		s.Fault, s.FaultTitle = Classify(err)
		// Refused at its audit entries, the desk's chain is refused at
		// its next push too, but for a chain grown past centrale's last
		// head: its new PINs are taken as pending until the operator's
		// reset.
		c.pushRefused = c.pushRefused || s.Fault == FaultAuditFork
		s.LastError = ""
		if err != nil {
			s.LastError = err.Error()
		}
	})
	return err
}

// forNow reports whether err is a request that centrale refused for now
// (deferred, or a refusal classified FaultBusy, FaultLimited or
// FaultStoreRefused without a Retry-After): centrale was reached, and
// the other steps of a sync go on.
func forNow(err error) bool {
	if deferred(err) {
		return true
	}
	f, _ := Classify(err)
	return f == FaultBusy || f == FaultLimited || f == FaultStoreRefused
}

// refusedFork reports whether err is centrale's refusal of this desk's
// audit chain (FaultAuditFork): centrale was reached, and holds the
// desk's new events until its operator confirms the restore; the sync's
// other steps go on, so that a restored desk still pulls its sede's
// changes, and its own records newer than the copy (RecoverOwn).
func refusedFork(err error) bool {
	f, _ := Classify(err)
	return f == FaultAuditFork
}

// Push sends the outbox to centrale in batches until it is empty, and
// returns how many events centrale answered. Batches go one at a time, in
// order; while one is on its way, the next is read from the store and
// encoded, and the previous one's answers are written to it. After
// centrale refused a push until a time (Retry-After), Push sends
// nothing before it, and fails with that refusal.
func (c *Client) Push(ctx context.Context) (int, error) {
	c.run.Lock()
	defer c.run.Unlock()
	if err := c.held(kindPush); err != nil {
		return 0, err
	}
	n, err := c.push(ctx)
	if again, ferr := c.followEpoch(); ferr != nil {
		err = cmp.Or(err, ferr)
	} else if again { // refused, or not: the events sent before go first
		m, perr := c.push(ctx)
		n, err = n+m, perr
	}
	return n, c.hold(kindPush, err)
}

// push is Push, under run, held back by nothing.
func (c *Client) push(ctx context.Context) (int, error) {
	first := c.next(0)
	if first.err != nil {
		return 0, fmt.Errorf("push: %w", first.err)
	}
	items, body := first.items, first.body
	acked := make(chan error, 1)
	acked <- nil // no acknowledgement under way
	sent := 0
	for len(items) > 0 {
		next := make(chan batch, 1)
		go func(after uint64) { next <- c.next(after) }(items[len(items)-1].Seq)
		results, err := c.send(ctx, items, body)
		ackErr := <-acked
		nb := <-next
		switch {
		case ackErr != nil:
			return sent, ackErr
		case err != nil:
			return sent, err
		case nb.err != nil:
			return sent, fmt.Errorf("push: %w", nb.err)
		}
		sent += len(items)
		go func(items []pinsede.OutboxEntry) { acked <- c.ack(items, results) }(items)
		items, body = nb.items, nb.body
	}
	return sent, <-acked
}

// batch is a push: its outbox items and its body.
type batch struct {
	items []pinsede.OutboxEntry
	body  body
	err   error
}

// body is an encoded request body, in pieces, and its content type.
type body struct {
	pieces
	contentType string
}

// pieces is a request body as the pieces written to it: a write of
// copyBelow bytes or more (an event's JSON, a form) is kept as it is,
// not copied, and smaller ones (a part's headers) are copied together
// into a piece of their own. The writer must not change what it wrote
// until the body is sent: encode writes slices that nothing else holds.
type pieces struct {
	segs  [][]byte
	size  int
	small []byte // the small writes since the last large one
}

// copyBelow is the size of the writes pieces copies.
const copyBelow = 4096

// Write adds b to the body: by reference when it is large, copied when
// it is small.
func (p *pieces) Write(b []byte) (int, error) {
	p.size += len(b)
	if len(b) < copyBelow {
		p.small = append(p.small, b...)
		return len(b), nil
	}
	p.flush()
	p.segs = append(p.segs, b)
	return len(b), nil
}

// flush ends the piece of small writes, if any.
func (p *pieces) flush() {
	if len(p.small) > 0 {
		p.segs = append(p.segs, p.small)
		p.small = nil
	}
}

// reader returns a reader of the whole body, from its start.
func (p *pieces) reader() io.ReadCloser {
	bufs := net.Buffers(slices.Clone(p.segs))
	return io.NopCloser(&bufs)
}

// next reads the outbox after seq after, as much as a push takes (Batch
// events, BatchBytes), and encodes it; no items when the outbox has none.
func (c *Client) next(after uint64) batch {
	items, err := c.cfg.Local.OutboxEntries(after, c.cfg.Batch, c.cfg.BatchBytes-pushOverhead)
	if err != nil || len(items) == 0 {
		return batch{err: err}
	}
	b, n, err := c.encode(items)
	return batch{items: items[:n], body: b, err: err}
}

// pushOverhead bounds the bytes of a push body that are not the events'
// JSON nor the forms' bytes: the JSON around the events, and the
// multipart's boundaries and part headers (partOverhead each).
const (
	pushOverhead = 1024
	partOverhead = 256
)

// encode returns the push request of the first items that fit in
// BatchBytes, at least one, and how many it holds, with the audit head of
// the sede's store; the events not taken go in the next batch. Each
// event goes as the outbox keeps its JSON. Without forms it is JSON; with
// them, multipart with each form's bytes in a part of its own
// (wire.PushRequest).
func (c *Client) encode(items []pinsede.OutboxEntry) (body, int, error) {
	head, err := c.cfg.Local.AuditHead() // read after the events: the entries of theirs are in
	if err != nil {
		return body{}, 0, fmt.Errorf("push: %w", err)
	}
	var buf bytes.Buffer
	size := pushOverhead
	for _, it := range items {
		size += len(it.JSON) + 1
	}
	buf.Grow(size)
	enc := json.NewEncoder(&buf) // as json.Marshal, with a newline after each value
	buf.WriteString(`{"sede":`)
	if err := enc.Encode(c.cfg.Sede); err != nil {
		return body{}, 0, fmt.Errorf("push: encode: %w", err)
	}
	buf.WriteString(`,"audit_head":`)
	if err := enc.Encode(head); err != nil {
		return body{}, 0, fmt.Errorf("push: encode: %w", err)
	}
	buf.WriteString(`,"events":[`)
	n, forms := len(items), 0
	for i, it := range items {
		before := buf.Len()
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(it.JSON)
		form := 0
		if it.Form != nil {
			form = len(it.Form) + partOverhead + len(it.ID)
		}
		if i > 0 && buf.Len()+forms+form+pushOverhead > c.cfg.BatchBytes {
			buf.Truncate(before)
			n = i
			break
		}
		forms += form
	}
	buf.WriteString("]}")
	if forms == 0 {
		return body{pieces{segs: [][]byte{buf.Bytes()}, size: buf.Len()}, wire.ContentJSON}, n, nil
	}
	var b body
	mw := multipart.NewWriter(&b.pieces)
	part := func(name, contentType string, data []byte) error {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="`+name+`"`)
		h.Set("Content-Type", contentType)
		w, err := mw.CreatePart(h)
		if err == nil {
			_, err = w.Write(data)
		}
		return err
	}
	err = part(wire.PartEvents, wire.ContentJSON, buf.Bytes())
	for _, it := range items[:n] {
		if err == nil && it.Form != nil {
			err = part(it.ID, wire.ContentPDF, it.Form)
		}
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return body{}, 0, fmt.Errorf("push: encode forms: %w", err)
	}
	b.flush()
	b.contentType = mw.FormDataContentType()
	return b, n, nil
}

// send sends one batch, encoded in b, and returns centrale's verdicts by
// event id; an error unless every event has one.
func (c *Client) send(ctx context.Context, items []pinsede.OutboxEntry, b body) (map[string]wire.Result, error) {
	var resp wire.PushResponse
	req, err := c.request(ctx, http.MethodPost, "/v1/events", nil)
	if err == nil {
		req.Body, req.GetBody, req.ContentLength = b.reader(), func() (io.ReadCloser, error) { return b.reader(), nil }, int64(b.size)
		req.Header.Set("Content-Type", b.contentType)
		// What this PC's clock reads as the push leaves: centrale moves
		// the events' times by how far it is from its own.
		req.Header.Set(wire.DeskClockHeader, c.cfg.Now().UTC().Format(time.RFC3339Nano))
		err = c.do(req, &resp)
	}
	if err != nil {
		return nil, fmt.Errorf("push %d events: %w", len(items), err)
	}
	byID := make(map[string]wire.Result, len(resp.Results))
	for _, r := range resp.Results {
		byID[r.ID] = r
	}
	for _, it := range items {
		if _, ok := byID[it.ID]; !ok { // all are sent again, in order
			return nil, fmt.Errorf("push: centrale did not answer event %s", it.ID)
		}
	}
	return byID, nil
}

// ack removes a batch from the outbox, keeps the events not accepted
// (decoded: only they are), and shows them in the state.
func (c *Client) ack(items []pinsede.OutboxEntry, results map[string]wire.Result) error {
	seqs := make([]uint64, 0, len(items))
	var refused []pinsede.NotAccepted
	now := c.cfg.Now()
	for _, it := range items {
		seqs = append(seqs, it.Seq)
		if r := results[it.ID]; r.Verdict != wire.Accepted && r.Verdict != wire.Duplicate {
			ev, err := it.Event()
			if err != nil {
				return fmt.Errorf("push: %w", err)
			}
			refused = append(refused, r.NotAccepted(it.Seq, ev, now))
		}
	}
	if err := c.cfg.Desk.Acknowledge(seqs, refused); err != nil {
		return fmt.Errorf("push: %w", err)
	}
	c.watchOldest(items, results)
	if len(refused) > 0 {
		c.update(func(s *State) {
			s.NotAccepted = append(s.NotAccepted, refused...)
			if n := len(s.NotAccepted); n > maxNotAccepted {
				s.NotAccepted = append([]pinsede.NotAccepted(nil), s.NotAccepted[n-maxNotAccepted:]...)
			}
		})
	}
	return nil
}

// Pull fetches the changes after the stored cursor until there are no
// more, keeps them and applies them to the sede's credentials with the
// cursor after them, in one local transaction a page (pinsede.Desk.ApplyPulled),
// and returns how many it got. Pulling the same changes again changes
// nothing. After centrale refused a pull until a time (Retry-After),
// Pull sends nothing before it, and fails with that refusal.
func (c *Client) Pull(ctx context.Context) (int, error) {
	if err := c.held(kindPull); err != nil {
		return 0, err
	}
	return c.CatchUp(ctx, nil)
}

// CatchUp is Pull, telling progress how far it has come after each page
// (nil: nothing to tell), on the calling goroutine: a desk that joins its
// sede pulls all the sede's records, in pages of Config.PullPage changes.
// Cut off (a lost link, the program stopped), it resumes from the last
// page applied: the cursor is stored with the page.
//
// A store restored from an older copy (local.Restore marks it:
// RecoveringOwn) asks centrale for the desk's own events too
// (wire.PullOwn), from the cursor the copy kept, until it has come to
// the sede's newest change: what the desk did after the copy comes back
// (pinsede.Desk.RecoverOwn), once; then its pulls leave them out again.
// A centrale of before it does not send them (the answer does not say
// Own): the store's mark is cleared all the same, and the state says
// that they could not come back (NotRecovered). A clerk asked for
// it: it pulls even while a refusal holds Pull back, and a refusal it
// meets until a time (Retry-After) holds Pull back.
func (c *Client) CatchUp(ctx context.Context, progress func(pinsede.CatchUp)) (int, error) {
	c.run.Lock()
	defer c.run.Unlock()
	n, err := c.catchUp(ctx, progress)
	return n, c.hold(kindPull, err)
}

// catchUp is CatchUp, under run.
func (c *Client) catchUp(ctx context.Context, progress func(pinsede.CatchUp)) (int, error) {
	got := 0
	var p pinsede.CatchUp
	for first := true; ; first = false {
		cur, err := c.cfg.Local.SyncCursor()
		if err != nil {
			return got, fmt.Errorf("pull: %w", err)
		}
		if first {
			p.From = cur
		}
		own, err := c.cfg.Local.RecoveringOwn()
		if err != nil {
			return got, fmt.Errorf("pull: %w", err)
		}
		q := "/v1/changes?after=" + strconv.FormatUint(cur, 10) + "&" + wire.IncludeSedeEvents
		if own {
			q += "&" + wire.PullOwn
		}
		if c.cfg.PullPage != wire.MaxChanges {
			q += "&limit=" + strconv.Itoa(c.cfg.PullPage)
		}
		var resp wire.ChangesResponse
		if err := c.call(ctx, http.MethodGet, q, nil, &resp); err != nil {
			return got, fmt.Errorf("pull after %d: %w", cur, err)
		}
		if again, err := c.followEpoch(); err != nil {
			return got, fmt.Errorf("pull: %w", err)
		} else if again { // an answer from the cursor before: pull again from the new one
			c.Notify() // and push the events sent before
			continue
		}
		var revoked []pinsede.Revocation
		if own {
			revoked, err = c.cfg.Desk.RecoverOwn(resp.Cursor, resp.Changes, c.cfg.Now(), !resp.More || !resp.Own)
			if err == nil && !resp.Own {
				c.update(func(s *State) { s.NotRecovered = true })
			}
		} else {
			revoked, err = c.cfg.Desk.ApplyPulled(resp.Cursor, resp.Changes, c.cfg.Now())
		}
		if err != nil {
			return got, fmt.Errorf("pull: %w", err)
		}
		got += len(resp.Changes)
		p.Cursor, p.Latest, p.Applied = resp.Cursor, max(resp.Latest, resp.Cursor), got
		if progress != nil {
			progress(p)
		}
		if n := len(resp.Changes); n > 0 {
			c.update(func(s *State) {
				s.Changes += n
				s.Revoked = append(s.Revoked, revoked...)
				if k := len(s.Revoked); k > maxRevoked {
					s.Revoked = append([]pinsede.Revocation(nil), s.Revoked[k-maxRevoked:]...)
				}
			})
		}
		if !resp.More {
			return got, nil
		}
	}
}

// FetchPolicy gets the eligibility policy from centrale, unless it serves
// the version cached (If-None-Match), and caches it when it is newer than
// the one cached (local.Store.SavePolicy): the desk applies the newest
// version it has. A centrale that serves no policy (404) is no error.
func (c *Client) FetchPolicy(ctx context.Context) error {
	cached, ok, err := c.cfg.Local.CachedPolicy()
	if err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	req, err := c.request(ctx, http.MethodGet, "/v1/policy", nil)
	if err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	if ok {
		req.Header.Set("If-None-Match", `"policy-v`+strconv.Itoa(cached.Version)+`"`)
	}
	var resp wire.PolicyResponse
	var p *wire.Problem
	err = c.do(req, &resp)
	switch {
	case errors.Is(err, errNotModified):
	case errors.As(err, &p) && p.Status == http.StatusNotFound:
	case err != nil:
		return fmt.Errorf("policy: %w", err)
	default:
		if err := resp.Policy.Validate(); err != nil {
			return fmt.Errorf("centrale served an invalid %w", err)
		}
		kept, err := c.cfg.Local.SavePolicy(resp.Policy)
		if err != nil {
			return fmt.Errorf("policy: %w", err)
		}
		if kept {
			cached, ok = resp.Policy, true
		}
	}
	if ok {
		c.update(func(s *State) { s.PolicyVersion = cached.Version })
	}
	return nil
}

// maxNotAccepted is how many events not accepted the state keeps, the
// latest.
const maxNotAccepted = 100

// maxRevoked is how many revocations by pulled changes the state keeps,
// the latest.
const maxRevoked = 100

// maxAnswer bounds the answers read from centrale.
const maxAnswer = 16 << 20

// call sends a request with a JSON body (none when nil) and decodes a JSON
// answer, or returns the problem centrale answered.
func (c *Client) call(ctx context.Context, method, path string, body []byte, out any) error {
	req, err := c.request(ctx, method, path, body)
	if err != nil {
		return err
	}
	return c.do(req, out)
}

// request returns a request to centrale with a JSON body (none when nil).
func (c *Client) request(ctx context.Context, method, path string, body []byte) (*http.Request, error) {
	u, err := url.JoinPath(c.cfg.URL, "/")
	if err != nil {
		return nil, err
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u[:len(u)-1]+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", wire.ContentJSON)
	}
	epoch, err := c.keptEpoch()
	if err != nil {
		return nil, err
	}
	if epoch != "" {
		req.Header.Set(wire.EpochHeader, epoch)
	}
	return req, nil
}

// errNotModified is returned by do for a 304 answer.
var errNotModified = errors.New("not modified")

// do sends a request and decodes a JSON answer into out, or returns the
// problem centrale answered (errNotModified for a 304); a 429 or 503
// with a Retry-After is a *laterError around it.
func (c *Client) do(req *http.Request, out any) error {
	start := c.cfg.Now()
	resp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	end := c.cfg.Now()
	c.measure(resp, start, end)
	c.sawEpoch(resp)
	if resp.StatusCode == http.StatusNotModified {
		return errNotModified
	}
	if resp.StatusCode != http.StatusOK {
		var p wire.Problem
		err := error(&p)
		if derr := wire.Decode(resp.Body, maxAnswer, &p); derr != nil || p.Status == 0 {
			err = &statusError{status: resp.Status}
		}
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			if until, ok := retryAfter(resp, end); ok {
				return &laterError{err: err, until: until, sent: true}
			}
		}
		return err
	}
	answ := io.LimitReader(resp.Body, maxAnswer)
	if err := json.NewDecoder(answ).Decode(out); err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	io.Copy(io.Discard, answ) // the rest (a newline): the connection is reused only when read to the end
	return nil
}
