package pinsede

// CheckHashFormat returns ErrHashFormat unless encoded reads as an argon2id
// hash in the PHC format that VerifySecret accepts, with sane parameters.
// It costs no hashing: the central records call it on every pushed hash.
func CheckHashFormat(encoded string) error {
	_, _, _, err := decodeHash(encoded)
	return err
}
