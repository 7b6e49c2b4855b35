package fynelocale

import (
	"maps"
	"os"
	"testing"
)

// variables are the environment's variables that go-locale reads.
var variables = []string{"LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"}

// Ensure that settle leaves out of the environment what Fyne's lang
// cannot read, silently for a C or POSIX locale of any character set or
// modifier, telling the first other value, and leaves alone what lang
// reads, LC_ALL, LC_MESSAGES and LANG above all.
func TestSettle(t *testing.T) {
	for _, c := range []struct {
		env, want  map[string]string
		name, told string
	}{
		{env: map[string]string{"LC_ALL": "C.UTF-8"}, want: map[string]string{"LC_ALL": "C.UTF-8", "LANGUAGE": "en"}},
		{env: map[string]string{"LANG": "C.utf8"}, want: map[string]string{"LANG": "C.utf8", "LANGUAGE": "en"}},
		{env: map[string]string{"LC_MESSAGES": "POSIX@euro", "LANG": "it_IT.UTF-8"}, want: map[string]string{"LC_MESSAGES": "POSIX@euro", "LANG": "it_IT.UTF-8", "LANGUAGE": "en"}},
		// go-locale reads no preference in these: nothing to do.
		{env: map[string]string{"LANG": "C"}, want: map[string]string{"LANG": "C"}},
		{env: map[string]string{"LC_ALL": "POSIX", "LANGUAGE": "garbage"}, want: map[string]string{"LC_ALL": "POSIX", "LANGUAGE": "garbage"}},
		{env: map[string]string{}, want: map[string]string{}},
		// Read by lang: left alone.
		{env: map[string]string{"LANG": "en_GB.UTF-8"}, want: map[string]string{"LANG": "en_GB.UTF-8"}},
		{env: map[string]string{"LC_ALL": "C.UTF-8", "LANGUAGE": "it:en"}, want: map[string]string{"LC_ALL": "C.UTF-8", "LANGUAGE": "it:en"}},
		// A modifier with no character set: lang reads the rest.
		{env: map[string]string{"LANG": "de_DE@euro"}, want: map[string]string{"LANG": "de_DE@euro", "LANGUAGE": "de_DE"}},
		// Names no language: told.
		{env: map[string]string{"LANG": "garbage"}, want: map[string]string{"LANG": "garbage", "LANGUAGE": "en"}, name: "LANG", told: "garbage"},
		{env: map[string]string{"LANG": "en_US.UTF-8", "LANGUAGE": "garbage:fr::en"}, want: map[string]string{"LANG": "en_US.UTF-8", "LANGUAGE": "fr:en"}, name: "LANGUAGE", told: "garbage"},
		{env: map[string]string{"LC_ALL": "C.UTF-8", "LANGUAGE": "C:"}, want: map[string]string{"LC_ALL": "C.UTF-8", "LANGUAGE": "en"}},
		{env: map[string]string{"LC_ALL": "xx_garbage", "LANGUAGE": "fr_garbage"}, want: map[string]string{"LC_ALL": "xx_garbage", "LANGUAGE": "en"}, name: "LANGUAGE", told: "fr_garbage"},
	} {
		for _, n := range variables {
			t.Setenv(n, c.env[n]) // "" as unset, as go-locale reads it
		}
		name, told := settle()
		env := map[string]string{}
		for _, n := range variables {
			if v := os.Getenv(n); v != "" {
				env[n] = v
			}
		}
		if !maps.Equal(env, c.want) || name != c.name || told != c.told {
			t.Errorf("%v: %v, told %q=%q; want %v, told %q=%q", c.env, env, name, told, c.want, c.name, c.told)
		}
	}
}
