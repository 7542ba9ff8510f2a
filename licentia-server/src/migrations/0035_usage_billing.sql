-- Usage billed as invoice lines: a plan's price per unit of each meter
-- beyond the units included each period (a JSON list of {meter,
-- unit_amount, included}, in the plan's currency), and, per counter, the
-- units of `used` an invoice has accounted for: the job bills only what
-- was consumed above them, moving them in the invoice's own transaction,
-- so a period is billed once (and a late offline report for it bills only
-- its extra units, on a later invoice).
ALTER TABLE plans ADD COLUMN meter_prices TEXT NOT NULL DEFAULT '[]';
ALTER TABLE usage_counters ADD COLUMN billed_used BIGINT NOT NULL DEFAULT 0;
