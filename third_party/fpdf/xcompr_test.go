// Copyright ©2026 The go-pdf Authors. All rights reserved.
// Use of this source code is governed by a MIT-style
// license that can be found in the LICENSE file.

package fpdf

import (
	"bytes"
	"compress/zlib"
	"math/rand"
	"testing"
)

// Ensure that compressing with the pooled zlib writers gives the same bytes
// as a new writer, whatever was compressed before, and that they
// uncompress to the input.
func TestCompressPooled(t *testing.T) {
	random := make([]byte, 200<<10)
	rand.New(rand.NewSource(1)).Read(random)
	inputs := [][]byte{
		nil,
		[]byte("BT /F1 12 Tf 10 10 Td (Hello) Tj ET"),
		bytes.Repeat([]byte("0 0 m 10 10 l S\n"), 20000),
		random,
	}
	for round := 0; round < 2; round++ {
		for i, in := range inputs {
			var want bytes.Buffer
			zw, err := zlib.NewWriterLevel(&want, zlib.BestSpeed)
			if err != nil {
				t.Fatal(err)
			}
			zw.Write(in)
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}

			mem := xmem.compress(in)
			if !bytes.Equal(mem.bytes(), want.Bytes()) {
				t.Errorf("round %d, input %d: pooled writer's output differs from a new writer's", round, i)
			}
			out, err := xmem.uncompress(mem.bytes())
			if err != nil {
				t.Fatalf("round %d, input %d: %v", round, i, err)
			}
			if !bytes.Equal(out.bytes(), in) {
				t.Errorf("round %d, input %d: uncompressed %d bytes, want the %d given", round, i, len(out.bytes()), len(in))
			}
			out.release()
			mem.release()
		}
	}
}
