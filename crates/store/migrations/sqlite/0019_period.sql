-- Month close (docs/manadsstangning.md): the approval of each month and
-- provider, locked months and the a-conto advances paid.

-- One row per month and provider once a step has been taken (no row: utkast).
-- avrakning is the stored settlement run taken at approval (the snapshot),
-- belopp the provider's amount in it; underlag_nr the statement number.
CREATE TABLE period_status (
    id           INTEGER PRIMARY KEY,
    period       INTEGER NOT NULL,
    utforare     TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    avrakning    INTEGER,
    belopp       INTEGER,
    granskad_av  TEXT,
    granskad_tid TEXT,
    godkand_av   TEXT,
    godkand_tid  TEXT,
    bokford_av   TEXT,
    bokford_tid  TEXT,
    underlag_nr  INTEGER,
    UNIQUE (period, utforare)
);

-- Locked months: imports that would change their volumes or models are refused.
CREATE TABLE period_last (
    id     INTEGER PRIMARY KEY,
    period INTEGER NOT NULL UNIQUE,
    av     TEXT    NOT NULL,
    tid    TEXT    NOT NULL
);

-- A-conto advances paid per month and provider (from the approved a-conto run).
CREATE TABLE acconto_betalt (
    id       INTEGER PRIMARY KEY,
    period   INTEGER NOT NULL,
    utforare TEXT    NOT NULL,
    belopp   INTEGER NOT NULL,
    av       TEXT    NOT NULL,
    tid      TEXT    NOT NULL,
    UNIQUE (period, utforare)
);

-- Corrections of a locked month, booked in an open month (period) as
-- explicit adjustment lines ("rättelse avser" avser).
CREATE TABLE period_rattelse (
    id       INTEGER PRIMARY KEY,
    period   INTEGER NOT NULL,
    avser    INTEGER NOT NULL,
    utforare TEXT    NOT NULL,
    insats   TEXT    NOT NULL,
    belopp   INTEGER NOT NULL,
    text     TEXT    NOT NULL,
    av       TEXT    NOT NULL,
    tid      TEXT    NOT NULL
);
