package main

import (
	"io"
	"strings"
	"testing"
	"time"
)

// Ensure that -pg-stuck-after comes from the config file, the
// environment and the flags like centrale's other settings, is 0 (the
// sessions' statement_timeout plus the margin) when not given, and that
// a negative one, or one without -postgres, is refused saying what to
// do.
func TestParseStuckAfter(t *testing.T) {
	const dsn = "postgres://pinsede@db/pinsede"
	c, err := parse([]string{"-pki", "x", "-postgres", dsn}, io.Discard)
	if err != nil || c.stuckAfter != 0 {
		t.Fatalf("default: %s, %v; want 0", c.stuckAfter, err)
	}
	file := writeFile(t, "centrale.toml", "pki = \"x\"\npostgres = \""+dsn+"\"\npg-stuck-after = \"40s\"\n")
	if c, err := parse([]string{"-config", file}, io.Discard); err != nil || c.stuckAfter != 40*time.Second {
		t.Errorf("from the file: %s, %v; want 40s", c.stuckAfter, err)
	}
	t.Setenv("PINSEDE_CENTRALE_PG_STUCK_AFTER", "50s")
	if c, err := parse([]string{"-config", file}, io.Discard); err != nil || c.stuckAfter != 50*time.Second {
		t.Errorf("from the environment: %s, %v; want 50s", c.stuckAfter, err)
	}
	if c, err := parse([]string{"-config", file, "-pg-stuck-after", "1m"}, io.Discard); err != nil || c.stuckAfter != time.Minute {
		t.Errorf("from the flag: %s, %v; want 1m", c.stuckAfter, err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-postgres", dsn, "-pg-stuck-after", "-1s"}, "-pg-stuck-after must not be negative (leave it out for the sessions' statement_timeout plus 5s)"},
		{[]string{"-pg-stuck-after", "40s"}, "-pg-stuck-after is for the PostgreSQL store (-postgres): the bbolt store has no sessions to end"},
	} {
		if _, err := parse(append([]string{"-pki", "x"}, tc.args...), io.Discard); err == nil || err.Error() != tc.want {
			t.Errorf("parse(%q): %v; want %q", tc.args, err, tc.want)
		}
	}
}

// Ensure that the wait for a session stuck inside a statement is the
// sessions' statement_timeout plus 5 s unless given (30 s at centrale's
// 25 s, as before it was a setting), that one given is taken from that
// floor up, and that one under it is refused with a message that says
// what to fix: a statement merely slow would be ended. With
// statement_timeout off no floor holds: the wait given, or 30 s, as a
// centrale with statement_timeout=0 in its DSN had before (it starts,
// warned, where refusing it would stop a replica at its upgrade).
func TestStuckWait(t *testing.T) {
	for _, tc := range []struct {
		after, statementTimeout, want time.Duration
	}{
		{0, 25 * time.Second, 30 * time.Second},
		{0, time.Minute, 65 * time.Second},
		{0, 6 * time.Second, 11 * time.Second},
		{30 * time.Second, 25 * time.Second, 30 * time.Second},
		{2 * time.Minute, 25 * time.Second, 2 * time.Minute},
		{11 * time.Second, 6 * time.Second, 11 * time.Second},
		// statement_timeout off: no floor, 30 s unless given (serve warns).
		{0, 0, 30 * time.Second},
		{10 * time.Second, 0, 10 * time.Second},
	} {
		if got, err := stuckWait(tc.after, tc.statementTimeout); err != nil || got != tc.want {
			t.Errorf("stuckWait(%s, statement_timeout %s) = %s, %v; want %s", tc.after, tc.statementTimeout, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		after, statementTimeout time.Duration
		want                    []string
	}{
		{29 * time.Second, 25 * time.Second, []string{"-pg-stuck-after 29s is under the sessions' statement_timeout (25s) plus 5s: a statement merely slow could be taken for a replica stopped and ended; give 30s or more, or leave it out for that, or give -postgres a shorter statement_timeout"}},
		{time.Second, 25 * time.Second, []string{"-pg-stuck-after 1s is under", "give 30s or more"}},
		{30 * time.Second, time.Minute, []string{"-pg-stuck-after 30s is under the sessions' statement_timeout (1m0s) plus 5s", "give 1m5s or more"}},
	} {
		got, err := stuckWait(tc.after, tc.statementTimeout)
		if err == nil {
			t.Errorf("stuckWait(%s, statement_timeout %s) = %s; want refused", tc.after, tc.statementTimeout, got)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("stuckWait(%s, statement_timeout %s): %v; want it to say %q", tc.after, tc.statementTimeout, err, w)
			}
		}
	}
}
