package cups

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// This file is the small part of IPP/1.1 (RFC 8010, RFC 8011) that the CUPS
// back end speaks: a request of operation attributes, optionally followed
// by a document, and a response decoded into its attributes.

// IPP operations.
const (
	opPrintJob             uint16 = 0x0002
	opCancelJob            uint16 = 0x0008
	opGetJobAttributes     uint16 = 0x0009
	opGetPrinterAttributes uint16 = 0x000B
	opCUPSGetPrinters      uint16 = 0x4002 // a CUPS extension: every queue
)

// IPP status codes the back end tells apart.
const (
	statusOK          uint16 = 0x0000
	statusNotFound    uint16 = 0x0406
	statusNotAccepted uint16 = 0x0506 // server-error-not-accepting-jobs
)

// IPP delimiter and value tags.
const (
	tagOperation   byte = 0x01
	tagJob         byte = 0x02
	tagEnd         byte = 0x03
	tagPrinter     byte = 0x04
	tagInteger     byte = 0x21
	tagBoolean     byte = 0x22
	tagEnum        byte = 0x23
	tagName        byte = 0x42
	tagKeyword     byte = 0x44
	tagURI         byte = 0x45
	tagCharset     byte = 0x47
	tagLanguage    byte = 0x48
	tagMimeType    byte = 0x49
	tagFirstValue  byte = 0x10 // tags below are delimiters
	tagOutOfBandHi byte = 0x1F // 0x10-0x1F: out-of-band values, no data
)

// ippAttr is one attribute with its values, encoded as IPP sends them.
type ippAttr struct {
	tag    byte
	name   string
	values [][]byte
}

// ippRequest is an IPP request: an operation, its operation attributes,
// and the job template attributes of a new job.
type ippRequest struct {
	op    uint16
	id    uint32
	attrs []ippAttr
	job   []ippAttr
}

// add appends an attribute with string values.
func (r *ippRequest) add(tag byte, name string, values ...string) {
	a := ippAttr{tag: tag, name: name}
	for _, v := range values {
		a.values = append(a.values, []byte(v))
	}
	r.attrs = append(r.attrs, a)
}

// addInt appends an integer or enum attribute.
func (r *ippRequest) addInt(tag byte, name string, v int32) {
	b := binary.BigEndian.AppendUint32(nil, uint32(v))
	r.attrs = append(r.attrs, ippAttr{tag: tag, name: name, values: [][]byte{b}})
}

// addBool appends a boolean attribute.
func (r *ippRequest) addBool(name string, v bool) {
	b := []byte{0}
	if v {
		b[0] = 1
	}
	r.attrs = append(r.attrs, ippAttr{tag: tagBoolean, name: name, values: [][]byte{b}})
}

// encode returns the request as IPP/1.1 bytes, up to and including the
// end-of-attributes tag: the document, if any, follows it.
func (r *ippRequest) encode() []byte {
	var b bytes.Buffer
	b.Write([]byte{1, 1})
	binary.Write(&b, binary.BigEndian, r.op)
	binary.Write(&b, binary.BigEndian, r.id)
	for _, group := range []struct {
		tag   byte
		attrs []ippAttr
	}{{tagOperation, r.attrs}, {tagJob, r.job}} {
		if len(group.attrs) == 0 {
			continue
		}
		b.WriteByte(group.tag)
		for _, a := range group.attrs {
			for i, v := range a.values {
				name := a.name
				if i > 0 {
					name = "" // an additional value of the same attribute
				}
				b.WriteByte(a.tag)
				binary.Write(&b, binary.BigEndian, uint16(len(name)))
				b.WriteString(name)
				binary.Write(&b, binary.BigEndian, uint16(len(v)))
				b.Write(v)
			}
		}
	}
	b.WriteByte(tagEnd)
	return b.Bytes()
}

// ippResponse is a decoded IPP response: its status and its attributes by
// name, from every group (the back end asks for few, so names do not clash),
// and the same attributes group by group (CUPS-Get-Printers answers a
// printer-attributes group per queue).
type ippResponse struct {
	status uint16
	attrs  map[string]ippAttr
	groups []ippGroup
}

// ippGroup is one attribute group of a response.
type ippGroup struct {
	tag   byte
	attrs map[string]ippAttr
}

// errIPPShort is returned for a response cut short.
var errIPPShort = errors.New("ipp: response cut short")

// decodeIPP decodes an IPP response.
func decodeIPP(r io.Reader) (*ippResponse, error) {
	br := &reader{r: r}
	head := br.next(8)
	if br.err != nil {
		return nil, br.err
	}
	res := &ippResponse{status: binary.BigEndian.Uint16(head[2:4]), attrs: map[string]ippAttr{}}
	var last string
	for {
		t := br.u8()
		if br.err != nil {
			return nil, br.err
		}
		switch {
		case t == tagEnd:
			return res, nil
		case t < tagFirstValue:
			last = "" // the start of another group
			if n := len(res.groups); n > 0 && len(res.groups[n-1].attrs) == 0 {
				// An empty group says nothing: its place goes to this one,
				// so that a run of delimiters costs no memory.
				res.groups[n-1].tag = t
				continue
			}
			res.groups = append(res.groups, ippGroup{tag: t, attrs: map[string]ippAttr{}})
		default:
			name := string(br.next(int(br.u16())))
			value := br.next(int(br.u16()))
			if br.err != nil {
				return nil, br.err
			}
			if name == "" {
				name = last
			}
			if name == "" {
				return nil, fmt.Errorf("ipp: value of tag %#x without a name", t)
			}
			a := res.attrs[name]
			if a.name == "" || name != last {
				a = ippAttr{tag: t, name: name}
			}
			if t > tagOutOfBandHi {
				a.values = append(a.values, bytes.Clone(value))
			}
			res.attrs[name] = a
			if len(res.groups) > 0 {
				g := res.groups[len(res.groups)-1].attrs
				ga := g[name]
				if ga.name == "" || name != last {
					ga = ippAttr{tag: t, name: name}
				}
				if t > tagOutOfBandHi {
					ga.values = append(ga.values, a.values[len(a.values)-1])
				}
				g[name] = ga
			}
			last = name
		}
	}
}

// int returns the first value of an integer or enum attribute, and whether
// it is there.
func (r *ippResponse) int(name string) (int, bool) {
	a, ok := r.attrs[name]
	if !ok || len(a.values) == 0 || len(a.values[0]) != 4 {
		return 0, false
	}
	return int(int32(binary.BigEndian.Uint32(a.values[0]))), true
}

// bool returns the first value of a boolean attribute, and whether it is
// there.
func (r *ippResponse) bool(name string) (bool, bool) {
	a, ok := r.attrs[name]
	if !ok || len(a.values) == 0 || len(a.values[0]) != 1 {
		return false, false
	}
	return a.values[0][0] != 0, true
}

// strings returns the values of a text attribute.
func (r *ippResponse) strings(name string) []string {
	var s []string
	for _, v := range r.attrs[name].values {
		s = append(s, string(v))
	}
	return s
}

// reader reads big-endian IPP fields and keeps the first error.
type reader struct {
	r   io.Reader
	err error
	buf [2]byte // the tags and lengths, read without an allocation each
}

// next returns the next n bytes. It allocates as the bytes arrive, not
// what a length field claims: a length of 64 KiB before the end of the
// answer costs no 64 KiB.
func (r *reader) next(n int) []byte {
	if r.err != nil {
		return nil
	}
	b := make([]byte, 0, min(n, 512))
	for len(b) < n {
		if len(b) == cap(b) {
			b = slices.Grow(b, min(n-len(b), cap(b)))
		}
		m, err := r.r.Read(b[len(b):min(n, cap(b))])
		b = b[:len(b)+m]
		if err != nil && len(b) < n {
			r.err = errIPPShort
			return nil
		}
	}
	return b
}

// u8 returns the next byte.
func (r *reader) u8() byte {
	if r.err != nil {
		return 0
	}
	if _, err := io.ReadFull(r.r, r.buf[:1]); err != nil {
		r.err = errIPPShort
		return 0
	}
	return r.buf[0]
}

// u16 returns the next two bytes as a big-endian number.
func (r *reader) u16() uint16 {
	if r.err != nil {
		return 0
	}
	if _, err := io.ReadFull(r.r, r.buf[:]); err != nil {
		r.err = errIPPShort
		return 0
	}
	return binary.BigEndian.Uint16(r.buf[:])
}
