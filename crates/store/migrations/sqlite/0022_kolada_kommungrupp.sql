-- Kolada's municipality groups (docs/jamforelser.md): the groups Kolada
-- publishes under /v2/municipality_groups and /v3/municipality_groups
-- (id, title and members), imported with the other Kolada files. A peer
-- group can be saved from one (jamforelsegrupp.slag = 'kolada',
-- jamforelsegrupp.grupp = the group's id); its members are read from here.
CREATE TABLE kolada_kommungrupp (
    id    INTEGER PRIMARY KEY,
    gid   TEXT    NOT NULL UNIQUE,
    titel TEXT    NOT NULL
);

CREATE TABLE kolada_kommungrupp_medlem (
    id     INTEGER PRIMARY KEY,
    gid    TEXT    NOT NULL,
    kommun TEXT    NOT NULL,
    namn   TEXT    NOT NULL,
    UNIQUE (gid, kommun)
);
