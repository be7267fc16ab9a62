-- Version 4: account names (from SIE #KONTO), for follow-up reports down to
-- account level.

CREATE TABLE konto (
    kod  TEXT PRIMARY KEY,
    namn TEXT NOT NULL
);
