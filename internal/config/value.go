package config

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"time"
)

// ValueError is a value refused by a flag of the flag package's own
// kinds: a number, a duration, true or false. Its message, in English,
// names the flag and what it wants; [ValueError.Message] gives the key
// and the arguments of the same message in the programs' translations
// ("config.want.*"), where the flag package says only "parse error".
type ValueError struct {
	// Name is the flag's name; Value the value refused.
	Name, Value string
	// Want is what the flag takes: bool, int, uint, float or duration.
	Want string
	// Range is true for a number of the right form but out of the
	// range of its type.
	Range bool
	// Err is the flag package's error.
	Err error
}

// wants say in English what each kind of ValueError wants.
var wants = map[string]string{
	"bool":     "true or false",
	"int":      "a whole number",
	"uint":     "a whole number from 0 up",
	"float":    "a number",
	"duration": "a duration such as 90s, 5m or 1h30m",
}

// Error returns the message, in English.
func (e *ValueError) Error() string {
	if e.Range {
		return fmt.Sprintf("%q is a number out of bounds", e.Value)
	}
	return fmt.Sprintf("%q is not %s", e.Value, wants[e.Want])
}

// Unwrap returns the flag package's error.
func (e *ValueError) Unwrap() error { return e.Err }

// Message returns the translation key of the message and its
// arguments, Name and Value.
func (e *ValueError) Message() (key string, args map[string]any) {
	key = "config.want." + e.Want
	if e.Range {
		key = "config.want.range"
	}
	return key, map[string]any{"Name": e.Name, "Value": e.Value}
}

// ParseFlags is fs.Parse(args), but for a value refused by a flag of
// a number, a duration or true or false, it returns a *ValueError.
func ParseFlags(fs *flag.FlagSet, args []string) error {
	var failed *ValueError
	defer watch(fs, &failed)()
	if err := fs.Parse(args); err != nil {
		if failed != nil {
			return failed
		}
		return err
	}
	return nil
}

// watch has every flag of fs of the flag package's kinds record in
// *failed the value it refuses, and returns the function that puts the
// flags back as they were. The flag package tells a flag's kind and
// default by its value's type, and makes a zero value of that type to
// tell a default: while fs's usage prints, -h, the flags are as they
// were (a zero watchedValue holds no value, and its String panicked).
func watch(fs *flag.FlagSet, failed **ValueError) (restore func()) {
	var watched []*flag.Flag
	var values []*watchedValue
	fs.VisitAll(func(f *flag.Flag) {
		if want := kindOf(f.Value); want != "" {
			w := &watchedValue{Value: f.Value, name: f.Name, want: want, failed: failed}
			f.Value = w
			watched, values = append(watched, f), append(values, w)
		}
	})
	set := func(on bool) {
		for i, f := range watched {
			if on {
				f.Value = values[i]
			} else {
				f.Value = values[i].Value
			}
		}
	}
	usage := fs.Usage
	fs.Usage = func() {
		set(false)
		defer set(true)
		if usage != nil {
			usage()
			return
		}
		if fs.Name() == "" { // as the flag package's own
			fmt.Fprintln(fs.Output(), "Usage:")
		} else {
			fmt.Fprintf(fs.Output(), "Usage of %s:\n", fs.Name())
		}
		fs.PrintDefaults()
	}
	return func() {
		set(false)
		fs.Usage = usage
	}
}

// kindOf returns what v, a flag's value, takes when it is one of the
// flag package's kinds: bool, int, uint, float or duration; "" otherwise.
func kindOf(v flag.Value) string {
	g, ok := v.(flag.Getter)
	if !ok {
		return ""
	}
	switch g.Get().(type) {
	case bool:
		return "bool"
	case time.Duration:
		return "duration"
	case int, int64:
		return "int"
	case uint, uint64:
		return "uint"
	case float64:
		return "float"
	}
	return ""
}

// watchedValue is a flag's value that records the value it refuses.
type watchedValue struct {
	flag.Value
	name, want string
	failed     **ValueError
}

// Set sets the value, and records a refusal.
func (w *watchedValue) Set(s string) error {
	err := w.Value.Set(s)
	if err != nil {
		*w.failed = &ValueError{Name: w.name, Value: s, Want: w.want, Range: outOfRange(w.want, s), Err: err}
	}
	return err
}

// Get returns the value's Get.
func (w *watchedValue) Get() any { return w.Value.(flag.Getter).Get() }

// IsBoolFlag tells the flag package that a bool flag takes no value.
func (w *watchedValue) IsBoolFlag() bool {
	b, ok := w.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// outOfRange reports whether s is a number of the form want takes that
// its type cannot hold.
func outOfRange(want, s string) bool {
	var err error
	switch want {
	case "int":
		_, err = strconv.ParseInt(s, 0, 64)
	case "uint":
		_, err = strconv.ParseUint(s, 0, 64)
	case "float":
		_, err = strconv.ParseFloat(s, 64)
	}
	return errors.Is(err, strconv.ErrRange)
}
