-- The highest revocation list number any replica has loaded: the floor
-- each replica holds its crl.pem to, so that an older list put back on
-- one of them is refused there as on the others (RaiseCRLNumber).
CREATE TABLE crl_number (
    id     boolean PRIMARY KEY DEFAULT true CHECK (id),
    number numeric NOT NULL CHECK (number >= 0)
);
