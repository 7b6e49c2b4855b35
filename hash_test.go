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
		// What a format string scanned let through, and HashSecret
		// never writes: text after the version or the costs, a sign, a
		// space, anything before the first $.
		"$argon2id$v=19x$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=64,t=1,p=1x$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=+64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v= 19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
		"x$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
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

// Ensure that the costs of a hash are read without hashing, and that an
// unreadable hash gives ErrHashFormat.
func TestHashParams(t *testing.T) {
	h, err := HashSecret([]byte("x"), cheap, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := HashParams(h); err != nil || p != cheap {
		t.Errorf("HashParams = %+v, %v; want %+v", p, err, cheap)
	}
	huge := "$argon2id$v=19$m=4194304,t=4294967295,p=255$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5"
	if p, err := HashParams(huge); err != nil || p.Time != 1<<32-1 || p.Threads != 255 || p.MemoryKiB != 4<<20 {
		t.Errorf("HashParams(huge) = %+v, %v", p, err)
	}
	if _, err := HashParams("$argon2id$v=19$m=64,t=0,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5"); !errors.Is(err, ErrHashFormat) {
		t.Errorf("HashParams(t=0) = %v, want ErrHashFormat", err)
	}
}

// Ensure that ParseArgon2Params reads what String writes, and refuses
// anything else with the form expected.
func TestParseArgon2Params(t *testing.T) {
	for _, p := range []Argon2Params{DefaultPINParams, DefaultPasswordParams, cheap} {
		got, err := ParseArgon2Params(p.String())
		if err != nil || got != p {
			t.Errorf("ParseArgon2Params(%q) = %+v, %v; want %+v", p.String(), got, err, p)
		}
	}
	if s := DefaultPINParams.String(); s != "m=19456,t=2,p=1" {
		t.Errorf("DefaultPINParams.String() = %q", s)
	}
	for _, s := range []string{
		"", "m=65536,t=1", "m=65536,t=1,p=2,x=1", "t=1,m=65536,p=2", "m=65536, t=1,p=2",
		"m=65536,t=0,p=2", "m=65536,t=1,p=0", "m=8,t=1,p=2", "m=4194305,t=1,p=1", "m=65536,t=1,p=256",
		"m=-1,t=1,p=1", "m=+64,t=1,p=1", "m=0x40,t=1,p=1", "m=65536,t=4294967296,p=1",
	} {
		if p, err := ParseArgon2Params(s); err == nil {
			t.Errorf("ParseArgon2Params(%q) = %+v, accepted", s, p)
		}
	}
}

// FuzzParseArgon2Params checks that any string is read or refused without
// a panic, and that what is read is within VerifySecret's bounds and reads
// back the same from its String.
func FuzzParseArgon2Params(f *testing.F) {
	f.Add("m=65536,t=1,p=2")
	f.Add("m=64,t=1,p=1")
	f.Add("m=,t=,p=")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseArgon2Params(s)
		if err != nil {
			return
		}
		if p.Time == 0 || p.Threads == 0 || p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxMemoryKiB {
			t.Fatalf("%q read as %+v, out of bounds", s, p)
		}
		if q, err := ParseArgon2Params(p.String()); err != nil || q != p {
			t.Fatalf("%q read as %+v; its String %q reads as %+v, %v", s, p, p.String(), q, err)
		}
	})
}
