// Package pinsede is the domain of the INPS sede PIN desk: the facts and the
// rules of issuing a PIN dispositivo in person, free of any user interface,
// storage engine, printer or network.
//
// # Basics
//
// A citizen hands the desk the modello MV35 ([Request]); the operator checks
// an identity document ([Verification]) and the [Desk] issues a [PIN]: 16
// characters from an alphabet that cannot be misread on paper, of type
// dispositivo, active at once and valid for six months. Only an argon2id hash
// of it is kept ([Credential]). The credential, its [AuditEntry] and the
// [Event] for the central records are committed in one [Store] transaction;
// then the sealed-envelope [Slip] goes to the [SlipPrinter].
//
// The use cases are methods of [Desk]; the user interfaces call them and
// nothing else. The ports they need are small interfaces declared here
// ([Store], [Tx], [SlipPrinter]); back ends live in sibling packages (local/
// for bbolt, ui/cups for printers).
//
// # Caveats
//
// The plaintext PIN exists only in a [*PIN] value, between [GeneratePIN] and
// the printer. A PIN has no String method that prints it, refuses to be
// marshalled, and is wiped after printing: never copy its characters into a
// string that outlives the print job.
//
// Errors for the user carry a message key, not a sentence ([FieldError],
// [Problem]): the user interface translates them with Fyne's lang, Italian
// first.
package pinsede
