package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http/httptest"
	"net/textproto"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testalloc"
	"github.com/pinsede/pinsede/sync/storetest"
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
	writePart(t, mw, wire.PartEvents, wire.ContentJSON, events)
	for i := range n {
		writePart(t, mw, fmt.Sprint("e", i), wire.ContentPDF, pdf)
	}
	mw.Close()
	return b.Bytes(), mw.Boundary()
}

// writePart writes a part of a push to mw: name, of type ct, holding body.
func writePart(t testing.TB, mw *multipart.Writer, name, ct string, body []byte) {
	w, err := mw.CreatePart(textproto.MIMEHeader{"Content-Disposition": {`form-data; name="` + name + `"`}, "Content-Type": {ct}})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(body)
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

// deskPush returns a push as a desk makes it: issue events, each
// followed by its archived form of 35 KB, in the JSON or, with parts, as
// a binary part; as many as fit in wire.MaxPushBytes.
func deskPush(t *testing.T, parts bool) (body []byte, contentType string) {
	pdf := storetest.PDF(35 << 10)
	for n := 1; ; n++ {
		req := wire.PushRequest{Sede: "ROMA01", AuditHead: &wire.AuditHead{}}
		var forms []*pinsede.ArchivedForm
		for i := range n {
			iss := storetest.Issued("ROMA01", storetest.CF(i), fmt.Sprint("i", i), fmt.Sprint("c", i), "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5")
			f := storetest.FormArchived(iss, fmt.Sprint("f", i), pdf)
			forms = append(forms, f.Form)
			if parts {
				bare := *f.Form
				bare.PDF = nil
				f.Form = &bare
			}
			req.Events = append(req.Events, iss, f)
		}
		events, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		next, ct := events, wire.ContentJSON
		if parts {
			var b bytes.Buffer
			mw := multipart.NewWriter(&b)
			writePart(t, mw, wire.PartEvents, wire.ContentJSON, events)
			for i, f := range forms {
				writePart(t, mw, fmt.Sprint("f", i), wire.ContentPDF, f.PDF)
			}
			mw.Close()
			next, ct = b.Bytes(), mw.FormDataContentType()
		}
		if len(next) > wire.MaxPushBytes {
			return body, contentType
		}
		body, contentType = next, ct
	}
}

// Ensure that reading a push as a desk makes it costs its events and
// forms, not copies of the body. Of MaxPushBytes with forms of 35 KB:
// in the JSON it took 22.5 MB (5.4 times the body: read whole, copied by
// the decoder, each event copied again) and takes 4.2 MB (1.0, the forms'
// 3.1 MB decoded from base64); as binary parts it took 5.8 MB (1.38) and
// takes 5.2 MB (1.24: each form's buffer is rounded up to whole pages by
// the allocator, 40 KB for 35).
func TestPushMemory(t *testing.T) {
	for _, tc := range []struct {
		name      string
		multipart bool
		factor    float64
	}{
		{"JSON with forms", false, 1.15},
		{"multipart", true, 1.3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, ct := deskPush(t, tc.multipart)
			var req wire.PushRequest
			var answer string
			n := testalloc.Bytes(func() {
				req, answer = wire.PushRequest{}, ""
				r := httptest.NewRequest("POST", "/v1/events", bytes.NewReader(body))
				r.Header.Set("Content-Type", ct)
				w := httptest.NewRecorder()
				if !decodePush(w, r, &req) {
					answer = w.Body.String()
				}
			})
			if answer != "" {
				t.Fatal(answer)
			}
			if last := req.Events[len(req.Events)-1]; last.Form == nil || !last.Form.Matches() {
				t.Fatalf("the last form did not come whole: %+v", last.Form)
			}
			t.Logf("%d bytes, %d events: %d allocated (%.2f times)", len(body), len(req.Events), n, float64(n)/float64(len(body)))
			if testalloc.Race {
				t.Log("the bound is checked without -race: sync.Pool drops buffers at random under it")
			} else if limit := uint64(tc.factor * float64(len(body))); n > limit {
				t.Errorf("a push of %d bytes allocated %d bytes, more than %.2f times", len(body), n, tc.factor)
			}
		})
	}
}
