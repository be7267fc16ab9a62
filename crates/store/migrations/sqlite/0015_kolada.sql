-- Kolada figures and comparisons (docs/jamforelser.md): KPI and
-- municipality metadata, values per KPI, municipality, year and gender
-- (ten-thousandths; NULL when Kolada publishes no value), saved peer
-- groups, and the published net and reference costs per inhabitant that
-- the cost level page compares the ledger with.
CREATE TABLE kolada_kpi (
    id          INTEGER PRIMARY KEY,
    kpi         TEXT    NOT NULL UNIQUE,
    titel       TEXT    NOT NULL,
    beskrivning TEXT    NOT NULL,
    enhet       TEXT    NOT NULL,
    per_kon     INTEGER NOT NULL
);

CREATE TABLE kolada_kommun (
    id     INTEGER PRIMARY KEY,
    kod    TEXT    NOT NULL UNIQUE,
    namn   TEXT    NOT NULL,
    typ    TEXT    NOT NULL,
    grupp  TEXT    NOT NULL
);

CREATE TABLE kolada_varde (
    id     INTEGER PRIMARY KEY,
    kpi    TEXT    NOT NULL,
    kommun TEXT    NOT NULL,
    ar     INTEGER NOT NULL,
    kon    TEXT    NOT NULL,
    varde  INTEGER,
    antal  INTEGER,
    status TEXT    NOT NULL,
    UNIQUE (kpi, kommun, ar, kon)
);

CREATE TABLE jamforelsegrupp (
    id     INTEGER PRIMARY KEY,
    namn   TEXT    NOT NULL UNIQUE,
    slag   TEXT    NOT NULL,
    grupp  TEXT    NOT NULL
);

CREATE TABLE jamforelsegrupp_kommun (
    id       INTEGER PRIMARY KEY,
    grupp_id INTEGER NOT NULL,
    kommun   TEXT    NOT NULL,
    UNIQUE (grupp_id, kommun)
);

CREATE TABLE referenskostnad (
    id              INTEGER PRIMARY KEY,
    ar              INTEGER NOT NULL,
    omrade          TEXT    NOT NULL,
    kommun          TEXT    NOT NULL,
    nettokostnad    INTEGER NOT NULL,
    referenskostnad INTEGER,
    UNIQUE (ar, omrade, kommun)
);
