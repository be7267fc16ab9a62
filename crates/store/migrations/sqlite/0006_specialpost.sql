-- Version 6: tagged special effects (*specialposter*, DOMAIN §6): a part of a
-- node's outcome in a month and/or of its full-year forecast, e.g. covid-19,
-- split into structural (volume changes) and other (extra costs).

CREATE TABLE specialpost (
    id        INTEGER PRIMARY KEY,
    tagg      TEXT    NOT NULL,
    del       TEXT    NOT NULL,
    nod       TEXT    NOT NULL,
    ar        INTEGER NOT NULL,
    period    INTEGER,
    utfall    INTEGER NOT NULL,
    prognos   INTEGER NOT NULL,
    kommentar TEXT    NOT NULL,
    skapad    TEXT    NOT NULL
);
