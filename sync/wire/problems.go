package wire

// The problem types (RFC 9457 "type") with which centrale's API answers
// an error ([Problem]): the server writes them and the client tells the
// fault by them, both from these constants, never from a literal written
// again. ProblemTypes lists them all.
const (
	// ProblemPrefix starts every problem type.
	ProblemPrefix = "urn:pinsede:problem:"

	// ProblemMalformed: the request's body or query cannot be read.
	ProblemMalformed = ProblemPrefix + "malformed"
	// ProblemTooLarge: the body is over its limit.
	ProblemTooLarge = ProblemPrefix + "too-large"
	// ProblemUnsupportedMediaType: the body is not of the type expected.
	ProblemUnsupportedMediaType = ProblemPrefix + "unsupported-media-type"
	// ProblemMethodNotAllowed: the path takes no such method.
	ProblemMethodNotAllowed = ProblemPrefix + "method-not-allowed"
	// ProblemNotFound: no such resource.
	ProblemNotFound = ProblemPrefix + "not-found"
	// ProblemInternal: the server failed, and logged it.
	ProblemInternal = ProblemPrefix + "internal"
	// ProblemStoreDown: the central store cannot be reached for now (its
	// database stopped or restarting): send again after Retry-After.
	ProblemStoreDown = ProblemPrefix + "store-down"

	// ProblemNoCertificate: the client showed no certificate.
	ProblemNoCertificate = ProblemPrefix + "no-certificate"
	// ProblemCertificateRevoked: the client's certificate is revoked.
	ProblemCertificateRevoked = ProblemPrefix + "certificate-revoked"
	// ProblemNoIdentity: the certificate names no pinsede role or desk.
	ProblemNoIdentity = ProblemPrefix + "no-identity"
	// ProblemWrongRole: the certificate's role may not use the path.
	ProblemWrongRole = ProblemPrefix + "wrong-role"
	// ProblemOtherSede: the records are another sede's.
	ProblemOtherSede = ProblemPrefix + "other-sede"

	// ProblemBusy: centrale takes in as many pushes as it can at once.
	ProblemBusy = ProblemPrefix + "busy"
	// ProblemOverloaded: centrale checks as many PINs as it can at once.
	ProblemOverloaded = ProblemPrefix + "overloaded"
	// ProblemRateLimited: the certificate's or the codice fiscale's rate
	// is spent.
	ProblemRateLimited = ProblemPrefix + "rate-limited"
	// ProblemPushVolume: the desk's certificate has pushed more events
	// than centrale takes of one desk in a while (centrale
	// -push-events): nothing was stored, the desk sends them again after
	// Retry-After.
	ProblemPushVolume = ProblemPrefix + "push-volume"

	// ProblemEmptyBatch: a push with no event.
	ProblemEmptyBatch = ProblemPrefix + "empty-batch"
	// ProblemBatchTooLong: a push with more events than it may carry.
	ProblemBatchTooLong = ProblemPrefix + "batch-too-long"
	// ProblemClockAhead: the desk's clock, as the push reads it, is ahead
	// of centrale's by more than centrale puts right.
	ProblemClockAhead = ProblemPrefix + "clock-ahead"
	// ProblemClockBehind: the desk's clock, as the push reads it, is
	// behind centrale's by more than centrale puts right.
	ProblemClockBehind = ProblemPrefix + "clock-behind"
	// ProblemInvalidCodiceFiscale: the codice fiscale asked is not one.
	ProblemInvalidCodiceFiscale = ProblemPrefix + "invalid-codice-fiscale"
	// ProblemInvalidLogin: the PIN check's request is invalid.
	ProblemInvalidLogin = ProblemPrefix + "invalid-login"
	// ProblemInvalidTicket: the kiosk's ticket is invalid.
	ProblemInvalidTicket = ProblemPrefix + "invalid-ticket"

	// ProblemNoAuditHead: a push without the sede's audit head.
	ProblemNoAuditHead = ProblemPrefix + "no-audit-head"
	// ProblemBadAuditHead: the push's audit head is invalid.
	ProblemBadAuditHead = ProblemPrefix + "bad-audit-head"
	// ProblemAuditFork: the audit head or entries go backwards or fork
	// from what centrale keeps.
	ProblemAuditFork = ProblemPrefix + "audit-fork"
	// ProblemBadAuditHeads: the query of GET /v1/audit/heads is invalid.
	ProblemBadAuditHeads = ProblemPrefix + "bad-audit-heads"
	// ProblemBadAuditEntries: the batch of audit entries is malformed.
	ProblemBadAuditEntries = ProblemPrefix + "bad-audit-entries"
	// ProblemAuditEntriesGap: the batch of audit entries does not follow
	// those centrale got.
	ProblemAuditEntriesGap = ProblemPrefix + "audit-entries-gap"
	// ProblemBadAuditSearch: the audit search's query is invalid.
	ProblemBadAuditSearch = ProblemPrefix + "bad-audit-search"
	// ProblemStoreRestored: the push names another epoch of the store
	// than centrale's (EpochHeader): the store was put back from a copy
	// since the desk last synced. Nothing was stored: the desk sends
	// again first what it sent before.
	ProblemStoreRestored = ProblemPrefix + "store-restored"
)

// ProblemTypes are every problem type centrale's API answers with.
var ProblemTypes = []string{
	ProblemMalformed, ProblemTooLarge, ProblemUnsupportedMediaType, ProblemMethodNotAllowed,
	ProblemNotFound, ProblemInternal, ProblemStoreDown,
	ProblemNoCertificate, ProblemCertificateRevoked, ProblemNoIdentity, ProblemWrongRole, ProblemOtherSede,
	ProblemBusy, ProblemOverloaded, ProblemRateLimited, ProblemPushVolume,
	ProblemEmptyBatch, ProblemBatchTooLong, ProblemClockAhead, ProblemClockBehind, ProblemInvalidCodiceFiscale, ProblemInvalidLogin, ProblemInvalidTicket,
	ProblemNoAuditHead, ProblemBadAuditHead, ProblemAuditFork, ProblemBadAuditHeads, ProblemBadAuditEntries,
	ProblemAuditEntriesGap, ProblemBadAuditSearch, ProblemStoreRestored,
}
