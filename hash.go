package pinsede

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/pinsede/pinsede/third_party/argon2"
)

// Argon2Params are the cost of an argon2id hash. They are written into every
// encoded hash, so a change applies to new hashes and old ones still verify.
type Argon2Params struct {
	Time      uint32 // passes over memory
	MemoryKiB uint32 // memory in KiB
	Threads   uint8  // lanes
}

// Argon2 parameters, one set for each kind of secret (README, "Security
// model"; BENCHMARKS.md, "A flood of PIN checks"):
//
//   - DefaultPasswordParams: t=3, m=64 MiB, p=2, RFC 9106's second
//     recommended option with 2 lanes for the 2-core desk PCs (about
//     120 ms). Operator passwords are chosen by people and need the full
//     cost.
//   - DefaultPINParams: t=2, m=19 MiB, p=1, OWASP's argon2id minimum, for
//     the 16-character PIN the desk draws. It carries 70 random bits and
//     opens once, for the first login, so the hash need not make up for a
//     weak secret: an offline search of 2^70 stays out of reach at any
//     cost per guess. Each check costs centrale a third of the memory and
//     about half the CPU of the previous t=1, m=64 MiB, p=2, so
//     it serves about twice the logins. Hashes made with the previous
//     cost still verify: every hash carries its own.
//   - DefaultChosenPINParams: those of the passwords, for the 8-character
//     PIN the citizen chooses at the first login (hashed by centrale):
//     people choose it, like a password.
//
// Salts are 16 random bytes; keys are 32 bytes.
var (
	DefaultPasswordParams  = Argon2Params{Time: 3, MemoryKiB: 64 * 1024, Threads: 2}
	DefaultPINParams       = Argon2Params{Time: 2, MemoryKiB: 19 * 1024, Threads: 1}
	DefaultChosenPINParams = DefaultPasswordParams
)

const (
	saltLen = 16
	keyLen  = 32
	// maxMemoryKiB is the most memory a hash VerifySecret reads may
	// ask for: 4 GiB.
	maxMemoryKiB = 4 << 20
)

// hashVersion is the version field of an encoded hash: v=19.
var hashVersion = fmt.Sprintf("v=%d", argon2.Version)

// ErrHashFormat is returned for an encoded hash that cannot be read.
var ErrHashFormat = errors.New("unreadable argon2id hash")

// HashSecret hashes secret with argon2id and a fresh salt from rand, and
// encodes the result in the PHC string format:
// $argon2id$v=19$m=65536,t=3,p=2$salt$key.
func HashSecret(secret []byte, p Argon2Params, rand io.Reader) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return "", fmt.Errorf("hash: salt: %w", err)
	}
	key := argon2.IDKey(secret, salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifySecret reports whether secret matches the encoded hash, in constant
// time with respect to the key.
func VerifySecret(encoded string, secret []byte) (bool, error) {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey(secret, salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// decodeHash reads a hash as HashSecret writes it, strictly: the
// version and the costs in decimal with nothing around them, the costs
// within the bounds of ParseArgon2Params. Pushed hashes are read with it
// on every issue, so it scans no format string.
func decodeHash(encoded string) (p Argon2Params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != hashVersion {
		return p, nil, nil, ErrHashFormat
	}
	if p, err = ParseArgon2Params(parts[3]); err != nil {
		return p, nil, nil, ErrHashFormat
	}
	b64 := base64.RawStdEncoding
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, ErrHashFormat
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 {
		return p, nil, nil, ErrHashFormat
	}
	return p, salt, key, nil
}
