-- Sessions and sign-in throttling in the database instead of one server
-- process's memory (issue 15), so that several `resurs serve` processes can
-- share one database and a restart signs no one out.

-- A signed-in browser session. Only the SHA-256 of the cookie token is
-- stored; `utgar` (unix seconds) moves forward as the session is used, at
-- most once a minute.
CREATE TABLE session (
    sha256    TEXT    PRIMARY KEY,
    anvandare INTEGER NOT NULL REFERENCES anvandare(id),
    csrf      TEXT    NOT NULL,
    skapad    INTEGER NOT NULL,
    utgar     INTEGER NOT NULL
);
CREATE INDEX session_anvandare ON session (anvandare);
CREATE INDEX session_utgar ON session (utgar);

-- Failed (and ongoing) sign-in attempts per key: name + address, name,
-- address. `forsta` starts the address key's window, `senaste` is the last
-- attempt (unix seconds); old rows are pruned.
CREATE TABLE inloggningsforsok (
    nyckel  TEXT    PRIMARY KEY,
    antal   INTEGER NOT NULL,
    forsta  INTEGER NOT NULL,
    senaste INTEGER NOT NULL
);
CREATE INDEX inloggningsforsok_senaste ON inloggningsforsok (senaste);
