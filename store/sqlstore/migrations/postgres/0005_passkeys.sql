-- Version 5 is the passkeys migration (0005_passkeys.sql); this file only
-- holds its number until that migration is merged over it.
SELECT 1;
