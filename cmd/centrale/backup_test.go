package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/boltsafe/zeroed"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/storetest"
)

// Ensure that `centrale backup` copies a stopped store, refuses one in
// use and a copy that exists, and that the online loop writes and prunes
// its copies.
func TestBackup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.db")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.SetLimits(storetest.Limits) // the suite's cheap hashes
	ctx := context.Background()
	iss := storetest.Issued("ROMA01", storetest.CF(1), "e1", "c1", storetest.Hash(t, "ACEFHJKMNPRTUVWX"))
	if _, err := s.Apply(ctx, "ROMA01", []pinsede.Event{iss}, storetest.T0); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "copy.db")
	var errs bytes.Buffer
	if code := run(ctx, []string{"backup", "-bolt", path, "-out", out}, io.Discard, &errs); code != 1 || !strings.Contains(errs.String(), "in use") {
		t.Errorf("backup of a store in use: exit %d, %q", code, errs.String())
	}

	// The online copies, three starts an hour apart on the loop's clock:
	// the oldest is pruned, the two newest kept, named after that clock.
	copies := filepath.Join(dir, "copies")
	now := testclock.Stepping(time.Hour)
	var made []string
	for range 3 {
		var logs bytes.Buffer
		backupLoop(ctx, s, &server.Backups{Dir: copies}, 0, 2, now, slog.New(slog.NewTextHandler(&logs, nil)))
		_, rest, ok := strings.Cut(logs.String(), `msg="backup written" path=`)
		if !ok {
			t.Fatalf("online copy: %s", logs.String())
		}
		path, _, _ := strings.Cut(rest, " ")
		made = append(made, path)
	}
	kept := slices.Sorted(slices.Values(made[1:])) // as Glob lists them
	if names, _ := filepath.Glob(filepath.Join(copies, "centrale-*.db")); !slices.Equal(names, kept) {
		t.Errorf("online copies %v, want the two newest of %v", names, made)
	}
	s.Close()

	var stdout bytes.Buffer
	errs.Reset()
	if code := run(ctx, []string{"backup", "-bolt", path, "-out", out}, &stdout, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	if !strings.Contains(stdout.String(), "1 events, 1 credentials") {
		t.Errorf("stdout = %q", stdout.String())
	}
	if code := run(ctx, []string{"backup", "-bolt", path, "-out", out}, io.Discard, io.Discard); code != 1 {
		t.Errorf("backup over a copy: exit %d, want 1", code)
	}
	if code := run(ctx, []string{"backup", "-bolt", path + ".none", "-out", out + ".2"}, io.Discard, io.Discard); code != 1 {
		t.Errorf("backup of no store: exit %d, want 1", code)
	}
	if _, err := os.Stat(path + ".none"); err == nil {
		t.Error("backup of no store made one")
	}
	c, err := boltstore.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r, err := c.Current(ctx, storetest.CF(1), central.SlotPIN)
	if err != nil || r.Credential.ID != "c1" {
		t.Errorf("the copy's record = %+v, %v", r, err)
	}
}

// Ensure that the online copy made after the clock was put back a day is
// kept, with the two newest of the others by their names (keep 3): named
// before the copies made until then, it was pruned at once, and logged as
// written.
func TestBackupLoopClockBack(t *testing.T) {
	dir := t.TempDir()
	s, err := boltstore.Open(filepath.Join(dir, "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	copies := filepath.Join(dir, "copie")
	now := testclock.Now()
	var written []string
	for _, at := range []time.Time{now.Add(-8 * time.Hour), now.Add(-4 * time.Hour), now, now.AddDate(0, 0, -1)} {
		var logs bytes.Buffer
		backupLoop(t.Context(), s, &server.Backups{Dir: copies}, 0, 3, func() time.Time { return at }, slog.New(slog.NewTextHandler(&logs, nil)))
		_, rest, ok := strings.Cut(logs.String(), `msg="backup written" path=`)
		if !ok {
			t.Fatalf("online copy at %v: %s", at, logs.String())
		}
		path, _, _ := strings.Cut(rest, " ")
		written = append(written, path)
	}
	kept := slices.Sorted(slices.Values(written[1:])) // as Glob lists them
	if names, _ := filepath.Glob(filepath.Join(copies, "centrale-*.db")); !slices.Equal(names, kept) {
		t.Errorf("online copies %v, want %v: the one just written, logged so, and the two newest before it", names, kept)
	}
}

// Ensure that a copy that fails is seen, not only logged: the metrics
// count it and keep the last copy written, the status page says since
// when the copies fail and what to do, in the operator's words; and that
// the next copy written clears it. The folder cannot be made, even by
// root: its parent is a regular file.
func TestBackupFailureSeen(t *testing.T) {
	dir := t.TempDir()
	s, err := boltstore.Open(filepath.Join(dir, "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	blocker := filepath.Join(dir, "disco")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t0 := testclock.Now()
	var mu sync.Mutex
	at := t0
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return at }
	set := func(d time.Duration) { mu.Lock(); at = t0.Add(d); mu.Unlock() }
	srv := server.New(s, nil, nil, nil, clock)
	srv.Backups = &server.Backups{Dir: filepath.Join(blocker, "copie")}
	reg := prometheus.NewRegistry()
	if _, err := server.NewMetrics(reg, srv, nil); err != nil {
		t.Fatal(err)
	}
	h := srv.ManageHandler(server.Manage{Gatherer: reg})
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	copyOnce := func() { backupLoop(t.Context(), s, srv.Backups, 0, 2, clock, log) } // every 0: returns once done
	check := func(when string, last time.Time, failures float64, page, notPage []string) {
		t.Helper()
		if got := gauge(t, reg, "pinsede_backup_last_success_timestamp_seconds"); got != float64(unixOrZero(last)) {
			t.Errorf("%s: last success %v, want %v", when, got, unixOrZero(last))
		}
		if got := gauge(t, reg, "pinsede_backup_failures_total"); got != failures {
			t.Errorf("%s: failures %v, want %v", when, got, failures)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/status", nil))
		body := rec.Body.String()
		for _, w := range page {
			if !strings.Contains(body, w) {
				t.Errorf("%s: the status page does not say %q:\n%s", when, w, body)
			}
		}
		for _, w := range notPage {
			if strings.Contains(body, w) {
				t.Errorf("%s: the status page says %q", when, w)
			}
		}
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		if rec.Code != http.StatusOK {
			t.Errorf("%s: /readyz %d, want ready: the copies are not the service\n%s", when, rec.Code, rec.Body.String())
		}
	}
	italy := func(d time.Duration) string { return t0.Add(d).In(central.Italy).Format("02/01/2006 15:04") }
	failing := "Le copie non riescono dal "

	check("before the first copy", time.Time{}, 0, []string{"Copie di sicurezza", "nessuna ancora", blocker}, []string{failing})
	copyOnce()
	set(time.Hour)
	copyOnce()
	if !strings.Contains(logs.String(), `msg="backup failed"`) || !strings.Contains(logs.String(), "fault=not_writable") {
		t.Errorf("the log of the copies:\n%s", logs.String())
	}
	check("after two copies failed", time.Time{}, 2, []string{failing + italy(0) + " (1 ora fa): cartella non scrivibile", "nessuna ancora"}, nil)

	if err := os.Remove(blocker); err != nil {
		t.Fatal(err)
	}
	set(2 * time.Hour)
	copyOnce()
	check("after a copy written", t0.Add(2*time.Hour), 2, []string{"Ultima copia scritta", italy(2 * time.Hour), "centrale-"}, []string{failing, "nessuna ancora"})
}

// unixOrZero is t's Unix time, 0 for the zero time.
func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// gauge returns the value of the metric name of reg, with no labels.
func gauge(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name || len(mf.GetMetric()) != 1 {
			continue
		}
		m := mf.GetMetric()[0]
		if c := m.GetCounter(); c != nil {
			return c.GetValue()
		}
		return m.GetGauge().GetValue()
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// Ensure that centrale, run with a -backup-dir it cannot make, counts the
// failed copy of its start in /metrics and tells it on the status page,
// while /readyz stays ready.
func TestServeBackupFailure(t *testing.T) {
	dir, _ := serverPKI(t) // observe_test.go
	blocker := filepath.Join(dir, "disco")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := parse([]string{"-pki", dir, "-listen", "127.0.0.1:0", "-manage", "127.0.0.1:0", "-bolt", filepath.Join(dir, "c.db"),
		"-backup-dir", filepath.Join(blocker, "copie"), "-backup-every", "1h"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	l, logs, stop := start(t, c)
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	// The copy of the start runs beside the listeners: wait for its
	// outcome, logged once recorded. The minute is a safety net for a
	// hang, not a window: a loaded machine only takes longer.
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(logs.String(), `msg="backup failed"`) {
		if time.Now().After(deadline) {
			t.Fatalf("no failed copy logged:\n%s", logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, body := get(t, "http://"+l.manage+"/metrics"); !strings.Contains(body, "\npinsede_backup_failures_total 1\n") ||
		!strings.Contains(body, "\npinsede_backup_last_success_timestamp_seconds 0\n") {
		t.Errorf("/metrics after a failed copy:\n%s", body)
	}
	if st, body := get(t, "http://"+l.manage+"/readyz"); st != 200 {
		t.Errorf("/readyz after a failed copy: %d %q", st, body)
	}
	if _, body := get(t, "http://"+l.manage+"/status"); !strings.Contains(body, "Le copie non riescono dal ") {
		t.Errorf("the status page after a failed copy:\n%s", body)
	}
}

// Ensure that the online copy of a store a page of which the disk
// damaged under centrale is checked, removed and seen failing as damaged,
// and that the copies of before are kept. Before, the copy was written,
// logged so, and pruned the oldest good one (keep 2).
func TestBackupLoopDamagedStore(t *testing.T) {
	for pg := 2; pg < 16; pg++ {
		dir := t.TempDir()
		path := filepath.Join(dir, "c.db")
		s, err := boltstore.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		rec := &server.Backups{Dir: filepath.Join(dir, "copie")}
		now := testclock.Now()
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logs, nil))
		for _, at := range []time.Time{now.Add(-8 * time.Hour), now.Add(-4 * time.Hour)} {
			backupLoop(t.Context(), s, rec, 0, 2, func() time.Time { return at }, log)
		}
		good, _ := filepath.Glob(filepath.Join(rec.Dir, "*"))
		zeroed.Page(t, path, pg)
		logs.Reset()
		backupLoop(t.Context(), s, rec, 0, 2, func() time.Time { return now }, log)
		s.Close()
		if !strings.Contains(logs.String(), "fault=damaged") {
			continue // a page the copy does not hold, or one with nothing on it
		}
		if left, _ := filepath.Glob(filepath.Join(rec.Dir, "*")); len(good) != 2 || !slices.Equal(left, good) {
			t.Fatalf("page %d zeroed: copies left %v, want the two good ones %v", pg, left, good)
		}
		t.Logf("page %d zeroed: %s", pg, logs.String())
		return
	}
	t.Fatal("no page zeroed made a copy said damaged")
}

// Ensure that centrale's own copies, online (-backup-dir) and by
// `centrale backup`, carry an epoch of their own, from the copy's newest
// change, as `centrale restore` would give them: put back with a plain
// cp, the store is a new epoch to every desk. The live store keeps its
// own. Before, each copy carried the live store's epoch.
func TestBackupCopyEpoch(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "c.db")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.SetLimits(storetest.Limits)
	iss := storetest.Issued("ROMA01", storetest.CF(1), "e1", "c1", storetest.Hash(t, "ACEFHJKMNPRTUVWX"))
	if _, err := s.Apply(ctx, "ROMA01", []pinsede.Event{iss}, storetest.T0); err != nil {
		t.Fatal(err)
	}
	live, err := s.Epoch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, _, newest, err := s.Changes(ctx, "ROMA01", 0, 1, nil)
	if err != nil || newest == 0 {
		t.Fatalf("the store's newest change: %d, %v", newest, err)
	}
	var logs bytes.Buffer
	copies := filepath.Join(dir, "copies")
	backupLoop(ctx, s, &server.Backups{Dir: copies}, 0, 0, testclock.Now, slog.New(slog.NewTextHandler(&logs, nil)))
	online, _ := filepath.Glob(filepath.Join(copies, "centrale-*.db"))
	if len(online) != 1 {
		t.Fatalf("online copies %v: %s", online, logs.String())
	}
	if now, err := s.Epoch(ctx); err != nil || now != live {
		t.Errorf("the live store's epoch after its copy: %v (%v), want %v kept", now, err, live)
	}
	s.Close()
	out := filepath.Join(dir, "copy.db")
	if code := run(ctx, []string{"backup", "-bolt", path, "-out", out}, io.Discard, &logs); code != 0 {
		t.Fatalf("backup: exit %d: %s", code, logs.String())
	}
	seen := map[string]bool{live.ID: true}
	for _, p := range append(online, out, path) {
		c, err := boltstore.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		e, err := c.Epoch(ctx)
		c.Close()
		switch {
		case err != nil:
			t.Errorf("%s: %v", p, err)
		case p == path:
			if e != live {
				t.Errorf("the live store's epoch %v after `centrale backup`, want %v kept", e, live)
			}
		case seen[e.ID] || e.From != newest:
			t.Errorf("the copy %s has the epoch %v; want one of its own (not one of %v), from its newest change, %d", p, e, seen, newest)
		default:
			seen[e.ID] = true
			t.Logf("%s: epoch %v, the live store's %v", filepath.Base(p), e, live)
		}
	}
}
