package argon2

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	upstream "golang.org/x/crypto/argon2"
)

// TestPooledMatchesUpstream derives keys of random passwords, salts and
// costs on several goroutines at once, so that memories go back and forth
// through the pool between derivations of different inputs, and compares
// each with golang.org/x/crypto/argon2's.
func TestPooledMatchesUpstream(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 12))
			for i := range 40 {
				pw, salt := make([]byte, r.IntN(40)), make([]byte, 8+r.IntN(24))
				for j := range pw {
					pw[j] = byte(r.Uint32())
				}
				for j := range salt {
					salt[j] = byte(r.Uint32())
				}
				time, mem, threads := 1+r.Uint32N(3), []uint32{8, 64, 256, 1024}[r.IntN(4)], uint8(1+r.IntN(4))
				name := fmt.Sprintf("goroutine %d, key %d (t=%d m=%d p=%d)", g, i, time, mem, threads)
				if got, want := IDKey(pw, salt, time, mem, threads, 32), upstream.IDKey(pw, salt, time, mem, threads, 32); !bytes.Equal(got, want) {
					t.Errorf("%s: IDKey %x, upstream %x", name, got, want)
				}
				if got, want := Key(pw, salt, time, mem, threads, 32), upstream.Key(pw, salt, time, mem, threads, 32); !bytes.Equal(got, want) {
					t.Errorf("%s: Key %x, upstream %x", name, got, want)
				}
			}
		})
	}
	wg.Wait()
}

// TestPooledMemoryCleared: a memory goes into the pool cleared, so that
// nothing derived from a password stays in it, and the next derivation
// starts from zero blocks as a new one would.
func TestPooledMemoryCleared(t *testing.T) {
	B := make([]block, 16)
	for i := range B {
		for j := range B[i] {
			B[i][j] = 0xa5a5a5a5a5a5a5a5
		}
	}
	putBlocks(B)
	for i := range B {
		if B[i] != (block{}) {
			t.Fatalf("block %d of a pooled memory not cleared", i)
		}
	}
	if got := getBlocks(16); len(got) != 16 {
		t.Fatalf("getBlocks(16) returned %d blocks", len(got))
	}
}
