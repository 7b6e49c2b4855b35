package central

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/wire"
)

// The audit entries of the sede's desks, kept at centrale for the sede's
// audit search.
//
// Each desk sends the entries of its chain in order (POST
// /v1/audit/entries, sync/client), in batches of at most
// wire.MaxAuditEntries. Centrale keeps, per sede and chain, where it got
// to (EntriesTip): the last entry received, and how far the entries are
// proven, up to the highest head it anchored (AuditStore) that they hold.
// A batch must follow the tip (or overlap it, a replay: nothing is stored
// twice), hash-chain entry to entry, and hold every head centrale kept
// within it, the entry at the head's Seq with the head's Hash; the last
// entry of a batch that reaches the highest head kept is itself judged
// as a head (JudgeHead) and kept, so that a desk's sends anchor its chain
// as its pushes do. A batch that disagrees with what centrale kept is
// refused whole and recorded as an AuditFork (ForkError): a desk cannot
// send entries that disagree with its anchored chain. The entries of a
// chain beyond its last proven head are kept, and found by no search
// until a later head proves them.
//
// Centrale keeps, of a desk's chain, the entries of its own acts
// (pinsede.AuditEntry.OfDesk), each naming the desk of the certificate
// that sent it: an act of another desk the chain records is that desk's
// own entry, sent by it.

// EntriesTip is where centrale got to in a chain's entries: the Seq and
// Hash of the last entry received, and Proven, the highest Seq of a head
// kept that the entries hold (at most Seq). The zero tip: no entry yet.
type EntriesTip struct {
	Seq    uint64
	Hash   []byte
	Proven uint64
}

// EntriesState is what a store knows, when it judges a batch of entries
// (JudgeEntries), of the batch's chain: the HeadState of the head the
// batch ends at, the tip, the heads kept and not discarded whose Seq is
// within the batch, and the hashes of the entries stored whose Seq is
// within the batch, by Seq.
type EntriesState struct {
	HeadState
	Tip    EntriesTip
	Heads  map[uint64][]byte
	Stored map[uint64][]byte
}

// EntriesVerdict is what JudgeEntries decides.
type EntriesVerdict struct {
	// Fork is the reason to refuse the batch and record an AuditFork of
	// Head; Conflict the reason to refuse it and record nothing (a gap
	// after the tip). Either way nothing is stored.
	Fork, Conflict string
	// Head is the head the batch ends at, of the sending desk.
	Head wire.AuditHead
	// KeepHead: keep Head, as PutAuditHead does for HeadKeep (its chain
	// admitted by HeadState.AdmitsChain, written when HeadState.NewHead).
	KeepHead bool
	// Store are the entries to store: the desk's own acts after the tip.
	Store []pinsede.AuditEntry
	// Tip is the chain's tip after the batch.
	Tip EntriesTip
}

// ErrAuditEntries is wrapped by the error of PutAuditEntries for a batch
// that does not follow the entries centrale received (a gap): nothing was
// stored, and the answer's Next says where to start.
var ErrAuditEntries = errors.New("audit entries out of order")

// CheckEntries returns what is wrong with the form of a batch of entries
// a desk of sede sends of chain, or "": a chain of sha256.Size bytes, at
// most wire.MaxAuditEntries entries of sede, with a time, Seqs from 1 to
// MaxAuditSeq that follow each other, each linked to the one before
// (Prev) and hashed (ChainHash), entry 1 with no Prev and the chain's
// Hash; its texts valid UTF-8 with no NUL, the fields searched (actor,
// action, subject, desk, credential) of at most MaxText bytes, its detail
// of at most pinsede.MaxAuditDetail (what a desk writes, with room).
func CheckEntries(sede string, chain []byte, es []pinsede.AuditEntry) string {
	if len(chain) != sha256.Size {
		return fmt.Sprintf("chain of %d bytes: a SHA-256 hash of %d is expected", len(chain), sha256.Size)
	}
	if len(es) > wire.MaxAuditEntries {
		return fmt.Sprintf("%d entries, at most %d", len(es), wire.MaxAuditEntries)
	}
	for i, e := range es {
		switch {
		case e.Seq == 0 || e.Seq > MaxAuditSeq:
			return fmt.Sprintf("entry %d: seq from 1 to %d", i, uint64(MaxAuditSeq))
		case i > 0 && e.Seq != es[i-1].Seq+1:
			return fmt.Sprintf("entry %d: seq %d does not follow %d", i, e.Seq, es[i-1].Seq)
		case i > 0 && !bytes.Equal(e.Prev, es[i-1].Hash):
			return fmt.Sprintf("entry %d: prev is not the hash of entry %d", e.Seq, e.Seq-1)
		case e.Seq == 1 && (len(e.Prev) != 0 || !bytes.Equal(e.Hash, chain)):
			return "entry 1: no prev, and the chain's hash"
		case !bytes.Equal(e.Hash, e.ChainHash()):
			return fmt.Sprintf("entry %d: its hash is not the SHA-256 of its content", e.Seq)
		case e.Sede != sede:
			return fmt.Sprintf("entry %d: of sede %q, not the certificate's", e.Seq, e.Sede)
		case e.Time.IsZero():
			return fmt.Sprintf("entry %d: no time", e.Seq)
		}
		for _, f := range []struct {
			name, v string
			max     int
		}{
			{"actor", e.Actor, MaxText}, {"action", string(e.Action), MaxText}, {"subject", string(e.Subject), MaxText},
			{"desk", e.Desk, MaxText}, {"credential", e.Credential, MaxText}, {"detail", e.Detail, pinsede.MaxAuditDetail},
		} {
			switch {
			case len(f.v) > f.max:
				return fmt.Sprintf("entry %d: %s of %d bytes, at most %d", e.Seq, f.name, len(f.v), f.max)
			case !utf8.ValidString(f.v) || strings.ContainsRune(f.v, 0):
				return fmt.Sprintf("entry %d: %s: valid UTF-8 with no NUL", e.Seq, f.name)
			}
		}
	}
	return ""
}

// JudgeEntries decides on a batch es of desk's chain that passed
// CheckEntries, by what the store holds of the chain (st): see the
// package's notes above. An empty batch changes nothing.
func JudgeEntries(st EntriesState, desk string, chain []byte, es []pinsede.AuditEntry) EntriesVerdict {
	v := EntriesVerdict{Tip: st.Tip}
	if len(es) == 0 {
		return v
	}
	first, last := es[0], es[len(es)-1]
	v.Head = wire.AuditHead{Chain: chain, Seq: last.Seq, Hash: last.Hash, Desk: desk}
	at := func(seq uint64) pinsede.AuditEntry { return es[seq-first.Seq] }
	within := func(seq uint64) bool { return first.Seq <= seq && seq <= last.Seq }
	tip := st.Tip
	switch {
	case first.Seq > tip.Seq+1:
		v.Conflict = fmt.Sprintf("entries from %d expected, the batch starts at %d", tip.Seq+1, first.Seq)
		return v
	case tip.Seq > 0 && tip.Seq+1 == first.Seq && !bytes.Equal(first.Prev, tip.Hash):
		v.Fork = fmt.Sprintf("%s: entry %d does not follow entry %d as centrale received it", ReasonAuditFork, first.Seq, tip.Seq)
		return v
	case tip.Seq > 0 && within(tip.Seq) && !bytes.Equal(at(tip.Seq).Hash, tip.Hash):
		v.Fork = fmt.Sprintf("%s: entry %d has hash %s, centrale received %s", ReasonAuditFork, tip.Seq, ShortHash(at(tip.Seq).Hash), ShortHash(tip.Hash))
		return v
	}
	for _, seq := range slices.Sorted(maps.Keys(st.Stored)) {
		if within(seq) && !bytes.Equal(at(seq).Hash, st.Stored[seq]) {
			v.Fork = fmt.Sprintf("%s: entry %d has hash %s, centrale received %s", ReasonAuditFork, seq, ShortHash(at(seq).Hash), ShortHash(st.Stored[seq]))
			return v
		}
	}
	proven := tip.Proven
	for _, seq := range slices.Sorted(maps.Keys(st.Heads)) {
		if !within(seq) {
			continue
		}
		if !bytes.Equal(at(seq).Hash, st.Heads[seq]) {
			v.Fork = fmt.Sprintf("%s: entry %d has hash %s, centrale kept %s", ReasonAuditFork, seq, ShortHash(at(seq).Hash), ShortHash(st.Heads[seq]))
			return v
		}
		proven = max(proven, seq)
	}
	if own := st.Admitted && st.ChainDesk == desk; !own || last.Seq >= st.Highest.Seq {
		verdict, reason := JudgeHead(st.HeadState, v.Head)
		if verdict == HeadRefused {
			v.Fork = reason
			return v
		}
		v.KeepHead = verdict == HeadKeep
		proven = max(proven, last.Seq)
	}
	for _, e := range es {
		if e.Seq > tip.Seq && e.OfDesk(desk) {
			v.Store = append(v.Store, e)
		}
	}
	if last.Seq > tip.Seq {
		v.Tip = EntriesTip{Seq: last.Seq, Hash: last.Hash}
	}
	v.Tip.Proven = min(max(proven, tip.Proven), v.Tip.Seq)
	return v
}

// EntriesResult returns what PutAuditEntries returns for a batch of sede
// a store judged: err, the store's own failure; else fork, a refusal
// recorded; else conflict, a gap, wrapping ErrAuditEntries; else nil.
func EntriesResult(sede string, err error, fork *ForkError, conflict string) error {
	switch {
	case err != nil:
		return fmt.Errorf("audit entries of %s: %w", sede, err)
	case fork != nil:
		return fork
	case conflict != "":
		return fmt.Errorf("audit entries of %s: %w: %s", sede, ErrAuditEntries, conflict)
	}
	return nil
}

// AuditEntryStore keeps the audit entries of the sedi's desks, for the
// sede's audit search.
type AuditEntryStore interface {
	// PutAuditEntries judges es, a batch of the chain of desk of sede
	// that passed CheckEntries, received at the time at, by JudgeEntries
	// in one transaction that holds the sede's heads against every other
	// (as PutAuditHead): it stores the entries and the head to keep and
	// moves the tip, or records a fork of the batch's head and returns a
	// *ForkError, or returns an error wrapping ErrAuditEntries for a gap.
	// Next is the Seq of the entry expected next of the chain.
	PutAuditEntries(ctx context.Context, sede, desk string, chain []byte, es []pinsede.AuditEntry, at time.Time) (wire.AuditEntriesResponse, error)
	// SearchAudit returns the newest entries of sede's desks that f
	// selects and that come after the cursor after in the order (all of
	// them from the zero cursor), newest first (NewestFirst), each with
	// the desk that sent it: those proven of each chain
	// (EntriesTip.Proven). The days are each entry's own, in the time
	// zone of its desk. It stops reading at limit entries, or at the
	// first entry after the first that takes the size of those it
	// returns (EntrySize) beyond maxBytes: it returns that one too, so
	// that the caller knows there were more.
	SearchAudit(ctx context.Context, sede string, f pinsede.AuditFilter, after wire.AuditCursor, limit, maxBytes int) ([]pinsede.AuditEntry, error)
}

// EntrySize is the size of e in a page of the search, and as a store
// keeps it: its JSON.
func EntrySize(e pinsede.AuditEntry) int {
	b, err := json.Marshal(e)
	if err != nil {
		panic("audit entry not encodable: " + err.Error()) // only plain fields: cannot happen
	}
	return len(b)
}

// EntryDay is the day an entry's search finds it on: its day at its
// desk, in the offset its time was sent with.
func EntryDay(e pinsede.AuditEntry) pinsede.Date { return pinsede.DateOf(e.Time) }

// NewestFirst orders entries for the search: by day (EntryDay), time,
// desk, Seq and Hash, descending. The day comes first so that a search
// reads day by day, newest first, and stops at its limit; the Hash last
// so that no two entries are equal (two chains of one desk, a restore's,
// may have an entry of the same time and Seq), and a cursor
// (wire.AuditCursor) names one place in the order.
func NewestFirst(a, b pinsede.AuditEntry) int {
	if c := EntryDay(b).Time().Compare(EntryDay(a).Time()); c != 0 {
		return c
	}
	if c := b.Time.Compare(a.Time); c != 0 {
		return c
	}
	if c := strings.Compare(b.Desk, a.Desk); c != 0 {
		return c
	}
	if c := cmp.Compare(b.Seq, a.Seq); c != 0 {
		return c
	}
	return bytes.Compare(b.Hash, a.Hash)
}

// After reports whether e comes after the cursor c in the search's order
// (NewestFirst): every entry does after the zero cursor.
func After(e pinsede.AuditEntry, c wire.AuditCursor) bool {
	return c.IsZero() || NewestFirst(e, c.Entry()) > 0
}
