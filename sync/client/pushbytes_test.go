package client_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"sync"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// pushRecorder is a transport that keeps, in order, each event's JSON
// and each form of the pushes it carries to centrale, once it has checked
// that each body is as long as its Content-Length says and reads the same
// again (GetBody).
type pushRecorder struct {
	next   http.RoundTripper
	mu     sync.Mutex
	events []json.RawMessage
	forms  map[string][]byte // by event id
}

func (p *pushRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	body, ok, err := readPush(req)
	if !ok {
		return p.next.RoundTrip(req)
	}
	if err != nil {
		return nil, err
	}
	if int64(len(body)) != req.ContentLength {
		return nil, fmt.Errorf("push body of %d bytes, Content-Length %d", len(body), req.ContentLength)
	}
	again, err := req.GetBody() // what the transport sends again on a new connection
	if err != nil {
		return nil, err
	}
	if b, err := io.ReadAll(again); err != nil || !bytes.Equal(b, body) {
		return nil, fmt.Errorf("the push body read again differs (%d bytes, %v)", len(b), err)
	}
	js, forms := body, map[string][]byte{}
	if ct, params, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); ct == wire.ContentMultipart {
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for part, err := mr.NextPart(); err != io.EOF; part, err = mr.NextPart() {
			if err != nil {
				return nil, err
			}
			b, err := io.ReadAll(part)
			if err != nil {
				return nil, err
			}
			if part.FormName() == wire.PartEvents {
				js = b
			} else {
				forms[part.FormName()] = b
			}
		}
	}
	var push struct {
		Events []json.RawMessage `json:"events"`
	}
	if err := json.Unmarshal(js, &push); err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.events = append(p.events, push.Events...)
	if p.forms == nil {
		p.forms = map[string][]byte{}
	}
	for id, f := range forms {
		p.forms[id] = f
	}
	p.mu.Unlock()
	req.Body = io.NopCloser(bytes.NewReader(body))
	return p.next.RoundTrip(req)
}

// Ensure, on both stores, that a push sends each event's JSON byte for
// byte as the desk's outbox keeps it, and each form as kept beside it,
// over several pushes with forms, and that centrale accepts
// them all. (An event that an earlier version kept in another JSON is
// written again as this version writes it when the store opens: local's
// TestOpenMigratesV7.)
func TestPushSendsStoredJSON(t *testing.T) {
	testclock.RealDayOnly(t, "the pushed JSON as stored")
	const pairs = 6
	pdfs := mv35s(t, 2)
	refused := pinsede.Event{ID: "ROMA01-refused", Kind: pinsede.EventRefused, Time: testclock.Now(), Sede: "ROMA01",
		Outcome: &pinsede.Outcome{CodiceFiscale: storetest.CF(900), Reason: pinsede.KeyRefusedResidentItaly, PolicyVersion: 1}}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			env := testenv.New(t, st.open(t))
			ls, _, _ := newLocal(t)
			defer ls.Close()
			err := ls.Update(func(tx pinsede.Tx) error { return tx.Enqueue(refused) })
			if err != nil {
				t.Fatal(err)
			}
			enqueue(t, ls, "ROMA01", 100, 3)
			enqueueWithForms(t, ls, "ROMA01", 0, pairs, pdfs...)
			stored, err := ls.OutboxEntries(0, 0, 0)
			if err != nil || len(stored) != 1+3+2*pairs {
				t.Fatalf("outbox: %d entries, %v", len(stored), err)
			}
			rec := &pushRecorder{next: env.Client(t, pki.RoleSede, "ROMA01").Transport}
			// About two issues with their forms a push.
			c := client.New(client.Config{URL: env.URL, HTTP: &http.Client{Transport: rec}, Sede: "ROMA01", Local: ls, Desk: deskOn(ls),
				BatchBytes: 2 * (len(pdfs[0]) + 4096), Now: testclock.Now})
			if err := c.Sync(t.Context()); err != nil {
				t.Fatal(err)
			}
			if len(rec.events) != len(stored) {
				t.Fatalf("pushed %d events, the outbox held %d", len(rec.events), len(stored))
			}
			for i, e := range stored {
				if !bytes.Equal(rec.events[i], e.JSON) {
					t.Errorf("event %d pushed as\n%s\nstored as\n%s", i, rec.events[i], e.JSON)
				}
				if !bytes.Equal(rec.forms[e.ID], e.Form) {
					t.Errorf("event %s: form of %d bytes pushed, %d stored", e.ID, len(rec.forms[e.ID]), len(e.Form))
				}
			}
			if n, _ := ls.OutboxLen(); n != 0 {
				t.Errorf("%d events left in the outbox", n)
			}
			if na, _ := deskOn(ls).NotAcceptedEvents(); len(na) != 0 {
				t.Errorf("events not accepted: %+v", na)
			}
			if n, err := env.Store.Events(t.Context()); err != nil || n != len(stored) {
				t.Errorf("centrale holds %d events (%v), want %d", n, err, len(stored))
			}
		})
	}
}
