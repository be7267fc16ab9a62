-- Report versions (issue 14, docs/rapporter.md): a committee report as it
-- was made, so reopening it shows the same figures after new imports.
-- `innehall` is the document (sections, tables with their rows, charts) as
-- JSON; `kontrollsumma` the content checksum of the data it was made from;
-- `datalage` the budget, forecast and model versions used (JSON); `mall`
-- the template text. The written analysis per section is in
-- `rapport_text`, edited after the report was made.
CREATE TABLE rapport (
    id            INTEGER PRIMARY KEY,
    typ           TEXT    NOT NULL,
    period        INTEGER NOT NULL,
    nod           TEXT    NOT NULL,
    mall          TEXT    NOT NULL,
    kontrollsumma TEXT    NOT NULL,
    datalage      TEXT    NOT NULL,
    innehall      TEXT    NOT NULL,
    skapad_av     TEXT    NOT NULL,
    skapad        TEXT    NOT NULL
);
CREATE INDEX rapport_period ON rapport (period);

CREATE TABLE rapport_text (
    id       INTEGER PRIMARY KEY,
    rapport  INTEGER NOT NULL REFERENCES rapport(id),
    avsnitt  TEXT    NOT NULL,
    text     TEXT    NOT NULL,
    andrad_av TEXT   NOT NULL,
    andrad   TEXT    NOT NULL
);
CREATE UNIQUE INDEX rapport_text_avsnitt ON rapport_text (rapport, avsnitt);
