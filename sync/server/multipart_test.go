package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testalloc"
	"github.com/pinsede/pinsede/sync/wire"
)

// pushBody returns a multipart push of the events, each with a form that
// names size, and a part of pdf for each.
func pushBody(t testing.TB, n, size int, pdf []byte) ([]byte, string) {
	var req wire.PushRequest
	for i := range n {
		req.Events = append(req.Events, pinsede.Event{ID: fmt.Sprint("e", i), Kind: pinsede.EventFormArchived,
			Form: &pinsede.ArchivedForm{Kind: "mv35", SHA256: "00", Size: size}})
	}
	events, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.SetBoundary("pinsede")
	part := func(name, ct string, body []byte) {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="`+name+`"`)
		h.Set("Content-Type", ct)
		w, _ := mw.CreatePart(h)
		w.Write(body)
	}
	part(wire.PartEvents, wire.ContentJSON, events)
	for i := range n {
		part(fmt.Sprint("e", i), wire.ContentPDF, pdf)
	}
	mw.Close()
	return b.Bytes(), mw.Boundary()
}

// Ensure that forms whose events name a size their parts do not bring
// cost the bytes of the push, not the sizes named: 200 parts of 4 bytes
// that each claimed 1 MiB took 200 MiB.
func TestMultipartPushClaimedSizes(t *testing.T) {
	body, boundary := pushBody(t, 200, pinsede.MaxFormBytes, []byte("%PDF"))
	var req wire.PushRequest
	var err error
	n := testalloc.Bytes(func() {
		req = wire.PushRequest{}
		err = readMultipartPush(multipart.NewReader(bytes.NewReader(body), boundary), &req)
	})
	if err != nil {
		t.Fatal(err)
	}
	if limit := uint64(wire.MaxPushBytes + 64*len(body)); n > limit {
		t.Errorf("a push of %d bytes allocated %d bytes, more than %d", len(body), n, limit)
	}
	if pdf := req.Events[199].Form.PDF; string(pdf) != "%PDF" {
		t.Errorf("the last form is %q, want %%PDF", pdf)
	}
}

// FuzzReadMultipartPush feeds readMultipartPush the body of a multipart
// push, as a desk's certificate lets anyone send it: it must not panic,
// and what it reads must cost in proportion to the body (and the sizes the
// events name, up to wire.MaxPushBytes).
func FuzzReadMultipartPush(f *testing.F) {
	for _, seed := range []struct{ n, size int }{{1, 4}, {3, 4}, {2, pinsede.MaxFormBytes}} {
		body, _ := pushBody(f, seed.n, seed.size, []byte("%PDF"))
		f.Add(body)
	}
	body, _ := pushBody(f, 2, 4, []byte("%PDF"))
	f.Add(body[:len(body)/2])
	f.Fuzz(func(t *testing.T, data []byte) {
		var req wire.PushRequest
		n := testalloc.Bytes(func() {
			req = wire.PushRequest{}
			readMultipartPush(multipart.NewReader(bytes.NewReader(data), "pinsede"), &req)
		})
		if limit := uint64(wire.MaxPushBytes + 1<<20 + 256*len(data)); n > limit {
			t.Fatalf("a push of %d bytes allocated %d bytes, more than %d", len(data), n, limit)
		}
	})
}
