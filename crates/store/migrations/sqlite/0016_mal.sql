-- Version 16: goals and indicators (docs/mal.md): the goal cascade, its
-- indicators with explicit target kinds, outcomes per period and gender,
-- assessments overridden with a written motivation, the key from goals to
-- organisation nodes (resources per goal), and saved demand-projection
-- scenarios (docs/efterfragan.md). Rows from a goal file carry their import.

CREATE TABLE mal (
    id          INTEGER PRIMARY KEY,
    kod         TEXT    NOT NULL UNIQUE,
    namn        TEXT    NOT NULL,
    niva        TEXT    NOT NULL,
    overordnad  TEXT,
    ansvarig    TEXT    NOT NULL,
    agenda2030  TEXT    NOT NULL,
    import_id   INTEGER
);

CREATE TABLE mal_nyckel (
    id         INTEGER PRIMARY KEY,
    mal        TEXT    NOT NULL,
    nod        TEXT    NOT NULL,
    andel      INTEGER NOT NULL,
    import_id  INTEGER,
    UNIQUE (mal, nod)
);

CREATE TABLE indikator (
    id          INTEGER PRIMARY KEY,
    kod         TEXT    NOT NULL UNIQUE,
    mal         TEXT    NOT NULL,
    namn        TEXT    NOT NULL,
    kolada      TEXT,
    matt        TEXT,
    enhet       TEXT    NOT NULL,
    baslinje    INTEGER,
    basar       INTEGER,
    malvarde    INTEGER NOT NULL,
    malslag     TEXT    NOT NULL,
    riktning    TEXT    NOT NULL,
    malar       INTEGER NOT NULL,
    ansvarig    TEXT    NOT NULL,
    frekvens    TEXT    NOT NULL,
    metod       TEXT    NOT NULL,
    import_id   INTEGER
);

CREATE TABLE indikator_utfall (
    id         INTEGER PRIMARY KEY,
    indikator  TEXT    NOT NULL,
    period     TEXT    NOT NULL,
    kon        TEXT    NOT NULL,
    varde      INTEGER NOT NULL,
    import_id  INTEGER,
    UNIQUE (indikator, period, kon)
);

CREATE TABLE mal_bedomning (
    id          INTEGER PRIMARY KEY,
    mal         TEXT    NOT NULL,
    ar          INTEGER NOT NULL,
    bedomning   TEXT    NOT NULL,
    motivering  TEXT    NOT NULL,
    av          TEXT    NOT NULL,
    tid         TEXT    NOT NULL,
    UNIQUE (mal, ar)
);

CREATE TABLE efterfragan_antagande (
    id        INTEGER PRIMARY KEY,
    scenario  TEXT    NOT NULL,
    tjanst    TEXT    NOT NULL,
    grupp     TEXT    NOT NULL,
    kon       TEXT    NOT NULL,
    andel     INTEGER NOT NULL,
    UNIQUE (scenario, tjanst, grupp, kon)
);

CREATE TABLE efterfragan_pris (
    id        INTEGER PRIMARY KEY,
    scenario  TEXT    NOT NULL,
    tjanst    TEXT    NOT NULL,
    pris      INTEGER NOT NULL,
    UNIQUE (scenario, tjanst)
);

CREATE INDEX indikator_mal ON indikator (mal);
