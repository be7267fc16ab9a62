-- Version 2: compensation model versions and stored settlement runs.

CREATE TABLE modell_version (
    id          INTEGER PRIMARY KEY,
    namn        TEXT NOT NULL,
    typ         TEXT NOT NULL,
    giltig_fran TEXT NOT NULL,
    giltig_till TEXT,
    innehall    TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    fil         TEXT NOT NULL,
    laddad      TEXT NOT NULL,
    UNIQUE (namn, giltig_fran)
);

CREATE TABLE avrakning (
    id              INTEGER PRIMARY KEY,
    period          INTEGER NOT NULL,
    skapad          TEXT    NOT NULL,
    fingeravtryck   TEXT    NOT NULL,
    modellversioner TEXT    NOT NULL,
    belopp          INTEGER NOT NULL,
    resultat        TEXT    NOT NULL
);
