// Package config sets a program's flags from a TOML file and from
// environment variables, so that each program is configured one way:
// a flag given on the command line wins over an environment variable,
// which wins over the file, which wins over the flag's default.
//
// # Basics
//
// The file's keys are the flags' names (`listen = "0.0.0.0:8443"`,
// `lock-after = 5`); a table names a prefix (`[verify]` then
// `memory = 4096` is -verify-memory). Strings, whole numbers, decimals
// and booleans are given to the flag as text, so a duration is a string
// ("15m"); an array sets a repeatable flag once per element. The
// environment variable of a flag is the program's prefix and the flag's
// name in upper case, - as _ (PINSEDE_CENTRALE_LOCK_AFTER).
//
// The file is the one -config names, else the one PREFIX_CONFIG names,
// else the first of Loader.DefaultFiles that exists; none is no error.
//
// # Caveats
//
// A key of the file, or a variable with the prefix, that names no flag
// is an error that names it and where it is: a typo does not pass
// unseen. Secrets do not belong in flags, which every user of the
// machine sees in the process list: a program reads them from a file
// whose name is a flag, or from an environment variable, and refuses
// them on the command line (Settings.Source says where a value came
// from).
package config

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/pinsede/pinsede/internal/smallfile"
)

// Flag is the name of the flag that names the file.
const Flag = "config"

// Source is where a flag's value came from.
type Source int

// The sources, from the weakest.
const (
	Default Source = iota
	File
	Env
	Args
)

// String names the source.
func (s Source) String() string {
	switch s {
	case File:
		return "file"
	case Env:
		return "environment"
	case Args:
		return "command line"
	}
	return "default"
}

// Loader reads the settings of one program.
type Loader struct {
	// EnvPrefix starts the program's environment variables, as
	// "PINSEDE_CENTRALE_".
	EnvPrefix string
	// Environ is the environment, as os.Environ returns it; nil reads
	// os.Environ.
	Environ []string
	// DefaultFiles are the files read, the first that exists, when
	// neither -config nor the environment names one.
	DefaultFiles []string
}

// Settings say where the flags' values came from.
type Settings struct {
	// File is the file read; "" when none.
	File    string
	sources map[string]Source
}

// Source returns where the flag name got its value.
func (s *Settings) Source(name string) Source { return s.sources[name] }

// DefaultFiles returns where a program's file is looked for when
// neither -config nor the environment names one, the first that exists
// read: the user's (os.UserConfigDir()/pinsede/NAME.toml), then the
// machine's (/etc/pinsede/NAME.toml; %ProgramData%\pinsede\NAME.toml on
// Windows).
func DefaultFiles(name string) []string {
	var files []string
	if dir, err := os.UserConfigDir(); err == nil {
		files = append(files, filepath.Join(dir, "pinsede", name+".toml"))
	}
	if runtime.GOOS == "windows" {
		if dir := os.Getenv("ProgramData"); dir != "" {
			files = append(files, filepath.Join(dir, "pinsede", name+".toml"))
		}
		return files
	}
	return append(files, filepath.Join("/etc/pinsede", name+".toml"))
}

// Parse parses args with fs, which must declare the string flag -config
// (Flag), then sets each flag args did not give from its environment
// variable or, failing that, from the file. It returns fs.Parse's error
// as it is (flag.ErrHelp included), but for a value a flag of a number,
// a duration or true or false refuses: an *Error of kind ErrArgValue,
// its cause a *ValueError, as the values of the file and the
// environment such flags refuse.
func (l Loader) Parse(fs *flag.FlagSet, args []string) (*Settings, error) {
	if fs.Lookup(Flag) == nil {
		return nil, fmt.Errorf("config: flag set %s declares no -%s", fs.Name(), Flag)
	}
	var failed *ValueError
	defer watch(fs, &failed)()
	if err := fs.Parse(args); err != nil {
		if failed != nil {
			return nil, &Error{Kind: ErrArgValue, Name: failed.Name, Program: filepath.Base(fs.Name()), Err: failed, msg: fmt.Sprintf("-%s: %v", failed.Name, failed)}
		}
		return nil, err
	}
	// set sets the flag name to v, and returns the *ValueError of a
	// value refused by a flag of the flag package's kinds.
	set := func(name, v string) error {
		failed = nil
		if err := fs.Set(name, v); err != nil {
			if failed != nil {
				return failed
			}
			return err
		}
		return nil
	}
	st := &Settings{sources: map[string]Source{}}
	fs.Visit(func(f *flag.Flag) { st.sources[f.Name] = Args })
	env, err := l.env(fs)
	if err != nil {
		return nil, err
	}
	if v, ok := env[Flag]; ok && st.sources[Flag] != Args {
		if err := set(Flag, v); err != nil {
			return nil, l.envError(fs, Flag, err)
		}
		st.sources[Flag] = Env
	}
	if st.File, err = l.file(fs.Lookup(Flag).Value.String(), st.sources[Flag] != Default); err != nil {
		return nil, err
	}
	file := &fileSettings{} // none: no values
	if st.File != "" {
		if file, err = readFile(fs, st.File); err != nil {
			return nil, err
		}
	}
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == Flag || st.sources[f.Name] == Args {
			return
		}
		if v, ok := env[f.Name]; ok {
			if err := set(f.Name, v); err != nil {
				errs = append(errs, l.envError(fs, f.Name, err))
			}
			st.sources[f.Name] = Env
			return
		}
		if vs, ok := file.values[f.Name]; ok {
			for _, v := range vs {
				if err := set(f.Name, v); err != nil {
					errs = append(errs, file.fail(ErrValue, st.File, file.prims[f.Name], f.Name, fs.Name(), err))
					break
				}
			}
			st.sources[f.Name] = File
		}
	})
	return st, errors.Join(errs...)
}

// envError is the Error of the value err refused, of the environment
// variable of the flag name.
func (l Loader) envError(fs *flag.FlagSet, name string, err error) *Error {
	v := l.EnvVar(name)
	return &Error{Kind: ErrValue, Name: v, Program: filepath.Base(fs.Name()), Err: err, msg: fmt.Sprintf("%s: %v", v, err)}
}

// EnvVar returns the environment variable of the flag name:
// PINSEDE_CENTRALE_LOCK_AFTER for lock-after.
func (l Loader) EnvVar(name string) string { return l.EnvPrefix + envName(name) }

// envName is the part of the environment variable of the flag name
// after the prefix.
func envName(name string) string { return strings.ToUpper(strings.ReplaceAll(name, "-", "_")) }

// env returns the values of the environment variables with the prefix,
// by flag name; a variable that names no flag is an error.
func (l Loader) env(fs *flag.FlagSet) (map[string]string, error) {
	environ := l.Environ
	if environ == nil {
		environ = os.Environ()
	}
	names := map[string]string{}
	fs.VisitAll(func(f *flag.Flag) { names[envName(f.Name)] = f.Name })
	out := map[string]string{}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		rest, ok := strings.CutPrefix(k, l.EnvPrefix)
		if !ok || l.EnvPrefix == "" {
			continue
		}
		name, ok := names[rest]
		if !ok {
			return nil, &Error{Kind: ErrUnknownVar, Name: k, Program: filepath.Base(fs.Name()),
				msg: fmt.Sprintf("environment variable %s: no such setting (see %s -h)", k, fs.Name())}
		}
		out[name] = v
	}
	return out, nil
}

// file returns the file to read: named, when given (it must exist),
// else the first default that exists; "" when none.
func (l Loader) file(named string, given bool) (string, error) {
	if given {
		if named == "" {
			return "", nil // -config "": none
		}
		if _, err := os.Stat(named); err != nil {
			return "", noFile(named, err)
		}
		return named, nil
	}
	for _, p := range l.DefaultFiles {
		_, err := os.Stat(p)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", noFile(p, err)
		}
	}
	return "", nil
}

// noFile is the Error of the file at path, which cannot be read for err.
func noFile(path string, err error) *Error {
	msg := "config file: " + err.Error()
	if errors.As(err, new(*smallfile.Error)) {
		msg = err.Error() // it names the file
	}
	return &Error{Kind: ErrNoFile, File: path, Err: err, msg: msg}
}

// MaxFileBytes bounds a file of settings: a few KB of TOML.
const MaxFileBytes = 1 << 20

// fileSettings are the values a file gives the flags, as text, by flag
// name, and what tells where each is.
type fileSettings struct {
	values map[string][]string
	md     toml.MetaData
	prims  map[string]toml.Primitive // by flag name
}

// fail returns the Error of kind about the value p of the key name in
// the file at path, of the program's settings, for cause (nil for an
// unknown key).
func (f *fileSettings) fail(kind error, path string, p toml.Primitive, name, program string, cause error) *Error {
	e := &Error{Kind: kind, File: path, Line: lineOf(&f.md, p), Name: name, Program: filepath.Base(program), Err: cause}
	where := "config file " + path
	if e.Line > 0 {
		where = fmt.Sprintf("config file %s: line %d", path, e.Line)
	}
	if cause == nil {
		e.msg = fmt.Sprintf("%s: unknown key %q (see %s -h for the settings)", where, name, program)
	} else {
		e.msg = fmt.Sprintf("%s: %s: %v", where, name, cause)
	}
	return e
}

// syntaxError is the Error of the file at path, of the program's
// settings, that is not TOML: err, of the toml package, names the line
// when it knows it.
func syntaxError(path, program string, err error) *Error {
	e := &Error{Kind: ErrSyntax, File: path, Program: filepath.Base(program), Err: err, msg: fmt.Sprintf("config file %s: %v", path, err)}
	var pe toml.ParseError
	if errors.As(err, &pe) {
		e.Line = pe.Position.Line
	}
	return e
}

// readFile reads the TOML file at path: the values of each flag, as
// text, by flag name. A key that names no flag, or a value no flag
// takes, is an error that names the file, the line and the key.
func readFile(fs *flag.FlagSet, path string) (*fileSettings, error) {
	data, err := smallfile.ReadRegular(path, "config", MaxFileBytes)
	if err != nil {
		return nil, noFile(path, err)
	}
	f := &fileSettings{values: map[string][]string{}, prims: map[string]toml.Primitive{}}
	var doc map[string]toml.Primitive
	if f.md, err = toml.Decode(string(data), &doc); err != nil {
		return nil, syntaxError(path, fs.Name(), err)
	}
	var walk func(key []string, m map[string]toml.Primitive) error
	walk = func(key []string, m map[string]toml.Primitive) error {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			key := append(slices.Clip(key), k)
			name := strings.Join(key, "-")
			var v any
			if err := f.md.PrimitiveDecode(m[k], &v); err != nil {
				return syntaxError(path, fs.Name(), err)
			}
			if _, ok := v.(map[string]any); ok { // a table: [verify] memory = 4096, or verify.memory = 4096
				var sub map[string]toml.Primitive
				if err := f.md.PrimitiveDecode(m[k], &sub); err != nil {
					return syntaxError(path, fs.Name(), err)
				}
				if err := walk(key, sub); err != nil {
					return err
				}
				continue
			}
			if name == Flag || fs.Lookup(name) == nil {
				return f.fail(ErrUnknownKey, path, m[k], name, fs.Name(), nil)
			}
			vs, err := texts(v)
			if err != nil {
				return f.fail(ErrValue, path, m[k], name, fs.Name(), err)
			}
			f.values[name], f.prims[name] = vs, m[k]
		}
		return nil
	}
	if err := walk(nil, doc); err != nil {
		return nil, err
	}
	return f, nil
}

// lineOf returns the line of the value p of the file md decoded, 0 when
// unknown. The toml package tells a value's line only in an error: the
// probe makes one. It is for error messages: each call reads the whole
// file again.
func lineOf(md *toml.MetaData, p toml.Primitive) int {
	var pe toml.ParseError
	if errors.As(md.PrimitiveDecode(p, &probe{}), &pe) {
		return pe.Position.Line
	}
	return 0
}

// probe is a value that cannot be decoded (lineOf).
type probe struct{}

// UnmarshalTOML fails, so that the toml package says where the value is.
func (*probe) UnmarshalTOML(any) error { return errProbe }

// errProbe is the failure of a probe.
var errProbe = errors.New("probe")

// texts returns a TOML value as the text of flag values: one, or one
// per element of an array.
func texts(v any) ([]string, error) {
	switch v := v.(type) {
	case string:
		return []string{v}, nil
	case int64:
		return []string{strconv.FormatInt(v, 10)}, nil
	case float64:
		return []string{strconv.FormatFloat(v, 'g', -1, 64)}, nil
	case bool:
		return []string{strconv.FormatBool(v)}, nil
	case []any:
		var out []string
		for _, e := range v {
			if _, ok := e.([]any); ok {
				return nil, errors.New("an array of arrays")
			}
			t, err := texts(e)
			if err != nil {
				return nil, err
			}
			out = append(out, t...)
		}
		return out, nil
	case time.Time:
		return nil, errors.New("a date: write it as a string")
	}
	return nil, fmt.Errorf("a %T: a string, number or boolean expected", v)
}
