package central

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/pinsede/pinsede/sync/wire"
)

// The audit chain anchored at centrale.
//
// Each push carries the audit head of the desk that makes it
// (wire.AuditHead): the Seq and Hash of the last entry of its chain, and
// the chain's first Hash, which names the chain. Centrale keeps every
// head it receives, by sede and chain, and refuses a head that goes
// backwards or forks from those (JudgeHead): the push is refused whole,
// the head is recorded as an AuditFork, and centrale's log and
// /v1/health say so until an operator resolves it (ResetAudit).
//
// Centrale cannot tell a chain that moves forward from one rewritten
// beyond its last head: it has the heads, not the entries. What it
// anchors is the past: a desk's log that no longer holds, at the Seq of
// a head centrale kept, the entry of that Hash was rewritten, and
// `pinctl audit verify` says so against GET /v1/audit/heads.
//
// A sede has several desk PCs, each with its own store, chain and
// certificate, which names the desk (sync/pki): centrale admits chains
// per sede and desk. The first chain of a desk is admitted on its first
// push, with no operator's step; another chain of the same desk (the
// PC set up again, or its chain rewritten from its first entry) is
// refused until an operator admits it with ResetAudit: from centrale's
// side, a rewritten chain and a new store look alike. A chain admitted
// for one desk is refused from another. A certificate of before desk
// ids is desk "": the sede's desks that still share one are one desk to
// centrale, as before. A chain admitted for desk "" passes to the first
// desk that pushes it with a certificate of its own (the desk given its
// own certificate keeps its chain), if that desk has no chain yet.

// MaxAuditSeq is the highest Seq of an audit head: every JSON parser
// holds it exactly.
const MaxAuditSeq = 1 << 53

// MaxOpenForks is the most open forks (AuditFork) a desk has at once: a
// head refused past them is counted again on the desk's newest open fork
// (its Last, Count and Reason), not recorded apart. A desk that pushes a
// new refused head at each push (a chain made up anew each time) grew
// the forks without end: every /v1/health read them all, and the bbolt
// store looked through every one, in its write transaction, at each
// head it refused. Sixteen tell an operator all a desk's restore or
// rewrite shows.
const MaxOpenForks = 16

// Reasons an audit head is refused. The ForkError's reason starts with
// one.
const (
	// ReasonAuditBackwards: the head's Seq is lower than the highest
	// head kept of its chain, and it is not a head kept.
	ReasonAuditBackwards = "audit head goes backwards"
	// ReasonAuditFork: a head of the same chain and Seq was kept with
	// another Hash.
	ReasonAuditFork = "audit head forks"
	// ReasonAuditNewChain: the desk has another chain admitted.
	ReasonAuditNewChain = "audit chain not admitted"
	// ReasonAuditEmpty: a head with no entry, from a desk with a chain
	// admitted.
	ReasonAuditEmpty = "audit chain empty"
	// ReasonAuditOtherDesk: the head's chain is admitted for another
	// desk of the sede.
	ReasonAuditOtherDesk = "audit chain of another desk"
)

// CheckHead returns what is wrong with the form of an audit head, or "":
// a Chain and a Hash of sha256.Size bytes and a Seq from 1 to
// MaxAuditSeq, or the zero head of a chain with no entry.
func CheckHead(h wire.AuditHead) string {
	switch {
	case h.Seq == 0 && len(h.Chain) == 0 && len(h.Hash) == 0:
		return ""
	case h.Seq == 0 || h.Seq > MaxAuditSeq:
		return fmt.Sprintf("seq %d: from 1 to %d, or 0 with no chain and no hash", h.Seq, uint64(MaxAuditSeq))
	case len(h.Chain) != sha256.Size:
		return fmt.Sprintf("chain of %d bytes: a SHA-256 hash of %d is expected", len(h.Chain), sha256.Size)
	case len(h.Hash) != sha256.Size:
		return fmt.Sprintf("hash of %d bytes: a SHA-256 hash of %d is expected", len(h.Hash), sha256.Size)
	case h.Seq == 1 && !bytes.Equal(h.Chain, h.Hash):
		return "seq 1: the chain is the hash of the first entry"
	}
	return ""
}

// HeadState is what a store knows, when it judges an audit head, of the
// chains admitted for the head's sede and of the heads kept of its
// chain, not discarded by a reset.
type HeadState struct {
	// Chains counts the chains admitted for the head's sede and desk.
	Chains int
	// Admitted reports whether the head's chain is admitted for the
	// sede, for the desk ChainDesk.
	Admitted bool
	// ChainDesk is the desk the chain is admitted for, when Admitted.
	ChainDesk string
	// Highest is the highest head kept of the chain; Seq 0 when none.
	Highest wire.AuditHead
	// AtSeq is the Hash of the head kept at the head's Seq; nil when
	// none.
	AtSeq []byte
}

// AdmitsChain reports, of a head h that JudgeHead keeps, whether its
// chain is to be written admitted for h.Desk: on first use, or when a
// chain of desk "" passes to h's desk.
func (st HeadState) AdmitsChain(h wire.AuditHead) bool { return !st.Admitted || st.ChainDesk != h.Desk }

// NewHead reports, of a head h that JudgeHead keeps, whether h is to be
// written: not when it was kept before, and only its chain passes to
// h's desk.
func (st HeadState) NewHead(h wire.AuditHead) bool { return !bytes.Equal(st.AtSeq, h.Hash) }

// HeadVerdict is what JudgeHead decides.
type HeadVerdict int

// The verdicts on an audit head.
const (
	// HeadRefused: record an AuditFork with the reason, keep nothing.
	HeadRefused HeadVerdict = iota
	// HeadKnown: a head kept before, sent again: nothing changes.
	HeadKnown
	// HeadKeep: keep the head, and admit its chain for the head's desk
	// if it is not (or was for desk "").
	HeadKeep
	// HeadNone: the zero head of a desk with no chain: nothing to keep.
	HeadNone
)

// JudgeHead decides on a well-formed audit head h (CheckHead) by what
// the store holds of its sede, desk and chain (st): the zero head is
// HeadNone while the desk has no chain, else refused; a chain admitted
// for another desk is refused, but one of desk "" passes to a desk with
// no chain; a chain not admitted is admitted when the desk has none
// (first use), else refused; a head kept before is HeadKnown; a head at
// a kept Seq with another Hash is a fork; a head below the highest kept
// goes backwards; any other is kept. A refusal comes with its reason,
// for the AuditFork and the push's problem.
func JudgeHead(st HeadState, h wire.AuditHead) (HeadVerdict, string) {
	adopt := st.Admitted && st.ChainDesk == "" && h.Desk != "" && st.Chains == 0
	switch {
	case h.Seq == 0 && st.Chains == 0:
		return HeadNone, ""
	case h.Seq == 0:
		return HeadRefused, fmt.Sprintf("%s: the desk's log has no entry, and centrale holds %d chain(s) of this desk", ReasonAuditEmpty, st.Chains)
	case st.Admitted && st.ChainDesk != h.Desk && !adopt:
		return HeadRefused, fmt.Sprintf("%s: chain %s is admitted for desk %q, this certificate is desk %q", ReasonAuditOtherDesk, ShortHash(h.Chain), st.ChainDesk, h.Desk)
	case !st.Admitted && st.Chains > 0:
		return HeadRefused, fmt.Sprintf("%s: chain %s is not one of the %d admitted for this desk", ReasonAuditNewChain, ShortHash(h.Chain), st.Chains)
	case st.AtSeq != nil && bytes.Equal(st.AtSeq, h.Hash) && !adopt:
		return HeadKnown, ""
	case st.AtSeq != nil && bytes.Equal(st.AtSeq, h.Hash):
		return HeadKeep, "" // kept before, for desk "": the chain passes to h's desk
	case st.AtSeq != nil:
		return HeadRefused, fmt.Sprintf("%s: entry %d has hash %s, centrale kept %s", ReasonAuditFork, h.Seq, ShortHash(h.Hash), ShortHash(st.AtSeq))
	case h.Seq < st.Highest.Seq:
		return HeadRefused, fmt.Sprintf("%s: seq %d, centrale kept seq %d", ReasonAuditBackwards, h.Seq, st.Highest.Seq)
	}
	return HeadKeep, ""
}

// ShortHash names a hash in reports: its first 8 bytes in hex.
func ShortHash(h []byte) string {
	return fmt.Sprintf("%x", h[:min(len(h), 8)])
}

// AuditFork is an audit head centrale refused, as it records it: once
// while it stays unresolved, counting how often it was pushed.
type AuditFork struct {
	ID   uint64         `json:"id"`
	Sede string         `json:"sede"`
	Head wire.AuditHead `json:"head"`
	// Reason is why it was refused (JudgeHead).
	Reason string `json:"reason"`
	// First and Last are when it was first and last pushed; Count how
	// many pushes carried it.
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
	Count int       `json:"count"`
	// ResolvedBy is the ID of the AuditReset that resolved it; 0 while
	// it is open.
	ResolvedBy uint64 `json:"resolved_by,omitempty"`
}

// ForkError is the error of Store.PutAuditHead for a head it refused:
// it wraps ErrAuditFork.
type ForkError struct {
	Fork AuditFork
}

// Error says which head of which sede was refused, and why.
func (e *ForkError) Error() string {
	return fmt.Sprintf("audit head of sede %s refused: %s", e.Fork.Sede, e.Fork.Reason)
}

// Unwrap returns ErrAuditFork.
func (e *ForkError) Unwrap() error { return ErrAuditFork }

// AuditReset is an operator's decision on a sede's audit chain, made
// after a desk was restored from a copy or set up again, or after a fork
// was looked into: the Chain is admitted for the Sede and Desk (taken
// from another desk if it was admitted for one), its kept heads after To
// are discarded (they stay, marked with the reset's ID), and every open
// fork of the sede and desk is resolved. A desk restored from a copy
// whose last entry is To pushes again from there.
type AuditReset struct {
	ID   uint64 `json:"id"`
	Sede string `json:"sede"`
	// Desk is the desk the chain is admitted for; "" for a sede's
	// certificate of before desk ids.
	Desk   string    `json:"desk,omitempty"`
	Chain  []byte    `json:"chain"`
	To     uint64    `json:"to"`
	By     string    `json:"by"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
	// Discarded counts the heads discarded; Resolved the forks resolved.
	Discarded int `json:"discarded"`
	Resolved  int `json:"resolved"`
}

// CheckReset returns what is wrong with a reset before a store records
// it: a sede, a chain of sha256.Size bytes, an operator and a reason
// within the bounds of event text (MaxShortText, MaxText), no control
// characters.
func CheckReset(r AuditReset) error {
	text := func(path, s string, limit int) error {
		switch {
		case s == "":
			return fmt.Errorf("%w: %s is empty", ErrBadReset, path)
		case len(s) > limit:
			return fmt.Errorf("%w: %s has %d bytes, at most %d", ErrBadReset, path, len(s), limit)
		}
		if reason := textReason(path, s); reason != "" {
			return fmt.Errorf("%w: %s", ErrBadReset, reason)
		}
		return nil
	}
	if err := text("sede", r.Sede, MaxShortText); err != nil {
		return err
	}
	if r.Desk != "" && (len(r.Desk) > MaxShortText || textReason("desk", r.Desk) != "") {
		return fmt.Errorf("%w: desk %q", ErrBadReset, r.Desk)
	}
	if err := text("by", r.By, MaxShortText); err != nil {
		return err
	}
	if err := text("reason", r.Reason, MaxText); err != nil {
		return err
	}
	if len(r.Chain) != sha256.Size {
		return fmt.Errorf("%w: chain of %d bytes, a SHA-256 hash of %d is expected", ErrBadReset, len(r.Chain), sha256.Size)
	}
	if r.To > MaxAuditSeq {
		return fmt.Errorf("%w: to %d, at most %d", ErrBadReset, r.To, uint64(MaxAuditSeq))
	}
	return nil
}

// MaxAuditHeads is the most heads a page of AuditStore.AuditHeads, and
// of GET /v1/audit/heads, holds: a sede keeps a head per push, for ever,
// so that its heads are read a page at a time.
const MaxAuditHeads = 1000

// AuditStore is the part of the central records that keeps the sedi's
// audit heads. Implementations are safe for concurrent use, and every
// method is atomic.
type AuditStore interface {
	// PutAuditHead judges h, an audit head of sede and of the desk
	// h.Desk received at the time at, by JudgeHead against the chains
	// and heads kept for sede, in one transaction that holds the sede's
	// heads against every other: it keeps a head to keep (admitting its
	// chain for h.Desk), and records a head
	// refused as an AuditFork (or counts it again, while the fork of the
	// same head is open, or on the desk's newest open fork when the desk
	// has MaxOpenForks open) and returns a *ForkError. h passed
	// CheckHead.
	PutAuditHead(ctx context.Context, sede string, h wire.AuditHead, at time.Time) error
	// AuditHeads returns a page of the heads kept for sede and not
	// discarded, by chain and Seq, each with the desk its chain is
	// admitted for: at most limit (from 1 to MaxAuditHeads) of those
	// after the cursor after (the start, or a chain of sha256.Size bytes
	// and a Seq, as wire.ParseHeadCursor gives), read in order (an index,
	// a seek: no read of the sede's other heads), and whether more
	// follow.
	AuditHeads(ctx context.Context, sede string, after wire.HeadCursor, limit int) ([]wire.KeptHead, bool, error)
	// AuditForks returns the open forks of every sede, oldest first.
	AuditForks(ctx context.Context) ([]AuditFork, error)
	// ResetAudit records r (which passed CheckReset), numbering it: it
	// admits r.Chain for r.Sede and r.Desk, discards its heads after r.To
	// and resolves the open forks of the sede and desk, and returns r
	// with its ID and counts.
	// The entries after r.To of r.Chain are dropped, and its
	// EntriesTip goes back to the last entry kept.
	ResetAudit(ctx context.Context, r AuditReset) (AuditReset, error)
	// AuditEntryStore keeps the desks' entries (auditentries.go).
	AuditEntryStore
}
