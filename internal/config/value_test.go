package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// Ensure that a value refused by a flag of the flag package's kinds is
// a *ValueError saying what the flag wants, a number out of its type's
// range told as such, and that the flags are as they were after: a bool
// flag still takes no value, and each keeps its value's own type.
func TestParseFlagsValueError(t *testing.T) {
	declare := func() *flag.FlagSet {
		fs := flag.NewFlagSet("p", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.Bool("b", false, "")
		fs.Int("i", 0, "")
		fs.Uint("u", 0, "")
		fs.Float64("f", 0, "")
		fs.Duration("d", 0, "")
		fs.String("s", "", "")
		return fs
	}
	for _, c := range []struct {
		args  []string
		want  string
		key   string
		value string
	}{
		{[]string{"-b=forse"}, "bool", "config.want.bool", "forse"},
		{[]string{"-i", "molti"}, "int", "config.want.int", "molti"},
		{[]string{"-i", "99999999999999999999"}, "int", "config.want.range", "99999999999999999999"},
		{[]string{"-u", "-1"}, "uint", "config.want.uint", "-1"},
		{[]string{"-f", "due"}, "float", "config.want.float", "due"},
		{[]string{"-d", "4 ore"}, "duration", "config.want.duration", "4 ore"},
	} {
		fs := declare()
		err := ParseFlags(fs, c.args)
		var ve *ValueError
		if !errors.As(err, &ve) || ve.Want != c.want || ve.Value != c.value {
			t.Errorf("%v: %v, want a ValueError of a %s", c.args, err, c.want)
			continue
		}
		if key, args := ve.Message(); key != c.key || args["Value"] != c.value || args["Name"] != c.args[0][1:2] {
			t.Errorf("%v: Message %s %v, want %s", c.args, key, args, c.key)
		}
	}
	fs := declare()
	if err := ParseFlags(fs, []string{"-b", "-d", "90s", "-s", "x"}); err != nil {
		t.Fatal(err)
	}
	if got := fs.Lookup("d").Value.(flag.Getter).Get(); got != 90*time.Second || fs.Lookup("b").Value.String() != "true" {
		t.Errorf("-d %v, -b %s: want 1m30s and true", got, fs.Lookup("b").Value)
	}
	if _, ok := fs.Lookup("d").Value.(*watchedValue); ok {
		t.Error("the flag's value is left watched after ParseFlags")
	}
	if err := ParseFlags(declare(), []string{"-nope"}); err == nil || errors.As(err, new(*ValueError)) {
		t.Errorf("an unknown flag: %v, want the flag package's error", err)
	}
}

// Ensure that -h prints every flag as the flag package does without the
// watch: its kind and its default, and no "panic calling String method
// on zero config.watchedValue" line (centrale -h printed 40), with the
// FlagSet's own usage or the flag package's.
func TestParseFlagsHelp(t *testing.T) {
	for _, custom := range []bool{false, true} {
		fs := flag.NewFlagSet("p", flag.ContinueOnError)
		var out strings.Builder
		fs.SetOutput(&out)
		fs.Bool("b", false, "a `switch`")
		fs.Int("i", 3, "a count")
		fs.Duration("d", time.Minute, "an interval")
		fs.Duration("z", 0, "no default shown")
		fs.String("s", "x", "a name")
		if custom {
			fs.Usage = func() {
				fmt.Fprintln(fs.Output(), "usage: p [flags]")
				fs.PrintDefaults()
			}
		}
		if err := ParseFlags(fs, []string{"-h"}); !errors.Is(err, flag.ErrHelp) {
			t.Errorf("custom usage %v: -h: %v, want flag.ErrHelp", custom, err)
		}
		got := out.String()
		for _, want := range []string{"-d duration\n", "(default 1m0s)", "-i int\n", "(default 3)", "-b switch\n", "-z duration\n"} {
			if !strings.Contains(got, want) {
				t.Errorf("custom usage %v: -h says\n%s\nwant it to say %q", custom, got, want)
			}
		}
		if strings.Contains(got, "panic") || strings.Contains(got, "(default 0s)") {
			t.Errorf("custom usage %v: -h says\n%s", custom, got)
		}
		if _, ok := fs.Lookup("d").Value.(*watchedValue); ok {
			t.Errorf("custom usage %v: -d still watched after -h", custom)
		}
	}
}
