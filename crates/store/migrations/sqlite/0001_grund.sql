-- Resurs schema, version 1: organisation, providers, services, people (as
-- pseudonyms), volumes, ledger, budget, population and the import log.
-- Money is integer öre; quantities are integer hundredths; dates are
-- 'YYYY-MM-DD' text; visit times are minutes since 1970-01-01 00:00 local
-- time; periods are integers yyyymm (0 in budget.period = the whole year).

CREATE TABLE meta (
    nyckel TEXT PRIMARY KEY,
    varde  TEXT NOT NULL
);

CREATE TABLE import_logg (
    id         INTEGER PRIMARY KEY,
    typ        TEXT    NOT NULL,
    filnamn    TEXT    NOT NULL,
    sha256     TEXT    NOT NULL,
    rader      INTEGER NOT NULL,
    tillagda   INTEGER NOT NULL,
    importerad TEXT    NOT NULL,
    UNIQUE (typ, sha256)
);

CREATE TABLE org_nod (
    id          INTEGER PRIMARY KEY,
    kod         TEXT NOT NULL,
    namn        TEXT NOT NULL,
    niva        TEXT NOT NULL,
    overordnad  TEXT,
    giltig_fran TEXT NOT NULL,
    giltig_till TEXT,
    import_id   INTEGER NOT NULL,
    UNIQUE (kod, giltig_fran)
);

CREATE TABLE utforare (
    id        INTEGER PRIMARY KEY,
    kod       TEXT NOT NULL UNIQUE,
    namn      TEXT NOT NULL,
    regiform  TEXT NOT NULL,
    ansvar    TEXT,
    platser   INTEGER,
    import_id INTEGER NOT NULL
);

CREATE TABLE insats (
    id         INTEGER PRIMARY KEY,
    kod        TEXT NOT NULL UNIQUE,
    namn       TEXT NOT NULL,
    lagrum     TEXT NOT NULL,
    volymenhet TEXT NOT NULL,
    verksamhet TEXT NOT NULL,
    import_id  INTEGER NOT NULL
);

CREATE TABLE brukare (
    id        INTEGER PRIMARY KEY,
    pseudonym TEXT    NOT NULL UNIQUE,
    fodelsear INTEGER NOT NULL,
    kon       TEXT    NOT NULL,
    omrade    TEXT
);

CREATE TABLE personal (
    id        INTEGER PRIMARY KEY,
    pseudonym TEXT NOT NULL UNIQUE
);

CREATE TABLE beslut (
    id           INTEGER PRIMARY KEY,
    beslut_id    TEXT    NOT NULL UNIQUE,
    brukare_id   INTEGER NOT NULL,
    insats_id    INTEGER NOT NULL,
    lagrum       TEXT    NOT NULL,
    beviljad     INTEGER,
    niva         TEXT,
    utforare_id  INTEGER,
    beslutsdatum TEXT    NOT NULL,
    startdatum   TEXT,
    slutdatum    TEXT,
    import_id    INTEGER NOT NULL
);

CREATE TABLE besok (
    id          INTEGER PRIMARY KEY,
    utforare_id INTEGER NOT NULL,
    besok_id    TEXT    NOT NULL,
    brukare_id  INTEGER NOT NULL,
    insats_id   INTEGER NOT NULL,
    personal_id INTEGER NOT NULL,
    period      INTEGER NOT NULL,
    plan_start  INTEGER NOT NULL,
    plan_slut   INTEGER NOT NULL,
    fakt_start  INTEGER,
    fakt_slut   INTEGER,
    status      INTEGER NOT NULL,
    import_id   INTEGER NOT NULL,
    UNIQUE (utforare_id, besok_id)
);

CREATE TABLE vistelse (
    id          INTEGER PRIMARY KEY,
    vistelse_id TEXT    NOT NULL UNIQUE,
    brukare_id  INTEGER NOT NULL,
    utforare_id INTEGER NOT NULL,
    plats       TEXT    NOT NULL,
    inflyttning TEXT    NOT NULL,
    utflyttning TEXT,
    typ         TEXT    NOT NULL,
    import_id   INTEGER NOT NULL
);

CREATE TABLE narvaro (
    id          INTEGER PRIMARY KEY,
    brukare_id  INTEGER NOT NULL,
    utforare_id INTEGER NOT NULL,
    datum       TEXT    NOT NULL,
    omfattning  TEXT    NOT NULL,
    import_id   INTEGER NOT NULL,
    UNIQUE (brukare_id, utforare_id, datum)
);

CREATE TABLE placering (
    id           INTEGER PRIMARY KEY,
    placering_id TEXT    NOT NULL UNIQUE,
    brukare_id   INTEGER NOT NULL,
    malgrupp     TEXT    NOT NULL,
    typ          TEXT    NOT NULL,
    utforare_id  INTEGER NOT NULL,
    startdatum   TEXT    NOT NULL,
    slutdatum    TEXT,
    dygnskostnad INTEGER NOT NULL,
    import_id    INTEGER NOT NULL
);

CREATE TABLE assistans (
    id           INTEGER PRIMARY KEY,
    brukare_id   INTEGER NOT NULL,
    utforare_id  INTEGER NOT NULL,
    fran         TEXT    NOT NULL,
    till         TEXT    NOT NULL,
    beviljade    INTEGER NOT NULL,
    utforda      INTEGER NOT NULL,
    fk_timbelopp INTEGER NOT NULL,
    import_id    INTEGER NOT NULL,
    UNIQUE (brukare_id, fran)
);

CREATE TABLE huvudbok (
    id         INTEGER PRIMARY KEY,
    period     INTEGER NOT NULL,
    konto      TEXT    NOT NULL,
    ansvar     TEXT    NOT NULL,
    verksamhet TEXT    NOT NULL,
    belopp     INTEGER NOT NULL,
    text       TEXT,
    import_id  INTEGER NOT NULL
);

CREATE TABLE budget (
    id         INTEGER PRIMARY KEY,
    version    TEXT    NOT NULL,
    typ        TEXT    NOT NULL,
    ar         INTEGER NOT NULL,
    period     INTEGER NOT NULL,
    ansvar     TEXT    NOT NULL,
    konto      TEXT    NOT NULL,
    verksamhet TEXT    NOT NULL,
    belopp     INTEGER NOT NULL,
    import_id  INTEGER NOT NULL,
    UNIQUE (version, ar, period, ansvar, konto, verksamhet)
);

CREATE TABLE befolkning (
    id        INTEGER PRIMARY KEY,
    ar        INTEGER NOT NULL,
    alder     INTEGER NOT NULL,
    kon       TEXT    NOT NULL,
    antal     INTEGER NOT NULL,
    typ       TEXT    NOT NULL,
    import_id INTEGER NOT NULL,
    UNIQUE (ar, alder, kon, typ)
);

CREATE INDEX besok_period ON besok (period);
CREATE INDEX huvudbok_period ON huvudbok (period, ansvar);
