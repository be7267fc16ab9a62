-- Staff months from the staff import (`resurs import personal`, issue 12):
-- one row per employee (the pseudonym in `personal`), unit and month, with
-- hours in hundredths. Birth year and legal sex are taken from the
-- personnummer at import (the number itself is never stored), for the
-- breakdowns by sex and age band.
CREATE TABLE personal_manad (
    id            INTEGER PRIMARY KEY,
    personal_id   INTEGER NOT NULL,
    utforare_id   INTEGER NOT NULL,
    period        INTEGER NOT NULL,
    fodelsear     INTEGER NOT NULL,
    kon           TEXT    NOT NULL,
    avtalad       INTEGER NOT NULL,
    arbetad       INTEGER NOT NULL,
    sjuk_kort     INTEGER NOT NULL,
    sjuk_lang     INTEGER NOT NULL,
    sjukdagar     INTEGER NOT NULL,
    overtid       INTEGER NOT NULL,
    mertid        INTEGER NOT NULL,
    timavlonad    INTEGER NOT NULL,
    anstalld_fran TEXT    NOT NULL,
    anstalld_till TEXT,
    import_id     INTEGER NOT NULL,
    UNIQUE (personal_id, utforare_id, period)
);
CREATE INDEX personal_manad_period ON personal_manad (period);
