package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/pinsede/pinsede"
)

// ErrTooLarge is returned by Decode for a body over its limit.
var ErrTooLarge = errors.New("body too large")

// ErrBatchTooLong is returned by Decode for a push of more than MaxBatch
// events.
var ErrBatchTooLong = errors.New("batch too long")

// Decode reads one JSON value of at most limit bytes from r into v. It
// refuses unknown fields, trailing data and values of the wrong type, with
// an error that names the field (a dotted path, with the index of an
// event: events.3.credential.issued_at) or the offset.
//
// Decode holds no copy of the body: it reads r as it decodes. A
// *PushRequest is decoded event by event, so that what a push costs is
// its events and one event's bytes at a time, not the body again
// (TestDecodePushMemory), and the decoding stops past MaxBatch events.
func Decode(r io.Reader, limit int64, v any) error {
	src := io.Reader(&capped{r: r, left: limit + 1, limit: limit})
	req, push := v.(*PushRequest)
	var rec *recorder
	if push {
		rec = &recorder{r: src}
		src = rec
	}
	dec := json.NewDecoder(src)
	dec.DisallowUnknownFields()
	var err error
	if push {
		err = req.decode(dec, rec)
	} else {
		err = describe("", dec.Decode(v))
	}
	if err != nil {
		return err
	}
	switch _, err := dec.Token(); {
	case errors.Is(err, io.EOF):
		return nil
	case errors.Is(err, ErrTooLarge):
		return err
	}
	return errors.New("trailing data after the JSON value")
}

// capped reads at most limit bytes from r, and fails with ErrTooLarge
// once it has read one more.
type capped struct {
	r     io.Reader
	left  int64 // limit+1 less the bytes read
	limit int64
}

// Read reads from r, up to one byte past the limit.
func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, fmt.Errorf("%w: over %d bytes", ErrTooLarge, c.limit)
	}
	n, err := c.r.Read(p[:min(int64(len(p)), c.left)])
	c.left -= int64(n)
	if c.left <= 0 {
		return n, fmt.Errorf("%w: over %d bytes", ErrTooLarge, c.limit)
	}
	return n, err
}

// describe returns err, an error of the JSON decoder at path (dotted;
// "" for the whole value), as a message that says what is wrong and
// where. A nil err stays nil.
func describe(path string, err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	at := func(msg string) string {
		if path == "" {
			return msg
		}
		return fmt.Sprintf("field %q: %s", path, msg)
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrTooLarge), errors.Is(err, ErrBatchTooLong):
		return err
	case errors.As(err, &te) && join(path, te.Field) == "":
		return fmt.Errorf("the body is %s where %s is expected", te.Value, te.Type)
	case errors.As(err, &te):
		return fmt.Errorf("field %q: %s where %s is expected", join(path, te.Field), te.Value, te.Type)
	case errors.As(err, &se):
		return fmt.Errorf("%s: %w", at(fmt.Sprintf("malformed JSON at byte %d", se.Offset)), err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("malformed JSON: the body ends before the value does") // at its end
	case errors.Is(err, io.EOF):
		return errors.New("empty body")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return errors.New(at(strings.TrimPrefix(err.Error(), "json: ")))
	case path != "":
		return fmt.Errorf("field %q: %w", path, err)
	}
	return fmt.Errorf("decode: %w", err)
}

// join returns the dotted path of field below path.
func join(path, field string) string {
	switch {
	case path == "":
		return field
	case field == "":
		return path
	}
	return path + "." + field
}

// The types Decode names in its errors.
var (
	typePushRequest = reflect.TypeFor[PushRequest]()
	typeEvents      = reflect.TypeFor[[]pinsede.Event]()
)

// The fields of a PushRequest, as decode reads them.
const (
	fieldSede      = "sede"
	fieldEvents    = "events"
	fieldAuditHead = "audit_head"
)

// decode reads a push from dec: its fields as Decode would, but the events
// one by one, each from the stream (Events.decode), with its bytes kept
// only until the next is read, to say where an event is wrong. A null
// push, like encoding/json's, leaves req as it was.
func (req *PushRequest) decode(dec *json.Decoder, w window) error {
	t, err := dec.Token()
	switch {
	case err != nil:
		return describe("", err)
	case t == nil:
		return nil
	case t != json.Delim('{'):
		return describe("", &json.UnmarshalTypeError{Value: kindOf(t), Type: typePushRequest, Offset: dec.InputOffset()})
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return describe("", within(err))
		}
		key, _ := t.(string) // the decoder gives only strings as keys
		switch {
		case strings.EqualFold(key, fieldSede):
			err = describe(fieldSede, decodeValue(dec, w, &req.Sede))
		case strings.EqualFold(key, fieldAuditHead):
			err = describe(fieldAuditHead, decodeValue(dec, w, &req.AuditHead))
		case strings.EqualFold(key, fieldEvents):
			err = req.Events.decode(dec, w)
		default:
			err = describe("", fmt.Errorf("json: unknown field %q", key))
		}
		if err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return describe("", within(err))
	}
	return nil
}

// kindOf names the JSON value that starts with token t, as
// json.UnmarshalTypeError does.
func kindOf(t json.Token) string {
	switch t.(type) {
	case json.Delim:
		if t == json.Delim('[') {
			return "array"
		}
		return "object"
	case string:
		return "string"
	case bool:
		return "bool"
	case nil:
		return "null"
	}
	return "number"
}

// Events are the events of a push. Decoded, they are at most MaxBatch:
// they are decoded one by one, and the decoding stops past MaxBatch with
// ErrBatchTooLong (decoded whole, a body of MaxPushBytes of empty events,
// {},{},..., took 4.4 GB). An event that does not decode is named by its
// index: events.3.credential.issued_at.
type Events []pinsede.Event

// UnmarshalJSON decodes the array of events one by one, up to MaxBatch,
// for a push decoded other than by Decode (which reads them from its
// stream).
func (l *Events) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return l.decode(dec, bytesWindow(b))
}

// decode reads the array of events that starts at dec's next token into
// l; w holds the bytes of the event being read. The errors name the event
// by its index (events.N), and the field that is wrong in it (locate).
func (l *Events) decode(dec *json.Decoder, w window) error {
	t, err := dec.Token()
	switch {
	case err != nil:
		return describe(fieldEvents, within(err))
	case t == nil:
		*l = nil
		return nil
	case t != json.Delim('['):
		return describe(fieldEvents, &json.UnmarshalTypeError{Value: kindOf(t), Type: typeEvents, Offset: dec.InputOffset()})
	}
	*l = Events{}
	for dec.More() {
		if len(*l) == MaxBatch {
			return fmt.Errorf("%w: more than %d events; at most %d per push", ErrBatchTooLong, MaxBatch, MaxBatch)
		}
		start := dec.InputOffset()
		*l = append(*l, pinsede.Event{}) // decoded in place: no copy of an event
		if err := decodeValue(dec, w, &(*l)[len(*l)-1]); err != nil {
			*l = (*l)[:len(*l)-1]
			path := fieldEvents + "." + strconv.Itoa(len(*l))
			var te *json.UnmarshalTypeError
			var se *json.SyntaxError
			if errors.As(err, &te) || errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, ErrTooLarge) {
				return describe(path, err) // the field, if any, is in err
			}
			if b := w.raw(start, dec.InputOffset()); b != nil {
				if field, ferr := locate(b, decodesEvent); ferr != nil {
					return describe(join(path, field), ferr)
				}
			}
			return describe(path, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return describe(fieldEvents, within(err))
	}
	return nil
}

// decodeValue decodes the next value of dec into v, as dec.Decode does,
// but places a syntax error in it at its offset in the stream: dec counts
// only the bytes of the values it decoded, not those of the tokens read
// (PushRequest.decode reads the push's object and array by their tokens).
// w forgets the bytes before the value.
func decodeValue(dec *json.Decoder, w window, v any) error {
	start := dec.InputOffset()
	w.forget(start)
	err := within(dec.Decode(v))
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return err
	}
	b := w.rest(start)
	value := bytes.TrimLeft(b, " \t\r\n,:")
	var raw json.RawMessage
	var again *json.SyntaxError
	if b == nil || !errors.As(json.NewDecoder(bytes.NewReader(value)).Decode(&raw), &again) {
		return fmt.Errorf("malformed JSON: %v", err) // no offset rather than a wrong one
	}
	se.Offset = start + int64(len(b)-len(value)) + again.Offset
	return err
}

// within returns err, of a read inside the value Decode reads: there the
// end of the body is an unexpected one.
func within(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// decodesEvent decodes b into an event as Decode does, and returns the
// error.
func decodesEvent(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var ev pinsede.Event
	return dec.Decode(&ev)
}
