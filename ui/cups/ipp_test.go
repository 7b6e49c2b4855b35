package cups

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/internal/testalloc"
)

// The seeds of FuzzDecodeIPP named cups-* are real answers of cupsd 2.4
// (Debian) to the back end's own requests on the queue pinsede-pdf:
// Get-Printer-Attributes of the queue (with the back end's requested
// attributes, and with none: every attribute, 9.7 KB), of a queue that
// does not exist, Get-Job-Attributes of a job that does not exist, and
// CUPS-Get-Printers as ListPrinters asks it.

// allocBound is what decodeIPP may allocate for an answer of n bytes:
// a small multiple of the answer (the attributes' maps and slices), never
// what a length field claims.
func allocBound(n int) uint64 { return 128*uint64(n) + 16<<10 }

// FuzzDecodeIPP feeds decodeIPP what a print server could answer: it
// must not panic, must allocate in proportion to the answer, and what it
// decodes must read back.
func FuzzDecodeIPP(f *testing.F) {
	f.Add([]byte{1, 1, 0, 0, 0, 0, 0, 1, tagEnd})
	f.Add(ippAnswer(tagPrinter, tagPrinter, tagJob, tagOperation))
	f.Add(ippAnswer(tagPrinter, tagName, 0, 1, 'a', 0xFF, 0xFF))
	f.Fuzz(func(t *testing.T, data []byte) {
		var res *ippResponse
		var err error
		if n := testalloc.Bytes(func() { res, err = decodeIPP(bytes.NewReader(data)) }); n > allocBound(len(data)) {
			t.Fatalf("an answer of %d bytes allocated %d bytes, more than %d", len(data), n, allocBound(len(data)))
		}
		if err != nil {
			return
		}
		for name := range res.attrs {
			res.int(name)
			res.bool(name)
			res.strings(name)
		}
		for _, g := range res.groups {
			for name, a := range g.attrs {
				if a.name != name || len(a.values) > len(res.attrs[name].values)+len(data) {
					t.Fatalf("group %#x: attribute %q holds %+v", g.tag, name, a)
				}
			}
		}
	})
}

// ippAnswer returns the head of a successful answer, then the bytes b,
// then the end tag.
func ippAnswer(b ...byte) []byte {
	return append(append([]byte{1, 1, 0, 0, 0, 0, 0, 1}, b...), tagEnd)
}

// Ensure that an answer cut short, or one that claims more than it
// holds, is errIPPShort and allocates what is there, not what is claimed,
// and that a run of empty groups costs no memory.
func TestDecodeIPPBounded(t *testing.T) {
	empty := append([]byte{1, 1, 0, 0, 0, 0, 0, 1}, bytes.Repeat([]byte{tagPrinter, tagJob}, 1<<19)...)
	empty = append(empty, tagName, 0, 1, 'a', 0, 1, 'b', tagEnd)
	for _, tc := range []struct {
		name   string
		answer []byte
		want   error
	}{
		{"a value of 64 KiB claimed", ippAnswer(tagPrinter, tagName, 0, 1, 'a', 0xFF, 0xFF, 'b'), errIPPShort},
		{"a name of 64 KiB claimed", ippAnswer(tagPrinter, tagName, 0xFF, 0xFF), errIPPShort},
		{"no end", []byte{1, 1, 0, 0, 0, 0, 0, 1, tagPrinter}, errIPPShort},
		{"a short head", []byte{1, 1, 0}, errIPPShort},
		{"a million empty groups", empty, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var res *ippResponse
			var err error
			n := testalloc.Bytes(func() { res, err = decodeIPP(bytes.NewReader(tc.answer)) })
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if n > allocBound(len(tc.answer)) {
				t.Errorf("an answer of %d bytes allocated %d bytes, more than %d", len(tc.answer), n, allocBound(len(tc.answer)))
			}
			if err == nil && (len(res.groups) != 1 || res.groups[0].tag != tagJob || res.strings("a")[0] != "b") {
				t.Errorf("%d groups, want one: the last, with a=b", len(res.groups))
			}
		})
	}
	// The empty groups cost less than a byte each, far under the bound.
	if n := testalloc.Bytes(func() { decodeIPP(bytes.NewReader(empty)) }); n > uint64(len(empty)) {
		t.Errorf("%d bytes of empty groups allocated %d bytes", len(empty), n)
	}
}

// Ensure that cupsd's real answers, the seeds of FuzzDecodeIPP, decode
// into what the back end reads of them.
func TestDecodeCapturedAnswers(t *testing.T) {
	for _, tc := range []struct {
		file   string
		status uint16
		check  func(*ippResponse) bool
	}{
		{"cups-get-printer-attributes", statusOK, func(r *ippResponse) bool {
			state, ok := r.int("printer-state")
			accepting, _ := r.bool("printer-is-accepting-jobs")
			return ok && state == 3 && accepting && strings.Join(r.strings("printer-state-reasons"), " ") == "none"
		}},
		{"cups-get-printer-attributes-all", statusOK, func(r *ippResponse) bool {
			return len(r.attrs) > 50 && r.strings("printer-name")[0] == "pinsede-pdf"
		}},
		{"cups-get-printer-attributes-missing", statusNotFound, func(r *ippResponse) bool { return true }},
		{"cups-get-job-attributes-missing", statusNotFound, func(r *ippResponse) bool { return true }},
		{"cups-get-printers", statusOK, func(r *ippResponse) bool {
			for _, g := range r.groups {
				if g.tag == tagPrinter && (&ippResponse{attrs: g.attrs}).strings("printer-name")[0] == "pinsede-pdf" {
					return true
				}
			}
			return false
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			res, err := decodeIPP(bytes.NewReader(corpusBytes(t, filepath.Join("testdata", "fuzz", "FuzzDecodeIPP", tc.file))))
			if err != nil {
				t.Fatal(err)
			}
			if res.status != tc.status || !tc.check(res) {
				t.Errorf("status %#04x, attributes %v; want status %#04x and what the back end reads", res.status, res.attrs, tc.status)
			}
		})
	}
}

// corpusBytes returns the []byte of a seed file of the fuzz corpus.
func corpusBytes(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, arg, _ := strings.Cut(strings.TrimSpace(string(data)), "\n")
	s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(arg, "[]byte("), ")"))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return []byte(s)
}
