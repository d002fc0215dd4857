-- npda 1.2: a child's submission, unit and audit period in one index probe.
-- Every edit of a child's data joins the child to its submission several
-- times: its unit for row security, its period for the KPI trigger's lock and
-- the closed-period rule, its data for scoring. A covering index lets those
-- joins read the submission from the index alone; without it the planner,
-- seeing a small table, hashed all the submissions for every edit.
CREATE INDEX submission_lookup ON npda.submission (id) INCLUDE (audit_period_id, paediatric_diabetes_unit_id, is_active);
