-- Nothing on SQLite: its writes take turns in one process, so no writer
-- waits on another's counter rows (PostgreSQL's 0044 writes them at
-- COMMIT).
SELECT 1;
