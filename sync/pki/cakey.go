package pki

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"

	"github.com/pinsede/pinsede/third_party/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// The CA key can be kept encrypted with a passphrase: a PEM block of type
// encryptedKeyType whose bytes are the EC key's DER sealed with
// XChaCha20-Poly1305 under a key derived from the passphrase by argon2id,
// the salt, the cost and the nonce in the block's headers. Without a
// passphrase the key stays an EC PRIVATE KEY block, as before.
const encryptedKeyType = "PINSEDE ENCRYPTED EC PRIVATE KEY"

// The argon2id cost of the key's passphrase: RFC 9106's second
// recommended option (64 MiB, 3 passes), 4 lanes. A passphrase is chosen
// by a person.
const (
	keyKDFTime    = 3
	keyKDFMemory  = 64 << 10
	keyKDFThreads = 4
)

// ErrPassphrase is returned when the CA key is encrypted and no
// passphrase, or a wrong one, was given.
var ErrPassphrase = errors.New("the CA key is encrypted: its passphrase is missing or wrong")

// sealKey returns key as PEM: encrypted with passphrase, or in the clear
// when passphrase is empty.
func sealKey(key *ecdsa.PrivateKey, passphrase []byte) ([]byte, error) {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	if len(passphrase) == 0 {
		return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
	}
	salt := make([]byte, 16)
	nonce := make([]byte, chacha20poly1305.NonceSizeX)
	for _, b := range [][]byte{salt, nonce} {
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
	}
	aead, err := chacha20poly1305.NewX(argon2.IDKey(passphrase, salt, keyKDFTime, keyKDFMemory, keyKDFThreads, chacha20poly1305.KeySize))
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{
		Type: encryptedKeyType,
		Headers: map[string]string{
			"KDF":   fmt.Sprintf("argon2id m=%d,t=%d,p=%d", keyKDFMemory, keyKDFTime, keyKDFThreads),
			"Salt":  hex.EncodeToString(salt),
			"Nonce": hex.EncodeToString(nonce),
		},
		Bytes: aead.Seal(nil, nonce, der, []byte(encryptedKeyType)),
	}), nil
}

// openKey reads the CA key from its PEM, with passphrase when it is
// encrypted.
func openKey(keyPEM, passphrase []byte) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode(keyPEM)
	switch {
	case block == nil:
		return nil, errors.New("CA key: no PEM block")
	case block.Type == "EC PRIVATE KEY":
		return x509.ParseECPrivateKey(block.Bytes)
	case block.Type != encryptedKeyType:
		return nil, fmt.Errorf("CA key: a PEM block of type %q", block.Type)
	case len(passphrase) == 0:
		return nil, ErrPassphrase
	}
	var m, t, p uint32
	if _, err := fmt.Sscanf(block.Headers["KDF"], "argon2id m=%d,t=%d,p=%d", &m, &t, &p); err != nil ||
		m == 0 || m > 4<<20 || t == 0 || t > 64 || p == 0 || p > 255 {
		return nil, fmt.Errorf("CA key: KDF %s not understood", strconv.Quote(block.Headers["KDF"]))
	}
	salt, err1 := hex.DecodeString(block.Headers["Salt"])
	nonce, err2 := hex.DecodeString(block.Headers["Nonce"])
	if err1 != nil || err2 != nil || len(nonce) != chacha20poly1305.NonceSizeX {
		return nil, errors.New("CA key: salt or nonce unreadable")
	}
	aead, err := chacha20poly1305.NewX(argon2.IDKey(passphrase, salt, t, m, uint8(p), chacha20poly1305.KeySize))
	if err != nil {
		return nil, err
	}
	der, err := aead.Open(nil, nonce, block.Bytes, []byte(encryptedKeyType))
	if err != nil {
		return nil, ErrPassphrase
	}
	defer clear(der)
	return x509.ParseECPrivateKey(der)
}
