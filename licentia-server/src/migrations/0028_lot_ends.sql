-- The "to renew" report reads the lots ending in a window: those without
-- a contract by their renewal date, those with one by their contract.
CREATE INDEX purchases_renews ON purchases (renews_on);
CREATE INDEX purchases_contract ON purchases (contract_id);
