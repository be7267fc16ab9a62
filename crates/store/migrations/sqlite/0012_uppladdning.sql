-- Uploaded files waiting for the user to confirm the import (issue 15), in
-- the database instead of one server process's memory and directory, so
-- that any `resurs serve` on the same database can confirm an upload that
-- another one checked. The content is encrypted by the web server with a
-- key derived from the pseudonym key (never stored here); `mac` proves it
-- unchanged. `skapad` is unix milliseconds. Rows are deleted on
-- confirmation, discard and expiry.
CREATE TABLE uppladdning (
    id        TEXT    PRIMARY KEY,
    anvandare TEXT    NOT NULL,
    typ       TEXT    NOT NULL,
    filnamn   TEXT    NOT NULL,
    storlek   INTEGER NOT NULL,
    skapad    INTEGER NOT NULL,
    nonce     TEXT    NOT NULL,
    mac       TEXT    NOT NULL
);
CREATE INDEX uppladdning_anvandare ON uppladdning (anvandare);
CREATE INDEX uppladdning_skapad ON uppladdning (skapad);

-- The encrypted content in parts of at most 1 MiB, in order.
CREATE TABLE uppladdning_del (
    id          INTEGER PRIMARY KEY,
    uppladdning TEXT    NOT NULL REFERENCES uppladdning(id),
    nr          INTEGER NOT NULL,
    data        BLOB    NOT NULL
);
CREATE UNIQUE INDEX uppladdning_del_nr ON uppladdning_del (uppladdning, nr);
