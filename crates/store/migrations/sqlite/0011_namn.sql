-- Version 11: names everywhere a code is shown. The verification of a ledger
-- line (SIE #VER series and number, e.g. "A 1234"; empty for CSV ledgers
-- without one), and the register of activity codes (verksamhet) with their
-- names, imported with `resurs import verksamheter` (shipped defaults are
-- used for codes not in it).
ALTER TABLE huvudbok ADD COLUMN verifikation TEXT;

CREATE TABLE verksamhet (
    kod  TEXT PRIMARY KEY,
    namn TEXT NOT NULL
);
