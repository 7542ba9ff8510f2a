-- A machine's activations of a licence, newest last: the lookup each
-- activation makes for the machine's last one (deactivated or not) read
-- the licence's activations by date until it met the machine, all of
-- them for a new machine: slower with every seat a licence had filled.
CREATE INDEX activations_by_machine ON activations (license_id, fingerprint, created_at, id);
