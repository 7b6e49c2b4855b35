package central_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
)

// Ensure that CFReason says in English what is wrong with a codice
// fiscale, with the error's arguments, for every reason
// pinsede.ParseCodiceFiscale gives: centrale's subcommands, its admin
// socket and its API answered the message's key ("-cf: codice_fiscale:
// err.cf.length"), which says nothing to an operator or a portal.
func TestCFReason(t *testing.T) {
	for _, c := range []struct{ cf, want string }{
		{"", "Give the codice fiscale."},
		{"RSSMRA", "A codice fiscale has 16 characters (11 digits if temporary): 6 were typed."},
		{"RSSMRA80A01H50-U", "The codice fiscale is written without spaces or hyphens (position 15)."},
		{"1234567890A", "invalid character at position 11"},
		{"RSSMR080A01H501U", "A letter is expected at position 6."},
		{"RSSMRA80A01H5O1U", "A digit (or one of L M N P Q R S T U V) is expected at position 14."},
		{"RSSMRA80Z01H501U", "The month letter (Z, 9th character) is not valid."},
		{"RSSMRA80A33H501U", "The day (33, 10th and 11th characters) is not valid"},
		{"RSSMRA80B30H501U", "(30/02/80) does not exist in the calendar"},
		{"RSSMRA80A01H501X", "for this code it would be U"},
		{"12345678901", "The check digit of the temporary codice fiscale does not match."},
	} {
		_, err := pinsede.ParseCodiceFiscale(c.cf)
		if err == nil {
			t.Errorf("%q parsed", c.cf)
			continue
		}
		if got := central.CFReason(err); !strings.Contains(got, c.want) || strings.Contains(got, "err.") {
			t.Errorf("CFReason(%q) = %q, want %q", c.cf, got, c.want)
		}
	}
	other := errors.New("store closed")
	if got := central.CFReason(other); got != "store closed" {
		t.Errorf("CFReason(another error) = %q, want its text", got)
	}
}
