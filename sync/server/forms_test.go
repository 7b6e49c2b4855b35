package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// part is one part of a multipart push.
type part struct {
	name, contentType string
	body              []byte
}

// multipartPush encodes parts as a multipart/form-data body and returns it
// with its content type.
func multipartPush(t *testing.T, parts ...part) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="`+p.name+`"`)
		h.Set("Content-Type", p.contentType)
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(p.body)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), mw.FormDataContentType()
}

// withoutBytes returns the push with each form's PDF left out of the
// JSON, as a desk sends it beside the events.
func withoutBytes(req wire.PushRequest) wire.PushRequest {
	out := wire.PushRequest{Sede: req.Sede, AuditHead: req.AuditHead}
	for _, ev := range req.Events {
		if ev.Form != nil {
			f := *ev.Form
			f.PDF = nil
			ev.Form = &f
		}
		out.Events = append(out.Events, ev)
	}
	return out
}

// Ensure that a push with forms as binary parts is applied, each form
// checked against its SHA-256 and size, and that a replay changes nothing;
// that a form whose bytes are missing or differ is rejected alone; and
// that a multipart out of shape is refused whole, nothing stored.
func TestPushForms(t *testing.T) {
	env := newEnv(t)
	c := env.Client(t, pki.RoleSede, "ROMA01")
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	iss := storetest.Issued("ROMA01", storetest.CF(1), "e1", "c1", h)
	pdf := storetest.PDF(35 << 10)
	form := storetest.FormArchived(iss, "e2", pdf)
	req := withoutBytes(wire.PushRequest{Sede: "ROMA01", AuditHead: &wire.AuditHead{}, Events: []pinsede.Event{iss, form}})
	events := part{wire.PartEvents, wire.ContentJSON, mustJSON(t, req)}
	push := func(body []byte, contentType string) (int, []wire.Result, string) {
		t.Helper()
		st, b := do(t, c, "POST", env.URL+"/v1/events", contentType, body)
		var resp wire.PushResponse
		if st == 200 {
			if err := json.Unmarshal(b, &resp); err != nil {
				t.Fatal(err)
			}
		}
		return st, resp.Results, string(b)
	}

	for i, want := range []wire.Verdict{wire.Accepted, wire.Duplicate} {
		st, res, b := push(multipartPush(t, events, part{"e2", wire.ContentPDF, pdf}))
		if st != 200 || len(res) != 2 || res[0].Verdict != want || res[1].Verdict != want {
			t.Fatalf("push %d: %d %s", i, st, b)
		}
	}
	got, err := env.Store.Form(t.Context(), "c1", pinsede.DocumentMV35)
	if err != nil || !bytes.Equal(got.PDF, pdf) {
		t.Fatalf("form kept: %d bytes, %v; want the %d pushed", len(got.PDF), err, len(pdf))
	}

	t.Run("rejected alone", func(t *testing.T) {
		f3, f4 := storetest.FormArchived(iss, "e3", pdf), storetest.FormArchived(iss, "e4", pdf)
		req := withoutBytes(wire.PushRequest{Sede: "ROMA01", AuditHead: &wire.AuditHead{}, Events: []pinsede.Event{f3, f4}})
		other := storetest.PDF(35 << 10)
		other[100] = 'y'
		st, res, b := push(multipartPush(t, part{wire.PartEvents, wire.ContentJSON, mustJSON(t, req)}, part{"e3", wire.ContentPDF, other}))
		if st != 200 || len(res) != 2 || res[0].Reason != central.ReasonFormMismatch+" (35840 bytes came, with SHA-256 "+pinsede.FormDigest(other)+")" ||
			res[1].Reason != central.ReasonFormMissing {
			t.Fatalf("push: %d %s", st, b)
		}
		st, res, b = push(mustJSON(t, withoutBytes(wire.PushRequest{Sede: "ROMA01", AuditHead: &wire.AuditHead{}, Events: []pinsede.Event{storetest.FormArchived(iss, "e5", pdf)}})), wire.ContentJSON)
		if st != 200 || len(res) != 1 || res[0].Reason != central.ReasonFormMissing {
			t.Fatalf("JSON push of a form without its bytes: %d %s", st, b)
		}
	})

	f6 := storetest.FormArchived(iss, "e6", pdf)
	req6 := part{wire.PartEvents, wire.ContentJSON, mustJSON(t, withoutBytes(wire.PushRequest{Sede: "ROMA01", AuditHead: &wire.AuditHead{}, Events: []pinsede.Event{f6}}))}
	pdf6 := part{"e6", wire.ContentPDF, pdf}
	large := storetest.PDF(wire.MaxPushBytes)
	for _, tc := range []struct {
		name   string
		parts  []part
		status int
		detail string
	}{
		{"a part no event waits for", []part{req6, pdf6, {"e7", wire.ContentPDF, pdf}}, 400, `part "e7": no event of the batch waits for a form`},
		{"a form twice", []part{req6, pdf6, pdf6}, 400, `part "e6": no event of the batch waits for a form`},
		{"the events not first", []part{pdf6, req6}, 400, `the first part is "e6"`},
		{"a form not a PDF", []part{req6, {"e6", "text/plain", pdf}}, 400, `part "e6": type "text/plain"`},
		{"the events malformed", []part{{wire.PartEvents, wire.ContentJSON, []byte(`{"sede":`)}, pdf6}, 400, "part events: malformed JSON"},
		{"no parts", nil, 400, "multipart"},
		{"over 4 MiB", []part{req6, {"e6", wire.ContentPDF, large}}, 413, "the body has"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, ct := multipartPush(t, tc.parts...)
			st, _, b := push(body, ct)
			var p wire.Problem
			json.Unmarshal([]byte(b), &p)
			if st != tc.status || !strings.Contains(p.Detail, tc.detail) {
				t.Errorf("%d %s, want %d with %q", st, b, tc.status, tc.detail)
			}
		})
	}
	if n, _ := env.Store.Events(t.Context()); n != 2 {
		t.Errorf("%d events stored, want the first 2", n)
	}
}

// Ensure that a push with an event the decoder refuses is refused whole,
// nothing stored, with a detail that names the event by its index and the
// field wrong in it (events.N.field), for the first, the second and the
// last event, as JSON and as a multipart push: the desk logs the detail,
// and its operator finds the event.
func TestPushEventErrors(t *testing.T) {
	env := newEnv(t)
	c := env.Client(t, pki.RoleSede, "ROMA01")
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	var events []pinsede.Event
	for i := range 3 {
		events = append(events, storetest.Issued("ROMA01", storetest.CF(i), fmt.Sprint("e", i), fmt.Sprint("c", i), h))
	}
	// body returns the push of the events with bad in place of the one at
	// index at.
	body := func(at int, bad string) []byte {
		var req struct {
			Sede      string            `json:"sede"`
			Events    []json.RawMessage `json:"events"`
			AuditHead *wire.AuditHead   `json:"audit_head"`
		}
		req.Sede, req.AuditHead = "ROMA01", &wire.AuditHead{}
		for _, ev := range events {
			req.Events = append(req.Events, mustJSON(t, ev))
		}
		req.Events[at] = json.RawMessage(bad)
		return mustJSON(t, req)
	}
	for _, multipart := range []bool{false, true} {
		for _, at := range []int{0, 1, len(events) - 1} {
			for _, tc := range []struct{ bad, field, says string }{
				{`{"id":"x","credential":{"issued_at":"23/11/2026"}}`, "credential.issued_at", `parsing time "23/11/2026"`},
				{`{"id":"x","credential":{"id":"c9","colour":"red"}}`, "credential.colour", `unknown field "colour"`},
				{`{"id":"x","credential":{"pin_hash":1}}`, "credential.pin_hash", "number where string is expected"},
			} {
				t.Run(fmt.Sprintf("multipart %v/%d/%s", multipart, at, tc.field), func(t *testing.T) {
					b, ct := body(at, tc.bad), wire.ContentJSON
					if multipart {
						b, ct = multipartPush(t, part{wire.PartEvents, wire.ContentJSON, b})
					}
					st, answer := do(t, c, "POST", env.URL+"/v1/events", ct, b)
					var p wire.Problem
					json.Unmarshal(answer, &p)
					want := fmt.Sprintf("field %q: ", fmt.Sprintf("events.%d.%s", at, tc.field))
					if st != 400 || !strings.Contains(p.Detail, want) || !strings.Contains(p.Detail, tc.says) {
						t.Errorf("%d %s, want 400 with %s...%s", st, answer, want, tc.says)
					}
				})
			}
		}
	}
	if n, _ := env.Store.Events(t.Context()); n != 0 {
		t.Errorf("%d events stored, want none", n)
	}
}
