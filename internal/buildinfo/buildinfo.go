// Package buildinfo says which build a program is, for its -version flag
// and its about screen: the version and build time that make stamps at
// link time, and the commit the go command records from git.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Version, Commit and Built are stamped by the Makefile's builds:
//
//	-ldflags "-X github.com/pinsede/pinsede/internal/buildinfo.Version=v1.2.3
//	          -X github.com/pinsede/pinsede/internal/buildinfo.Commit=0123abcd4567
//	          -X github.com/pinsede/pinsede/internal/buildinfo.Built=2026-12-05T10:00:00Z"
//
// A plain go build leaves them "dev", "" and "": the commit then comes
// from what the go command recorded of git, if it did (-buildvcs).
var (
	Version = "dev"
	Commit  = ""
	Built   = ""
)

// String returns the line -version prints for the program name: its
// version, commit (with "+modified" for a build from a changed tree), build
// time and Go version, each "unknown" when the build did not record it.
func String(name string) string {
	commit, modified := "unknown", false
	if Commit != "" {
		commit = Commit
	} else if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value[:min(len(s.Value), 12)]
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if modified {
		commit += "+modified"
	}
	built := Built
	if built == "" {
		built = "unknown"
	}
	return strings.Join([]string{name, Version, fmt.Sprintf("(commit %s, built %s, %s)", commit, built, runtime.Version())}, " ")
}
