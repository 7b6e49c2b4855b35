package ticket

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pinsede/pinsede/internal/dirsync"
	"github.com/pinsede/pinsede/internal/smallfile"
	"golang.org/x/crypto/chacha20poly1305"
)

// ErrSealed is returned for a spool file that does not open with the
// spool's key: written with another key (another sede's kiosk, or before
// the key was replaced), altered, or not written by a kiosk at all. The
// file is left where it is, for the supervisor to look at.
var ErrSealed = errors.New("spool file refused: it does not open with this spool's key (altered, or written with another key)")

// ErrNoKey is returned when the spool's key file is missing at a desk: the
// kiosk creates it, and the desks read it.
var ErrNoKey = errors.New("no spool key file: copy the kiosk's")

// ErrBadKey is returned when the spool's key file holds no spool key:
// not 32 bytes in hexadecimal, larger than a key file, or a folder, a
// pipe or a device in its place (not read: the folder may be a share
// others write to). Copy the kiosk's key file again.
var ErrBadKey = errors.New("spool key file holds no spool key: copy the kiosk's again")

// keySize is the size of a spool key: XChaCha20-Poly1305's.
const keySize = chacha20poly1305.KeySize

// maxKeyFileBytes bounds the key file: 64 hexadecimal digits and a line
// end, with room for spaces and a Windows line end.
const maxKeyFileBytes = 256

// KeyFile is the spool's key file: Key, or else the file named as the
// folder with ".key" added, beside it and not in it (for /srv/pinsede/spool,
// /srv/pinsede/spool.key), so that whoever reads the folder alone, a share
// or its backup, reads no request.
func (s Spool) KeyFile() string {
	if s.Key != "" {
		return s.Key
	}
	return filepath.Clean(s.Dir) + ".key"
}

// readKey reads the spool's key: 32 bytes, hex encoded on one line.
func (s Spool) readKey() ([]byte, error) {
	b, err := smallfile.ReadRegular(s.KeyFile(), "spool key", maxKeyFileBytes)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w: %s", ErrNoKey, s.KeyFile())
	case errors.Is(err, smallfile.ErrNotRegular), errors.Is(err, smallfile.ErrTooLarge):
		return nil, fmt.Errorf("%w: %w", err, ErrBadKey)
	case err != nil:
		return nil, fmt.Errorf("spool key: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	clear(b)
	if err != nil || len(key) != keySize {
		return nil, fmt.Errorf("spool key %s: not %d bytes in hexadecimal: %w", s.KeyFile(), keySize, ErrBadKey)
	}
	return key, nil
}

// ensureKey reads the spool's key, or creates it (0600) when there is
// none: the kiosk's side. Of two kiosks creating it at once, one writes it
// and both read it.
func (s Spool) ensureKey() ([]byte, error) {
	key, err := s.readKey()
	if !errors.Is(err, ErrNoKey) {
		return key, err
	}
	path := s.KeyFile()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("spool key: %w", err)
	}
	key = make([]byte, keySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("spool key: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".spool-key-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("spool key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(hex.EncodeToString(key) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// A hard link never replaces a key another kiosk wrote meanwhile.
		err = os.Link(tmp.Name(), path)
	}
	if err == nil {
		// The link kept over a power cut: without the key no ticket
		// sealed with it opens. (The spool folder, made before, with it.)
		err = dirsync.Sync(filepath.Dir(path))
	}
	if errors.Is(err, fs.ErrExist) {
		return s.readKey()
	}
	if err != nil {
		return nil, fmt.Errorf("spool key %s: %w", path, err)
	}
	return key, nil
}

// seal encrypts a spool file's content with key, bound to its name: the
// nonce, then the ciphertext.
func seal(key []byte, name string, plain []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, plain, []byte(name)), nil
}

// open decrypts a spool file's content sealed under name, or returns
// ErrSealed.
func open(key []byte, name string, sealed []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrSealed
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, sealed[:n], sealed[n:], []byte(name))
	if err != nil {
		return nil, ErrSealed
	}
	return plain, nil
}
