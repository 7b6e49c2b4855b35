package wire_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/internal/testalloc"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that Decode takes one well-formed value and refuses the rest with
// a message that says what is wrong.
func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		in      string
		wantErr string
	}{
		{`{"codice_fiscale": "A", "pin": "B"}`, ""},
		{`{"codice_fiscale": "A", "pin": "B", "x": 1}`, "unknown field"},
		{`{"codice_fiscale": 1}`, `field "codice_fiscale"`},
		{`{"codice_fiscale": "A"`, "malformed JSON"},
		{`{"codice_fiscale": "A"} {}`, "trailing data"},
		{`{"codice_fiscale": "A"} x`, "trailing data"},
		{``, "empty body"},
		{`{"pin": "` + strings.Repeat("A", 200) + `"}`, "too large"},
	} {
		var v wire.VerifyRequest
		err := wire.Decode(strings.NewReader(tc.in), 100, &v)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("Decode(%.30q) = %v", tc.in, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("Decode(%.30q) = %v, want %q", tc.in, err, tc.wantErr)
		}
	}
	var v wire.VerifyRequest
	if err := wire.Decode(strings.NewReader(`{"pin": "`+strings.Repeat("A", 200)+`"}`), 100, &v); !errors.Is(err, wire.ErrTooLarge) {
		t.Errorf("oversized: %v, want ErrTooLarge", err)
	}
}

// FuzzDecodePush checks that the push decoder never panics, never accepts
// more than its limit, and that what it accepts encodes back to a body it
// accepts again.
func FuzzDecodePush(f *testing.F) {
	f.Add([]byte(`{"sede":"ROMA01","events":[{"id":"e1","kind":"credential.issued","time":"2026-11-23T09:00:00Z","sede":"ROMA01","credential":{"id":"c1","codice_fiscale":"RSSMRA80A01H501U","type":"dispositivo","state":"attivo","pin_hash":"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5","issued_at":"2026-11-23T09:00:00Z","expires_at":"2027-05-23T09:00:00Z","issued_by":"op","sede":"ROMA01","slip_serial":"X"}}]}`))
	f.Add([]byte(`{"sede":"","events":null}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"sede":"ROMA01","events":[{},{"id":"e2","credential":{"colour":"red"}}]}`))
	f.Add([]byte(`{"sede":"ROMA01","events":[{"id":"e1"} , {"id":"e2",}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var req wire.PushRequest
		err := wire.Decode(bytes.NewReader(b), 1<<16, &req)
		if len(b) <= 1<<16 {
			// Decode reads the events from its stream; a decoder that holds
			// the body whole (Events.UnmarshalJSON) must agree.
			var whole wire.PushRequest
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.DisallowUnknownFields()
			werr := dec.Decode(&whole)
			if _, end := dec.Token(); werr == nil && !errors.Is(end, io.EOF) {
				werr = errors.New("trailing data")
			}
			if (err == nil) != (werr == nil) || err == nil && !reflect.DeepEqual(req, whole) {
				t.Fatalf("Decode: %+v, %v; decoded whole: %+v, %v", req, err, whole, werr)
			}
		}
		if err != nil {
			return
		}
		if len(b) > 1<<16 {
			t.Fatalf("accepted %d bytes over the limit", len(b))
		}
		again, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		var req2 wire.PushRequest
		if err := wire.Decode(bytes.NewReader(again), 1<<20, &req2); err != nil {
			t.Fatalf("re-encoded push refused: %v\n%s", err, again)
		}
	})
}

// FuzzDecodeVerify checks the verify decoder the same way.
func FuzzDecodeVerify(f *testing.F) {
	f.Add([]byte(`{"codice_fiscale":"RSSMRA80A01H501U","pin":"ACEFHJKMNPRTUVWX","new_pin":"Roma2026"}`))
	f.Add([]byte(`{"pin":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var req wire.VerifyRequest
		if err := wire.Decode(bytes.NewReader(b), wire.MaxVerifyBytes, &req); err != nil {
			return
		}
		again, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		var req2 wire.VerifyRequest
		if err := wire.Decode(bytes.NewReader(again), 1<<20, &req2); err != nil || req2 != req {
			t.Fatalf("round trip: %v %+v != %+v", err, req2, req)
		}
	})
}

// Ensure that a push of more than MaxBatch events is ErrBatchTooLong,
// found before the events past MaxBatch are decoded: a body of empty
// events up to MaxPushBytes took 4.4 GB decoded whole, then 28 MB read
// whole and decoded event by event, and takes what MaxBatch events take
// (650 KB), as it is read as it is decoded.
func TestDecodePushBatch(t *testing.T) {
	events := func(n int) []byte {
		return []byte(`{"sede":"ROMA01","events":[` + strings.TrimSuffix(strings.Repeat(`{},`, n), ",") + `]}`)
	}
	for _, tc := range []struct {
		name string
		body []byte
		want error
	}{
		{"MaxBatch", events(wire.MaxBatch), nil},
		{"one more", events(wire.MaxBatch + 1), wire.ErrBatchTooLong},
		{"MaxPushBytes of empty events", events((wire.MaxPushBytes - 40) / 3), wire.ErrBatchTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var req wire.PushRequest
			var err error
			n := testalloc.Bytes(func() { req = wire.PushRequest{}; err = wire.Decode(bytes.NewReader(tc.body), wire.MaxPushBytes, &req) })
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if err == nil && len(req.Events) != wire.MaxBatch {
				t.Errorf("%d events, want %d", len(req.Events), wire.MaxBatch)
			}
			if limit := uint64(1 << 20); n > limit {
				t.Errorf("%d bytes allocated %d, more than %d", len(tc.body), n, limit)
			}
		})
	}
}
