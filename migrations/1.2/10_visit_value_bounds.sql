-- npda 1.2: every decimal measurement of a visit is bounded by the size its
-- field keeps (docs/error-codes.md "Ranges and column sizes": Decimal(p,s)).
-- The reader never stores a larger value (it is a value_too_large finding),
-- so these only refuse hand edits; without them an edit such as
-- hba1c = 1e400 reached the scoring trigger and failed there (22003).
ALTER TABLE npda.visit
  ADD CONSTRAINT visit_height_storable CHECK (height BETWEEN -999.9 AND 999.9),
  ADD CONSTRAINT visit_weight_storable CHECK (weight BETWEEN -999.9 AND 999.9),
  ADD CONSTRAINT visit_hba1c_storable CHECK (hba1c BETWEEN -999.99 AND 999.99),
  ADD CONSTRAINT visit_albumin_creatinine_ratio_storable CHECK (albumin_creatinine_ratio BETWEEN -9999.9 AND 9999.9),
  ADD CONSTRAINT visit_total_cholesterol_storable CHECK (total_cholesterol BETWEEN -99.9 AND 99.9),
  ADD CONSTRAINT visit_blood_gas_ph_storable CHECK (blood_gas_ph BETWEEN -9.99 AND 9.99),
  ADD CONSTRAINT visit_blood_gas_bicarbonate_storable CHECK (blood_gas_bicarbonate BETWEEN -99.9 AND 99.9);
