-- Version 3: staffing type of LSS housing units (dagtackning, vaknatt), for the
-- basic amount per place in LSS compensation models (DOMAIN §4.3).

ALTER TABLE utforare ADD COLUMN bemanning TEXT;
