package local

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"os"

	"github.com/pinsede/pinsede/internal/smallfile"
)

// bbolt's file format (version 2), as far as checkFile needs it: every page
// starts with a 16-byte header; pages 0 and 1 are meta pages.
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	boltPageHeader = 16
	boltMetaSize   = 64 // magic, version, page size, flags, root, sequence, freelist, pgid, txid, checksum
	// boltFreelistPage is the flag of a freelist page in its header,
	// after the page's id; boltNoFreelist the freelist of a meta page
	// that has none.
	boltFreelistPage = 0x10
	boltNoFreelist   = ^uint64(0)
)

// boltMeta is what checkFile reads of a meta page.
type boltMeta struct {
	pageSize uint32
	freelist uint64 // the freelist's page
	pgid     uint64 // high water mark: pages below it are in use
	txid     uint64
}

// readMeta reads and validates the meta page at off, as bbolt does: magic,
// version and FNV-1a checksum.
func readMeta(f *os.File, off int64) (boltMeta, bool) {
	var b [boltPageHeader + boltMetaSize]byte
	if _, err := f.ReadAt(b[:], off); err != nil {
		return boltMeta{}, false
	}
	m := b[boltPageHeader:]
	ne := binary.NativeEndian // bbolt writes in the machine's byte order
	h := fnv.New64a()
	h.Write(m[:56])
	if ne.Uint32(m[0:]) != boltMagic || ne.Uint32(m[4:]) != boltVersion || ne.Uint64(m[56:]) != h.Sum64() {
		return boltMeta{}, false
	}
	return boltMeta{pageSize: ne.Uint32(m[8:]), freelist: ne.Uint64(m[32:]), pgid: ne.Uint64(m[40:]), txid: ne.Uint64(m[48:])}, true
}

// checkFile checks, without writing to it, that path looks like a whole
// bbolt file: a valid meta page, and the file long enough for the pages
// that meta page says are in use. bbolt maps the file in memory: opening a
// truncated file would crash the program on the first read past its end,
// and opening an empty one would write a new database into it.
func checkFile(path string) error {
	f, err := smallfile.OpenRegular(path, "store")
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	// Find the page size as bbolt does: from meta page 0, or, when it is
	// damaged, by looking for meta page 1 at each possible page size.
	m0, ok0 := readMeta(f, 0)
	pageSize := int64(m0.pageSize)
	if !ok0 {
		for ps := int64(1024); ps <= 16<<20 && ps < size; ps *= 2 {
			if m, ok := readMeta(f, ps); ok && int64(m.pageSize) == ps {
				pageSize = ps
				break
			}
		}
	}
	if pageSize == 0 {
		return fmt.Errorf("not a bbolt file (%d bytes): %w", size, ErrCorrupt)
	}
	m1, ok1 := readMeta(f, pageSize)
	// bbolt uses the meta page with the newer transaction that validates.
	m := m0
	if !ok0 || (ok1 && m1.txid > m0.txid) {
		m = m1
	}
	if !ok0 && !ok1 {
		return fmt.Errorf("no valid meta page: %w", ErrCorrupt)
	}
	if need := int64(m.pgid) * int64(m.pageSize); size < need {
		return fmt.Errorf("truncated: %d bytes, pages in use need %d: %w", size, need, ErrCorrupt)
	}
	return checkFreelist(f, m)
}

// checkFreelist checks the header of the freelist page m names: bbolt
// reads the page as it opens a file to write, and panics on one that is
// not a freelist page (a page zeroed: "invalid freelist page: 0") with the
// file open and locked, which the process can no longer close.
func checkFreelist(f *os.File, m boltMeta) error {
	if m.freelist == boltNoFreelist {
		return nil
	}
	var h [boltPageHeader]byte
	if m.freelist >= m.pgid {
		return fmt.Errorf("freelist page %d past the pages in use (%d): %w", m.freelist, m.pgid, ErrCorrupt)
	}
	if _, err := f.ReadAt(h[:], int64(m.freelist)*int64(m.pageSize)); err != nil {
		return err
	}
	ne := binary.NativeEndian
	if id, flags := ne.Uint64(h[0:]), ne.Uint16(h[8:]); id != m.freelist || flags != boltFreelistPage {
		return fmt.Errorf("freelist page %d damaged (it says page %d, flags %#x): %w", m.freelist, id, flags, ErrCorrupt)
	}
	return nil
}
