package pinsede

import (
	"bytes"
	"strings"
)

// DocumentType is a kind of identity document accepted at the desk.
type DocumentType string

// The identity documents accepted at the desk.
const (
	DocCIE              DocumentType = "cie"               // carta d'identità elettronica
	DocCartaIdentita    DocumentType = "carta_identita"    // carta d'identità cartacea
	DocPassaporto       DocumentType = "passaporto"        // passaporto italiano
	DocPatente          DocumentType = "patente"           // patente di guida
	DocPermesso         DocumentType = "permesso"          // permesso di soggiorno
	DocPassaportoEstero DocumentType = "passaporto_estero" // foreign passport
	DocIdentitaEstera   DocumentType = "identita_estera"   // foreign identity card
)

// DocumentTypes lists the document types in the order the desk offers them.
func DocumentTypes() []DocumentType {
	return []DocumentType{
		DocCIE, DocCartaIdentita, DocPassaporto, DocPatente, DocPermesso, DocPassaportoEstero, DocIdentitaEstera,
	}
}

// Valid reports whether t is a known document type.
func (t DocumentType) Valid() bool {
	for _, k := range DocumentTypes() {
		if k == t {
			return true
		}
	}
	return false
}

// Foreign reports whether t is issued by another state.
func (t DocumentType) Foreign() bool { return t == DocPassaportoEstero || t == DocIdentitaEstera }

// Document is an identity document shown at the desk.
type Document struct {
	Type      DocumentType `json:"type"`
	Number    string       `json:"number"`
	Authority string       `json:"authority"`
	Country   string       `json:"country"` // ISO 3166-1 alpha-2 of the issuing state
	IssuedOn  Date         `json:"issued_on"`
	ExpiresOn Date         `json:"expires_on"`
}

// Checklist is what the clerk confirms by hand.
type Checklist struct {
	OriginalSeen bool `json:"original_seen"` // the original document was seen
	PhotoMatches bool `json:"photo_matches"` // the photo matches the person at the desk
	MV35Signed   bool `json:"mv35_signed"`   // the citizen signed the MV35
}

// Scan is a copy of the identity document, an image or a PDF, archived
// sealed with the record.
type Scan struct {
	Name string `json:"name"`
	MIME string `json:"mime"`
	Data []byte `json:"data"`
}

// MaxScanBytes is the largest scan accepted.
const MaxScanBytes = 10 << 20

// ScanMIME tells the type of a scan from its first bytes: image/jpeg,
// image/png or application/pdf; "" for anything else.
func ScanMIME(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return "image/jpeg"
	}
	return ""
}

// Verification is the identity check done at the desk.
type Verification struct {
	Document  Document  `json:"document"`
	Checklist Checklist `json:"checklist"`
	Scan      *Scan     `json:"-"` // stored apart, sealed
}

// Validate checks the verification as of today. An expired document, an
// expiry before the issue, an issue in the future, a paper identity card
// from 3 August 2026 (see [PaperIDCardsCease]), a number not of the type's
// format (see [NormalizeDocumentNumber]; spaces and hyphens are dropped),
// an authority of more than MaxTextRunes characters or with one that
// InvisibleChar refuses, and an unticked checklist item each block the
// issue.
func (v *Verification) Validate(today Date) FieldErrors {
	var es FieldErrors
	d := &v.Document
	d.Number = NormalizeDocumentNumber(d.Number)
	d.Country = strings.ToUpper(strings.TrimSpace(d.Country))
	if !d.Type.Valid() {
		es.add(FieldDocType, KeyRequired, nil)
	}
	switch {
	case d.Number == "":
		es.add(FieldDocNumber, KeyRequired, nil)
	case !validDocNumber(d.Type, d.Number):
		es.add(FieldDocNumber, KeyDocNumber, map[string]any{"Example": DocNumberExample(d.Type)})
	}
	es.checkText(FieldDocAuthority, d.Authority, true, maxText)
	if d.Type.Valid() && !d.Type.Foreign() && d.Country == "" {
		d.Country = "IT"
	}
	switch {
	case !validCountry(d.Country):
		es.add(FieldDocCountry, KeyCountry, nil)
	case d.Type.Foreign() && d.Country == "IT":
		es.add(FieldDocCountry, KeyDocForeignItaly, nil) // Policy.Check goes by the type
	case d.Type.Valid() && !d.Type.Foreign() && d.Country != "IT":
		es.add(FieldDocCountry, KeyDocItalianAbroad, nil)
	}
	switch {
	case d.IssuedOn.IsZero():
		es.add(FieldDocIssued, KeyRequired, nil)
	case d.IssuedOn.After(today):
		es.add(FieldDocIssued, KeyDateFuture, nil)
	}
	switch {
	case d.ExpiresOn.IsZero():
		es.add(FieldDocExpires, KeyRequired, nil)
	case !d.IssuedOn.IsZero() && d.ExpiresOn.Before(d.IssuedOn):
		es.add(FieldDocExpires, KeyDocExpiryOrder, nil)
	case d.ExpiresOn.Before(today):
		es.add(FieldDocExpires, KeyDocExpired, map[string]any{"Date": d.ExpiresOn.Italian()})
	case d.Type == DocCartaIdentita && !today.Before(PaperIDCardsCease()):
		es.add(FieldDocType, KeyDocPaperCeased, map[string]any{"Date": PaperIDCardsCease().Italian()})
	}
	c := v.Checklist
	for _, item := range []struct {
		ok    bool
		field string
	}{{c.OriginalSeen, FieldCheckOriginal}, {c.PhotoMatches, FieldCheckPhoto}, {c.MV35Signed, FieldCheckSigned}} {
		if !item.ok {
			es.add(item.field, KeyCheckNotDone, nil)
		}
	}
	if s := v.Scan; s != nil {
		switch {
		case len(s.Data) > MaxScanBytes:
			es.add(FieldScan, KeyScanTooLarge, map[string]any{"MaxMB": MaxScanBytes >> 20})
		case ScanMIME(s.Data) == "":
			es.add(FieldScan, KeyScanType, nil)
		default:
			s.MIME = ScanMIME(s.Data)
		}
	}
	return es
}
