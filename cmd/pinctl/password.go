package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/term"
)

// readPassword reads a new password: one line of stdin with
// -password-stdin, otherwise typed twice at the terminal without echo.
func (e *env) readPassword(fromStdin bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password from stdin: %w", err)
		}
		if line == "" {
			return "", &usageError{msg: "-password-stdin: stdin è vuoto, manca la password"}
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	fd, ok := terminal(e.stdin)
	if !ok {
		return "", &usageError{msg: "la password si digita al terminale: per leggerla da stdin usa -password-stdin"}
	}
	fmt.Fprint(e.stderr, "Password: ")
	first, err := term.ReadPassword(fd)
	fmt.Fprintln(e.stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	fmt.Fprint(e.stderr, "Ripeti la password: ")
	again, err := term.ReadPassword(fd)
	fmt.Fprintln(e.stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	if string(first) != string(again) {
		return "", &failure{msg: "le due password non coincidono: riprova"}
	}
	return string(first), nil
}

// terminal returns the file descriptor of r when r is a terminal.
func terminal(r io.Reader) (int, bool) {
	f, ok := r.(interface{ Fd() uintptr })
	if !ok {
		return 0, false
	}
	fd := int(f.Fd())
	return fd, term.IsTerminal(fd)
}
