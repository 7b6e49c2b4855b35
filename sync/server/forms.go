package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/wire"
)

// decodePush reads a push into req: JSON, or multipart with the archived
// forms as binary parts (wire.PushRequest). It attaches each part's bytes
// to the form of the event the part is named by; the rules check them
// against the form's SHA-256 and size (central.Check), and an event whose
// bytes did not come is rejected there. It answers the problem itself
// when it cannot read the body, and reports whether to go on.
func decodePush(w http.ResponseWriter, r *http.Request, req *wire.PushRequest) bool {
	ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || ct != wire.ContentMultipart {
		return decode(w, r, wire.MaxPushBytes, req)
	}
	if r.ContentLength > wire.MaxPushBytes {
		problem(w, http.StatusRequestEntityTooLarge, wire.ProblemTooLarge, "Body too large",
			fmt.Sprintf("the body has %d bytes; the limit is %d", r.ContentLength, wire.MaxPushBytes))
		return false
	}
	err = readMultipartPush(multipart.NewReader(http.MaxBytesReader(w, r.Body, wire.MaxPushBytes), params["boundary"]), req)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe) || errors.Is(err, wire.ErrTooLarge):
		problem(w, http.StatusRequestEntityTooLarge, wire.ProblemTooLarge, "Body too large", fmt.Sprintf("the limit is %d bytes", wire.MaxPushBytes))
		return false
	case errors.Is(err, wire.ErrBatchTooLong):
		batchTooLong(w)
		return false
	case err != nil:
		problem(w, http.StatusBadRequest, wire.ProblemMalformed, "Malformed request", err.Error())
		return false
	}
	return true
}

// readMultipartPush reads a multipart push: the events part, then one
// part of type application/pdf per form, named by its event's id.
func readMultipartPush(mr *multipart.Reader, req *wire.PushRequest) error {
	p, err := mr.NextPart()
	if err != nil {
		return fmt.Errorf("multipart: %w", err)
	}
	if p.FormName() != wire.PartEvents || mediaType(p) != wire.ContentJSON {
		return fmt.Errorf("multipart: the first part is %q of type %q; %q of type %s is expected",
			p.FormName(), p.Header.Get("Content-Type"), wire.PartEvents, wire.ContentJSON)
	}
	if err := wire.Decode(p, wire.MaxPushBytes, req); err != nil {
		return fmt.Errorf("part %s: %w", wire.PartEvents, err)
	}
	forms := make(map[string]*pinsede.ArchivedForm)
	for i := range req.Events {
		if f := req.Events[i].Form; f != nil && f.PDF == nil {
			forms[req.Events[i].ID] = f
		}
	}
	// The sizes the events name cannot make the buffers larger, together,
	// than the body may be: a push whose parts fall short of the sizes
	// named costs no more than its bytes.
	room := wire.MaxPushBytes
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("multipart: %w", err)
		}
		id := p.FormName()
		f, ok := forms[id]
		switch {
		case !ok:
			return fmt.Errorf("part %q: no event of the batch waits for a form of that id (or its form came already)", id)
		case mediaType(p) != wire.ContentPDF:
			return fmt.Errorf("part %q: type %q; %s is expected", id, p.Header.Get("Content-Type"), wire.ContentPDF)
		}
		// Room for the size named and bytes.MinRead more: ReadFrom grows a
		// buffer with less free, copying what it read.
		size := min(max(f.Size, 0), pinsede.MaxFormBytes, room)
		room -= size
		buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
		if _, err := buf.ReadFrom(io.LimitReader(p, pinsede.MaxFormBytes+1)); err != nil {
			return fmt.Errorf("part %q: %w", id, err)
		}
		f.PDF = buf.Bytes() // checked against f.SHA256 and f.Size by central.Check
		delete(forms, id)
	}
}

// mediaType returns the media type of a part, without parameters.
func mediaType(p *multipart.Part) string {
	ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
	return ct
}
