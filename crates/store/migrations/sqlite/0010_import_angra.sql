-- Values an import replaced rather than added (account names, a brukare's
-- område), so that `resurs import undo` can put them back. One row per
-- import and value: `fanns` = 0 when the import created the row (undo
-- deletes it), else `varde` is the value before the import.
CREATE TABLE import_ersatt (
    id        INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL,
    tabell    TEXT    NOT NULL,
    nyckel    TEXT    NOT NULL,
    fanns     INTEGER NOT NULL,
    varde     TEXT,
    UNIQUE (import_id, tabell, nyckel)
);
