-- Users of the web application, API tokens and the audit log (issue 5).
-- Passwords and tokens are stored only as hashes (argon2id / SHA-256).

CREATE TABLE anvandare (
    id       INTEGER PRIMARY KEY,
    namn     TEXT    NOT NULL UNIQUE,
    roll     TEXT    NOT NULL,
    -- enhetschef: the node whose subtree the user sees and changes
    nod      TEXT,
    losenord TEXT    NOT NULL,
    aktiv    INTEGER NOT NULL DEFAULT 1,
    skapad   TEXT    NOT NULL
);

CREATE TABLE api_nyckel (
    id         INTEGER PRIMARY KEY,
    anvandare  INTEGER NOT NULL REFERENCES anvandare(id),
    namn       TEXT    NOT NULL,
    sha256     TEXT    NOT NULL UNIQUE,
    skapad     TEXT    NOT NULL,
    aterkallad TEXT
);

CREATE TABLE handelselogg (
    id       INTEGER PRIMARY KEY,
    tid      TEXT    NOT NULL,
    vem      TEXT    NOT NULL,
    handling TEXT    NOT NULL,
    objekt   TEXT    NOT NULL,
    fore     TEXT,
    efter    TEXT
);
CREATE INDEX handelselogg_tid ON handelselogg (tid);
