-- Version 5: forecast versions ("Prognos 1", "Månad 10", …) and the managers'
-- full-year forecasts per node of the organisation tree (DOMAIN §6).

CREATE TABLE prognos_version (
    id     INTEGER PRIMARY KEY,
    namn   TEXT    NOT NULL,
    ar     INTEGER NOT NULL,
    period INTEGER NOT NULL,
    skapad TEXT    NOT NULL,
    UNIQUE (namn, ar)
);

CREATE TABLE prognos (
    id         INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL,
    nod        TEXT    NOT NULL,
    belopp     INTEGER NOT NULL,
    kommentar  TEXT    NOT NULL,
    satt       TEXT    NOT NULL,
    UNIQUE (version_id, nod)
);
