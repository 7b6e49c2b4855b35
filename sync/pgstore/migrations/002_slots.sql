-- One active credential per codice fiscale per slot (central.Slot): the PIN
-- telefonico has a slot of its own and lives alongside the PIN dispositivo.
DROP INDEX credentials_one_active;
CREATE UNIQUE INDEX credentials_one_active ON credentials (codice_fiscale, ((credential->>'type') = 'telefonico'))
    WHERE status = 'active';
