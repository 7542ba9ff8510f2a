-- Whether the licences of a policy run in a virtual machine and in a
-- container (signed into each licence; the verdict refuses them with rules
-- 111 and 112). 1: allowed, every policy made before this migration.
ALTER TABLE policies ADD COLUMN allow_virtual_machines BIGINT NOT NULL DEFAULT 1;
ALTER TABLE policies ADD COLUMN allow_containers BIGINT NOT NULL DEFAULT 1;
