package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/internal/testlog"
	"github.com/pinsede/pinsede/sync/internal/pgtest"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pgstore"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that a database refusing centrale's role at login (NOLOGIN, as
// a password rotated without centrale's configuration: SQLSTATE 28000),
// which will not pass by itself, is an error in the log, once for three
// /v1/health and a /readyz, and that these answer 503 store-down saying
// the store refuses centrale, with no Retry-After nor "try again in 5 s";
// once the role may log in again, /v1/health answers 200 and the log
// says the store answers again. Before, health answered 503 with
// Retry-After 5 "cannot reach its database for now", and nothing but
// the request lines was logged.
func TestHealthStoreRefused(t *testing.T) {
	dsn, refuse := pgtest.RefusableRole(t, pgtest.DSN(t), "refused_centrale")
	store, err := pgstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	env := testenv.New(t, store)
	logw := &testlog.Buffer{}
	env.Server.Log = slog.New(server.WithRequestID(slog.NewTextHandler(logw, nil)))
	refuse(true)
	store.Pool().Reset()

	portal := env.Client(t, pki.RolePortal, "PORTALE1")
	for i := range 3 {
		resp, err := portal.Get(env.URL + "/v1/health")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var p wire.Problem
		json.Unmarshal(b, &p)
		if resp.StatusCode != http.StatusServiceUnavailable || p.Type != wire.ProblemStoreDown || resp.Header.Get("Retry-After") != "" ||
			!strings.Contains(p.Detail, "refuses") || strings.Contains(p.Detail, "try again") {
			t.Errorf("/v1/health %d: %d %q Retry-After %q %q; want 503 %q, no Retry-After, saying the store refuses centrale",
				i, resp.StatusCode, p.Type, resp.Header.Get("Retry-After"), p.Detail, wire.ProblemStoreDown)
		}
	}
	rec := httptest.NewRecorder()
	env.Server.ManageHandler(server.Manage{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if body := rec.Body.String(); rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "" || !strings.Contains(body, "refuses centrale's credentials or database") {
		t.Errorf("/readyz: %d Retry-After %q %q; want 503, none, saying the store refuses centrale", rec.Code, rec.Header().Get("Retry-After"), body)
	}
	var errs []string
	for _, l := range strings.Split(logw.String(), "\n") {
		if strings.Contains(l, "level=ERROR") {
			errs = append(errs, l)
		}
	}
	if len(errs) != 1 || !strings.Contains(errs[0], "refuses centrale's credentials or database") || !strings.Contains(errs[0], "28000") {
		t.Errorf("log errors %q, want one saying the store refuses centrale (28000); log:\n%s", errs, logw.String())
	}

	refuse(false)
	if a := ask(t, portal, env.URL+"/v1/health", nil); a.status != http.StatusOK {
		t.Errorf("/v1/health once the role logs in again: %+v, want 200", a)
	}
	if !strings.Contains(logw.String(), "central store answers again") {
		t.Errorf("log says nothing of the store answering again:\n%s", logw.String())
	}
}
