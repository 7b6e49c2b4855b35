-- A form's credential is checked by the rules, not by a foreign key: Apply
-- takes a form.archived event only for a credential the store holds, read
-- in the same transaction that writes the form (central.apply1), and
-- credentials are never deleted. The foreign key checked it again for
-- each form with a row lock on the credential (SELECT ... FOR KEY SHARE),
-- which cost 35 to 50% of the forms' COPY in a drain of the desk's real
-- outbox (BENCHMARKS.md, "Draining the desk's real outbox"). TestFormsHaveCredentials
-- checks that no form is left without its credential.
ALTER TABLE forms DROP CONSTRAINT forms_credential_id_fkey;
