package main

import (
	"errors"
	"fmt"
	"net"
	"syscall"

	settings "github.com/pinsede/pinsede/internal/config"
)

// address is a listener's address with where it came from, to say how to
// change it.
type address struct {
	// what names the listener in a message: "the API", "the management
	// listener".
	what string
	// flag is the flag's name, also the key of the settings file.
	flag string
	// addr is the value, from where it came.
	addr string
	from settings.Source
	// optional says that "" turns the listener off.
	optional bool
}

// listen listens on a over TCP. An address that another program holds
// is an error that says so, where the address came from, and which flag,
// environment variable and key of the settings file choose another.
func (a address) listen(configFile string) (net.Listener, error) {
	ln, err := net.Listen("tcp", a.addr)
	if err == nil {
		return ln, nil
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("%s on %s: %w", a.what, a.addr, err)
	}
	var origin string
	env := settings.Loader{EnvPrefix: EnvPrefix}.EnvVar(a.flag)
	switch a.from {
	case settings.Args:
		origin = "from the flag -" + a.flag
	case settings.Env:
		origin = "from the variable " + env
	case settings.File:
		origin = "from the key " + a.flag + " of " + configFile
	default:
		origin = "the default"
	}
	file := "the settings file"
	if configFile != "" {
		file = configFile
	}
	off := ""
	if a.optional {
		off = ` ("" for none)`
	}
	return nil, fmt.Errorf("%s cannot listen on %s (%s): another program holds that address; give a free one with the flag -%s, the variable %s or the key %s in %s, each overriding the ones after it%s",
		a.what, a.addr, origin, a.flag, env, a.flag, file, off)
}
