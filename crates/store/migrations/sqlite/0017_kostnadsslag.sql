-- Version 17: cost-type groupings of accounts for the operating statement
-- (docs/format/kostnadsslag.md), each stored with its version name and the
-- file's text, so that a statement names the grouping it used and can be
-- made again with it. `resurs kostnadsslag load FIL`.
CREATE TABLE kostnadsslag (
    id       INTEGER PRIMARY KEY,
    version  TEXT NOT NULL UNIQUE,
    innehall TEXT NOT NULL,
    sha256   TEXT NOT NULL,
    fil      TEXT NOT NULL,
    laddad   TEXT NOT NULL
);
