package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/pinsede/pinsede"
)

// mrzResult is what `pinctl mrz` prints: the fields of the zone and the
// outcome of its check digits.
type mrzResult struct {
	Valid          bool     `json:"valid"`
	Format         string   `json:"format"`
	DocumentCode   string   `json:"document_code"`
	DocumentType   string   `json:"document_type"`
	IssuingState   string   `json:"issuing_state"`
	Country        string   `json:"country"` // ISO 3166-1 alpha-2 of the issuing state
	DocumentNumber string   `json:"document_number"`
	Surname        string   `json:"surname"`
	GivenNames     string   `json:"given_names"`
	NamesCut       bool     `json:"names_cut"`
	SingleName     bool     `json:"single_name"` // the holder has one name only: one identifier is empty
	Cognome        string   `json:"cognome"`     // what the desk writes on the MV35: for one name only, that name
	Nome           string   `json:"nome"`        // likewise
	Nationality    string   `json:"nationality"`
	Birthdate      string   `json:"birthdate"`
	Sex            string   `json:"sex"`
	Expiry         string   `json:"expiry"`
	Expired        bool     `json:"expired"` // the expiry is before today: the identity check refuses the document
	OptionalData   string   `json:"optional_data"`
	Checks         []string `json:"checks"`   // the check digits verified
	Warnings       []string `json:"warnings"` // what to check in a valid zone, in Italian (a holder with one name only)
	Error          string   `json:"error"`
}

// cmdMRZ reads a machine-readable zone from stdin (its lines as typed or as
// a keyboard-wedge reader sends them) and prints its fields and the outcome
// of its check digits as one JSON object. It fails (exit 1) when the zone is
// not valid.
func cmdMRZ(e *env, args []string) error {
	if len(args) > 0 {
		return &usageError{msg: "pinctl mrz legge la MRZ da stdin: argomento inatteso " + args[0]}
	}
	in, err := io.ReadAll(io.LimitReader(e.stdin, 4096))
	if err != nil {
		return fmt.Errorf("read MRZ from stdin: %w", err)
	}
	r := checkMRZ(string(in), e.now())
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	if !r.Valid {
		fmt.Fprintln(e.stderr, "pinctl: MRZ non valida: "+r.Error)
		return errReported
	}
	return nil
}

// checkMRZ parses one zone, reading its dates' centuries at now (see
// pinsede.ParseMRZ), and tells whether the document has expired at now.
func checkMRZ(s string, now time.Time) mrzResult {
	r := mrzResult{Checks: []string{}, Warnings: []string{}}
	m, err := pinsede.ParseMRZ(s, now)
	if err != nil {
		r.Error = fieldMessage(err)
		return r
	}
	r.Valid = true
	r.Format = string(m.Format)
	r.DocumentCode = m.DocumentCode
	r.DocumentType = string(m.DocumentType())
	r.IssuingState = m.IssuingState
	r.Country = m.Country()
	r.DocumentNumber = m.DocumentNumber
	r.Surname, r.GivenNames, r.NamesCut = m.Surname, m.GivenNames, m.NamesCut
	r.SingleName = m.SingleName
	r.Cognome, r.Nome = m.HolderNames()
	for _, w := range m.Warnings() {
		r.Warnings = append(r.Warnings, message(w.Key, w.Args))
	}
	r.Nationality = m.Nationality
	r.Birthdate = m.BirthDate.String()
	r.Sex = string(m.Sex)
	r.Expiry = m.ExpiryDate.String()
	r.Expired = !m.ExpiryDate.IsZero() && m.ExpiryDate.Before(pinsede.DateOf(now))
	r.OptionalData = m.OptionalData
	r.Checks = []string{"document_number", "birthdate", "expiry", "composite"}
	if m.Format == pinsede.TD3 {
		r.Checks = append(r.Checks, "personal_number")
	}
	return r
}
