package client_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// sedeIssues is the size of the sede of BenchmarkSedeCatchUp: 20 desks ×
// 40 issues a day × 250 days with PINSEDE_SEDE_ISSUES=200000, 10,000
// issues by default (a quick run).
func sedeIssues() int {
	if n, err := strconv.Atoi(os.Getenv("PINSEDE_SEDE_ISSUES")); err == nil && n > 0 {
		return n
	}
	return 10_000
}

// BenchmarkSedeCatchUp measures a desk that joins a large sede: centrale
// (bbolt) holds the sede's set-up and its issues, each with its
// citizen's record (a distinct citizen each), made at 20 desks; a new
// desk on an empty store catches up through the client over mutual TLS
// on loopback, in pages of wire.MaxChanges, each one local transaction.
// Then it opens 200 citizens' pages (Desk.Citizen, what the citizen's
// page calls: credentials, citizen, delegations, history, and the
// view's audit entry committed). Metrics: the catch-up's seconds and
// changes/s, the desk's store size in MB, and the page's median and p99.
func BenchmarkSedeCatchUp(b *testing.B) {
	n := sedeIssues()
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		store, err := boltstore.Open(b.TempDir() + "/centrale.db")
		if err != nil {
			b.Fatal(err)
		}
		env := testenv.NewAt(b, store, testclock.Now)
		cfs := fillSede(b, store, "ROMA01", n)
		ls, path, _ := newLocal(b)
		ls.SetDesk("21")
		d := pinsede.NewDesk(ls, &capture{}, testclock.Now)
		d.DeskID, d.PINParams, d.PasswordParams = "21", testenv.CheapArgon2, testenv.CheapArgon2
		cfg, _ := env.DeskTLS(b, "ROMA01", "21")
		c := client.New(client.Config{URL: env.URL, HTTP: &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}, Sede: "ROMA01", Local: ls, Desk: d, Now: testclock.Now})

		b.StartTimer()
		start := time.Now()
		got, err := c.CatchUp(ctx, nil)
		took := time.Since(start)
		b.StopTimer()
		if err != nil || got != n+2 {
			b.Fatalf("catch-up: %d changes, %v; want %d", got, err, n+2)
		}
		sess, err := d.Login("sup", "password-lunga")
		if err != nil {
			b.Fatal(err)
		}
		r := rand.New(rand.NewPCG(1, 2))
		var pages []time.Duration
		for range 200 {
			cf := cfs[r.IntN(len(cfs))]
			t0 := time.Now()
			p, err := d.Citizen(sess, cf)
			pages = append(pages, time.Since(t0))
			if err != nil || len(p.Credentials) != 1 || p.Citizen.CF() != cf {
				b.Fatalf("citizen %s: %+v, %v", cf, p, err)
			}
		}
		fi, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		slices.Sort(pages)
		b.ReportMetric(took.Seconds(), "catchup-s")
		b.ReportMetric(float64(got)/took.Seconds(), "changes/s")
		b.ReportMetric(float64(fi.Size())/(1<<20), "store-MB")
		b.ReportMetric(float64(pages[len(pages)/2].Microseconds())/1000, "page-ms-median")
		b.ReportMetric(float64(pages[len(pages)*99/100].Microseconds())/1000, "page-ms-p99")
		ls.Close()
		store.Close()
	}
}

// fillSede applies to store the set-up of sede by desk 01 (the supervisor
// "sup" with the password "password-lunga") and n issues at its 20 desks,
// each to a citizen of its own with the record the desk keeps, in
// pushes of 500; it returns the citizens' codici fiscali.
func fillSede(b *testing.B, store central.Store, sede string, n int) []pinsede.CodiceFiscale {
	b.Helper()
	pw, err := pinsede.HashSecret([]byte("password-lunga"), testenv.CheapArgon2, rand.NewChaCha8([32]byte{3, 4}))
	if err != nil {
		b.Fatal(err)
	}
	setUp := storetest.AtDesk(storetest.SetUpEvent(sede), "01")
	sup := pinsede.Operator{ID: "sup", Name: "Anna Bianchi", Role: pinsede.RoleSupervisore, PasswordHash: pw, CreatedAt: storetest.T0}
	first := []pinsede.Event{setUp, storetest.AtDesk(pinsede.Event{ID: pinsede.SetUpOperatorEventID("sup"), Kind: pinsede.EventOperatorAdded,
		Time: storetest.T0, Sede: sede, Operator: &sup, Actor: "sup"}, "01")}
	if _, err := store.Apply(context.Background(), sede, first, storetest.T0); err != nil {
		b.Fatal(err)
	}
	hash := storetest.Hash(b, "ACEFHJKMNPRTUVWX")
	cfs := make([]pinsede.CodiceFiscale, 0, n)
	for i := 0; i < n; i += 500 {
		var evs []pinsede.Event
		for k := i; k < min(i+500, n); k++ {
			cf := storetest.CF(k)
			ev := storetest.WithCitizen(storetest.Issued(sede, cf, fmt.Sprintf("e%d", k), fmt.Sprintf("c%d", k), hash))
			ev.Credential.SlipSerial = fmt.Sprintf("%s-%d", sede, k)
			evs = append(evs, storetest.AtDesk(ev, fmt.Sprintf("%02d", 1+k%20)))
			cfs = append(cfs, cf)
		}
		res, err := store.Apply(context.Background(), sede, evs, storetest.T0)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			if r.Verdict != wire.Accepted {
				b.Fatalf("issue %s: %s %s", r.ID, r.Verdict, r.Reason)
			}
		}
	}
	return cfs
}
