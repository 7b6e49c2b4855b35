/*
Package local is the store of one desk PC: a single bbolt file that keeps the
sede's records (operators, citizens, credentials, document scans, the MV35
archived with each credential until the central records take it, the desk's
settings), the audit chain and the outbox of events for the central records. *Store implements
pinsede.Store.

# Basics

Create makes the store on first run; Open opens it afterwards. DefaultPaths
says where both files go. Like bbolt, the store runs a function in a
transaction:

	err := s.Update(func(tx pinsede.Tx) error {
		if err := tx.PutCredential(c); err != nil {
			return err // nothing is written
		}
		_, err := tx.AppendAudit(e)
		return err // nil: everything is written, at once
	})

Update commits everything the function wrote when it returns nil; an error
or a panic writes nothing. Once Update has returned nil the data is on disk:
a crash or a power cut after that loses nothing, and one before it leaves no
trace of the transaction. View runs a read-only transaction. One Update runs
at a time; Views run alongside it and see the store as it was when they
began.

Nothing personal or secret is in clear in the file. Each value is sealed
with XChaCha20-Poly1305 under a key derived (HKDF-SHA256) from a 32-byte
master key, with the bucket name and the record key as additional data: a
value copied to another record, or another store, does not open. Index keys
are keyed hashes (HMAC-SHA256, under a second derived key) of the codice
fiscale, the operator id or the normalised name: without the key, the file
does not tell who anyone is. It does show how many records there are, which
index entries belong to the same person, and how many credentials were
issued each day.

The master key lives in its own file, made by Create: 32 random bytes,
readable by the user only (0600, in a 0700 folder), in the user's
configuration folder (os.UserConfigDir()/pinsede/store.key), apart from the
store in the user's data folder. A backup of the store file is useless
without the key file, so keep a copy of the key somewhere safe and apart
from the backups: losing it loses the store.

The audit entries form a hash chain (pinsede.AuditEntry.ChainHash).
VerifyAudit walks it and reports each entry modified, missing, reordered or
unreadable; AuditEntries exports it. Outbox and Ack give the sync client the
events to send and take back those the central records accepted. The bytes
of an archived form are kept beside their event, not in its JSON, and
OutboxAfter reads no more of the outbox than a byte budget holds.
OutboxEntries gives a push each event's JSON as the outbox keeps it,
undecoded: the outbox keeps events as json.Marshal writes them, and a
change of pinsede.Event that an earlier JSON no longer fits needs a
migration that writes them again (as version 8 did).

The schema version is in the meta bucket. Open brings an older store up to
SchemaVersion with the migrations, in one transaction, and refuses a store
written by a newer pinsede with ErrSchemaTooNew.

# Caveats

The pinsede.Tx passed to the function is valid only until the function
returns: do not keep it or use it from another goroutine. The values it
returns are copies and stay valid.

Only one program may open the store at a time: a second Open waits a second
for the file lock, then fails with ErrAlreadyOpen. The store is for the
local disk of the desk PC: do not put it on a network share, whose file
locks and flushes bbolt cannot trust.

Searching by name compares whole surnames and names, folded (upper case,
Latin accents removed, spaces, apostrophes and hyphens dropped): "D'Angelo
Nicolò" finds "DANGELO NICOLO'", but "Ross" does not find "Rossi". The index
holds hashes, so a prefix or fuzzy search cannot be done on it.

A long read transaction holds back bbolt from growing its file, which the
next commit may need: VerifyAudit and AuditEntries read in short batches.
Backup cannot: it is one read transaction for the whole copy (about 2 s a
GiB), so a commit that must grow the file during a copy waits for its end.

A store is backed up while in use by the program that holds it (Backup,
BackupFile, BackupInto: the desk app's -backup-dir); a copy is checked
without writing to it by CheckCopy and put in place by Restore, which
refuses while a program holds the store and keeps the store it replaces;
it marks the slips the copy keeps as printing as restored
(pinsede.MarkRestored) in the copy before it is in place.
Restore holds the old file's lock while it renames; on Windows, where an
open file cannot be renamed, it lets go just before. A copy holds the
sealed data only, never the key.

Open checks that the file is whole before bbolt maps it in memory, and
reports a damaged file as ErrCorrupt without writing to it; damage inside
the file that bbolt finds later (it panics on a page it cannot parse) is
ErrCorrupt of the transaction that met it (boltsafe.Do), which writes
nothing. Damage met in a write poisons the store (boltsafe.Guard): bbolt's
rollback may then have kept its writer lock, so every later operation
returns that ErrCorrupt at once, and Close lets go of the file without
bbolt's Close, for Restore to replace it. BackupInto checks each copy (CheckCopy's checks, bbolt's
consistency check among them) before it counts: a damaged store's copy
is removed and the copies of before kept. Restore from a backup.
*/
package local
