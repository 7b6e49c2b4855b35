package wire_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testalloc"
	"github.com/pinsede/pinsede/sync/wire"
)

// goodEvent is an event the decoder takes, as JSON.
const goodEvent = `{"id":"e%d","kind":"credential.issued","time":"2026-11-23T09:00:00Z","sede":"ROMA01","credential":{"id":"c1","codice_fiscale":"RSSMRA80A01H501U","type":"dispositivo","state":"attivo","pin_hash":"x","issued_at":"2026-11-23T09:00:00Z","expires_at":"2027-05-23T09:00:00Z","issued_by":"op","sede":"ROMA01","slip_serial":"X"}}`

// badEvents are events the decoder refuses, with the field it must name
// (below events.N) and what its error must say.
var badEvents = []struct {
	name, event, field, says string
}{
	{"wrong type", `{"id":"e","credential":{"pin_hash":1}}`, "credential.pin_hash", "number where string is expected"},
	{"unknown field", `{"id":"e","credential":{"id":"c1","colour":"red"}}`, "credential.colour", `unknown field "colour"`},
	{"unknown field deep", `{"id":"e","citizen":{"request":{"cognome":"Rossi","eta":40}}}`, "citizen.request.eta", `unknown field "eta"`},
	{"unknown field at the top", `{"id":"e","colour":"red"}`, "colour", `unknown field "colour"`},
	{"time", `{"id":"e","credential":{"issued_at":"23/11/2026"}}`, "credential.issued_at", `parsing time "23/11/2026"`},
	{"time of the wrong type", `{"id":"e","time":{}}`, "time", "input is not a JSON string"},
	{"base64", `{"id":"e","form":{"kind":"mv35","pdf":"%PDF"}}`, "form.pdf", "illegal base64 data"},
	{"date", `{"id":"e","delegation":{"from":"2026-13-01"}}`, "delegation.from", "2026-13-01"},
	{"not an object", `17`, "", "number where pinsede.Event is expected"},
	{"malformed", `{"id":"e",}`, "", "malformed JSON at byte"},
}

// push returns a push of n good events, with bad in place of the one at
// index at.
func push(n, at int, bad string) []byte {
	var b strings.Builder
	b.WriteString(`{"sede":"ROMA01","events":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		if i == at {
			b.WriteString(bad)
		} else {
			fmt.Fprintf(&b, goodEvent, i)
		}
	}
	b.WriteString(`],"audit_head":{"seq":1}}`)
	return []byte(b.String())
}

// Ensure that an event the decoder refuses is named by its index and the
// field that is wrong in it, events.N.field, at the first, the second and
// the last place of a push, and of a push of MaxBatch events, whatever
// the decoder finds wrong: a type, an unknown field, a time, a form's
// bytes, the syntax.
func TestDecodePushEventErrors(t *testing.T) {
	for _, bad := range badEvents {
		for _, tc := range []struct{ n, at int }{{3, 0}, {3, 1}, {3, 2}, {wire.MaxBatch, wire.MaxBatch - 1}} {
			t.Run(fmt.Sprintf("%s/%d of %d", bad.name, tc.at, tc.n), func(t *testing.T) {
				body := push(tc.n, tc.at, bad.event)
				var req wire.PushRequest
				err := wire.Decode(bytes.NewReader(body), wire.MaxPushBytes, &req)
				path := fmt.Sprintf("events.%d", tc.at)
				if bad.field != "" {
					path += "." + bad.field
				}
				if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("field %q: ", path)) || !strings.Contains(err.Error(), bad.says) {
					t.Fatalf("err = %v, want field %q: ...%s", err, path, bad.says)
				}
			})
		}
	}
}

// Ensure that a syntax error in an event is placed at its byte in the
// body, as one outside the events is, although the decoder reads the
// events one by one.
func TestDecodePushSyntaxOffset(t *testing.T) {
	body := push(3, 2, `{"id":"e",}`)
	at := bytes.LastIndex(body, []byte(",}")) + 2 // the byte after the '}' that is wrong
	var req wire.PushRequest
	err := wire.Decode(bytes.NewReader(body), wire.MaxPushBytes, &req)
	if want := fmt.Sprintf(`field "events.2": malformed JSON at byte %d: `, at); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("err = %v, want %s...", err, want)
	}
}

// Ensure that an event refused by a decoder that holds the push whole
// (json.Unmarshal, through Events.UnmarshalJSON) is named as Decode names
// it.
func TestUnmarshalPushEventErrors(t *testing.T) {
	for _, bad := range badEvents[:len(badEvents)-1] { // json.Unmarshal finds a syntax error before the events
		body := push(3, 1, bad.event)
		var req wire.PushRequest
		err := json.Unmarshal(body, &req)
		if err == nil || !strings.Contains(err.Error(), `"events.1`) || !strings.Contains(err.Error(), bad.says) {
			t.Errorf("%s: err = %v, want events.1.%s", bad.name, err, bad.field)
		}
	}
}

// Ensure that the fields of a PushRequest outside the events are each
// decoded, and each named in an error: a field added to PushRequest and
// not to its decoder would be refused as unknown.
func TestDecodePushFields(t *testing.T) {
	want := wire.PushRequest{Sede: "ROMA01", Events: wire.Events{{ID: "e1"}}, AuditHead: &wire.AuditHead{Seq: 7, Hash: []byte("h")}}
	v := reflect.ValueOf(want)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Fatalf("field %s is zero: give it a value in the test", v.Type().Field(i).Name)
		}
	}
	body, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var got wire.PushRequest
	if err := wire.Decode(bytes.NewReader(body), wire.MaxPushBytes, &got); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Decode(%s) = %+v, %v; want %+v", body, got, err, want)
	}
	for _, tc := range []struct{ body, says string }{
		{`{"sede":1}`, `field "sede": number where string is expected`},
		{`{"audit_head":{"seq":"a"}}`, `field "audit_head.seq": string where uint64 is expected`},
		{`{"events":{}}`, `field "events": object where []pinsede.Event is expected`},
		{`{"colour":"red"}`, `unknown field "colour"`},
		{`[]`, `the body is array where wire.PushRequest is expected`},
	} {
		var req wire.PushRequest
		if err := wire.Decode(strings.NewReader(tc.body), wire.MaxPushBytes, &req); err == nil || err.Error() != tc.says {
			t.Errorf("Decode(%s) = %v, want %s", tc.body, err, tc.says)
		}
	}
}

// formsPush returns a push as JSON of issue events, each followed by its
// archived form of size bytes inside the JSON (a desk of before the
// multipart pushes), as many as fit in wire.MaxPushBytes.
func formsPush(t *testing.T, size int) []byte {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{'x'}, size-9)...)
	req := wire.PushRequest{Sede: "ROMA01", AuditHead: &wire.AuditHead{Seq: 1, Hash: []byte("h")}}
	var body []byte
	for i := 0; ; i++ {
		c := pinsede.Credential{ID: fmt.Sprint("c", i), CodiceFiscale: "RSSMRA80A01H501U", Type: pinsede.Dispositivo, State: pinsede.StateAttivo,
			PINHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", IssuedAt: t0, ExpiresAt: t0.AddDate(0, 6, 0),
			IssuedBy: "op", Sede: "ROMA01", SlipSerial: fmt.Sprint("ROMA01-", i)}
		req.Events = append(req.Events,
			pinsede.Event{ID: fmt.Sprint("i", i), Kind: pinsede.EventIssued, Time: t0, Sede: "ROMA01", Credential: c},
			pinsede.Event{ID: fmt.Sprint("f", i), Kind: pinsede.EventFormArchived, Time: t0, Sede: "ROMA01",
				Credential: pinsede.Credential{ID: c.ID, CodiceFiscale: c.CodiceFiscale, Sede: c.Sede}, Form: pinsede.NewArchivedForm("mv35", pdf)})
		next, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		if len(next) > wire.MaxPushBytes || len(req.Events) > wire.MaxBatch {
			return body
		}
		body = next
	}
}

// Ensure that decoding a push costs in memory about its events and forms
// decoded, not copies of the body: a push of MaxPushBytes with forms of
// 35 KB in the JSON took 22.5 MB (5.4 times the body: read whole, then
// copied by the decoder, then each event copied again), and takes 4.2 MB,
// of which the forms' bytes are 3.1 MB. An event of a form as large as
// pinsede.MaxFormBytes costs the decoder's buffer for that event, about
// twice its size, and takes 2.5 times the body (7.6 times before).
func TestDecodePushMemory(t *testing.T) {
	for _, tc := range []struct {
		name   string
		size   int
		factor float64
	}{
		{"forms of 35 KB", 35 << 10, 1.25},
		{"forms of 1 MiB", pinsede.MaxFormBytes - 100, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := formsPush(t, tc.size)
			var req wire.PushRequest
			var err error
			n := testalloc.Bytes(func() { req = wire.PushRequest{}; err = wire.Decode(bytes.NewReader(body), wire.MaxPushBytes, &req) })
			if err != nil {
				t.Fatal(err)
			}
			if last := req.Events[len(req.Events)-1]; last.Form == nil || !last.Form.Matches() {
				t.Fatalf("the last form did not come whole: %+v", last.Form)
			}
			t.Logf("%d bytes, %d events: %d allocated (%.2f times)", len(body), len(req.Events), n, float64(n)/float64(len(body)))
			if limit := uint64(tc.factor * float64(len(body))); n > limit {
				t.Errorf("a push of %d bytes (%d events) allocated %d bytes (%.2f times), more than %.2f times", len(body), len(req.Events), n, float64(n)/float64(len(body)), tc.factor)
			}
		})
	}
}

// Ensure that a push that ends early says so, wherever it ends, and that
// only a body with nothing in it is empty.
func TestDecodePushEnds(t *testing.T) {
	body := push(3, -1, "")
	for n := range len(body) {
		var req wire.PushRequest
		err := wire.Decode(bytes.NewReader(body[:n]), wire.MaxPushBytes, &req)
		want := "malformed JSON: the body ends before the value does"
		if n == 0 {
			want = "empty body"
		}
		if err == nil || err.Error() != want {
			t.Fatalf("Decode(%q) = %v, want %s", body[:n], err, want)
		}
	}
}
