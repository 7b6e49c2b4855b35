package server_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/testlog"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that replicas on one PostgreSQL publish the settings that must
// agree and find those of the others: with the same, /v1/health says one
// fingerprint and nothing differs; one restarted with -lock-after 20
// beside one with 3 is named, with the setting, by both replicas'
// /v1/health (degraded), /readyz (a warning, still ready) and one WARN
// line each, however often they look, and the status page (headless
// Chromium, in Italian). On main nothing told.
func TestReplicaSettingsCompared(t *testing.T) {
	s0, dsn := pgStore(t)
	settings := func(lockAfter string) server.Settings {
		return server.Settings{"lock_after": lockAfter, "lock_for": "15m0s", "push_events": "40000"}
	}
	type replica struct {
		env  *testenv.Env
		logs *testlog.Buffer
	}
	start := func(name string, ss server.Settings) replica {
		store := s0
		if name != "a" {
			store = pgOpen(t, dsn)
		}
		r := replica{testenv.NewAt(t, store, testclock.Now), &testlog.Buffer{}}
		r.env.Server.Log = slog.New(slog.NewTextHandler(r.logs, nil))
		r.env.Server.SetReplica(name, ss)
		return r
	}
	health := func(r replica) wire.Health {
		t.Helper()
		for range 2 {
			if err := r.env.Server.CheckReplicas(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		var h wire.Health
		if err := testenv.Call(r.env.Client(t, pki.RolePortal, "MONITOR"), r.env.URL+"/v1/health", nil, &h); err != nil {
			t.Fatal(err)
		}
		return h
	}
	a, b := start("a", settings("3")), start("b", settings("3"))
	ha, hb := health(a), health(b)
	if ha.Settings != settings("3").Fingerprint() || hb.Settings != ha.Settings || ha.ReplicasDiffer != "" || hb.ReplicasDiffer != "" || hb.Status != "ok" {
		t.Errorf("replicas with the same settings: %+v, %+v; want the same fingerprint %s and none differing", ha, hb, settings("3").Fingerprint())
	}
	c := start("c", settings("20"))
	hc := health(c)
	ha = health(a)
	if want := "lock_after=3 (here 20)"; hc.Status != "degraded" || strings.Count(hc.ReplicasDiffer, want) != 2 || hc.Settings == ha.Settings {
		t.Errorf("replica with -lock-after 20: %+v; want degraded, naming a and b with %q", hc, want)
	}
	if want := "c (settings " + hc.Settings + "): lock_after=20 (here 3)"; ha.Status != "degraded" || ha.ReplicasDiffer != want {
		t.Errorf("replica with -lock-after 3: %+v; want degraded, %q", ha, want)
	}
	status, body := scrape(t, a.env.Server.ManageHandler(server.Manage{}), "/readyz")
	if want := "replicas: warning: 1 with other settings than this one's: c (settings "; status != http.StatusOK || !strings.Contains(body, want) {
		t.Errorf("/readyz: %d %q; want 200 saying %q", status, body, want)
	}
	manage := httptest.NewServer(a.env.Server.ManageHandler(server.Manage{}))
	t.Cleanup(manage.Close)
	text := stripTags(headless(t, chromium(t), manage.URL+"/status", "--dump-dom", "--accept-lang=it-IT,it"))
	if want := "Repliche con impostazioni diverse da questa Replica Impronta Impostazioni diverse (qui) c " + hc.Settings + " lock_after=20 (qui 3)"; !strings.Contains(text, want) {
		t.Errorf("the status page does not say %q:\n%s", want, text)
	}
	for name, r := range map[string]replica{"a": a, "c": c} {
		want := map[string]int{"a": 1, "c": 2}[name]
		if n := strings.Count(r.logs.String(), "level=WARN msg=\"another replica serving this store has other settings"); n != want {
			t.Errorf("replica %s: %d WARN lines on the settings, want %d:\n%s", name, n, want, r.logs)
		}
	}
}
