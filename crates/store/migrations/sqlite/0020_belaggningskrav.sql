-- Required occupancy per housing unit (issue 12, docs/produktivitet.md):
-- hundredths of a percent (9500 = 95 %); empty = the report's default.
ALTER TABLE utforare ADD COLUMN belaggningskrav INTEGER;
