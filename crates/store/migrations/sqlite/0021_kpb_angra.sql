-- Version 21: undo of an allocation-key import (issue 12, docs/kpb.md). An
-- import of fördelningsnycklar is logged in import_logg like other files and
-- keeps its rows with the import that wrote them; the current keys are the
-- latest import's rows (rows from before this version have none and are the
-- oldest set). Undoing the latest key import removes its rows, so the set
-- before it is current again.
ALTER TABLE kpb_nyckel ADD COLUMN import_id INTEGER;
CREATE INDEX kpb_nyckel_import ON kpb_nyckel (import_id);
