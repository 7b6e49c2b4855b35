package local

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pinsede/pinsede"
	bolt "go.etcd.io/bbolt"
)

// SearchLimit is the most citizens FindCitizens returns for a name: the
// first ones in order of name and codice fiscale.
const SearchLimit = 200

// tx is a pinsede.Tx on a bbolt transaction. Values go in sealed and come
// out decoded into fresh memory, never as slices owned by bbolt.
type tx struct {
	btx *bolt.Tx // nil once the transaction's function has returned
	k   *keys
	// desk is put in audit entries and outbox events that name none
	// (Store.SetDesk).
	desk string
}

// errTxDone is returned when a Tx is used after its function returned.
var errTxDone = errors.New("store transaction used after its function returned")

func (t *tx) bucket(name []byte) (*bolt.Bucket, error) {
	if t.btx == nil {
		return nil, errTxDone
	}
	b := t.btx.Bucket(name)
	if b == nil {
		return nil, fmt.Errorf("no %s bucket: %w", name, ErrCorrupt)
	}
	return b, nil
}

// get decodes the sealed record key of bucket name into v; ErrNotFound when
// there is none.
func (t *tx) get(name, key []byte, v any) error {
	b, err := t.bucket(name)
	if err != nil {
		return err
	}
	return t.decode(name, key, b.Get(key), v)
}

// decode opens a sealed value and decodes it into v; ErrNotFound when
// sealed is nil. Record keys in errors are tags or ids: no personal data.
func (t *tx) decode(name, key, sealed []byte, v any) error {
	if sealed == nil {
		return pinsede.ErrNotFound
	}
	plain, err := t.k.open(name, key, sealed)
	if err != nil {
		return fmt.Errorf("%s record %x: %w: %w", name, key, ErrCorrupt, err)
	}
	defer clear(plain)
	if err := json.Unmarshal(plain, v); err != nil {
		return fmt.Errorf("%s record %x: %w: %w", name, key, ErrCorrupt, err)
	}
	return nil
}

// put seals v as the record key of bucket name.
func (t *tx) put(name, key []byte, v any) error {
	b, err := t.bucket(name)
	if err != nil {
		return err
	}
	plain, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s record: %w", name, err)
	}
	defer clear(plain)
	return b.Put(key, t.k.seal(name, key, plain))
}

// citizenKey is the key of a citizen's record and the prefix of the index
// entries about them: the tag of the codice fiscale as written. An omocode
// is not another spelling of a code: the Agenzia delle Entrate assigns it to
// a different person whose data gave the same code, so it keys a record of
// its own.
func (t *tx) citizenKey(cf pinsede.CodiceFiscale) []byte {
	cf = pinsede.CodiceFiscale(strings.ToUpper(strings.TrimSpace(string(cf))))
	return t.k.tag("cf", string(cf))
}

// nameKey is the prefix of a name's entries in the names index; nil when
// the name has nothing to compare.
func (t *tx) nameKey(cognome, nome string) []byte {
	c, n := normName(cognome), normName(nome)
	if c == "" || n == "" {
		return nil
	}
	return t.k.tag("name", c, n)
}

func (t *tx) operatorKey(id string) []byte { return t.k.tag("operator", id) }

// Sede returns the sede of the desk.
func (t *tx) Sede() (pinsede.Sede, error) {
	var s pinsede.Sede
	err := t.get(bucketMeta, metaSede, &s)
	return s, err
}

// SetSede records the sede of the desk.
func (t *tx) SetSede(s pinsede.Sede) error { return t.put(bucketMeta, metaSede, s) }

// Settings returns the desk's settings.
func (t *tx) Settings() (pinsede.Settings, error) {
	var st pinsede.Settings
	err := t.get(bucketMeta, metaSettings, &st)
	return st, err
}

// PutSettings records the desk's settings.
func (t *tx) PutSettings(st pinsede.Settings) error { return t.put(bucketMeta, metaSettings, st) }

// Operator returns the operator with the given id.
func (t *tx) Operator(id string) (pinsede.Operator, error) {
	var op pinsede.Operator
	err := t.get(bucketOperators, t.operatorKey(id), &op)
	return op, err
}

// PutOperator creates or replaces an operator.
func (t *tx) PutOperator(op pinsede.Operator) error {
	if op.ID == "" {
		return errors.New("put operator: no id")
	}
	return t.put(bucketOperators, t.operatorKey(op.ID), op)
}

// Operators returns all the operators, by id.
func (t *tx) Operators() ([]pinsede.Operator, error) {
	b, err := t.bucket(bucketOperators)
	if err != nil {
		return nil, err
	}
	var ops []pinsede.Operator
	err = b.ForEach(func(k, v []byte) error {
		var op pinsede.Operator
		if err := t.decode(bucketOperators, k, v, &op); err != nil {
			return err
		}
		ops = append(ops, op)
		return nil
	})
	slices.SortFunc(ops, func(a, b pinsede.Operator) int { return strings.Compare(a.ID, b.ID) })
	return ops, err
}

// Citizen returns the citizen with codice fiscale cf, as written (upper or
// lower case).
func (t *tx) Citizen(cf pinsede.CodiceFiscale) (pinsede.Citizen, error) {
	var c pinsede.Citizen
	err := t.get(bucketCitizens, t.citizenKey(cf), &c)
	return c, err
}

// PutCitizen creates or replaces a citizen's record and keeps the names
// index in step with it.
func (t *tx) PutCitizen(c pinsede.Citizen) error {
	if c.CF() == "" {
		return errors.New("put citizen: no codice fiscale")
	}
	names, err := t.bucket(bucketNames)
	if err != nil {
		return err
	}
	key := t.citizenKey(c.CF())
	var old pinsede.Citizen
	switch err := t.get(bucketCitizens, key, &old); {
	case errors.Is(err, pinsede.ErrNotFound):
	case err != nil:
		return err
	default:
		if prev := t.nameKey(old.Request.Cognome, old.Request.Nome); prev != nil {
			if err := names.Delete(append(prev, key...)); err != nil {
				return err
			}
		}
	}
	if nk := t.nameKey(c.Request.Cognome, c.Request.Nome); nk != nil {
		if err := names.Put(append(nk, key...), nil); err != nil {
			return err
		}
	}
	return t.put(bucketCitizens, key, c)
}

// FindCitizens finds a citizen by codice fiscale, or the citizens with a
// surname and name (and birth date, when given), by name then codice
// fiscale, at most SearchLimit of them.
func (t *tx) FindCitizens(q pinsede.SearchQuery) ([]pinsede.Citizen, error) {
	if q.CodiceFiscale != "" {
		c, err := t.Citizen(q.CodiceFiscale)
		switch {
		case errors.Is(err, pinsede.ErrNotFound):
			return nil, nil
		case err != nil:
			return nil, err
		}
		return []pinsede.Citizen{c}, nil
	}
	prefix := t.nameKey(q.Cognome, q.Nome)
	if prefix == nil {
		return nil, nil
	}
	names, err := t.bucket(bucketNames)
	if err != nil {
		return nil, err
	}
	citizens, err := t.bucket(bucketCitizens)
	if err != nil {
		return nil, err
	}
	var found []pinsede.Citizen
	c := names.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		key := k[len(prefix):]
		var cz pinsede.Citizen
		if err := t.decode(bucketCitizens, key, citizens.Get(key), &cz); err != nil {
			if errors.Is(err, pinsede.ErrNotFound) {
				err = fmt.Errorf("names index entry %x without its citizen: %w", k, ErrCorrupt)
			}
			return nil, err
		}
		if !bytes.Equal(t.nameKey(cz.Request.Cognome, cz.Request.Nome), prefix) {
			return nil, fmt.Errorf("names index entry %x for another name: %w", k, ErrCorrupt)
		}
		if q.DataNascita.IsZero() || cz.Request.DataNascita == q.DataNascita {
			found = append(found, cz)
		}
	}
	slices.SortFunc(found, func(a, b pinsede.Citizen) int {
		return cmp.Or(
			strings.Compare(a.Request.Cognome, b.Request.Cognome),
			strings.Compare(a.Request.Nome, b.Request.Nome),
			strings.Compare(string(a.CF()), string(b.CF())))
	})
	if len(found) > SearchLimit {
		found = found[:SearchLimit]
	}
	return found, nil
}

// Credential returns the credential with the given id.
func (t *tx) Credential(id string) (pinsede.Credential, error) {
	var c pinsede.Credential
	err := t.get(bucketCredentials, []byte(id), &c)
	return c, err
}

// Credentials returns a citizen's credentials, newest first.
func (t *tx) Credentials(cf pinsede.CodiceFiscale) ([]pinsede.Credential, error) {
	idx, err := t.bucket(bucketCredsByCF)
	if err != nil {
		return nil, err
	}
	creds, err := t.bucket(bucketCredentials)
	if err != nil {
		return nil, err
	}
	prefix := t.citizenKey(cf)
	var ids [][]byte // oldest first
	c := idx.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		ids = append(ids, bytes.Clone(k[len(prefix)+8:]))
	}
	out := make([]pinsede.Credential, 0, len(ids))
	for _, id := range slices.Backward(ids) {
		var cr pinsede.Credential
		if err := t.decode(bucketCredentials, id, creds.Get(id), &cr); err != nil {
			if errors.Is(err, pinsede.ErrNotFound) {
				err = fmt.Errorf("credential index entry %x without its credential: %w", id, ErrCorrupt)
			}
			return nil, err
		}
		out = append(out, cr)
	}
	return out, nil
}

// credIndexKeys returns a credential's keys in the creds_by_cf and
// issued_by_day indexes.
func (t *tx) credIndexKeys(c pinsede.Credential) (byCF, byDay []byte) {
	byCF = t.citizenKey(c.CodiceFiscale)
	// Microseconds since 1970 with the sign bit flipped: big-endian order
	// is time order, before 1970 too.
	byCF = binary.BigEndian.AppendUint64(byCF, uint64(c.IssuedAt.UnixMicro())^(1<<63))
	byCF = append(byCF, c.ID...)
	byDay = append(dayKey(pinsede.DateOf(c.IssuedAt.Local())), c.ID...)
	return byCF, byDay
}

// dayKey is a day's prefix in the issued_by_day index: yyyymmdd.
func dayKey(d pinsede.Date) []byte {
	return fmt.Appendf(nil, "%04d%02d%02d", d.Year, int(d.Month), d.Day)
}

// expiryKey is a credential's key in the expires_by_day index: its expiry
// day (local time) as dayKey writes it, then its id.
func expiryKey(c pinsede.Credential) []byte {
	return append(dayKey(pinsede.DateOf(c.ExpiresAt.Local())), c.ID...)
}

// PutCredential creates or replaces a credential and keeps its index
// entries in step with it.
func (t *tx) PutCredential(c pinsede.Credential) error {
	if c.ID == "" {
		return errors.New("put credential: no id")
	}
	byCF, err := t.bucket(bucketCredsByCF)
	if err != nil {
		return err
	}
	byDay, err := t.bucket(bucketIssuedByDay)
	if err != nil {
		return err
	}
	byExpiry, err := t.bucket(bucketExpiresByDay)
	if err != nil {
		return err
	}
	var old pinsede.Credential
	switch err := t.get(bucketCredentials, []byte(c.ID), &old); {
	case errors.Is(err, pinsede.ErrNotFound):
	case err != nil:
		return err
	default:
		oldCF, oldDay := t.credIndexKeys(old)
		if err := byCF.Delete(oldCF); err != nil {
			return err
		}
		if err := byDay.Delete(oldDay); err != nil {
			return err
		}
		if err := byExpiry.Delete(expiryKey(old)); err != nil {
			return err
		}
	}
	newCF, newDay := t.credIndexKeys(c)
	if err := byCF.Put(newCF, nil); err != nil {
		return err
	}
	if err := byDay.Put(newDay, nil); err != nil {
		return err
	}
	if err := byExpiry.Put(expiryKey(c), nil); err != nil {
		return err
	}
	return t.put(bucketCredentials, []byte(c.ID), c)
}

// PutScan archives the scan of the document verified for a credential,
// sealed as its bytes are (scanRaw), not as JSON: base64 made a scan of
// 1 MiB take 1.33 MiB.
func (t *tx) PutScan(credentialID string, s pinsede.Scan) error {
	if credentialID == "" {
		return errors.New("put scan: no credential id")
	}
	b, err := t.bucket(bucketScans)
	if err != nil {
		return err
	}
	head, err := json.Marshal(pinsede.Scan{Name: s.Name, MIME: s.MIME})
	if err != nil {
		return fmt.Errorf("encode %s record: %w", bucketScans, err)
	}
	plain := make([]byte, 0, 1+binary.MaxVarintLen64+len(head)+len(s.Data))
	plain = append(binary.AppendUvarint(append(plain, scanRaw), uint64(len(head))), head...)
	plain = append(plain, s.Data...)
	defer clear(plain)
	key := []byte(credentialID)
	return b.Put(key, t.k.seal(bucketScans, key, plain))
}

// scanRaw starts a scan's record as PutScan writes it: then the length
// of the JSON of its name and type (uvarint), that JSON, and its bytes as
// they are. A record of earlier versions is the scan's JSON, data in
// base64, and starts with '{': scan reads both, so no migration rewrites
// them.
const scanRaw = 0x01

// scan returns the scan archived for a credential, of either layout.
func (t *tx) scan(credentialID string) (pinsede.Scan, error) {
	var s pinsede.Scan
	b, err := t.bucket(bucketScans)
	if err != nil {
		return s, err
	}
	key := []byte(credentialID)
	sealed := b.Get(key)
	if sealed == nil {
		return s, pinsede.ErrNotFound
	}
	plain, err := t.k.open(bucketScans, key, sealed)
	if err != nil {
		return s, fmt.Errorf("%s record %x: %w: %w", bucketScans, key, ErrCorrupt, err)
	}
	defer clear(plain)
	if len(plain) == 0 || plain[0] != scanRaw {
		if err := json.Unmarshal(plain, &s); err != nil {
			return s, fmt.Errorf("%s record %x: %w: %w", bucketScans, key, ErrCorrupt, err)
		}
		return s, nil
	}
	n, w := binary.Uvarint(plain[1:])
	if w <= 0 || n > uint64(len(plain)-1-w) {
		return s, fmt.Errorf("%s record %x: %w: bad length", bucketScans, key, ErrCorrupt)
	}
	head := plain[1+w : 1+w+int(n)]
	if err := json.Unmarshal(head, &s); err != nil {
		return s, fmt.Errorf("%s record %x: %w: %w", bucketScans, key, ErrCorrupt, err)
	}
	s.Data = bytes.Clone(plain[1+w+int(n):])
	return s, nil
}

// documentKey is the key of a credential's document of a kind.
func documentKey(credentialID, kind string) []byte { return []byte(credentialID + "/" + kind) }

// PutDocument archives a credential's document of a kind, sealed as it is
// (not JSON: a PDF would grow by a third in base64).
func (t *tx) PutDocument(credentialID, kind string, pdf []byte) error {
	if credentialID == "" || kind == "" || strings.Contains(kind, "/") {
		return fmt.Errorf("put document %q of %q: no credential id or bad kind", kind, credentialID)
	}
	b, err := t.bucket(bucketDocuments)
	if err != nil {
		return err
	}
	key := documentKey(credentialID, kind)
	return b.Put(key, t.k.seal(bucketDocuments, key, pdf))
}

// Document returns a credential's archived document of a kind, in fresh
// memory.
func (t *tx) Document(credentialID, kind string) ([]byte, error) {
	b, err := t.bucket(bucketDocuments)
	if err != nil {
		return nil, err
	}
	key := documentKey(credentialID, kind)
	sealed := b.Get(key)
	if sealed == nil {
		return nil, pinsede.ErrNotFound
	}
	pdf, err := t.k.open(bucketDocuments, key, sealed)
	if err != nil {
		return nil, fmt.Errorf("%s record %q: %w: %w", bucketDocuments, key, ErrCorrupt, err)
	}
	return pdf, nil
}

// DropDocument removes a credential's archived document of f.Kind when
// its bytes are those f names (its SHA-256 and size), and reports whether
// it did: a document of that kind archived since, other bytes, stays.
func (t *tx) DropDocument(credentialID string, f pinsede.ArchivedForm) (bool, error) {
	b, err := t.bucket(bucketDocuments)
	if err != nil {
		return false, err
	}
	key := documentKey(credentialID, f.Kind)
	sealed := b.Get(key)
	if sealed == nil || len(sealed)-t.k.sealOverhead() != f.Size {
		return false, nil
	}
	pdf, err := t.k.open(bucketDocuments, key, sealed)
	if err != nil {
		return false, fmt.Errorf("%s record %q: %w: %w", bucketDocuments, key, ErrCorrupt, err)
	}
	same := pinsede.FormDigest(pdf) == f.SHA256
	clear(pdf)
	if !same {
		return false, nil
	}
	return true, b.Delete(key)
}

// IssuedOn returns the credentials issued on day, local time, in every
// state, in the order of their ids.
func (t *tx) IssuedOn(day pinsede.Date) ([]pinsede.Credential, error) {
	idx, err := t.bucket(bucketIssuedByDay)
	if err != nil {
		return nil, err
	}
	creds, err := t.bucket(bucketCredentials)
	if err != nil {
		return nil, err
	}
	prefix := dayKey(day)
	var out []pinsede.Credential
	c := idx.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		id := bytes.Clone(k[len(prefix):])
		var cr pinsede.Credential
		if err := t.decode(bucketCredentials, id, creds.Get(id), &cr); err != nil {
			if errors.Is(err, pinsede.ErrNotFound) {
				err = fmt.Errorf("issue-day index entry %x without its credential: %w", k, ErrCorrupt)
			}
			return nil, err
		}
		out = append(out, cr)
	}
	return out, nil
}

// Expiring returns the credentials whose expiry day (local time) is from
// from to to, both included, by expiry day: every state, as stored.
func (t *tx) Expiring(from, to pinsede.Date) ([]pinsede.Credential, error) {
	idx, err := t.bucket(bucketExpiresByDay)
	if err != nil {
		return nil, err
	}
	creds, err := t.bucket(bucketCredentials)
	if err != nil {
		return nil, err
	}
	first, last := dayKey(from), dayKey(to)
	var out []pinsede.Credential
	c := idx.Cursor()
	for k, _ := c.Seek(first); k != nil && bytes.Compare(k[:len(last)], last) <= 0; k, _ = c.Next() {
		id := bytes.Clone(k[len(last):])
		var cr pinsede.Credential
		if err := t.decode(bucketCredentials, id, creds.Get(id), &cr); err != nil {
			if errors.Is(err, pinsede.ErrNotFound) {
				err = fmt.Errorf("expiry index entry %x without its credential: %w", k, ErrCorrupt)
			}
			return nil, err
		}
		out = append(out, cr)
	}
	return out, nil
}
