package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/pinsede/pinsede"
)

// cfResult is what `pinctl cf` prints for one code, one JSON object a line.
// Century says how the birth date's century was chosen, the code having
// only the year's last two digits (see pinsede.CodiceFiscale.Decode):
// "latest", the most recent that is not in the future; "leap_day", the one
// before, for a 29 February; "place", the one before, the only one in which
// the comune of birth was in force. It is empty for a temporary code.
type cfResult struct {
	Input          string `json:"input"`
	Valid          bool   `json:"valid"`
	Canonical      string `json:"canonical"`
	Omocode        bool   `json:"omocode"`
	Temporary      bool   `json:"temporary"`
	Sex            string `json:"sex"`
	Birthdate      string `json:"birthdate"`
	Century        string `json:"century"` // latest, leap_day or place
	BirthplaceCode string `json:"birthplace_code"`
	BirthplaceName string `json:"birthplace_name"` // with the province of the time: Veglia (FU)
	// BirthplaceOtherNames are the place's former names and, for a comune
	// no longer in Italy, today's local name (Krk).
	BirthplaceOtherNames []string `json:"birthplace_other_names"`
	BirthplaceCeased     bool     `json:"birthplace_ceased"` // the code is no longer in use
	Warnings             []string `json:"warnings"`
	Error                string   `json:"error"`
}

// cmdCF checks codici fiscali given as arguments, or read one a line from
// stdin with "-", and prints one JSON object for each. It fails (exit 1)
// when any code is invalid.
func cmdCF(e *env, args []string) error {
	if len(args) == 0 {
		return &usageError{msg: "indica almeno un codice fiscale, o - per leggerli da stdin"}
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	invalid := 0
	check := func(input string) error {
		r := checkCF(input, e.now())
		if !r.Valid {
			invalid++
		}
		return enc.Encode(r)
	}
	for _, a := range args {
		if a != "-" {
			if err := check(a); err != nil {
				return fmt.Errorf("write result: %w", err)
			}
			continue
		}
		sc := bufio.NewScanner(e.stdin)
		for sc.Scan() {
			if line := sc.Text(); line != "" {
				if err := check(line); err != nil {
					return fmt.Errorf("write result: %w", err)
				}
			}
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("read codes from stdin: %w", err)
		}
	}
	if invalid > 0 {
		fmt.Fprintf(e.stderr, "pinctl: %d codici non validi\n", invalid)
		return errReported
	}
	return nil
}

// checkCF checks one code as of ref.
func checkCF(input string, ref time.Time) cfResult {
	r := cfResult{Input: input, Warnings: []string{}, BirthplaceOtherNames: []string{}}
	c, err := pinsede.CheckCodiceFiscale(input, ref)
	if err != nil {
		r.Error = fieldMessage(err)
		return r
	}
	r.Valid = true
	r.Canonical = string(c.Canonical)
	r.Omocode = c.Decoded.Omocode
	r.Temporary = c.Decoded.Temporary
	r.Sex = string(c.Decoded.Sex)
	r.Birthdate = c.Decoded.BirthDate.String()
	if !c.Decoded.Temporary {
		r.Century = c.Decoded.Century.String()
	}
	r.BirthplaceCode = c.Decoded.PlaceCode
	if n := len(c.Place); n > 0 {
		p := c.Place[n-1]
		r.BirthplaceName, r.BirthplaceCeased = p.String(), !p.Current()
		r.BirthplaceOtherNames = append(r.BirthplaceOtherNames, p.Aliases...)
	}
	for _, w := range c.Warnings {
		r.Warnings = append(r.Warnings, message(w, nil))
	}
	return r
}

// fieldMessage says a domain error in Italian: the text of its message key
// for a FieldError, the error itself otherwise.
func fieldMessage(err error) string {
	var fe pinsede.FieldError
	if errors.As(err, &fe) {
		return message(fe.Key, fe.Args)
	}
	return err.Error()
}
