package i18n

import "testing"

// Ensure that the language of a program without -lang is English only
// when the locale says English, the first variable set deciding as
// gettext has it, and Italian otherwise.
func TestFromLocale(t *testing.T) {
	for _, c := range []struct {
		all, messages, lang, language string
		want                          string
	}{
		{"", "", "", "", "it"},
		{"", "", "C.UTF-8", "en", "it"},
		{"", "", "en_US.UTF-8", "", "en"},
		{"", "it_IT.UTF-8", "en_US.UTF-8", "", "it"},
		{"en_GB.UTF-8", "", "it_IT.UTF-8", "", "en"},
		{"", "", "", "en", "en"},
		{"", "", "de_DE.UTF-8", "", "it"},
	} {
		t.Setenv("LC_ALL", c.all)
		t.Setenv("LC_MESSAGES", c.messages)
		t.Setenv("LANG", c.lang)
		t.Setenv("LANGUAGE", c.language)
		if got := FromLocale(); got != c.want {
			t.Errorf("%+v: %s, want %s", c, got, c.want)
		}
	}
}
