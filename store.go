package pinsede

// Store keeps the sede's records. Like bbolt, it runs a function in a
// transaction: Update commits everything the function wrote, or, when it
// returns an error or panics, nothing.
type Store interface {
	View(fn func(Tx) error) error
	Update(fn func(Tx) error) error
}

// Tx is a store transaction: the port to the sede's storage, made of one
// part per kind of record, which the rules that need only one part take
// (appendAudit an AuditTx, the outbox's events an OutboxTx). Values
// returned are copies: they stay valid after the transaction. Lookups of
// a missing record return ErrNotFound. It stores; the Desk decides.
type Tx interface {
	SedeTx
	RecordsTx
	AuditTx
	OutboxTx
	DraftTx
	PrintTx
	SyncTx
	RevokedSlipTx
}

// SedeTx keeps the sede, the desk's settings and the operators' accounts.
type SedeTx interface {
	Sede() (Sede, error)
	SetSede(Sede) error

	// Settings returns the desk's settings; ErrNotFound before the first
	// save.
	Settings() (Settings, error)
	PutSettings(Settings) error

	Operator(id string) (Operator, error)
	PutOperator(Operator) error
	Operators() ([]Operator, error)
}

// RecordsTx keeps the citizens served, their credentials with their
// archived documents, and the delegations.
type RecordsTx interface {
	Citizen(CodiceFiscale) (Citizen, error)
	PutCitizen(Citizen) error
	FindCitizens(SearchQuery) ([]Citizen, error)

	Credential(id string) (Credential, error)
	// Credentials returns a citizen's credentials, newest first.
	Credentials(CodiceFiscale) ([]Credential, error)
	PutCredential(Credential) error
	PutScan(credentialID string, s Scan) error
	// PutDocument archives a document of a credential (kind DocumentMV35:
	// the PDF of its MV35), replacing one of the same kind.
	PutDocument(credentialID, kind string, pdf []byte) error
	// Document returns an archived document of a credential.
	Document(credentialID, kind string) ([]byte, error)
	// DropDocument removes the archived document of a credential of
	// f.Kind when its bytes are those f names (SHA-256 and size), and
	// reports whether it did.
	DropDocument(credentialID string, f ArchivedForm) (bool, error)
	// IssuedOn returns the credentials issued on day (local time), in every
	// state.
	IssuedOn(day Date) ([]Credential, error)
	// Expiring returns the credentials whose expiry day (local time) is
	// from from to to, both included, by expiry day, in every state.
	Expiring(from, to Date) ([]Credential, error)

	// Delegation returns the delegation with the given id.
	Delegation(id string) (Delegation, error)
	// PutDelegation creates or replaces a delegation.
	PutDelegation(Delegation) error
	// DelegationsOf returns the delegations in which cf is the delegante
	// or the delegato, in every state, newest registered first.
	DelegationsOf(cf CodiceFiscale) ([]Delegation, error)
}

// AuditTx keeps the hash-chained audit and its indexes by citizen and by
// day.
type AuditTx interface {
	// AppendAudit links e to the chain and stores it; it returns the entry
	// as stored.
	AppendAudit(e AuditEntry) (AuditEntry, error)
	// AuditFor returns the entries about a citizen, oldest first.
	AuditFor(CodiceFiscale) ([]AuditEntry, error)
	// AuditOn returns the entries of a day (local time), oldest first.
	AuditOn(Date) ([]AuditEntry, error)
	// AuditActedOn returns the entries whose act was done on a day
	// (local time, AuditEntry.ActedAt), oldest first: this desk's of the
	// day, and the acts of the day of other desks, whatever day they
	// were pulled.
	AuditActedOn(Date) ([]AuditEntry, error)
}

// OutboxTx keeps the events waiting for the central records.
type OutboxTx interface {
	// Enqueue puts an event in the outbox for the central records. The
	// bytes of an archived form (Event.Form.PDF) are kept beside the
	// event, not in it, and travel beside it (sync/wire).
	Enqueue(Event) error
	// Pending counts the events waiting in the outbox.
	Pending() (int, error)
}

// DraftTx keeps each operator's request in progress (draft.go).
type DraftTx interface {
	// Draft returns an operator's request in progress; ErrNotFound when
	// there is none.
	Draft(operator string) (Draft, error)
	// PutDraft keeps a request in progress, replacing its operator's.
	PutDraft(Draft) error
	// DeleteDraft wipes an operator's request in progress, if any.
	DeleteDraft(operator string) error
}

// PrintTx keeps the slips being printed: the transaction that commits a
// new credential keeps its slip, and the one that records its print, or
// revokes it when the print failed, removes it (printing.go). A slip kept
// when the desk starts was cut short by a crash, a power cut or the
// program's end (RecoverPrints).
type PrintTx interface {
	// PutPrinting keeps p, replacing the one of its credential.
	PutPrinting(p Printing) error
	// Printing returns the slips kept, in the order they were kept.
	Printing() ([]Printing, error)
	// DeletePrinting removes the slip of a credential, if kept.
	DeletePrinting(credentialID string) error
	// OrphansChecked reports whether the store's PINs left with no print
	// recorded were looked for (recoverOrphans); SetOrphansChecked marks
	// it so (false: not, as a store of before).
	OrphansChecked() (bool, error)
	SetOrphansChecked(done bool) error
}

// SyncTx is the part of a transaction that keeps what the sync with the
// central records brings: the cursor after the changes pulled (they are
// applied, not kept), the kiosk's tickets waiting, the outbox's
// acknowledgements and the events not accepted. It stores; the Desk decides (pulled.go, ticket.go,
// notaccepted.go).
type SyncTx interface {
	// SyncCursor returns the cursor kept by SetSyncCursor; 0 before.
	SyncCursor() (uint64, error)
	// SetSyncCursor keeps the cursor to pull after next time.
	SetSyncCursor(cursor uint64) error
	// LastPull returns what PutLastPull kept; ErrNotFound before.
	LastPull() (LastPull, error)
	// PutLastPull keeps the time of the last pull and the latest event
	// pulled of each other desk of the sede.
	PutLastPull(LastPull) error
	// RecoveringOwn reports whether the store was restored from a copy
	// and has not got back yet the desk's own events newer than the
	// copy, which the central records hold (Desk.RecoverOwn).
	RecoveringOwn() (bool, error)
	// SetRecoveringOwn marks the store so, or clears the mark.
	SetRecoveringOwn(on bool) error

	// PutTicket keeps a kiosk ticket waiting, replacing one of its code.
	PutTicket(Ticket) error
	// Ticket returns the ticket waiting of code.
	Ticket(code string) (Ticket, error)
	// DeleteTicket removes the ticket of code, if any.
	DeleteTicket(code string) error
	// Tickets returns every ticket waiting, of any day, in no order.
	Tickets() ([]Ticket, error)

	// AckOutbox removes from the outbox the events of taken and of
	// refused; those no longer there are ignored. It keeps those of
	// taken, with their forms, as sent (the newest only, a bound of the
	// store's), for ResendSent.
	AckOutbox(taken, refused []uint64) error
	// ResendSent puts the events kept as sent back in the outbox, in
	// their places, and returns how many and the outbox seq of the
	// oldest; pruned says that events sent before them are no longer
	// kept.
	ResendSent() (n int, oldest uint64, pruned bool, err error)
	// CentraleEpoch returns the epoch of centrale's store kept by
	// SetCentraleEpoch; "" before.
	CentraleEpoch() (string, error)
	// SetCentraleEpoch keeps the epoch of centrale's store last seen.
	SetCentraleEpoch(epoch string) error
	// OutboxForm returns the credential and the form (kind, SHA-256 and
	// size, no bytes) of the outbox event of seq when it carries one; ok
	// is false for any other event, and for a seq not in the outbox.
	OutboxForm(seq uint64) (credentialID string, f ArchivedForm, ok bool, err error)
	// PutNotAccepted keeps an event the central records did not accept.
	PutNotAccepted(NotAccepted) error
	// NotAccepted returns the events kept by PutNotAccepted, oldest
	// first.
	NotAccepted() ([]NotAccepted, error)
}
