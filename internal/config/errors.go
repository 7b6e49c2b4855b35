package config

import "errors"

// The kinds of Error, for errors.Is.
var (
	// ErrUnknownKey is a key of the file that names no setting.
	ErrUnknownKey = errors.New("unknown key")
	// ErrUnknownVar is an environment variable with the program's
	// prefix that names no setting.
	ErrUnknownVar = errors.New("no such setting")
	// ErrValue is a value the setting does not take, in the file or in
	// an environment variable.
	ErrValue = errors.New("bad value")
	// ErrArgValue is a value an option of the command line does not
	// take, of a number, a duration or true or false (its Err a
	// *ValueError).
	ErrArgValue = errors.New("bad option value")
	// ErrSyntax is a file that is not TOML.
	ErrSyntax = errors.New("not TOML")
	// ErrNoFile is a file named by -config or PREFIX_CONFIG that cannot
	// be read: missing, not a file, unreadable or too large (Err says
	// which, a *smallfile.Error or an *fs.PathError).
	ErrNoFile = errors.New("file not read")
)

// Error is a setting refused. Its message, in English, names the file
// and the line, or the variable; [Error.Message] gives the key and the
// arguments of the same message in the programs' translations
// (assets/translations, "config.*"), to say it in the user's language.
type Error struct {
	// Kind is one of ErrUnknownKey, ErrUnknownVar, ErrValue,
	// ErrArgValue, ErrSyntax and ErrNoFile.
	Kind error
	// File is the file of the setting; "" for an environment variable.
	File string
	// Line is the line of File where it is; 0 when unknown.
	Line int
	// Name is the key of the file (the flag's name), or the environment
	// variable.
	Name string
	// Program is the program's name, as its flag set has it.
	Program string
	// Err is the cause: what the flag said of the value, the TOML
	// parser's error, the file's; nil when none.
	Err error
	msg string
}

// Error returns the message, in English.
func (e *Error) Error() string { return e.msg }

// Unwrap returns the kind and the cause, for errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// Message returns the translation key of the message and its arguments:
// File, Line, Name, Program, and Err, the cause's text ("" when none).
func (e *Error) Message() (key string, args map[string]any) {
	key = "config.unknownkey"
	switch {
	case errors.Is(e.Kind, ErrUnknownVar):
		key = "config.unknownvar"
	case errors.Is(e.Kind, ErrArgValue):
		key = "config.value.args"
	case errors.Is(e.Kind, ErrValue) && e.File == "":
		key = "config.value.env"
	case errors.Is(e.Kind, ErrValue):
		key = "config.value"
	case errors.Is(e.Kind, ErrSyntax):
		key = "config.syntax"
	case errors.Is(e.Kind, ErrNoFile):
		key = "config.nofile"
	}
	cause := ""
	if e.Err != nil {
		cause = e.Err.Error()
	}
	return key, map[string]any{"File": e.File, "Line": e.Line, "Name": e.Name, "Program": e.Program, "Err": cause}
}

// Detail returns the translation key and the arguments of what is wrong
// with the value, when the flag package's own kinds refused it (a
// *ValueError): its text, in English, is the argument Err of Message.
func (e *Error) Detail() (key string, args map[string]any, ok bool) {
	var ve *ValueError
	if !errors.As(e.Err, &ve) {
		return "", nil, false
	}
	key, args = ve.Message()
	return key, args, true
}

// Errors returns the Errors in err: Parse joins one for each value
// refused; none when err holds no Error.
func Errors(err error) []*Error {
	if e, ok := err.(*Error); ok {
		return []*Error{e}
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok { // errors.Join
		var out []*Error
		for _, err := range j.Unwrap() {
			out = append(out, Errors(err)...)
		}
		return out
	}
	var e *Error
	if errors.As(err, &e) {
		return []*Error{e}
	}
	return nil
}
