package local

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/pinsede/pinsede/internal/dirsync"
	"github.com/pinsede/pinsede/internal/smallfile"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/hkdf"
)

// keySize is the length of the master key in the key file.
const keySize = 32

// tagSize is the length of the keyed hashes used as index keys: HMAC-SHA256
// truncated to 128 bits, plenty against collisions among a sede's records.
const tagSize = 16

// sealVersion is the first byte of every sealed value: the format and key
// generation it was sealed with.
const sealVersion = 1

// HKDF salt and labels. Changing any of them makes every store unreadable.
var (
	kdfSalt    = []byte("pinsede/local")
	sealLabel  = []byte("pinsede local seal v1")
	indexLabel = []byte("pinsede local index v1")
)

// keys are the keys derived from a store's master key: one seals values, the
// other makes index keys.
type keys struct {
	aead  cipher.AEAD
	index []byte
}

// deriveKeys derives the sealing and index keys from the master key.
func deriveKeys(master []byte) (*keys, error) {
	seal := make([]byte, chacha20poly1305.KeySize)
	if _, err := io.ReadFull(hkdf.New(sha256.New, master, kdfSalt, sealLabel), seal); err != nil {
		return nil, fmt.Errorf("derive seal key: %w", err)
	}
	index := make([]byte, sha256.Size)
	if _, err := io.ReadFull(hkdf.New(sha256.New, master, kdfSalt, indexLabel), index); err != nil {
		return nil, fmt.Errorf("derive index key: %w", err)
	}
	aead, err := chacha20poly1305.NewX(seal)
	clear(seal)
	if err != nil {
		return nil, fmt.Errorf("seal key: %w", err)
	}
	return &keys{aead: aead, index: index}, nil
}

// aad binds a sealed value to its place: the bucket name, a zero byte (no
// bucket name has one) and the record key.
func aad(bucket, key []byte) []byte {
	b := make([]byte, 0, len(bucket)+1+len(key))
	b = append(b, bucket...)
	b = append(b, 0)
	return append(b, key...)
}

// seal encrypts plain for the record key of bucket: version byte, random
// nonce, ciphertext and tag.
func (k *keys) seal(bucket, key, plain []byte) []byte {
	ns := k.aead.NonceSize()
	out := make([]byte, 1+ns, 1+ns+len(plain)+k.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		panic("local: no randomness for a nonce: " + err.Error()) // crypto/rand does not fail on supported systems
	}
	return k.aead.Seal(out, out[1:], plain, aad(bucket, key))
}

// sealOverhead is how many bytes seal adds to a value.
func (k *keys) sealOverhead() int { return 1 + k.aead.NonceSize() + k.aead.Overhead() }

// errUnsealed is returned by open for a value that does not open: altered,
// moved to another record, or sealed under another key.
var errUnsealed = errors.New("sealed value does not open")

// open decrypts a value sealed for the record key of bucket. The result is
// a fresh slice: sealed may be memory owned by bbolt.
func (k *keys) open(bucket, key, sealed []byte) ([]byte, error) {
	ns := k.aead.NonceSize()
	if len(sealed) < 1+ns+k.aead.Overhead() || sealed[0] != sealVersion {
		return nil, errUnsealed
	}
	plain, err := k.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], aad(bucket, key))
	if err != nil {
		return nil, errUnsealed
	}
	return plain, nil
}

// tag returns the keyed hash of the parts, each length-prefixed so that no
// two lists of parts collide: an index key that reveals nothing about them.
func (k *keys) tag(parts ...string) []byte {
	m := hmac.New(sha256.New, k.index)
	for _, p := range parts {
		m.Write(binary.BigEndian.AppendUint32(nil, uint32(len(p))))
		m.Write([]byte(p))
	}
	return m.Sum(nil)[:tagSize]
}

// readKey reads the master key from the key file, which on Unix must be
// readable and writable by its owner only. The file is read up to the
// key's size, and only if it is a regular file: a folder, a pipe or a
// device in its place is ErrKeyNotFile, and neither hangs nor fills
// the desk's memory.
func readKey(keyPath string) ([]byte, error) {
	if fi, err := os.Stat(keyPath); err == nil && fi.Mode().IsRegular() && runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("read key %s: mode %v: %w", keyPath, fi.Mode().Perm(), ErrKeyExposed)
	}
	b, err := smallfile.ReadRegular(keyPath, "store key", keySize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("read key %s: %w", keyPath, ErrNoKey)
	case errors.Is(err, smallfile.ErrNotRegular):
		return nil, fmt.Errorf("%w: %w", err, ErrKeyNotFile)
	case errors.Is(err, smallfile.ErrTooLarge):
		return nil, fmt.Errorf("read key %s: more than %d bytes: %w", keyPath, keySize, ErrWrongKey)
	case err != nil:
		return nil, fmt.Errorf("read key: %w", err)
	case len(b) != keySize:
		return nil, fmt.Errorf("read key %s: %d bytes, want %d: %w", keyPath, len(b), keySize, ErrWrongKey)
	}
	return b, nil
}

// writeKey makes a new random master key and writes it to a new key file,
// readable by its owner only, making its folder (0700) if needed.
func writeKey(keyPath string) ([]byte, error) {
	master := make([]byte, keySize)
	if _, err := rand.Read(master); err != nil {
		return nil, fmt.Errorf("new key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(keyPath), 0o700); err != nil {
		return nil, fmt.Errorf("new key %s: %w", keyPath, err)
	}
	f, err := os.OpenFile(keyPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("new key %s: %w", keyPath, err)
	}
	_, err = f.Write(master)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = dirsync.Sync(filepath.Dir(keyPath))
	}
	if err != nil {
		os.Remove(keyPath)
		return nil, fmt.Errorf("new key %s: %w", keyPath, err)
	}
	return master, nil
}
