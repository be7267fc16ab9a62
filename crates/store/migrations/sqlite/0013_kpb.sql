-- Version 13: cost per brukare (KPB, issue 12). The allocation keys the
-- municipality chose (docs/format/fordelningsnycklar.md; an import replaces
-- the whole set) and stored KPB runs, so that pages answer from a run: a
-- run is current while `andring` equals the store's change counter. Values
-- are hundredths; `resultat` is the run as JSON (resurs_core::kpb::Kpb).
CREATE TABLE kpb_nyckel (
    id        INTEGER PRIMARY KEY,
    rad       INTEGER NOT NULL,
    pool      TEXT    NOT NULL,
    ansvar    TEXT    NOT NULL,
    nyckel    TEXT    NOT NULL,
    enhet     TEXT    NOT NULL,
    insats    TEXT,
    varde     INTEGER NOT NULL
);

CREATE TABLE kpb_korning (
    id       INTEGER PRIMARY KEY,
    fran     INTEGER NOT NULL,
    till     INTEGER NOT NULL,
    direkt   INTEGER NOT NULL,
    andring  INTEGER NOT NULL,
    skapad   TEXT    NOT NULL,
    resultat TEXT    NOT NULL,
    UNIQUE (fran, till, direkt)
);
