package local_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
	bolt "go.etcd.io/bbolt"
)

// inUse returns the bytes of the pages in use of each bucket of the store
// file at path, and their sum, and the keys of each bucket.
func inUse(t testing.TB, path string) (total int, bytes, keys map[string]int) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	bytes, keys = map[string]int{}, map[string]int{}
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			st := b.Stats()
			n := st.LeafInuse + st.BranchInuse + st.InlineBucketInuse
			bytes[string(name)], keys[string(name)] = n, st.KeyN
			total += n
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return total, bytes, keys
}

// issueAndAck issues n PINs with their MV35 at a new desk in dir, and
// acknowledges the outbox as the sync client does once centrale has
// answered every event accepted; it returns the store's path and the
// size of the last MV35.
func issueAndAck(t *testing.T, dir string, n int) (string, int) {
	t.Helper()
	path := filepath.Join(dir, "sportello.db")
	s, err := local.Create(path, filepath.Join(dir, "store.key"))
	if err != nil {
		t.Fatal(err)
	}
	d := newDesk(s, nopPrinter{})
	d.Forms = mv35{}
	sess := setUp(t, d)
	for i := range n {
		if _, err := d.Issue(context.Background(), sess, person(i, "Bianchi", "Paolo"), verification(nil)); err != nil {
			t.Fatal(err)
		}
	}
	items, err := s.Outbox(0)
	if err != nil {
		t.Fatal(err)
	}
	size := 0
	var seqs []uint64
	for _, it := range items {
		seqs = append(seqs, it.Seq)
		if it.Event.Kind == pinsede.EventFormArchived {
			size = len(it.Form)
		}
	}
	if err := d.Acknowledge(seqs, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path, size
}

// Ensure that a desk keeps no copy of a form centrale took, but among the
// newest events sent (SentKeep, here 4): the store of a desk whose outbox
// centrale accepted grows by a fraction of an MV35 an issue, not by the
// MV35 (about 18 KB of the 25 KB an issue cost a store of a year, 593 MiB
// at 25,000 issues; the reviewer's probe).
func TestAcknowledgedFormsLeaveTheDesk(t *testing.T) {
	const small, large, keep = 10, 40, 4
	local.KeepSent(t, keep)
	pathS, _ := issueAndAck(t, t.TempDir(), small)
	pathL, pdf := issueAndAck(t, t.TempDir(), large)
	totalS, _, _ := inUse(t, pathS)
	totalL, bytesL, keysL := inUse(t, pathL)
	if keysL["documents"] != 0 {
		t.Errorf("documents after centrale took every form: %d (%d bytes in use), want none", keysL["documents"], bytesL["documents"])
	}
	if keysL["outbox_sent"] != keep || keysL["outbox_sent_forms"] > keep {
		t.Errorf("events sent kept: %d, their forms %d; want %d, at most %d", keysL["outbox_sent"], keysL["outbox_sent_forms"], keep, keep)
	}
	perIssue := float64(totalL-totalS) / (large - small)
	t.Logf("store pages in use: %d issues %d bytes, %d issues %d bytes: %.0f bytes an issue; an MV35 is %d bytes", small, totalS, large, totalL, perIssue, pdf)
	if perIssue > float64(pdf)/2 {
		t.Errorf("the store grows by %.0f bytes an issue once centrale took its forms, %.2f times the MV35 (%d bytes): want at most half",
			perIssue, perIssue/float64(pdf), pdf)
	}
}

// Ensure that the desk's copy of a form stays when centrale did not take
// it (rejected), when the outbox has not been answered (a desk with no
// centrale), and when its bytes are no longer those of the event
// acknowledged (archived again since): only the bytes centrale holds
// leave, with the event, in one transaction.
func TestFormKeptUnlessCentraleTookIt(t *testing.T) {
	dir := t.TempDir()
	s, err := local.Create(filepath.Join(dir, "sportello.db"), filepath.Join(dir, "store.key"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d := newDesk(s, nopPrinter{})
	d.Forms = mv35{}
	sess := setUp(t, d)
	var ids []string
	for i := range 3 {
		out, err := d.Issue(context.Background(), sess, person(i, "Rossi", "Anna"), verification(nil))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, out.Credential.ID)
	}
	forms := map[string]pinsede.OutboxItem{}
	items, err := s.Outbox(0)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Event.Kind == pinsede.EventFormArchived {
			forms[it.Event.Credential.ID] = it
		}
	}
	before, err := s.OutboxLen()
	if err != nil {
		t.Fatal(err)
	}
	has := func(id string) bool {
		var ok bool
		view(t, s, func(tx pinsede.Tx) error {
			_, err := tx.Document(id, pinsede.DocumentMV35)
			ok = err == nil
			return nil
		})
		return ok
	}
	// ids[1]'s form archived again (other bytes) before the answer.
	update(t, s, func(tx pinsede.Tx) error {
		return tx.PutDocument(ids[1], pinsede.DocumentMV35, []byte("%PDF-1.4 archived again"))
	})
	// ids[0] rejected, ids[1] accepted, ids[2] not answered yet.
	rej := forms[ids[0]]
	refused := []pinsede.NotAccepted{{Seq: rej.Seq, Event: rej.Event, Verdict: pinsede.VerdictRejected, Reason: "form bytes do not match"}}
	if err := d.Acknowledge([]uint64{rej.Seq, forms[ids[1]].Seq}, refused); err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, true, true} {
		if got := has(ids[i]); got != want {
			t.Errorf("credential %d: MV35 kept %v, want %v", i, got, want)
		}
	}
	// ids[2] accepted: its copy goes, and a second answer is harmless.
	for range 2 {
		if err := d.Acknowledge([]uint64{forms[ids[2]].Seq}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if has(ids[2]) {
		t.Error("the MV35 centrale took is still at the desk")
	}
	if n, err := s.OutboxLen(); err != nil || n != before-3 {
		t.Errorf("outbox: %d events (%v), want %d", n, err, before-3)
	}
}
