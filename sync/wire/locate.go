package wire

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"
)

// window holds the bytes of a stream that the decoding of a push may still
// need: those of the event being read, to locate the field that is wrong
// in it.
type window interface {
	// forget tells that the bytes before offset off are no longer needed.
	forget(off int64)
	// raw returns the bytes from offset start to end, none forgotten;
	// nil when they were not kept.
	raw(start, end int64) []byte
	// rest returns the bytes read from offset start on, none forgotten;
	// nil when they were not kept.
	rest(start int64) []byte
}

// bytesWindow is a stream held whole.
type bytesWindow []byte

func (bytesWindow) forget(int64)                  {}
func (b bytesWindow) raw(start, end int64) []byte { return b[start:end] }
func (b bytesWindow) rest(start int64) []byte     { return b[start:] }

// maxWindow is the most bytes a recorder keeps: an event of a push is
// smaller, unless it carries an archived form in the JSON (a desk of
// before the multipart pushes), and there a form of up to
// pinsede.MaxFormBytes would make the window cost as much as the decoder's
// buffer again. Past it the field that is wrong in an event is not
// located: the error names the event.
const maxWindow = 256 << 10

// recorder is the window of a stream read from r: it keeps what was read
// since the offset last forgotten, which is about one event and what the
// decoder read ahead of it, up to maxWindow bytes.
type recorder struct {
	r    io.Reader
	buf  []byte
	base int64 // the offset of buf[0] in the stream; base+len(buf) were read
	from int64 // the bytes before it are forgotten
}

// Read reads from r and keeps what it read. It drops the bytes forgotten
// once they are at least half of those kept, so that each byte is moved
// at most once on average, and drops all it keeps past maxWindow.
func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if d := r.from - r.base; d > 0 && d >= int64(len(r.buf))/2 {
		r.buf = r.buf[:copy(r.buf, r.buf[d:])]
		r.base = r.from
	}
	if len(r.buf)+n > maxWindow {
		r.base += int64(len(r.buf) + n)
		r.buf = r.buf[:0]
		return n, err
	}
	r.buf = append(r.buf, p[:n]...)
	return n, err
}

func (r *recorder) forget(off int64)            { r.from = max(r.from, off) }
func (r *recorder) raw(start, end int64) []byte { return r.buf[start-r.base : end-r.base] }
func (r *recorder) rest(start int64) []byte     { return r.buf[start-r.base:] }

// locate returns the path (dotted, with the indexes of arrays) of the
// innermost field of the JSON value b that decode refuses alone, and
// decode's error for it; "" and nil when no field is refused alone. The
// value may start with the comma that separates it from the one before.
//
// It needs no knowledge of the type: it decodes the value cut down to one
// field, then to one field of that field, and so on, each wrapped as the
// whole value. It stops at a field that is refused even emptied ({} or
// []): an unknown field, or a field of the wrong type. The cost is in
// proportion to the size of b times the depth of the type: it runs only
// for a value already refused.
func locate(b []byte, decode func([]byte) error) (string, error) {
	v := bytes.TrimLeft(b, " \t\r\n,")
	var prefix, suffix []byte
	var path []string
	var found error
	for {
		ms, closer := members(v)
		var next *member
		for i := range ms {
			if err := decode(concat(prefix, ms[i].head, ms[i].value, []byte{closer}, suffix)); err != nil {
				next, found = &ms[i], err
				break
			}
		}
		if next == nil {
			return strings.Join(path, "."), found
		}
		path = append(path, next.name)
		prefix, suffix, v = concat(prefix, next.head), concat([]byte{closer}, suffix), next.value
		if e := emptied(v); e == nil || decode(concat(prefix, e, suffix)) != nil {
			return strings.Join(path, "."), found
		}
	}
}

// member is a field of a JSON object, or an element of an array.
type member struct {
	name  string // the key, or the index
	head  []byte // the container opened up to the value: {"key": or [
	value json.RawMessage
}

// members returns the fields of the JSON object v, or the elements of the
// array v, in order, with the byte that closes v; none for another value.
func members(v []byte) ([]member, byte) {
	dec := json.NewDecoder(bytes.NewReader(v))
	t, err := dec.Token()
	if err != nil {
		return nil, 0
	}
	var ms []member
	switch t {
	case json.Delim('{'):
		for dec.More() {
			k, err := dec.Token()
			key, _ := k.(string)
			m := member{name: key}
			if err != nil || dec.Decode(&m.value) != nil {
				return nil, 0
			}
			q, _ := json.Marshal(key) // a string always marshals
			m.head = concat([]byte("{"), q, []byte(":"))
			ms = append(ms, m)
		}
		return ms, '}'
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			m := member{name: strconv.Itoa(i), head: []byte("[")}
			if dec.Decode(&m.value) != nil {
				return nil, 0
			}
			ms = append(ms, m)
		}
		return ms, ']'
	}
	return nil, 0
}

// emptied returns the JSON value v emptied, {} or [], or nil when v is not
// an object or an array.
func emptied(v []byte) []byte {
	switch {
	case bytes.HasPrefix(v, []byte("{")):
		return []byte("{}")
	case bytes.HasPrefix(v, []byte("[")):
		return []byte("[]")
	}
	return nil
}

// concat returns the parts one after the other, in a new slice.
func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
