-- Version 7: registers followed beside the ledger (DOMAIN §6): intraprenad
-- balances, action plans and efficiency requirements, targeted state grants
-- and investments.

CREATE TABLE intraprenad_saldo (
    id        INTEGER PRIMARY KEY,
    ansvar    TEXT    NOT NULL,
    ar        INTEGER NOT NULL,
    ingaende  INTEGER,
    uttag     INTEGER NOT NULL,
    kommentar TEXT    NOT NULL,
    UNIQUE (ansvar, ar)
);

CREATE TABLE atgard (
    id        INTEGER PRIMARY KEY,
    slag      TEXT    NOT NULL,
    plan      TEXT    NOT NULL,
    nod       TEXT    NOT NULL,
    ar        INTEGER NOT NULL,
    atgard    TEXT    NOT NULL,
    planerad  INTEGER NOT NULL,
    hittills  INTEGER NOT NULL,
    prognos   INTEGER NOT NULL,
    kommentar TEXT    NOT NULL,
    UNIQUE (plan, ar, atgard)
);

CREATE TABLE statsbidrag (
    id            INTEGER PRIMARY KEY,
    namn          TEXT    NOT NULL,
    ar            INTEGER NOT NULL,
    nod           TEXT    NOT NULL,
    belopp        INTEGER NOT NULL,
    anvant        INTEGER NOT NULL,
    aterrapport   TEXT,
    aterbetalning INTEGER NOT NULL,
    kommentar     TEXT    NOT NULL,
    UNIQUE (namn, ar, nod)
);

CREATE TABLE investering (
    id        INTEGER PRIMARY KEY,
    projekt   TEXT    NOT NULL,
    ar        INTEGER NOT NULL,
    nod       TEXT    NOT NULL,
    budget    INTEGER NOT NULL,
    utfall    INTEGER NOT NULL,
    kommentar TEXT    NOT NULL,
    UNIQUE (projekt, ar)
);
