package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/sync/storetest"
)

// Ensure that `centrale credentials` and `centrale sedi` read a bbolt
// store of a stopped centrale: a citizen's credentials without their
// hashes, the desks that pushed; and that they refuse bad flags with
// exit code 2. (sync/admin TestOnline runs them on a running centrale,
// on both stores.)
func TestCredentialsAndSedi(t *testing.T) {
	path := storeOf(t, storetest.AtDesk(storetest.Issued("ROMA01", storetest.CF(1), "e1", "c1", storetest.Hash(t, "ACEFHJKMNPRTUVWX")), "03"))
	ctx := context.Background()
	sub := func(args ...string) (int, string, string) {
		var out, errs bytes.Buffer
		code := run(ctx, args, &out, &errs)
		return code, out.String(), errs.String()
	}
	code, out, errs := sub("credentials", "-bolt", path, "-cf", string(storetest.CF(1)))
	if code != 0 || !strings.Contains(out, "c1") || !strings.Contains(out, "dispositivo") || strings.Contains(out, "argon2") {
		t.Errorf("credentials: %d\n%s%s", code, out, errs)
	}
	if code, out, _ = sub("credentials", "-bolt", path, "-cf", string(storetest.CF(2))); code != 0 || !strings.Contains(out, "no credential of") {
		t.Errorf("credentials of a stranger: %d %q", code, out)
	}
	if code, out, errs = sub("sedi", "-bolt", path); code != 0 || !strings.Contains(out, "ROMA01  03") || !strings.Contains(out, "1 desks;") {
		t.Errorf("sedi: %d\n%s%s", code, out, errs)
	}
	for _, args := range [][]string{
		{"credentials", "-bolt", path},
		{"credentials", "-bolt", path, "-cf", "RSSMRA80A01H501A"},
		{"sedi", "-bolt", path, "ROMA01"},
	} {
		if code := run(ctx, args, io.Discard, io.Discard); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
