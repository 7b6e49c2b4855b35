package client_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/pgtest"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pgstore"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/wire"
)

// pushFaults is a transport that fails chosen pushes: after centrale
// applied them (their answer lost: a 502 instead) or before they reach it
// (a 503). It records the first event of each push sent.
type pushFaults struct {
	next          http.RoundTripper
	lost, refused int // the pushes, counted from 1, that fail so
	mu            sync.Mutex
	firsts        []string // first event id of each push, in order
}

// readPush returns the body of req, read whole and closed, when req is a
// push (POST /v1/events); ok is false for any other request, left unread.
func readPush(req *http.Request) (body []byte, ok bool, err error) {
	if req.Method != http.MethodPost || req.URL.Path != "/v1/events" {
		return nil, false, nil
	}
	body, err = io.ReadAll(req.Body)
	req.Body.Close()
	return body, true, err
}

func (p *pushFaults) RoundTrip(req *http.Request) (*http.Response, error) {
	body, ok, err := readPush(req)
	if !ok {
		return p.next.RoundTrip(req)
	}
	if err != nil {
		return nil, err
	}
	first, err := firstEvent(req.Header.Get("Content-Type"), body)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.firsts = append(p.firsts, first)
	n := len(p.firsts)
	p.mu.Unlock()
	answer := func(status int) *http.Response {
		return &http.Response{StatusCode: status, Status: http.StatusText(status), Body: io.NopCloser(strings.NewReader("")), Request: req, Header: http.Header{}}
	}
	if n == p.refused {
		return answer(http.StatusServiceUnavailable), nil
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := p.next.RoundTrip(req)
	if err != nil || n != p.lost {
		return resp, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return answer(http.StatusBadGateway), nil
}

// firstEvent returns the id of the first event of a push body.
func firstEvent(contentType string, body []byte) (string, error) {
	js := body
	if ct, params, _ := mime.ParseMediaType(contentType); ct == wire.ContentMultipart {
		p, err := multipart.NewReader(bytes.NewReader(body), params["boundary"]).NextPart()
		if err != nil {
			return "", err
		}
		if js, err = io.ReadAll(p); err != nil {
			return "", err
		}
	}
	var req wire.PushRequest
	if err := json.Unmarshal(js, &req); err != nil || len(req.Events) == 0 {
		return "", fmt.Errorf("push body: %v", err)
	}
	return req.Events[0].ID, nil
}

// Ensure, on both stores, that while one push is in flight and the next is
// built, a push that fails, after centrale applied it (its answer lost) or
// before it reached centrale, makes the client drop the push it built
// next and send again from the first event not acknowledged; that after
// the syncs that follow every event, with its form, is stored exactly
// once, and in the desk's order.
func TestPushFailsMidDrain(t *testing.T) {
	testclock.RealDayOnly(t, "a push that fails mid-drain")
	const pairs = 30
	pdfs := mv35s(t, 3)
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			env := testenv.New(t, st.open(t))
			ls, _, _ := newLocal(t)
			defer ls.Close()
			enqueueWithForms(t, ls, "ROMA01", 0, pairs, pdfs...)
			tr := &pushFaults{next: env.Client(t, pki.RoleSede, "ROMA01").Transport, lost: 3, refused: 6}
			// About four issues with their forms a push: some fifteen pushes.
			c := client.New(client.Config{URL: env.URL, HTTP: &http.Client{Transport: tr}, Sede: "ROMA01", Local: ls, Desk: deskOn(ls),
				BatchBytes: 4 * (len(pdfs[0]) + 2048), Now: testclock.Now})
			fails := 0
			for c.Sync(t.Context()) != nil { // as Run does, without its waits
				if fails++; fails > 2 {
					t.Fatalf("%d syncs failed; the pushes: %v", fails, tr.firsts)
				}
			}
			t.Logf("pushes, by first event: %v", tr.firsts)
			if fails != 2 {
				t.Errorf("%d syncs failed, want 2", fails)
			}
			// The push after each failed one starts where the failed one did.
			for _, k := range []int{tr.lost, tr.refused} {
				if k >= len(tr.firsts) || tr.firsts[k] != tr.firsts[k-1] {
					t.Errorf("push %d started at %s, after push %d failed at %s; the pushes: %v", k+1, tr.firsts[min(k, len(tr.firsts)-1)], k, tr.firsts[k-1], tr.firsts)
				}
			}
			if n, _ := ls.OutboxLen(); n != 0 {
				t.Errorf("%d events left in the outbox", n)
			}
			if na, _ := deskOn(ls).NotAcceptedEvents(); len(na) != 0 {
				t.Errorf("events not accepted: %+v", na)
			}
			checkDrained(t, env.Store, pairs, pdfs)
		})
	}
}

// killAt is a transport that kills a centrale process while the body of
// the at-th push (counted from 1) is on its way, once 60% of it is sent.
type killAt struct {
	next   http.RoundTripper
	at     int
	kill   func() error
	pushes int
}

func (k *killAt) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && req.URL.Path == "/v1/events" {
		if k.pushes++; k.pushes == k.at {
			req = req.Clone(req.Context())
			req.Body = &killingBody{rd: req.Body, left: req.ContentLength * 6 / 10, kill: k.kill}
		}
	}
	return k.next.RoundTrip(req)
}

// killingBody calls kill once left bytes of it are read.
type killingBody struct {
	rd   io.ReadCloser
	left int64
	kill func() error
}

func (b *killingBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		if b.kill != nil {
			if err := b.kill(); err != nil {
				return 0, err
			}
			b.kill = nil
		}
		return b.rd.Read(p)
	}
	n, err := b.rd.Read(p[:min(int64(len(p)), b.left)])
	b.left -= int64(n)
	return n, err
}

func (b *killingBody) Close() error { return b.rd.Close() }

// Ensure that centrale on PostgreSQL killed (SIGKILL) with 60% of a
// push's body (events and forms) received keeps nothing of that push, and that the desk's next push, to
// centrale started again on the same database, stores every event with its
// form exactly once, in the desk's order.
func TestCentraleKilledMidPush(t *testing.T) {
	testclock.RealDayOnly(t, "centrale killed mid-push")
	const pairs = 400 // two pushes of about 4 MiB
	dsn := pgtest.DSN(t)
	dir := t.TempDir()
	bin := testenv.BuildCentrale(t, dir)
	pkiDir := filepath.Join(dir, "pki")
	ca := testenv.PKIDir(t, pkiDir)
	first, err := startReplica(t, bin, pkiDir, dsn)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	store, err := pgstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ls, _, _ := newLocal(t)
	defer ls.Close()
	pdfs := mv35s(t, 8)
	enqueueWithForms(t, ls, "ROMA01", 0, pairs, pdfs...)
	sede := replicaClient(t, ca, pki.RoleSede, "ROMA01")
	kt := &killAt{next: sede.Transport, at: 2, kill: first.kill}
	c := client.New(client.Config{URL: first.url, HTTP: &http.Client{Transport: kt}, Sede: "ROMA01", Local: ls, Desk: deskOn(ls), Now: testclock.Now})
	if _, err := c.Push(ctx); err == nil {
		t.Fatal("the push went through a centrale killed under it")
	}
	left, err := ls.OutboxLen()
	if err != nil {
		t.Fatal(err)
	}
	if n, err := store.Events(ctx); err != nil || n != 2*pairs-left || left == 2*pairs {
		t.Fatalf("centrale holds %d events (%v) of the %d acknowledged: the killed push is partly kept, or no push came before it", n, err, 2*pairs-left)
	}

	second, err := startReplica(t, bin, pkiDir, dsn)
	if err != nil {
		t.Fatal(err)
	}
	c = client.New(client.Config{URL: second.url, HTTP: sede, Sede: "ROMA01", Local: ls, Desk: deskOn(ls), Now: testclock.Now})
	if sent, err := c.Push(ctx); err != nil || sent != left {
		t.Fatalf("pushed %d of %d: %v", sent, left, err)
	}
	checkDrained(t, store, pairs, pdfs)
}

// checkDrained fails t unless store holds the 2*pairs events of the
// desk's outbox (pairs issues, each followed by its form), each form as
// the desk archived it (pdfs in turn), and the issues in the desk's order
// in the sede's changes.
func checkDrained(t *testing.T, store central.Store, pairs int, pdfs [][]byte) {
	t.Helper()
	ctx := t.Context()
	if n, err := store.Events(ctx); err != nil || n != 2*pairs {
		t.Errorf("centrale holds %d events (%v), want %d", n, err, 2*pairs)
	}
	var want, got []string
	for i := range pairs {
		want = append(want, fmt.Sprintf("ROMA01-e%d", i))
		f, err := store.Form(ctx, fmt.Sprintf("ROMA01-c%d", i), pinsede.DocumentMV35)
		if err != nil || !bytes.Equal(f.PDF, pdfs[i%len(pdfs)]) {
			t.Errorf("form of credential %d: %d bytes, %v", i, len(f.PDF), err)
		}
	}
	changes, _, _, err := store.Changes(ctx, "ROMA01", 0, wire.MaxChanges, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range changes {
		if ch.Kind == wire.ChangeSedeEvent && ch.Event.Kind == pinsede.EventIssued {
			got = append(got, ch.Event.ID)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("issues at centrale in the order %v, want the desk's %v", got, want)
	}
}
