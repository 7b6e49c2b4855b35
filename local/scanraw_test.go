package local_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
	bolt "go.etcd.io/bbolt"
)

// Ensure that a scan takes about its own size in the store, not a third
// more (base64 in JSON: a scan of 1 MiB took 1.33 MiB), at 64 KiB and at
// 1 MiB, and that it reads back whole; and that a scan of an earlier
// version, JSON, still reads.
func TestScanSealedRaw(t *testing.T) {
	for _, n := range []int{64 << 10, 1 << 20} {
		dir := t.TempDir()
		path := filepath.Join(dir, "sportello.db")
		s, err := local.Create(path, filepath.Join(dir, "store.key"))
		if err != nil {
			t.Fatal(err)
		}
		d := newDesk(s, nopPrinter{})
		sess := setUp(t, d)
		scan := pngScan(n)
		scan.MIME = pinsede.ScanMIME(scan.Data)
		out, err := d.Issue(context.Background(), sess, person(1, "Bianchi", "Paolo"), verification(scan))
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Scan(out.Credential.ID)
		if err != nil || got.Name != scan.Name || got.MIME != scan.MIME || !bytes.Equal(got.Data, scan.Data) {
			t.Errorf("%d bytes: scan read back %q %q %d bytes (%v)", n, got.Name, got.MIME, len(got.Data), err)
		}
		old := pinsede.Scan{Name: "vecchia.png", MIME: "image/png", Data: scan.Data[:1000]}
		if err := s.PutScanJSON("old", old); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Scan("old"); err != nil || got.Name != old.Name || got.MIME != old.MIME || !bytes.Equal(got.Data, old.Data) {
			t.Errorf("scan of an earlier version read back %q %q %d bytes (%v)", got.Name, got.MIME, len(got.Data), err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		err = db.View(func(tx *bolt.Tx) error {
			v := tx.Bucket([]byte("scans")).Get([]byte(out.Credential.ID))
			ratio := float64(len(v)) / float64(n)
			t.Logf("scan of %d bytes: %d bytes stored (x%.4f)", n, len(v), ratio)
			if ratio > 1.01 {
				t.Errorf("scan of %d bytes takes %d bytes in the store, x%.3f: want at most x1.01", n, len(v), ratio)
			}
			return nil
		})
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
}
