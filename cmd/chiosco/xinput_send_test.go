package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pinsede/pinsede/internal/xtest"
	"github.com/pinsede/pinsede/sync/kioskpost"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/wire"
)

// xkCentrale stands in for centrale's POST /v1/tickets on loopback, over
// mutual TLS with a kiosk's certificate of its own CA: it takes each
// ticket, tells it on posts, and answers it (201, stored) only once the
// test calls release; a client that gives up first is told on gaveUp.
type xkCentrale struct {
	// args are chiosco's flags for it: -centrale and the kiosk's files.
	args    []string
	posts   chan wire.Ticket
	gaveUp  chan string
	release func()
}

// xkHoldingCentrale starts an xkCentrale, with its CA, its server
// certificate and a kiosk's certificate of sede ROMA01 in dir.
func xkHoldingCentrale(t *testing.T, dir string) *xkCentrale {
	t.Helper()
	now := time.Now() // chiosco checks the certificates on the real clock
	ca, err := pki.Init(filepath.Join(dir, "ca"), "pinsede X test CA", now, nil)
	if err != nil {
		t.Fatal(err)
	}
	srvCert, srvKey, err := ca.IssueServer([]string{"127.0.0.1"}, now)
	if err != nil {
		t.Fatal(err)
	}
	kioskCert, kioskKey, err := ca.Issue(pki.RoleKiosk, "ROMA01", now)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"ca.crt": ca.CertPEM(), "kiosk.crt": kioskCert, "kiosk.key": kioskKey}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tlsCfg, err := pki.ServerTLS(ca.CertPEM(), srvCert, srvKey)
	if err != nil {
		t.Fatal(err)
	}
	held := make(chan struct{})
	var once sync.Once
	c := &xkCentrale{posts: make(chan wire.Ticket, 8), gaveUp: make(chan string, 8), release: func() { once.Do(func() { close(held) }) }}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var tk wire.Ticket
		if r.Method != http.MethodPost || r.URL.Path != "/v1/tickets" ||
			json.NewDecoder(io.LimitReader(r.Body, wire.MaxTicketBytes)).Decode(&tk) != nil {
			http.Error(w, "not a ticket", http.StatusBadRequest)
			return
		}
		c.posts <- tk
		select {
		case <-held:
		case <-r.Context().Done():
			c.gaveUp <- tk.Number
			return
		}
		w.Header().Set("Content-Type", wire.ContentJSON)
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(wire.TicketResponse{Code: tk.Code, Stored: true})
	}))
	srv.TLS = tlsCfg
	srv.StartTLS()
	t.Cleanup(srv.Close)
	t.Cleanup(c.release) // before srv.Close: no handler left holding
	c.args = []string{"-centrale", srv.URL, "-cert", filepath.Join(dir, "kiosk.crt"),
		"-certkey", filepath.Join(dir, "kiosk.key"), "-ca", filepath.Join(dir, "ca.crt")}
	return c
}

// TestXInputKioskSendHeld confirms a request, with Enter pressed twice,
// while centrale holds it, on the real kiosk: the kiosk still handles a
// key and draws its frame (App.Painted waits on the ping the kiosk's own
// event loop answers, and on a frame it draws after it) while the review
// stays, centrale holding the request; once centrale answers, the last
// screen shows. Centrale got the request once and the spool folder
// nothing. The kiosk runs with the longest -centrale-timeout
// (kioskpost.MaxTimeout, far beyond xtest.PaintTimeout; -idle long
// enough for its send, CheckSendWait), so that the
// outcome hangs on no timer of the kiosk: centrale is released only once
// the frame is drawn, and the kiosk does not give up on it before. The
// kiosk used to post on its UI goroutine: it could answer the ping only
// once centrale answered, which it does only after the frame. (With the
// client's own 4 s the test told the old kiosk from the new by that
// timeout, and failed with the new one too on a machine slower than 4 s
// to the frame.)
func TestXInputKioskSendHeld(t *testing.T) {
	t.Parallel()
	want := xkBarlettaRossi(t)
	cen := xkHoldingCentrale(t, t.TempDir())
	k := xkStart(t, xkScreen, append([]string{"-ticket-dir", t.TempDir(), "-centrale-timeout", kioskpost.MaxTimeout.String(), "-idle", "10m"}, cen.args...)...)
	xtest.ClearOfMidnight(t, xkDayMargin)
	k.toPlaceOfBirth()
	k.Type("Barletta")
	k.codeAndBelize()
	k.toReview(want)

	k.Keys("Return", "Return") // Bestätigen, twice
	var posted wire.Ticket
	select {
	case posted = <-cen.posts:
	case <-time.After(xkTimeout):
		k.Shot("timeout")
		t.Fatalf("centrale got no request %v after Enter on the review", xkTimeout)
	}
	k.Keys("Tab")
	if err := k.App.Painted(xtest.PaintTimeout); err != nil {
		k.Shot("timeout")
		t.Fatalf("the kiosk drew no frame of a key while centrale held the request: %v", err)
	}
	screen := k.Screen()
	select {
	case n := <-cen.gaveUp:
		t.Fatalf("the kiosk gave up on ticket %s before its frame (screen %s), with -centrale-timeout %v", n, screen, kioskpost.MaxTimeout)
	default:
	}
	if screen != "review" {
		t.Fatalf("while centrale holds the request the kiosk shows %s, want the review saying it sends", screen)
	}
	k.Shot("review-sending")
	cen.release()
	k.WaitScreen("done")
	k.Shot("done-after-held")
	if err := k.App.Alive(); err != nil {
		t.Fatal(err)
	}
	k.App.Stop(t)
	k.checkLog()
	if n := len(cen.posts); n != 0 {
		t.Errorf("centrale got the request %d more times", n)
	}
	if subs := k.spooled(); len(subs) != 0 {
		t.Errorf("the spool folder holds %d requests, want none: centrale took it", len(subs))
	}
	if posted.Number != "K001" || posted.Language != "de" || posted.Request.CodiceFiscale != want.CodiceFiscale {
		t.Errorf("centrale got ticket %s in %q for %s, want K001 in de for %s", posted.Number, posted.Language, posted.Request.CodiceFiscale, want.CodiceFiscale)
	}
}
