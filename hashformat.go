package pinsede

import (
	"fmt"
	"strconv"
	"strings"
)

// CheckHashFormat returns ErrHashFormat unless encoded reads as an argon2id
// hash in the PHC format that VerifySecret accepts, with sane parameters.
// It costs no hashing: the central records call it on every pushed hash.
func CheckHashFormat(encoded string) error {
	_, _, _, err := decodeHash(encoded)
	return err
}

// HashParams returns the argon2id costs written into an encoded hash, or
// ErrHashFormat when CheckHashFormat would refuse it. It costs no hashing:
// the central records read the cost of every pushed hash with it, to
// refuse the costs they do not accept.
func HashParams(encoded string) (Argon2Params, error) {
	p, _, _, err := decodeHash(encoded)
	return p, err
}

// String returns p as the parameters of a PHC string: m=65536,t=1,p=2.
func (p Argon2Params) String() string {
	return fmt.Sprintf("m=%d,t=%d,p=%d", p.MemoryKiB, p.Time, p.Threads)
}

// ParseArgon2Params reads argon2id costs as String writes them
// (m=65536,t=1,p=2: memory in KiB, passes, lanes, in this order, decimal,
// no spaces), with the bounds VerifySecret holds a hash to: t and p at
// least 1, m at least 8 KiB per lane and at most 4 GiB.
func ParseArgon2Params(s string) (Argon2Params, error) {
	var p Argon2Params
	bad := func(why string) (Argon2Params, error) {
		return Argon2Params{}, fmt.Errorf("argon2id parameters %q: %s (want m=KIB,t=PASSES,p=LANES, e.g. %s)", s, why, DefaultPINParams)
	}
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return bad("three parameters expected")
	}
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(parts[i], name+"=")
		if !ok {
			return bad(fmt.Sprintf("parameter %d must be %s=", i+1, name))
		}
		bits := 32
		if name == "p" {
			bits = 8
		}
		if v == "" || v[0] == '+' || v[0] == '-' {
			return bad(name + ": a decimal number expected")
		}
		n, err := strconv.ParseUint(v, 10, bits)
		if err != nil {
			return bad(fmt.Sprintf("%s: a decimal number below 2^%d expected", name, bits))
		}
		switch name {
		case "m":
			p.MemoryKiB = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			p.Threads = uint8(n)
		}
	}
	if p.Time == 0 || p.Threads == 0 || p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxMemoryKiB {
		return bad("out of bounds: t and p at least 1, m from 8 KiB per lane to 4 GiB")
	}
	return p, nil
}
