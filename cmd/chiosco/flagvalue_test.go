package main

import (
	"os"
	"testing"

	"github.com/pinsede/pinsede/internal/testclock"
)

// Ensure that chiosco says a value that is no duration, or not true or
// false, in the staff's language, Italian unless the locale says
// English, with what it wants: from the command line and from the
// environment. Before, the detail was the flag package's English
// ('invalid value "abc" for flag -idle: parse error', and '(parse
// error)' inside the Italian line of a variable).
func TestFlagValueTold(t *testing.T) {
	if os.Getenv(testclock.Env) != "" {
		t.Skip("chiosco's flags: checked once, on the suite's own day; the clock moves none of it")
	}
	refused(t, t.TempDir(), []flagCase{
		{"a duration", []string{"-idle", "abc"}, "",
			"chiosco: Il valore dell'opzione -idle non va bene («abc» non è una durata: scrivila come 90s, 5m o 1h30m): correggilo."},
		{"a duration, in English", []string{"-idle", "abc"}, "LANG=en_US.UTF-8",
			`chiosco: The value of the option -idle is not valid ("abc" is not a duration: write it as 90s, 5m or 1h30m): correct it.`},
		{"true or false", []string{"-window=forse"}, "",
			"chiosco: Il valore dell'opzione -window non va bene («forse» non è true o false): correggilo."},
		{"true or false, in English", []string{"-window=forse"}, "LC_ALL=en_GB.UTF-8",
			`chiosco: The value of the option -window is not valid ("forse" is not true or false): correct it.`},
		{"a variable", nil, "PINSEDE_CHIOSCO_CENTRALE_TIMEOUT=4",
			"chiosco: Il valore della variabile d'ambiente PINSEDE_CHIOSCO_CENTRALE_TIMEOUT non va bene («4» non è una durata: scrivila come 90s, 5m o 1h30m): correggilo."},
	})
}
