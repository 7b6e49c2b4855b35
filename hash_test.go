package pinsede

import (
	"crypto/rand"
	"errors"
	"strings"
	"testing"
)

var cheap = Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1}

// Ensure that a hash verifies its secret and nothing else.
func TestHashSecret(t *testing.T) {
	h, err := HashSecret([]byte("ACEF3479HJKMNPRT"), cheap, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("encoding %q", h)
	}
	for _, tc := range []struct {
		secret string
		want   bool
	}{{"ACEF3479HJKMNPRT", true}, {"ACEF3479HJKMNPRA", false}, {"", false}} {
		ok, err := VerifySecret(h, []byte(tc.secret))
		if err != nil || ok != tc.want {
			t.Errorf("VerifySecret(%q) = %v, %v; want %v", tc.secret, ok, err, tc.want)
		}
	}
	h2, _ := HashSecret([]byte("ACEF3479HJKMNPRT"), cheap, rand.Reader)
	if h == h2 {
		t.Fatal("two hashes of one secret are equal: salt not random")
	}
}

// Ensure that unreadable hashes are errors, never a match.
func TestVerifySecretBadHash(t *testing.T) {
	for _, h := range []string{
		"", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=18$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=64,t=0,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=64,t=1,p=1$!!$a2V5a2V5a2V5a2V5a2V5",
	} {
		if ok, err := VerifySecret(h, []byte("x")); ok || !errors.Is(err, ErrHashFormat) {
			t.Errorf("VerifySecret(%q) = %v, %v", h, ok, err)
		}
	}
}

func FuzzVerifySecret(f *testing.F) {
	h, _ := HashSecret([]byte("x"), cheap, rand.Reader)
	f.Add(h)
	f.Add("$argon2id$v=19$m=64,t=1,p=1$$")
	f.Fuzz(func(t *testing.T, h string) {
		if strings.Contains(h, "m=") && !strings.Contains(h, "m=64,") {
			return // keep the fuzzer from asking for gigabytes of memory
		}
		ok, err := VerifySecret(h, []byte("x"))
		if ok && err != nil {
			t.Fatal("match with an error")
		}
	})
}
