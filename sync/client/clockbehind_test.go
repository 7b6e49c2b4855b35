package client_test

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that a desk whose clock runs behind centrale's issues no PIN once
// it knows: two hours behind (centrale moves the push's times forward, and
// the PIN issued before the desk knew works at once), and back to the
// year 2000, as a PC whose clock battery died (centrale refuses the push,
// 409 clock-behind: a PIN issued then could never be active, its event
// too old once the clock is put right). Either way the refusal names how
// far behind, nothing more is printed, and once the clock is put right
// and the desk has synced, the same request is issued. On both stores.
func TestDeskClockBehind(t *testing.T) {
	for _, st := range stores {
		for _, tc := range []struct {
			name    string
			behind  time.Duration
			refused bool // the first push
		}{
			{"two hours", 2 * time.Hour, false},
			{"back to 2000", testclock.Now().Sub(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)), true},
		} {
			t.Run(st.name+"/"+tc.name, func(t *testing.T) {
				cd := newClockDesk(t, st.open(t))
				cd.ahead.Store(int64(-tc.behind))
				env, pc, printer := cd.env, cd.pc, cd.printer
				ctx := context.Background()
				if tc.refused {
					// The desk's first exchange (the push of its set-up's
					// events, refused whole) measures the clock.
					err := pc.c.Sync(ctx)
					var p *wire.Problem
					if !errors.As(err, &p) || p.Type != wire.ProblemClockBehind {
						t.Fatalf("sync with the clock back to 2000: %v, want %s", err, wire.ProblemClockBehind)
					}
				} else {
					req, cred := cd.issue(t) // before the desk knows
					cd.sync(t, pc.c)
					rec := centralRecord(t, env, req.CodiceFiscale, cred.ID)
					if want := cred.IssuedAt.Add(tc.behind); !rec.Credential.IssuedAt.Equal(want) {
						t.Errorf("centrale keeps the issue at %v, want %v forward, %v", rec.Credential.IssuedAt, tc.behind, want)
					}
					portal := env.Client(t, pki.RolePortal, "PORTALE")
					if got := verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: string(req.CodiceFiscale), PIN: printer.last()}); got.Outcome != wire.ChangeRequired {
						t.Errorf("first login with the PIN issued: %+v, want change_required", got)
					}
				}
				if got := pc.c.State().Clock.Behind(); (got - tc.behind).Abs() > time.Second {
					t.Errorf("the desk reads its clock %v behind, want %v", got, tc.behind)
				}
				var p *pinsede.Problem
				_, err := pc.desk.Issue(ctx, pc.sess, person(2), verification())
				if !errors.Is(err, pinsede.ErrClockBehind) || !errors.As(err, &p) {
					t.Fatalf("issue with the clock %v behind, known: %v, want it refused (ErrClockBehind)", tc.behind, err)
				}
				if d := p.Args["Behind"].(time.Duration) - tc.behind; d.Abs() > time.Second {
					t.Errorf("refusal says the clock is %v behind, want %v", p.Args["Behind"], tc.behind)
				}
				printed := printer.count()
				if printed != 1 && !tc.refused {
					t.Errorf("%d slips printed, want the first only", printed)
				}

				cd.ahead.Store(0) // the clerk has the clock put right
				if err := pc.c.Sync(ctx); err != nil && !tc.refused {
					t.Fatalf("sync with the clock put right: %v", err)
				}
				if s := pc.c.State(); s.Clock.Behind() != 0 || s.Fault == client.FaultClock {
					t.Errorf("after the clock is put right: reading %+v, fault %v; want neither behind nor a clock fault", s.Clock, s.Fault)
				}
				if _, err := pc.desk.Issue(ctx, pc.sess, person(2), verification()); err != nil {
					t.Fatalf("issue with the clock put right: %v", err)
				}
				if printer.count() != printed+1 {
					t.Errorf("%d slips printed, want %d", printer.count(), printed+1)
				}
			})
		}
	}
}

// Ensure that a desk whose PC's clock went back to the year 2000, which
// cannot reach centrale (TLS, on that clock, finds centrale's certificate
// not yet valid) and so cannot be told, still knows its clock is behind:
// earlier than its own certificate's NotBefore, made by centrale's CA
// before it issued it. It issues no PIN, whose slip would carry the year
// 2000 and whose events centrale would later reject as too old.
func TestDeskClockBehindUnreachable(t *testing.T) {
	env := testenv.NewAt(t, stores[0].open(t), testclock.Now)
	in2000 := func() time.Time { return time.Date(2000, 1, 1, 9, 0, 0, 0, time.UTC) }
	pc := newDeskPC(t, env, in2000, "ROMA01", "01")
	cfg, _ := env.DeskTLS(t, "ROMA01", "01")
	cfg.Time = in2000 // what crypto/tls checks certificates against: the PC's clock
	leaf, err := x509.ParseCertificate(cfg.Certificates[0].Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	c := client.New(client.Config{URL: env.URL, HTTP: &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}},
		Sede: "ROMA01", Local: pc.ls, Desk: pc.desk, Now: in2000, NotBefore: leaf.NotBefore})
	pc.desk.Link = c
	if err := c.Sync(context.Background()); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("sync on a clock in 2000: %v, want TLS to refuse centrale's certificate", err)
	}
	want := leaf.NotBefore.Sub(in2000())
	if got := c.ClockBehind(); got != want {
		t.Errorf("ClockBehind = %v, want %v (the certificate's NotBefore less the PC's clock)", got, want)
	}
	_, err = pc.desk.Issue(context.Background(), pc.sess, person(2), verification())
	if !errors.Is(err, pinsede.ErrClockBehind) {
		t.Fatalf("issue on a clock in 2000, centrale unreachable: %v, want it refused (ErrClockBehind)", err)
	}
	if n := pc.desk.Printer.(*capture).count(); n != 0 {
		t.Errorf("%d slips printed, want none", n)
	}
}
