-- Access: the group roles, who the caller is (a login mapped to an npda user,
-- or a person an application acts for with npda.act_as), the row policies on
-- every table of patient or per-PDU data, the closed-period and TRUNCATE
-- rules, the activity log, login tracking and lockout, adding users, and the
-- pseudonymised export (tables: migrations/1.2/70_access.sql; privileges:
-- sql/80_privileges.sql; the model in words: docs/access.md).
-- A current definition (sql/README.md): re-applied by every upgrade.
--
-- Every function here pins search_path. The SECURITY DEFINER ones run as the
-- extension's owner, which row security does not restrict, and each checks its
-- caller itself: the caller is always npda._outer_role() (the login, or the
-- role of SET ROLE), never current_user, which inside a SECURITY DEFINER
-- function is the owner.

-- ---- roles -----------------------------------------------------------------
-- Cluster-wide NOLOGIN groups, created when missing (a second database's
-- CREATE EXTENSION reuses them). Editors hold the readers' privileges and
-- coordinators the editors' (role membership); the audit team, analysts and
-- applications are granted theirs directly (sql/80_privileges.sql).
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'npda_audit_team') THEN
    CREATE ROLE npda_audit_team NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'npda_reader') THEN
    CREATE ROLE npda_reader NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'npda_editor') THEN
    CREATE ROLE npda_editor NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'npda_coordinator') THEN
    CREATE ROLE npda_coordinator NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'npda_analyst') THEN
    CREATE ROLE npda_analyst NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'npda_application') THEN
    CREATE ROLE npda_application NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_auth_members m
                  WHERE m.roleid = 'npda_reader'::regrole AND m.member = 'npda_editor'::regrole) THEN
    GRANT npda_reader TO npda_editor;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_auth_members m
                  WHERE m.roleid = 'npda_editor'::regrole AND m.member = 'npda_coordinator'::regrole) THEN
    GRANT npda_editor TO npda_coordinator;
  END IF;
END
$$;
COMMENT ON ROLE npda_audit_team IS 'npda group: the RCPCH NPDA audit team; every unit, closed periods included, user management, re-scores and the pseudonymised export (created by the npda extension).';
COMMENT ON ROLE npda_coordinator IS 'npda group: an editor who also manages the users of their units (created by the npda extension).';
COMMENT ON ROLE npda_editor IS 'npda group: submits and edits the data of their units in open audit periods (created by the npda extension).';
COMMENT ON ROLE npda_reader IS 'npda group: reads the data of their units (created by the npda extension).';
COMMENT ON ROLE npda_analyst IS 'npda group: aggregates and the pseudonymised export only, no identifying column (created by the npda extension).';
COMMENT ON ROLE npda_application IS 'npda group: a pooled application login that acts for one person per transaction through npda.act_as (created by the npda extension).';

-- ---- comments on the tables --------------------------------------------------
COMMENT ON TABLE npda.npda_user IS
  'The people who use npda (NPDAUser): a login e-mail, a role and the units they work at (npda.organisation_employer). A person reaches the database either through a login role of their own (db_role) or through an application that calls npda.act_as(email). Created by npda.add_user; never deleted (is_active = false instead), so the activity log keeps its subjects.';
COMMENT ON COLUMN npda.npda_user.id IS 'Surrogate key.';
COMMENT ON COLUMN npda.npda_user.email IS 'Login e-mail; unique whatever its case (index npda_user_email on lower(email)).';
COMMENT ON COLUMN npda.npda_user.title IS 'Title: 1 Mr, 2 Mrs, 3 Ms, 4 Dr, 5 Professor.';
COMMENT ON COLUMN npda.npda_user.first_name IS 'First name.';
COMMENT ON COLUMN npda.npda_user.surname IS 'Surname.';
COMMENT ON COLUMN npda.npda_user.role IS 'reader, editor, coordinator (their units), analyst (aggregates and the pseudonymised export) or audit_team (everything). Decides what the person may do through npda.act_as, and which group role their db_role is granted.';
COMMENT ON COLUMN npda.npda_user.is_active IS 'False for a person who may no longer use npda: no row is visible to them, npda.act_as refuses them, and their db_role loses its group role.';
COMMENT ON COLUMN npda.npda_user.db_role IS 'The PostgreSQL login role the person uses directly, when they have one; it holds the group role of their role (npda_reader, ...). NULL for people who come only through an application.';
COMMENT ON COLUMN npda.npda_user.created_at IS 'When the user was created.';
COMMENT ON COLUMN npda.npda_user.created_by IS 'Who created it: the acting person''s e-mail, or the database session user.';
COMMENT ON COLUMN npda.npda_user.updated_at IS 'Last change.';
COMMENT ON COLUMN npda.npda_user.updated_by IS 'Who made the last change (as created_by).';
COMMENT ON TABLE npda.organisation_employer IS
  'The units (PDUs) a user works at (OrganisationEmployer); a user of several units has exactly one primary one. Readers, editors and coordinators see and change the data of these units only.';
COMMENT ON COLUMN npda.organisation_employer.id IS 'Surrogate key.';
COMMENT ON COLUMN npda.organisation_employer.npda_user_id IS 'The user (npda.npda_user.id).';
COMMENT ON COLUMN npda.organisation_employer.paediatric_diabetes_unit_id IS 'The unit (npda.paediatric_diabetes_unit.id).';
COMMENT ON COLUMN npda.organisation_employer.is_primary_employer IS 'The user''s primary unit: exactly one per user that has any (checked at commit); recorded with logins.';
COMMENT ON TABLE npda.activity_code IS 'The 13 activity codes of npda.visit_activity, as in the reference platform.';
COMMENT ON COLUMN npda.activity_code.code IS 'Activity code, 1-13.';
COMMENT ON COLUMN npda.activity_code.label IS 'What happened.';
COMMENT ON TABLE npda.visit_activity IS
  'The activity log (VisitActivity), append-only, without foreign keys (each would cost every edit a lookup and a row lock; a user it names cannot be deleted, NP210): logins and failed logins (npda.record_login), lockouts, logouts and the other application events (npda.record_activity), CSV uploads (npda.submit_csv), edits of patient data (once per statement and user) and changes to users, units and roles (with the admin who made them). Superuser sessions that act for nobody (maintenance, pg_restore) are not logged. Read it through the row policies: your own rows; a coordinator also those of their units; the audit team all.';
COMMENT ON COLUMN npda.visit_activity.id IS 'Surrogate key; also the order of rows logged at the same instant.';
COMMENT ON COLUMN npda.visit_activity.npda_user_id IS 'npda.npda_user.id of the person the activity is about (the one logging in, submitting, editing, or whose record was changed); NULL for a login role that is no npda user.';
COMMENT ON COLUMN npda.visit_activity.activity_at IS 'When it happened (clock time). The lockout rule reads these times.';
COMMENT ON COLUMN npda.visit_activity.activity IS 'What happened (the labels are in npda.activity_code; constraint visit_activity_code keeps it within 1-13): 1 login, 2 failed login, 3 logout, 4 reset link sent, 5 reset done, 6 lockout, 7 two-factor set up, 8 CSV uploaded, 9 patient data touched, 10 user created, 11 user changed, 12 role changed, 13 admin status changed.';
COMMENT ON COLUMN npda.visit_activity.ip_address IS 'Client address given by the application (logins and application events).';
COMMENT ON COLUMN npda.visit_activity.user_agent IS 'Client user agent given by the application.';
COMMENT ON COLUMN npda.visit_activity.paediatric_diabetes_unit_id IS 'npda.paediatric_diabetes_unit.id of the unit concerned: the user''s primary unit for logins, the submitting unit for uploads, the unit of the rows touched by an edit (NULL when several), the unit of a changed employment.';
COMMENT ON COLUMN npda.visit_activity.admin_user_id IS 'Codes 10-13: npda.npda_user.id of the user who made the change (NULL when it was a login role that is no npda user).';
COMMENT ON COLUMN npda.visit_activity.db_role IS 'The database session user of the connection (the application''s login when it acts for someone).';
COMMENT ON COLUMN npda.visit_activity.details IS 'What else is known, as JSON: the table, operation and row count of an edit, the submission of an upload, the changed fields of a user.';
COMMENT ON TABLE npda.access_setting IS
  'The lockout rule, one row: lockout_failures consecutive failed logins within lockout_window lock the account for lockout_duration (defaults 5, 5 minutes, 10 minutes). The audit team may change them: UPDATE npda.access_setting SET lockout_duration = ''15 minutes''.';
COMMENT ON COLUMN npda.access_setting.id IS 'Always true: the table has one row.';
COMMENT ON COLUMN npda.access_setting.lockout_failures IS 'Consecutive failed logins (code 2) that lock an account (default 5).';
COMMENT ON COLUMN npda.access_setting.lockout_window IS 'The failures must all fall within this interval (default 5 minutes).';
COMMENT ON COLUMN npda.access_setting.lockout_duration IS 'How long the lockout lasts, from the lockout (code 6) row (default 10 minutes).';
COMMENT ON TABLE npda.pseudonym_secret IS
  'The secret key of the pseudonymised child key (HMAC-SHA-256), one row. Only the audit team may read it or rotate it (npda.rotate_pseudonym_secret()); rotating changes every child key, so keys of exports made before no longer match. Kept by pg_dump: a restored database gives the same keys.';
COMMENT ON COLUMN npda.pseudonym_secret.id IS 'Always true: the table has one row.';
COMMENT ON COLUMN npda.pseudonym_secret.secret IS 'The key, at least 32 random bytes.';
COMMENT ON COLUMN npda.pseudonym_secret.created_at IS 'When this key was drawn.';

-- ---- the caller ------------------------------------------------------------
CREATE OR REPLACE FUNCTION npda._outer_role() RETURNS name
  AS 'MODULE_PATHNAME', '_outer_role'
  LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION npda._outer_role() IS
  'Internal: the role the session has outside any SECURITY DEFINER function: the login, or the role set by SET ROLE or SET SESSION AUTHORIZATION. The access model''s notion of who is calling.';
CREATE OR REPLACE FUNCTION npda._acting_user_id() RETURNS bigint
  AS 'MODULE_PATHNAME', '_acting_user_id'
  LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION npda._acting_user_id() IS
  'Internal: the npda.npda_user id this transaction acts for (npda.act_as), or NULL. Kept in the backend''s memory, not in a setting, and forgotten when the transaction ends.';
CREATE OR REPLACE FUNCTION npda._set_acting_user(user_id bigint) RETURNS void
  AS 'MODULE_PATHNAME', '_set_acting_user'
  LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION npda._set_acting_user(bigint) IS
  'Internal: record the person this transaction acts for. Only npda.act_as calls it, after its checks; no role but the extension''s owner may execute it.';

-- Worked out in C (src/pg/scope.cpp), once per statement, for both the SQL
-- functions that ask it and the row policies: one answer per statement.
CREATE OR REPLACE FUNCTION npda._caller(OUT user_id bigint, OUT role text, OUT unlogged boolean, OUT units bigint[])
  AS 'MODULE_PATHNAME', '_caller'
  LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION npda._caller() IS
  'Internal: who is calling, worked out once per statement (again after a change to users, employments or roles). The person npda.act_as named in this transaction; otherwise the active npda user whose db_role is the outer role (npda._outer_role()); a superuser, or a member of npda_audit_team that is no npda user, counts as the audit team. role is NULL for anyone else (no access to patient data). unlogged is true for a superuser acting for nobody (not written to the activity log). units: the units a reader, editor or coordinator is employed at (empty for other roles). Reads the users as the owner of npda''s tables, with search_path pinned to pg_catalog.';
CREATE OR REPLACE FUNCTION npda._caller_sees_all() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
RETURN coalesce((npda._caller()).role = 'audit_team', false);
COMMENT ON FUNCTION npda._caller_sees_all() IS
  'Internal: true when the caller is the audit team (or a superuser): every unit, closed periods included.';
CREATE OR REPLACE FUNCTION npda._caller_label() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
RETURN coalesce((SELECT u.email FROM npda.npda_user u WHERE u.id = npda._acting_user_id()), session_user::text);
COMMENT ON FUNCTION npda._caller_label() IS
  'Internal: the e-mail of the person this transaction acts for, otherwise the session user: npda.submission.submitted_by, npda.npda_user.created_by and updated_by.';

-- The caller's units for a purpose: 'read' (readers, editors, coordinators),
-- 'write' (editors, coordinators) or 'manage' users (coordinators). Empty for
-- the audit team, whose policies pass through npda._caller_sees_all() instead,
-- and for everyone else.
CREATE OR REPLACE FUNCTION npda._caller_pdu_ids(purpose text) RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c record := npda._caller();
BEGIN
  IF c.user_id IS NULL
     OR NOT (CASE purpose
               WHEN 'read' THEN c.role IN ('reader', 'editor', 'coordinator')
               WHEN 'write' THEN c.role IN ('editor', 'coordinator')
               WHEN 'manage' THEN c.role = 'coordinator'
               ELSE false END) THEN
    RETURN '{}';
  END IF;
  RETURN c.units;
END
$$;
COMMENT ON FUNCTION npda._caller_pdu_ids(text) IS
  'Internal: ids of the units whose data the caller may ''read'' (reader, editor, coordinator), ''write'' (editor, coordinator) or whose users they may ''manage'' (coordinator): the units they are employed at. Empty otherwise, the audit team included (see npda._caller_sees_all()).';
CREATE OR REPLACE FUNCTION npda._caller_submission_ids(purpose text) RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  units bigint[] := npda._caller_pdu_ids(purpose);
  ids bigint[];
BEGIN
  IF cardinality(units) = 0 THEN
    RETURN '{}';
  END IF;
  SELECT coalesce(array_agg(s.id), '{}') INTO ids FROM npda.submission s WHERE s.paediatric_diabetes_unit_id = ANY (units);
  RETURN ids;
END
$$;
COMMENT ON FUNCTION npda._caller_submission_ids(text) IS
  'Internal: ids of the submissions of the caller''s units for a purpose (npda._caller_pdu_ids).';
CREATE OR REPLACE FUNCTION npda._caller_patient_ids(purpose text) RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  units bigint[] := npda._caller_pdu_ids(purpose);
  ids bigint[];
BEGIN
  IF cardinality(units) = 0 THEN
    RETURN '{}';
  END IF;
  SELECT coalesce(array_agg(p.id), '{}') INTO ids
    FROM npda.submission s JOIN npda.patient p ON p.submission_id = s.id
   WHERE s.paediatric_diabetes_unit_id = ANY (units);
  RETURN ids;
END
$$;
COMMENT ON FUNCTION npda._caller_patient_ids(text) IS
  'Internal: ids of the children (npda.patient) of the caller''s units for a purpose (npda._caller_pdu_ids); npda._scope_patient takes them when a statement touches many children.';
CREATE OR REPLACE FUNCTION npda._caller_user_ids(purpose text) RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  units bigint[] := npda._caller_pdu_ids(purpose);
  ids bigint[];
BEGIN
  IF cardinality(units) = 0 THEN
    RETURN '{}';
  END IF;
  SELECT coalesce(array_agg(DISTINCT e.npda_user_id), '{}') INTO ids
    FROM npda.organisation_employer e WHERE e.paediatric_diabetes_unit_id = ANY (units);
  RETURN ids;
END
$$;
COMMENT ON FUNCTION npda._caller_user_ids(text) IS
  'Internal: ids of the users employed at the caller''s units for a purpose (npda._caller_pdu_ids).';
CREATE OR REPLACE FUNCTION npda._caller_may_write_pdu(pdu_id bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
RETURN npda._caller_sees_all() OR pdu_id = ANY (npda._caller_pdu_ids('write'));
COMMENT ON FUNCTION npda._caller_may_write_pdu(bigint) IS
  'Internal: whether the caller may submit or change data of this unit (npda.submit_csv asks it).';
CREATE OR REPLACE FUNCTION npda._user_role(user_id bigint) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
RETURN (SELECT u.role FROM npda.npda_user u WHERE u.id = user_id);
COMMENT ON FUNCTION npda._user_role(bigint) IS
  'Internal: the role of a user, for the policy that lets a coordinator employ only readers, editors and coordinators at their units.';

-- Refuse what the caller's role may not do, with our SQLSTATE.
CREATE OR REPLACE FUNCTION npda._require_role(allowed text[], action text) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c record := npda._caller();
BEGIN
  IF c.role IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'NP201',
      MESSAGE = format('%s: role %s is no npda user', action, npda._outer_role()),
      HINT = 'Log in as an npda user, or let the application call npda.act_as(email) first in the transaction.';
  ELSIF NOT c.role = ANY (allowed) THEN
    RAISE EXCEPTION USING ERRCODE = 'NP201',
      MESSAGE = format('%s is not allowed to a user with role %s', action, c.role),
      DETAIL = format('Allowed to: %s.', array_to_string(allowed, ', '));
  END IF;
END
$$;
COMMENT ON FUNCTION npda._require_role(text[], text) IS
  'Internal: raise NP201 unless the caller''s npda role is one of those allowed for the action.';

-- ---- row policies ----------------------------------------------------------
-- Enabling row security is kept with the policies (sql/README.md): a policy
-- without it, or the reverse, is no protection. Superusers and the table
-- owner (the extension's owner) are not subject to them; the definer-rights
-- functions of npda (scoring, submission, the triggers) run as that owner.
--
-- Each policy asks a C function, row by row, whether the caller may read or
-- write the row's unit, submission, child or user. Who the caller is is
-- worked out once per statement, what they may see once per command, and
-- both are kept in the backend (src/pg/scope.cpp), so a one-row edit costs
-- one lookup and a scan one hash probe per row. The functions read as the
-- owner of the tables with search_path pinned, or call the definer-rights
-- helpers above directly, and look no name up through the caller's
-- search_path, so they need no SET clause (which would cost a setting save
-- and restore per row).
CREATE OR REPLACE FUNCTION npda._scope_all() RETURNS boolean
  AS 'MODULE_PATHNAME', '_scope_all' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION npda._scope_all() IS
  'Row policies: true when the caller is the audit team (or a superuser), who may read and change every row.';
CREATE OR REPLACE FUNCTION npda._scope_unit(purpose text, pdu_id bigint) RETURNS boolean
  AS 'MODULE_PATHNAME', '_scope_unit' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION npda._scope_unit(text, bigint) IS
  'Row policies: whether the caller may ''read'' (reader, editor, coordinator) or ''write'' (editor, coordinator) the data of this unit, or ''manage'' its users (coordinator): a unit they are employed at. Always true for the audit team.';
CREATE OR REPLACE FUNCTION npda._scope_submission(purpose text, submission_id bigint) RETURNS boolean
  AS 'MODULE_PATHNAME', '_scope_submission' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION npda._scope_submission(text, bigint) IS
  'Row policies: whether the caller may ''read'' or ''write'' the data of this submission (one of their units'').';
CREATE OR REPLACE FUNCTION npda._scope_patient(purpose text, patient_id bigint) RETURNS boolean
  AS 'MODULE_PATHNAME', '_scope_patient' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION npda._scope_patient(text, bigint) IS
  'Row policies: whether the caller may ''read'' or ''write'' the data of this child (npda.patient.id) (a child of one of their units).';
CREATE OR REPLACE FUNCTION npda._scope_user(purpose text, user_id bigint) RETURNS boolean
  AS 'MODULE_PATHNAME', '_scope_user' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION npda._scope_user(text, bigint) IS
  'Row policies: whether the user is the caller (''self''), the caller or a user of their units (''read''), or a user of the units they coordinate (''manage''). Always true for the audit team.';

ALTER TABLE npda.submission ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS submission_read ON npda.submission;
CREATE POLICY submission_read ON npda.submission FOR SELECT
  USING (npda._scope_unit('read', paediatric_diabetes_unit_id));
DROP POLICY IF EXISTS submission_update ON npda.submission;
CREATE POLICY submission_update ON npda.submission FOR UPDATE
  USING (npda._scope_unit('write', paediatric_diabetes_unit_id))
  WITH CHECK (npda._scope_unit('write', paediatric_diabetes_unit_id));
DROP POLICY IF EXISTS submission_delete ON npda.submission;
CREATE POLICY submission_delete ON npda.submission FOR DELETE
  USING (npda._scope_unit('write', paediatric_diabetes_unit_id));
COMMENT ON POLICY submission_read ON npda.submission IS 'The audit team reads every submission; readers, editors and coordinators those of their units.';
COMMENT ON POLICY submission_update ON npda.submission IS 'Editors and coordinators may withdraw (is_active) submissions of their units; the audit team any. Closed periods: npda._patient_data_changed().';
COMMENT ON POLICY submission_delete ON npda.submission IS 'Editors and coordinators may delete withdrawn submissions of their units; the audit team any.';

ALTER TABLE npda.submission_error ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS submission_error_read ON npda.submission_error;
CREATE POLICY submission_error_read ON npda.submission_error FOR SELECT
  USING (npda._scope_submission('read', submission_id));
COMMENT ON POLICY submission_error_read ON npda.submission_error IS 'Findings are read with their submission; only npda.submit_csv writes them.';

ALTER TABLE npda.patient ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS patient_read ON npda.patient;
CREATE POLICY patient_read ON npda.patient FOR SELECT
  USING (npda._scope_submission('read', submission_id));
DROP POLICY IF EXISTS patient_insert ON npda.patient;
CREATE POLICY patient_insert ON npda.patient FOR INSERT
  WITH CHECK (npda._scope_submission('write', submission_id));
DROP POLICY IF EXISTS patient_update ON npda.patient;
CREATE POLICY patient_update ON npda.patient FOR UPDATE
  USING (npda._scope_submission('write', submission_id))
  WITH CHECK (npda._scope_submission('write', submission_id));
DROP POLICY IF EXISTS patient_delete ON npda.patient;
CREATE POLICY patient_delete ON npda.patient FOR DELETE
  USING (npda._scope_submission('write', submission_id));
COMMENT ON POLICY patient_read ON npda.patient IS 'Children of the caller''s units (readers, editors, coordinators); all for the audit team.';
COMMENT ON POLICY patient_insert ON npda.patient IS 'Editors and coordinators add children to submissions of their units.';
COMMENT ON POLICY patient_update ON npda.patient IS 'Editors and coordinators change children of their units, and cannot move one to another unit.';
COMMENT ON POLICY patient_delete ON npda.patient IS 'Editors and coordinators remove children of their units.';

-- Visits and leaving data, through their child.
ALTER TABLE npda.visit ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS visit_read ON npda.visit;
CREATE POLICY visit_read ON npda.visit FOR SELECT
  USING (npda._scope_patient('read', patient_id));
DROP POLICY IF EXISTS visit_insert ON npda.visit;
CREATE POLICY visit_insert ON npda.visit FOR INSERT
  WITH CHECK (npda._scope_patient('write', patient_id));
DROP POLICY IF EXISTS visit_update ON npda.visit;
CREATE POLICY visit_update ON npda.visit FOR UPDATE
  USING (npda._scope_patient('write', patient_id))
  WITH CHECK (npda._scope_patient('write', patient_id));
DROP POLICY IF EXISTS visit_delete ON npda.visit;
CREATE POLICY visit_delete ON npda.visit FOR DELETE
  USING (npda._scope_patient('write', patient_id));
COMMENT ON POLICY visit_read ON npda.visit IS 'Visits of children of the caller''s units; all for the audit team.';
COMMENT ON POLICY visit_insert ON npda.visit IS 'Editors and coordinators add visits to children of their units.';
COMMENT ON POLICY visit_update ON npda.visit IS 'Editors and coordinators change visits of children of their units.';
COMMENT ON POLICY visit_delete ON npda.visit IS 'Editors and coordinators remove visits of children of their units.';

ALTER TABLE npda.transfer ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS transfer_read ON npda.transfer;
CREATE POLICY transfer_read ON npda.transfer FOR SELECT
  USING (npda._scope_patient('read', patient_id));
DROP POLICY IF EXISTS transfer_insert ON npda.transfer;
CREATE POLICY transfer_insert ON npda.transfer FOR INSERT
  WITH CHECK (npda._scope_patient('write', patient_id) AND npda._scope_unit('write', paediatric_diabetes_unit_id));
DROP POLICY IF EXISTS transfer_update ON npda.transfer;
CREATE POLICY transfer_update ON npda.transfer FOR UPDATE
  USING (npda._scope_patient('write', patient_id))
  WITH CHECK (npda._scope_patient('write', patient_id) AND npda._scope_unit('write', paediatric_diabetes_unit_id));
DROP POLICY IF EXISTS transfer_delete ON npda.transfer;
CREATE POLICY transfer_delete ON npda.transfer FOR DELETE
  USING (npda._scope_patient('write', patient_id));
COMMENT ON POLICY transfer_read ON npda.transfer IS 'Leaving data of children of the caller''s units; all for the audit team.';
COMMENT ON POLICY transfer_insert ON npda.transfer IS 'Editors and coordinators record leaving data of children of their units, under one of their units.';
COMMENT ON POLICY transfer_update ON npda.transfer IS 'Editors and coordinators change leaving data of children of their units, and cannot name another unit.';
COMMENT ON POLICY transfer_delete ON npda.transfer IS 'Editors and coordinators remove leaving data of children of their units.';

ALTER TABLE npda.patient_kpi_score ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS patient_kpi_score_read ON npda.patient_kpi_score;
CREATE POLICY patient_kpi_score_read ON npda.patient_kpi_score FOR SELECT
  USING (npda._scope_patient('read', patient_id));
COMMENT ON POLICY patient_kpi_score_read ON npda.patient_kpi_score IS 'Scores of children of the caller''s units; all for the audit team. Only the scoring code (definer rights) writes scores, so they stay current whoever edits.';

ALTER TABLE npda.npda_user ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS npda_user_read ON npda.npda_user;
CREATE POLICY npda_user_read ON npda.npda_user FOR SELECT
  USING (npda._scope_user('read', id));
DROP POLICY IF EXISTS npda_user_update ON npda.npda_user;
CREATE POLICY npda_user_update ON npda.npda_user FOR UPDATE
  USING (npda._scope_all() OR (npda._scope_user('manage', id) AND role IN ('reader', 'editor', 'coordinator')))
  WITH CHECK (npda._scope_all() OR (npda._scope_user('manage', id) AND role IN ('reader', 'editor', 'coordinator')));
COMMENT ON POLICY npda_user_read ON npda.npda_user IS 'Yourself, the users of your units (readers, editors, coordinators), everyone for the audit team.';
COMMENT ON POLICY npda_user_update ON npda.npda_user IS 'Coordinators change the readers, editors and coordinators of their units, and cannot make anyone an analyst or audit team member; the audit team changes anyone. New users come from npda.add_user.';

ALTER TABLE npda.organisation_employer ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS organisation_employer_read ON npda.organisation_employer;
CREATE POLICY organisation_employer_read ON npda.organisation_employer FOR SELECT
  USING (npda._scope_user('self', npda_user_id) OR npda._scope_unit('read', paediatric_diabetes_unit_id));
DROP POLICY IF EXISTS organisation_employer_insert ON npda.organisation_employer;
CREATE POLICY organisation_employer_insert ON npda.organisation_employer FOR INSERT
  WITH CHECK (npda._scope_all()
              OR (npda._scope_unit('manage', paediatric_diabetes_unit_id)
                  AND npda._user_role(npda_user_id) IN ('reader', 'editor', 'coordinator')));
DROP POLICY IF EXISTS organisation_employer_update ON npda.organisation_employer;
CREATE POLICY organisation_employer_update ON npda.organisation_employer FOR UPDATE
  USING (npda._scope_all()
         OR (npda._scope_unit('manage', paediatric_diabetes_unit_id)
             AND npda._user_role(npda_user_id) IN ('reader', 'editor', 'coordinator')))
  WITH CHECK (npda._scope_all()
              OR (npda._scope_unit('manage', paediatric_diabetes_unit_id)
                  AND npda._user_role(npda_user_id) IN ('reader', 'editor', 'coordinator')));
DROP POLICY IF EXISTS organisation_employer_delete ON npda.organisation_employer;
CREATE POLICY organisation_employer_delete ON npda.organisation_employer FOR DELETE
  USING (npda._scope_all()
         OR (npda._scope_unit('manage', paediatric_diabetes_unit_id)
             AND npda._user_role(npda_user_id) IN ('reader', 'editor', 'coordinator')));
COMMENT ON POLICY organisation_employer_read ON npda.organisation_employer IS 'Your own units, the employments at your units, all for the audit team.';
COMMENT ON POLICY organisation_employer_insert ON npda.organisation_employer IS 'Coordinators employ readers, editors and coordinators at their own units; the audit team anyone anywhere.';
COMMENT ON POLICY organisation_employer_update ON npda.organisation_employer IS 'Coordinators change employments at their own units (the primary flag); the audit team any.';
COMMENT ON POLICY organisation_employer_delete ON npda.organisation_employer IS 'Coordinators end employments at their own units; the audit team any.';

ALTER TABLE npda.visit_activity ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS visit_activity_read ON npda.visit_activity;
CREATE POLICY visit_activity_read ON npda.visit_activity FOR SELECT
  USING (npda._scope_user('self', npda_user_id) OR npda._scope_unit('manage', paediatric_diabetes_unit_id));
COMMENT ON POLICY visit_activity_read ON npda.visit_activity IS 'Your own activity; a coordinator also that of their units; the audit team all. Nobody writes the log directly.';

-- ---- the activity log --------------------------------------------------------
CREATE OR REPLACE FUNCTION npda._log_activity(activity integer, user_id bigint, pdu_id bigint DEFAULT NULL,
                                              admin_id bigint DEFAULT NULL, ip_address inet DEFAULT NULL,
                                              user_agent text DEFAULT NULL, details jsonb DEFAULT NULL) RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  INSERT INTO npda.visit_activity (npda_user_id, activity, paediatric_diabetes_unit_id, admin_user_id, ip_address, user_agent, details)
  VALUES (user_id, activity, pdu_id, admin_id, ip_address, user_agent, details)
  RETURNING id;
END;
COMMENT ON FUNCTION npda._log_activity(integer, bigint, bigint, bigint, inet, text, jsonb) IS
  'Internal: append a row to npda.visit_activity; returns its id.';

-- Edits of patient data: the closed-period rule for every path, and one log
-- row (code 9) per statement. TG_ARGV[0] says where the rows lead to their
-- submission: 'patient_id' (visit, transfer), 'submission_id' (patient) or
-- 'id' (submission). npda.submit_csv writes under the bulk-load flag, having
-- checked the period itself, and logs code 8 instead.
CREATE OR REPLACE FUNCTION npda._patient_data_changed() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c record;
  touched record;
BEGIN
  IF npda._bulk_load_active() THEN
    RETURN NULL;
  END IF;
  -- Static statements per table shape and event (plans kept, as in the KPI trigger).
  IF TG_ARGV[0] = 'patient_id' THEN
    IF TG_OP = 'INSERT' THEN
      SELECT bool_or(NOT ap.is_open) AS closed, min(s.paediatric_diabetes_unit_id) AS low,
             max(s.paediatric_diabetes_unit_id) AS high, count(*) AS n INTO touched
        FROM changed_new x JOIN npda.patient p ON p.id = x.patient_id JOIN npda.submission s ON s.id = p.submission_id
        JOIN npda.audit_period ap ON ap.id = s.audit_period_id;
    ELSIF TG_OP = 'DELETE' THEN
      SELECT bool_or(NOT ap.is_open) AS closed, min(s.paediatric_diabetes_unit_id) AS low,
             max(s.paediatric_diabetes_unit_id) AS high, count(*) AS n INTO touched
        FROM changed_old x JOIN npda.patient p ON p.id = x.patient_id JOIN npda.submission s ON s.id = p.submission_id
        JOIN npda.audit_period ap ON ap.id = s.audit_period_id;
    ELSE
      SELECT bool_or(NOT ap.is_open) AS closed, min(s.paediatric_diabetes_unit_id) AS low,
             max(s.paediatric_diabetes_unit_id) AS high, count(*) FILTER (WHERE x.counted) AS n INTO touched
        FROM (SELECT patient_id, true AS counted FROM changed_new UNION ALL SELECT patient_id, false FROM changed_old) x
        JOIN npda.patient p ON p.id = x.patient_id JOIN npda.submission s ON s.id = p.submission_id
        JOIN npda.audit_period ap ON ap.id = s.audit_period_id;
    END IF;
  ELSIF TG_ARGV[0] = 'submission_id' THEN
    IF TG_OP = 'INSERT' THEN
      SELECT bool_or(NOT ap.is_open) AS closed, min(s.paediatric_diabetes_unit_id) AS low,
             max(s.paediatric_diabetes_unit_id) AS high, count(*) AS n INTO touched
        FROM changed_new x JOIN npda.submission s ON s.id = x.submission_id JOIN npda.audit_period ap ON ap.id = s.audit_period_id;
    ELSIF TG_OP = 'DELETE' THEN
      SELECT bool_or(NOT ap.is_open) AS closed, min(s.paediatric_diabetes_unit_id) AS low,
             max(s.paediatric_diabetes_unit_id) AS high, count(*) AS n INTO touched
        FROM changed_old x JOIN npda.submission s ON s.id = x.submission_id JOIN npda.audit_period ap ON ap.id = s.audit_period_id;
    ELSE
      SELECT bool_or(NOT ap.is_open) AS closed, min(s.paediatric_diabetes_unit_id) AS low,
             max(s.paediatric_diabetes_unit_id) AS high, count(*) FILTER (WHERE x.counted) AS n INTO touched
        FROM (SELECT submission_id, true AS counted FROM changed_new UNION ALL SELECT submission_id, false FROM changed_old) x
        JOIN npda.submission s ON s.id = x.submission_id JOIN npda.audit_period ap ON ap.id = s.audit_period_id;
    END IF;
  ELSE
    IF TG_OP = 'INSERT' THEN
      SELECT bool_or(NOT ap.is_open) AS closed, min(x.paediatric_diabetes_unit_id) AS low,
             max(x.paediatric_diabetes_unit_id) AS high, count(*) AS n INTO touched
        FROM changed_new x JOIN npda.audit_period ap ON ap.id = x.audit_period_id;
    ELSIF TG_OP = 'DELETE' THEN
      SELECT bool_or(NOT ap.is_open) AS closed, min(x.paediatric_diabetes_unit_id) AS low,
             max(x.paediatric_diabetes_unit_id) AS high, count(*) AS n INTO touched
        FROM changed_old x JOIN npda.audit_period ap ON ap.id = x.audit_period_id;
    ELSE
      SELECT bool_or(NOT ap.is_open) AS closed, min(x.paediatric_diabetes_unit_id) AS low,
             max(x.paediatric_diabetes_unit_id) AS high, count(*) FILTER (WHERE x.counted) AS n INTO touched
        FROM (SELECT paediatric_diabetes_unit_id, audit_period_id, true AS counted FROM changed_new
              UNION ALL SELECT paediatric_diabetes_unit_id, audit_period_id, false FROM changed_old) x
        JOIN npda.audit_period ap ON ap.id = x.audit_period_id;
    END IF;
  END IF;
  IF touched.n = 0 THEN
    -- Rows whose child or submission is already gone (a cascade): the
    -- statement that removed the parent has been checked and logged.
    RETURN NULL;
  END IF;
  c := npda._caller();
  IF touched.closed AND c.role IS DISTINCT FROM 'audit_team' THEN
    RAISE EXCEPTION USING ERRCODE = 'NP207',
      MESSAGE = format('%s of %s refused: the data belongs to a closed audit period', lower(TG_OP), TG_TABLE_NAME),
      DETAIL = 'Only the audit team changes the data of a closed period.',
      HINT = 'Ask the RCPCH audit team to make the change or to reopen the period.';
  END IF;
  IF NOT c.unlogged THEN
    -- (an INSERT here rather than npda._log_activity: PL/pgSQL keeps its plan)
    INSERT INTO npda.visit_activity (npda_user_id, activity, paediatric_diabetes_unit_id, details)
    VALUES (c.user_id, 9, CASE WHEN touched.low = touched.high THEN touched.low END,
            jsonb_build_object('table', TG_TABLE_NAME, 'operation', TG_OP, 'rows', touched.n));
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION npda._patient_data_changed() IS
  'Trigger (statement level): refuse a change to data of a closed audit period (NP207) unless the caller is the audit team, and log code 9 once per statement with the table, operation and row count. Stands aside while npda.submit_csv writes a file (it checks the period and logs code 8).';
CREATE OR REPLACE TRIGGER patient_data_changed_insert AFTER INSERT ON npda.patient REFERENCING NEW TABLE AS changed_new
  FOR EACH STATEMENT EXECUTE FUNCTION npda._patient_data_changed('submission_id');
CREATE OR REPLACE TRIGGER patient_data_changed_update AFTER UPDATE ON npda.patient REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
  FOR EACH STATEMENT EXECUTE FUNCTION npda._patient_data_changed('submission_id');
CREATE OR REPLACE TRIGGER patient_data_changed_delete AFTER DELETE ON npda.patient REFERENCING OLD TABLE AS changed_old
  FOR EACH STATEMENT EXECUTE FUNCTION npda._patient_data_changed('submission_id');
CREATE OR REPLACE TRIGGER visit_data_changed_insert AFTER INSERT ON npda.visit REFERENCING NEW TABLE AS changed_new
  FOR EACH STATEMENT EXECUTE FUNCTION npda._patient_data_changed('patient_id');
CREATE OR REPLACE TRIGGER visit_data_changed_update AFTER UPDATE ON npda.visit REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
  FOR EACH STATEMENT EXECUTE FUNCTION npda._patient_data_changed('patient_id');
CREATE OR REPLACE TRIGGER visit_data_changed_delete AFTER DELETE ON npda.visit REFERENCING OLD TABLE AS changed_old
  FOR EACH STATEMENT EXECUTE FUNCTION npda._patient_data_changed('patient_id');
CREATE OR REPLACE TRIGGER transfer_data_changed_insert AFTER INSERT ON npda.transfer REFERENCING NEW TABLE AS changed_new
  FOR EACH STATEMENT EXECUTE FUNCTION npda._patient_data_changed('patient_id');
CREATE OR REPLACE TRIGGER transfer_data_changed_update AFTER UPDATE ON npda.transfer REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
  FOR EACH STATEMENT EXECUTE FUNCTION npda._patient_data_changed('patient_id');
CREATE OR REPLACE TRIGGER transfer_data_changed_delete AFTER DELETE ON npda.transfer REFERENCING OLD TABLE AS changed_old
  FOR EACH STATEMENT EXECUTE FUNCTION npda._patient_data_changed('patient_id');
CREATE OR REPLACE TRIGGER submission_data_changed_insert AFTER INSERT ON npda.submission REFERENCING NEW TABLE AS changed_new
  FOR EACH STATEMENT EXECUTE FUNCTION npda._patient_data_changed('id');
CREATE OR REPLACE TRIGGER submission_data_changed_update AFTER UPDATE ON npda.submission REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
  FOR EACH STATEMENT EXECUTE FUNCTION npda._patient_data_changed('id');
CREATE OR REPLACE TRIGGER submission_data_changed_delete AFTER DELETE ON npda.submission REFERENCING OLD TABLE AS changed_old
  FOR EACH STATEMENT EXECUTE FUNCTION npda._patient_data_changed('id');

-- TRUNCATE fires no row trigger and skips row security: refuse it outright
-- while any submission is active (the owner may still withdraw them first).
-- npda.submission itself has its own rule (npda.submission_refuse_truncate,
-- NP106); these are the tables of the children and their findings and scores.
CREATE OR REPLACE FUNCTION npda._refuse_truncate() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF EXISTS (SELECT FROM npda.submission s WHERE s.is_active) THEN
    RAISE EXCEPTION USING ERRCODE = 'NP208',
      MESSAGE = format('TRUNCATE of npda.%s refused: active submissions exist', TG_TABLE_NAME),
      DETAIL = 'Patient data is removed submission by submission, so that nothing of an active submission is lost by accident.',
      HINT = 'Withdraw the submissions first (UPDATE npda.submission SET is_active = false ...), then delete them.';
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION npda._refuse_truncate() IS
  'Trigger (BEFORE TRUNCATE): refuse to truncate a table of children, visits, transfers, findings or scores while any submission is active (NP208).';
CREATE OR REPLACE TRIGGER submission_error_refuse_truncate BEFORE TRUNCATE ON npda.submission_error
  FOR EACH STATEMENT EXECUTE FUNCTION npda._refuse_truncate();
CREATE OR REPLACE TRIGGER patient_refuse_truncate BEFORE TRUNCATE ON npda.patient
  FOR EACH STATEMENT EXECUTE FUNCTION npda._refuse_truncate();
CREATE OR REPLACE TRIGGER visit_refuse_truncate BEFORE TRUNCATE ON npda.visit
  FOR EACH STATEMENT EXECUTE FUNCTION npda._refuse_truncate();
CREATE OR REPLACE TRIGGER transfer_refuse_truncate BEFORE TRUNCATE ON npda.transfer
  FOR EACH STATEMENT EXECUTE FUNCTION npda._refuse_truncate();
CREATE OR REPLACE TRIGGER patient_kpi_score_refuse_truncate BEFORE TRUNCATE ON npda.patient_kpi_score
  FOR EACH STATEMENT EXECUTE FUNCTION npda._refuse_truncate();

-- ---- users -----------------------------------------------------------------
-- Which group role goes with an npda role.
CREATE OR REPLACE FUNCTION npda._group_of(role text) RETURNS name
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
RETURN CASE role WHEN 'reader' THEN 'npda_reader' WHEN 'editor' THEN 'npda_editor'
                 WHEN 'coordinator' THEN 'npda_coordinator' WHEN 'analyst' THEN 'npda_analyst'
                 WHEN 'audit_team' THEN 'npda_audit_team' END::name;
COMMENT ON FUNCTION npda._group_of(text) IS 'Internal: the group role of an npda role (reader -> npda_reader, ...).';

-- A login role may be linked to a user only if linking it cannot widen
-- anyone's access: it must exist and log in, must not be a superuser, bypass
-- row security or be (a member of) an application login or another npda
-- group than the one it is given, and must not be linked already.
CREATE OR REPLACE FUNCTION npda._check_db_role(db_role name, for_role text, user_id bigint DEFAULT NULL,
                                                old_group name DEFAULT NULL) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r record;
  other name;
BEGIN
  SELECT * INTO r FROM pg_catalog.pg_roles WHERE rolname = db_role;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'NP209', MESSAGE = format('role %s does not exist', db_role),
      HINT = 'The DBA creates the login first: CREATE ROLE name LOGIN PASSWORD ...;';
  END IF;
  IF NOT r.rolcanlogin OR r.rolsuper OR r.rolbypassrls OR r.rolcreaterole
     OR db_role IN ('npda_audit_team', 'npda_coordinator', 'npda_editor', 'npda_reader', 'npda_analyst', 'npda_application') THEN
    RAISE EXCEPTION USING ERRCODE = 'NP209', MESSAGE = format('role %s cannot be an npda user''s login', db_role),
      DETAIL = 'It must be a LOGIN role without SUPERUSER, BYPASSRLS or CREATEROLE, and not one of npda''s group roles.';
  END IF;
  IF pg_catalog.pg_has_role(db_role, 'npda_application', 'MEMBER') THEN
    RAISE EXCEPTION USING ERRCODE = 'NP209', MESSAGE = format('role %s is an application login', db_role),
      DETAIL = 'An application login acts for people through npda.act_as; it is not a person.';
  END IF;
  SELECT g INTO other FROM unnest(ARRAY['npda_audit_team', 'npda_coordinator', 'npda_editor', 'npda_reader', 'npda_analyst']::name[]) AS g
   WHERE pg_catalog.pg_has_role(db_role, g, 'MEMBER')
     AND NOT pg_catalog.pg_has_role(npda._group_of(for_role), g, 'MEMBER')
     AND NOT (old_group IS NOT NULL AND pg_catalog.pg_has_role(old_group, g, 'MEMBER'))
   LIMIT 1;
  IF other IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'NP209', MESSAGE = format('role %s is already a member of %s', db_role, other),
      DETAIL = format('A %s''s login holds npda_%s''s privileges only.', for_role, for_role),
      HINT = format('REVOKE %s FROM %s; first, if that is intended.', other, db_role);
  END IF;
  IF EXISTS (SELECT FROM npda.npda_user u WHERE u.db_role = _check_db_role.db_role AND u.id IS DISTINCT FROM user_id) THEN
    RAISE EXCEPTION USING ERRCODE = 'NP209', MESSAGE = format('role %s is already the login of another user', db_role);
  END IF;
END
$$;
COMMENT ON FUNCTION npda._check_db_role(name, text, bigint, name) IS
  'Internal: raise NP209 unless the role may become the login of a user of this npda role: an existing LOGIN role, not superuser, BYPASSRLS or CREATEROLE, no application login, in no npda group but that role''s (or old_group, the one it is leaving), linked to no other user.';

-- Keep a login's group role in step with its user (role, db_role, is_active).
CREATE OR REPLACE FUNCTION npda._sync_group(db_role name, old_group name, new_group name) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF db_role IS NULL OR NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = db_role) THEN
    RETURN;
  END IF;
  IF old_group IS NOT NULL AND old_group IS DISTINCT FROM new_group
     AND EXISTS (SELECT FROM pg_catalog.pg_auth_members m
                  WHERE m.roleid = old_group::regrole AND m.member = db_role::regrole) THEN
    EXECUTE format('REVOKE %I FROM %I', old_group, db_role);
  END IF;
  IF new_group IS NOT NULL
     AND NOT EXISTS (SELECT FROM pg_catalog.pg_auth_members m
                      WHERE m.roleid = new_group::regrole AND m.member = db_role::regrole) THEN
    EXECUTE format('GRANT %I TO %I', new_group, db_role);
  END IF;
END
$$;
COMMENT ON FUNCTION npda._sync_group(name, name, name) IS
  'Internal: revoke old_group from a login and grant it new_group (either may be NULL).';

CREATE OR REPLACE FUNCTION npda.add_user(email text, role text, pz_codes text[], db_role name DEFAULT NULL,
                                         first_name text DEFAULT NULL, surname text DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c record := npda._caller();
  new_id bigint;
  units bigint[] := '{}';
  code text;
  unit bigint;
  clean_email text := btrim(email);
BEGIN
  PERFORM npda._require_role(ARRAY['audit_team', 'coordinator'], 'adding a user');
  IF role IS NULL OR role NOT IN ('reader', 'editor', 'coordinator', 'analyst', 'audit_team') THEN
    RAISE EXCEPTION USING ERRCODE = 'NP105', MESSAGE = format('unknown npda role %s', coalesce(role, 'NULL')),
      HINT = 'Roles: reader, editor, coordinator, analyst, audit_team.';
  END IF;
  IF clean_email IS NULL OR clean_email !~ '^[^@\s]+@[^@\s]+$' THEN
    RAISE EXCEPTION USING ERRCODE = 'NP105', MESSAGE = format('%s is not an e-mail address', coalesce(email, 'NULL'));
  END IF;
  IF c.role = 'coordinator' AND role NOT IN ('reader', 'editor', 'coordinator') THEN
    RAISE EXCEPTION USING ERRCODE = 'NP201', MESSAGE = format('a coordinator cannot add a user with role %s', role),
      HINT = 'Ask the RCPCH audit team.';
  END IF;
  FOREACH code IN ARRAY coalesce(pz_codes, '{}') LOOP
    SELECT u.id INTO unit FROM npda.paediatric_diabetes_unit u WHERE u.pz_code = upper(btrim(code));
    IF NOT FOUND THEN
      RAISE EXCEPTION USING ERRCODE = 'NP103', MESSAGE = format('unknown paediatric diabetes unit "%s"', code);
    END IF;
    IF c.role = 'coordinator' AND NOT unit = ANY (npda._caller_pdu_ids('manage')) THEN
      RAISE EXCEPTION USING ERRCODE = 'NP202', MESSAGE = format('you are not employed at %s', upper(btrim(code))),
        DETAIL = 'A coordinator adds users to their own units only.';
    END IF;
    IF NOT unit = ANY (units) THEN
      units := units || unit;
    END IF;
  END LOOP;
  IF cardinality(units) = 0 AND role IN ('reader', 'editor', 'coordinator') THEN
    RAISE EXCEPTION USING ERRCODE = 'NP105', MESSAGE = format('a %s needs at least one unit', role),
      HINT = 'Pass the PZ codes of the units, the primary one first.';
  END IF;
  IF db_role IS NOT NULL THEN
    PERFORM npda._check_db_role(db_role, role);
  END IF;
  BEGIN
    INSERT INTO npda.npda_user (email, role, db_role, first_name, surname, created_by, updated_by)
    VALUES (clean_email, role, db_role, first_name, surname, npda._caller_label(), npda._caller_label())
    RETURNING id INTO new_id;
  EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION USING ERRCODE = 'NP209', MESSAGE = format('a user with e-mail %s exists already', clean_email);
  END;
  INSERT INTO npda.organisation_employer (npda_user_id, paediatric_diabetes_unit_id, is_primary_employer)
  SELECT new_id, u, i = 1 FROM unnest(units) WITH ORDINALITY AS x(u, i);
  IF db_role IS NOT NULL THEN
    PERFORM npda._sync_group(db_role, NULL, npda._group_of(role));
  END IF;
  IF NOT c.unlogged THEN
    PERFORM npda._log_activity(10, new_id, units[1], c.user_id, NULL, NULL,
                               jsonb_build_object('role', role, 'pz_codes', pz_codes, 'db_role', db_role));
  END IF;
  RETURN new_id;
END
$$;
COMMENT ON FUNCTION npda.add_user(text, text, text[], name, text, text) IS
  'Create a user: e-mail (unique whatever its case), role (reader, editor, coordinator, analyst or audit_team), the units by PZ code (the first is the primary one; required for readers, editors and coordinators), optionally the existing login role the person uses, which is then granted the matching group role (npda_reader, ...), and names. The audit team adds anyone; a coordinator adds readers, editors and coordinators to their own units. Logs code 10. Returns the new npda.npda_user id.';

CREATE OR REPLACE FUNCTION npda._user_before_update() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NEW.db_role IS NOT NULL AND (NEW.db_role IS DISTINCT FROM OLD.db_role OR NEW.role IS DISTINCT FROM OLD.role) THEN
    PERFORM npda._check_db_role(NEW.db_role, NEW.role, NEW.id,
                                CASE WHEN NEW.db_role = OLD.db_role THEN npda._group_of(OLD.role) END);
  END IF;
  NEW.created_at := OLD.created_at;
  NEW.created_by := OLD.created_by;
  NEW.updated_at := clock_timestamp();
  NEW.updated_by := npda._caller_label();
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION npda._user_before_update() IS
  'Trigger: stamp updated_at and updated_by, keep the creation stamps, and check a new or re-roled db_role (npda._check_db_role).';
CREATE OR REPLACE TRIGGER npda_user_before_update BEFORE UPDATE ON npda.npda_user
  FOR EACH ROW EXECUTE FUNCTION npda._user_before_update();

CREATE OR REPLACE FUNCTION npda._user_changed() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c record := npda._caller();
  changed text[];
  primary_unit bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM npda._sync_group(OLD.db_role, npda._group_of(OLD.role), NULL);
    RETURN NULL;
  END IF;
  -- The login's group role follows the user's role, login and state.
  IF (OLD.db_role, OLD.role, OLD.is_active) IS DISTINCT FROM (NEW.db_role, NEW.role, NEW.is_active) THEN
    IF OLD.db_role IS DISTINCT FROM NEW.db_role THEN
      PERFORM npda._sync_group(OLD.db_role, npda._group_of(OLD.role), NULL);
    END IF;
    PERFORM npda._sync_group(NEW.db_role, CASE WHEN OLD.db_role = NEW.db_role THEN npda._group_of(OLD.role) END,
                             CASE WHEN NEW.is_active THEN npda._group_of(NEW.role) END);
  END IF;
  IF c.unlogged THEN
    RETURN NULL;
  END IF;
  SELECT e.paediatric_diabetes_unit_id INTO primary_unit FROM npda.organisation_employer e
   WHERE e.npda_user_id = NEW.id AND e.is_primary_employer;
  SELECT array_agg(n.key ORDER BY n.key) INTO changed
    FROM jsonb_each(to_jsonb(NEW)) n JOIN jsonb_each(to_jsonb(OLD)) o ON o.key = n.key
   WHERE n.value IS DISTINCT FROM o.value AND n.key NOT IN ('updated_at', 'updated_by');
  IF changed IS NULL THEN
    RETURN NULL;
  END IF;
  IF OLD.role IS DISTINCT FROM NEW.role THEN
    PERFORM npda._log_activity(12, NEW.id, primary_unit, c.user_id, NULL, NULL,
                               jsonb_build_object('from', OLD.role, 'to', NEW.role));
    -- Admin status: the roles that manage users (coordinator, audit team).
    IF (OLD.role IN ('coordinator', 'audit_team')) IS DISTINCT FROM (NEW.role IN ('coordinator', 'audit_team'))
       OR (OLD.role = 'audit_team') IS DISTINCT FROM (NEW.role = 'audit_team') THEN
      PERFORM npda._log_activity(13, NEW.id, primary_unit, c.user_id, NULL, NULL,
                                 jsonb_build_object('from', OLD.role, 'to', NEW.role));
    END IF;
    changed := array_remove(changed, 'role');
  END IF;
  IF cardinality(changed) > 0 THEN
    PERFORM npda._log_activity(11, NEW.id, primary_unit, c.user_id, NULL, NULL, jsonb_build_object('changed', changed));
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION npda._user_changed() IS
  'Trigger: keep the login''s group role in step with the user (role, db_role, is_active) and log the change: 12 for a new role (and 13 when it gives or takes the power to manage users), 11 for any other field, with the admin who made it.';
CREATE OR REPLACE TRIGGER npda_user_changed AFTER UPDATE OR DELETE ON npda.npda_user
  FOR EACH ROW EXECUTE FUNCTION npda._user_changed();

-- The activity log keeps its subjects: it has no foreign keys (migrations/1.2/70_access.sql
-- says why), so deleting a user it names is refused here, as a key would.
CREATE OR REPLACE FUNCTION npda._refuse_logged_user_delete() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF EXISTS (SELECT FROM npda.visit_activity a WHERE a.npda_user_id = OLD.id)
     OR EXISTS (SELECT FROM npda.visit_activity a WHERE a.admin_user_id = OLD.id) THEN
    RAISE EXCEPTION USING ERRCODE = 'NP210',
      MESSAGE = format('user %s (%s) cannot be deleted: the activity log names them', OLD.id, OLD.email),
      HINT = 'Deactivate the user instead: UPDATE npda.npda_user SET is_active = false WHERE id = ' || OLD.id || ';';
  END IF;
  RETURN OLD;
END
$$;
COMMENT ON FUNCTION npda._refuse_logged_user_delete() IS
  'Trigger (BEFORE DELETE on npda.npda_user): refuse to delete a user the activity log names, as subject or admin (NP210); deactivate them instead.';
CREATE OR REPLACE TRIGGER npda_user_refuse_logged_delete BEFORE DELETE ON npda.npda_user
  FOR EACH ROW EXECUTE FUNCTION npda._refuse_logged_user_delete();

CREATE OR REPLACE FUNCTION npda._employer_changed() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c record := npda._caller();
  r record;
BEGIN
  IF c.unlogged THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    r := OLD;
    IF NOT EXISTS (SELECT FROM npda.npda_user u WHERE u.id = OLD.npda_user_id) THEN
      -- The user's own deletion cascading (only a user the log does not name
      -- can be deleted): nobody left to log it about.
      RETURN NULL;
    END IF;
  ELSE
    r := NEW;
  END IF;
  PERFORM npda._log_activity(11, r.npda_user_id, r.paediatric_diabetes_unit_id, c.user_id, NULL, NULL,
                             jsonb_build_object('employment', lower(TG_OP), 'is_primary_employer', r.is_primary_employer));
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION npda._employer_changed() IS
  'Trigger: log code 11 (user record changed) when a user is employed at a unit, leaves it or changes primary unit, with the admin who did it.';
CREATE OR REPLACE TRIGGER organisation_employer_changed AFTER INSERT OR UPDATE OR DELETE ON npda.organisation_employer
  FOR EACH ROW EXECUTE FUNCTION npda._employer_changed();

CREATE OR REPLACE FUNCTION npda._employer_primary_check() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  uid bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.npda_user_id ELSE NEW.npda_user_id END;
BEGIN
  IF EXISTS (SELECT FROM npda.organisation_employer e WHERE e.npda_user_id = uid)
     AND NOT EXISTS (SELECT FROM npda.organisation_employer e WHERE e.npda_user_id = uid AND e.is_primary_employer) THEN
    RAISE EXCEPTION USING ERRCODE = 'NP105', MESSAGE = format('user %s has units but no primary one', uid),
      HINT = 'Set is_primary_employer on exactly one of the user''s npda.organisation_employer rows.';
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION npda._employer_primary_check() IS
  'Constraint trigger (at commit): a user employed anywhere has a primary unit (at most one is the exclusion constraint organisation_employer_one_primary).';
DROP TRIGGER IF EXISTS organisation_employer_primary ON npda.organisation_employer;
CREATE CONSTRAINT TRIGGER organisation_employer_primary AFTER INSERT OR UPDATE OR DELETE ON npda.organisation_employer
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION npda._employer_primary_check();

-- Who someone is (npda._caller()) is kept for a statement; a change to users
-- or employments makes the next check work it out again, so a statement that
-- calls npda.add_user, or a function that employs someone and then reads,
-- sees the change at once.
CREATE OR REPLACE FUNCTION npda._scope_changed() RETURNS trigger
  AS 'MODULE_PATHNAME', '_scope_changed' LANGUAGE C;
COMMENT ON FUNCTION npda._scope_changed() IS
  'Trigger (statement level) on npda.npda_user and npda.organisation_employer: forget who the caller is, as worked out for this statement (src/pg/scope.cpp).';
CREATE OR REPLACE TRIGGER npda_user_scope_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON npda.npda_user
  FOR EACH STATEMENT EXECUTE FUNCTION npda._scope_changed();
CREATE OR REPLACE TRIGGER organisation_employer_scope_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON npda.organisation_employer
  FOR EACH STATEMENT EXECUTE FUNCTION npda._scope_changed();

-- ---- acting for a person, logins, lockout -------------------------------
CREATE OR REPLACE FUNCTION npda._require_application(action text) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT pg_catalog.pg_has_role(npda._outer_role(), 'npda_application', 'MEMBER') THEN
    RAISE EXCEPTION USING ERRCODE = 'NP203',
      MESSAGE = format('%s: role %s is not an application login', action, npda._outer_role()),
      DETAIL = 'Only members of npda_application act for people and record their logins.';
  END IF;
END
$$;
COMMENT ON FUNCTION npda._require_application(text) IS
  'Internal: raise NP203 unless the outer role is a member of npda_application.';

-- The end of a user's lockout, or NULL when they are not locked out: their
-- last lockout (code 6) plus lockout_duration, unless a password reset (5)
-- came after it.
CREATE OR REPLACE FUNCTION npda._locked_until(user_id bigint) RETURNS timestamptz
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
-- PL/pgSQL rather than SQL: npda.act_as calls it in every transaction of an
-- application, and PL/pgSQL keeps the plan for the session where a SQL
-- function with SECURITY DEFINER is planned again on every call.
DECLARE
  last_lockout timestamptz;
  duration interval;
BEGIN
  SELECT max(a.activity_at) INTO last_lockout FROM npda.visit_activity a
   WHERE a.npda_user_id = _locked_until.user_id AND a.activity = 6;
  IF last_lockout IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT s.lockout_duration INTO duration FROM npda.access_setting s;
  IF last_lockout + duration <= clock_timestamp()
     OR EXISTS (SELECT FROM npda.visit_activity r
                 WHERE r.npda_user_id = _locked_until.user_id AND r.activity = 5 AND r.activity_at > last_lockout) THEN
    RETURN NULL;
  END IF;
  RETURN last_lockout + duration;
END
$$;
COMMENT ON FUNCTION npda._locked_until(bigint) IS
  'Internal: when the user''s lockout ends (their last code 6 plus lockout_duration), or NULL when that is past or a password reset (code 5) came after it.';

CREATE OR REPLACE FUNCTION npda._locked_out_error(email text, until timestamptz) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'NP205',
    MESSAGE = format('account %s is locked out until %s', email, to_char(until AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"')),
    DETAIL = format('Too many failed logins; the lockout ends at %s.', until),
    HINT = 'Try again after that time.';
END
$$;
COMMENT ON FUNCTION npda._locked_out_error(text, timestamptz) IS 'Internal: raise NP205 naming the end of the lockout.';

CREATE OR REPLACE FUNCTION npda.act_as(email text) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  u record;
BEGIN
  IF NOT pg_catalog.pg_has_role(npda._outer_role(), 'npda_application', 'MEMBER') THEN
    PERFORM npda._require_application('npda.act_as');
  END IF;
  SELECT x.id, x.email, x.is_active, npda._locked_until(x.id) AS until INTO u
    FROM npda.npda_user x WHERE lower(x.email) = lower(btrim(act_as.email));
  IF NOT FOUND OR NOT u.is_active THEN
    RAISE EXCEPTION USING ERRCODE = 'NP204', MESSAGE = format('no active npda user %s', coalesce(email, 'NULL'));
  END IF;
  IF u.until IS NOT NULL THEN
    PERFORM npda._locked_out_error(u.email, u.until);
  END IF;
  PERFORM npda._set_acting_user(u.id);
  RETURN u.id;
END
$$;
COMMENT ON FUNCTION npda.act_as(text) IS
  'For an application login (a member of npda_application): act for this person (e-mail) for the rest of the transaction. Row security, npda.submit_csv (submitted_by) and the activity log then treat the transaction as theirs. Refused (NP203) to any other role, (NP204) for an unknown or inactive user, (NP205) while the user is locked out, (NP206) for a second person in one transaction. Forgotten at COMMIT or ROLLBACK, so it is safe through a transaction-pooling pooler. Returns the user''s id.';

CREATE OR REPLACE FUNCTION npda._lock_login(user_id bigint) RETURNS void
  AS 'MODULE_PATHNAME', '_lock_login' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION npda._lock_login(bigint) IS
  'Internal: take one user''s login lock exclusively until the transaction ends (npda.record_login), so that concurrent failed logins are counted one after another. The lock keys are defined once, in the C++ library.';
CREATE OR REPLACE FUNCTION npda.record_login(email text, ip_address inet, success boolean, user_agent text DEFAULT NULL)
RETURNS timestamptz
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  u record;
  s npda.access_setting;
  until timestamptz;
  recent record;
  primary_unit bigint;
BEGIN
  PERFORM npda._require_application('npda.record_login');
  IF success IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'NP105', MESSAGE = 'success must be true or false';
  END IF;
  SELECT x.id, x.email, x.is_active INTO u FROM npda.npda_user x WHERE lower(x.email) = lower(btrim(record_login.email));
  IF NOT FOUND THEN
    IF success THEN
      RAISE EXCEPTION USING ERRCODE = 'NP204', MESSAGE = format('no npda user %s', coalesce(email, 'NULL'));
    END IF;
    RETURN NULL;  -- a failed login for an address that is nobody's: nothing to log
  END IF;
  -- One login at a time per user: concurrent failures count one after another.
  PERFORM npda._lock_login(u.id);
  SELECT e.paediatric_diabetes_unit_id INTO primary_unit FROM npda.organisation_employer e
   WHERE e.npda_user_id = u.id AND e.is_primary_employer;
  until := npda._locked_until(u.id);
  IF success THEN
    IF NOT u.is_active THEN
      RAISE EXCEPTION USING ERRCODE = 'NP204', MESSAGE = format('npda user %s is not active', u.email);
    END IF;
    IF until IS NOT NULL THEN
      PERFORM npda._locked_out_error(u.email, until);
    END IF;
    PERFORM npda._log_activity(1, u.id, primary_unit, NULL, ip_address, user_agent);
    RETURN NULL;
  END IF;
  PERFORM npda._log_activity(2, u.id, primary_unit, NULL, ip_address, user_agent);
  IF until IS NOT NULL THEN
    RETURN until;  -- already locked out: the failure is logged, the lockout runs on
  END IF;
  -- The lockout rule, read from the log: the last lockout_failures login
  -- events (login, failure, reset, lockout) are all failures, and the oldest
  -- of them is within lockout_window of now.
  SELECT * INTO s FROM npda.access_setting;
  SELECT count(*) AS n, bool_and(x.activity = 2) AS all_failed, min(x.activity_at) AS oldest INTO recent
    FROM (SELECT a.activity, a.activity_at FROM npda.visit_activity a
           WHERE a.npda_user_id = u.id AND a.activity IN (1, 2, 5, 6)
           ORDER BY a.activity_at DESC, a.id DESC LIMIT s.lockout_failures) x;
  IF recent.n = s.lockout_failures AND recent.all_failed AND recent.oldest >= clock_timestamp() - s.lockout_window THEN
    PERFORM npda._log_activity(6, u.id, primary_unit, NULL, ip_address, user_agent,
                               jsonb_build_object('failures', s.lockout_failures, 'window', s.lockout_window::text));
    RETURN npda._locked_until(u.id);
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION npda.record_login(text, inet, boolean, text) IS
  'For an application login: record a login attempt. success = true logs code 1 (with the user''s primary unit), or raises NP205 with the end of the lockout while the user is locked out (NP204 for an unknown or inactive user). success = false logs code 2 when the address is a user''s; when that failure is the lockout_failures-th consecutive one within lockout_window (npda.access_setting: 5 within 5 minutes) it also logs code 6, which locks the account for lockout_duration (10 minutes). Returns the end of the lockout when the account is locked, otherwise NULL; a failure never raises, so its log row is kept.';

CREATE OR REPLACE FUNCTION npda.record_activity(email text, activity integer, ip_address inet DEFAULT NULL, user_agent text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  u record;
  primary_unit bigint;
BEGIN
  PERFORM npda._require_application('npda.record_activity');
  IF activity IS NULL OR activity NOT IN (3, 4, 5, 7) THEN
    RAISE EXCEPTION USING ERRCODE = 'NP105', MESSAGE = format('activity %s is not an application event', coalesce(activity::text, 'NULL')),
      HINT = 'npda.record_activity logs 3 (logout), 4 (reset link sent), 5 (reset done) and 7 (two-factor set up); logins go through npda.record_login.';
  END IF;
  SELECT x.id INTO u FROM npda.npda_user x WHERE lower(x.email) = lower(btrim(record_activity.email));
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'NP204', MESSAGE = format('no npda user %s', coalesce(email, 'NULL'));
  END IF;
  SELECT e.paediatric_diabetes_unit_id INTO primary_unit FROM npda.organisation_employer e
   WHERE e.npda_user_id = u.id AND e.is_primary_employer;
  RETURN npda._log_activity(activity, u.id, primary_unit, NULL, ip_address, user_agent);
END
$$;
COMMENT ON FUNCTION npda.record_activity(text, integer, inet, text) IS
  'For an application login: log an application event of a user: 3 logout, 4 password reset link sent, 5 password reset done (it also ends a run of failed logins and a lockout), 7 two-factor authentication set up. Returns the log row''s id.';

-- ---- the pseudonymised export ----------------------------------------------
CREATE OR REPLACE FUNCTION npda._hmac_sha256(key bytea, message text) RETURNS text
  AS 'MODULE_PATHNAME', '_hmac_sha256'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION npda._hmac_sha256(bytea, text) IS
  'Internal: HMAC-SHA-256 of a text under a key, as 64 hexadecimal digits (C++, RFC 2104; tested with the RFC 4231 vectors).';
CREATE OR REPLACE FUNCTION npda._strong_random_bytes(n integer) RETURNS bytea
  AS 'MODULE_PATHNAME', '_strong_random_bytes'
  LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION npda._strong_random_bytes(integer) IS
  'Internal: n bytes (1-1024) from the operating system''s strong random source.';
CREATE OR REPLACE FUNCTION npda._caller_may_read_pseudonymised() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
RETURN coalesce((npda._caller()).role IN ('analyst', 'audit_team'), false);
COMMENT ON FUNCTION npda._caller_may_read_pseudonymised() IS
  'Internal: whether the caller is an analyst or the audit team (the gate of the pseudonymised views).';

CREATE OR REPLACE FUNCTION npda.rotate_pseudonym_secret() RETURNS timestamptz
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  at timestamptz;
BEGIN
  PERFORM npda._require_role(ARRAY['audit_team'], 'rotating the pseudonym secret');
  UPDATE npda.pseudonym_secret SET secret = npda._strong_random_bytes(32), created_at = clock_timestamp()
  RETURNING created_at INTO at;
  RETURN at;
END
$$;
COMMENT ON FUNCTION npda.rotate_pseudonym_secret() IS
  'Audit team only: draw a new secret for the pseudonymised child key (32 strong random bytes). Every child key changes: exports made before can no longer be linked to later ones. Returns when the new secret was drawn.';

-- A pg_restore re-inserts the rows of the two one-row tables that the install
-- script has seeded: merge them into the seeded row instead of failing.
CREATE OR REPLACE FUNCTION npda._merge_single_row() RETURNS trigger
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_TABLE_NAME = 'access_setting' THEN
    UPDATE npda.access_setting SET lockout_failures = NEW.lockout_failures, lockout_window = NEW.lockout_window,
                                   lockout_duration = NEW.lockout_duration;
  ELSE
    UPDATE npda.pseudonym_secret SET secret = NEW.secret, created_at = NEW.created_at;
  END IF;
  IF FOUND THEN
    RETURN NULL;
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION npda._merge_single_row() IS
  'Trigger: inserting the row of npda.access_setting or npda.pseudonym_secret when the seeded one exists updates it instead (makes pg_restore of these one-row tables work).';
CREATE OR REPLACE TRIGGER access_setting_merge BEFORE INSERT ON npda.access_setting
  FOR EACH ROW EXECUTE FUNCTION npda._merge_single_row();
CREATE OR REPLACE TRIGGER pseudonym_secret_merge BEFORE INSERT ON npda.pseudonym_secret
  FOR EACH ROW EXECUTE FUNCTION npda._merge_single_row();

-- The three views are definer-rights on purpose (the only views over patient
-- data that are): analysts may read no table of patient data, so the views
-- read them as the extension's owner and give out only what is safe. The
-- child key is HMAC-SHA-256 of 'nhs:' + NHS number (or 'urn:' + the Jersey
-- URN) under the secret, the same for the same child in every unit and year;
-- the date of birth becomes its month, the postcode its outward code, and the
-- GP practice is left out. security_barrier keeps the caller gate ahead of
-- any function in a query over the views; the gate admits analysts and the
-- audit team (an application acting for one of them included).
CREATE OR REPLACE VIEW npda.patient_pseudonymised WITH (security_barrier = true) AS
SELECT npda._hmac_sha256(k.secret, CASE WHEN p.nhs_number IS NOT NULL THEN 'nhs:' || p.nhs_number
                                        ELSE 'urn:' || p.unique_reference_number END) AS child_key,
       u.pz_code, npda.audit_year(ap.start_date) AS audit_year,
       p.sex, date_trunc('month', p.date_of_birth)::date AS birth_month,
       CASE WHEN p.postcode ~ '^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$' THEN left(p.postcode, -3) END AS postcode_district,
       p.ethnicity, p.diabetes_type, p.diagnosis_date, p.death_date,
       p.adhd_asd_status, p.learning_disability_status, p.immunotherapy_received, p.immunotherapy_date,
       t.date_leaving_service, t.reason_leaving_service, p.is_valid
  FROM npda.patient p
  JOIN npda.submission s ON s.id = p.submission_id AND s.is_active
  JOIN npda.paediatric_diabetes_unit u ON u.id = s.paediatric_diabetes_unit_id
  JOIN npda.audit_period ap ON ap.id = s.audit_period_id
  LEFT JOIN npda.transfer t ON t.patient_id = p.id
 CROSS JOIN npda.pseudonym_secret k
 WHERE (SELECT npda._caller_may_read_pseudonymised());
COMMENT ON VIEW npda.patient_pseudonymised IS
  'The children of every active submission without identifying data, for analysts and the audit team: a stable child key instead of NHS number or URN (HMAC-SHA-256 under npda.pseudonym_secret: the same child has the same key in every unit and year), birth month instead of date of birth, postcode district (outward code) instead of postcode, no GP practice. One row per child, unit and audit year. Empty for anyone else.';
COMMENT ON COLUMN npda.patient_pseudonymised.child_key IS 'Pseudonymised child key: 64 hexadecimal digits, the same for the same NHS number (or URN) everywhere until the secret is rotated.';
COMMENT ON COLUMN npda.patient_pseudonymised.pz_code IS 'The submitting unit.';
COMMENT ON COLUMN npda.patient_pseudonymised.audit_year IS 'Audit year (start year of the period).';
COMMENT ON COLUMN npda.patient_pseudonymised.sex IS '1 male, 2 female, 3 not specified, 99 unknown.';
COMMENT ON COLUMN npda.patient_pseudonymised.birth_month IS 'First day of the month of birth.';
COMMENT ON COLUMN npda.patient_pseudonymised.postcode_district IS 'Outward code of the postcode (ZZ99 for the pseudo-postcodes); NULL when the postcode is not one.';
COMMENT ON COLUMN npda.patient_pseudonymised.ethnicity IS 'Ethnic category code.';
COMMENT ON COLUMN npda.patient_pseudonymised.diabetes_type IS 'Diabetes type code.';
COMMENT ON COLUMN npda.patient_pseudonymised.diagnosis_date IS 'Date of diabetes diagnosis.';
COMMENT ON COLUMN npda.patient_pseudonymised.death_date IS 'Date of death, if any.';
COMMENT ON COLUMN npda.patient_pseudonymised.adhd_asd_status IS '2026 dataset: ADHD/ASD diagnosis.';
COMMENT ON COLUMN npda.patient_pseudonymised.learning_disability_status IS '2026 dataset: learning disability diagnosis.';
COMMENT ON COLUMN npda.patient_pseudonymised.immunotherapy_received IS '2026 dataset: immunotherapy received.';
COMMENT ON COLUMN npda.patient_pseudonymised.immunotherapy_date IS '2026 dataset: date immunotherapy started.';
COMMENT ON COLUMN npda.patient_pseudonymised.date_leaving_service IS 'Date the child left the unit''s service.';
COMMENT ON COLUMN npda.patient_pseudonymised.reason_leaving_service IS 'Reason for leaving: 1 adult service, 2 moved, 3 other.';
COMMENT ON COLUMN npda.patient_pseudonymised.is_valid IS 'False when a finding was recorded on any of the child''s rows.';

CREATE OR REPLACE VIEW npda.visit_pseudonymised WITH (security_barrier = true) AS
SELECT npda._hmac_sha256(k.secret, CASE WHEN p.nhs_number IS NOT NULL THEN 'nhs:' || p.nhs_number
                                        ELSE 'urn:' || p.unique_reference_number END) AS child_key,
       u.pz_code, npda.audit_year(ap.start_date) AS audit_year, v.row_number,
       v.visit_date, v.height, v.weight, v.height_weight_observation_date, v.hba1c, v.hba1c_format, v.hba1c_date,
       v.treatment, v.closed_loop_system, v.glucose_monitoring, v.insulin_regimen, v.non_insulin_medication,
       v.dietary_lifestyle_modification, v.cgm_use, v.systolic_blood_pressure, v.diastolic_blood_pressure,
       v.blood_pressure_observation_date, v.foot_examination_observation_date, v.retinal_screening_observation_date,
       v.retinal_screening_result, v.albumin_creatinine_ratio, v.albumin_creatinine_ratio_date, v.albuminuria_stage,
       v.total_cholesterol, v.total_cholesterol_date, v.thyroid_function_date, v.thyroid_treatment_status,
       v.coeliac_screen_date, v.gluten_free_diet, v.psychological_screening_assessment_date,
       v.psychological_additional_support_status, v.psychological_support_outcome, v.smoking_status,
       v.smoking_vaping_status, v.smoking_cessation_referral_date, v.carbohydrate_counting_level_three_education_date,
       v.dietician_additional_appointment_offered, v.dietician_additional_appointment_date,
       v.flu_immunisation_recommended_date, v.ketone_meter_training, v.sick_day_rules_training_date,
       v.hospital_admission_date, v.hospital_discharge_date, v.hospital_admission_reason,
       v.hospital_admission_reason_2026, v.dka_additional_therapies, v.hospital_admission_other,
       v.blood_gas_ph, v.blood_gas_bicarbonate, v.is_valid
  FROM npda.visit v
  JOIN npda.patient p ON p.id = v.patient_id
  JOIN npda.submission s ON s.id = p.submission_id AND s.is_active
  JOIN npda.paediatric_diabetes_unit u ON u.id = s.paediatric_diabetes_unit_id
  JOIN npda.audit_period ap ON ap.id = s.audit_period_id
 CROSS JOIN npda.pseudonym_secret k
 WHERE (SELECT npda._caller_may_read_pseudonymised());
COMMENT ON VIEW npda.visit_pseudonymised IS
  'Every visit row of every active submission with the pseudonymised child key instead of the child''s identity (npda.patient_pseudonymised), for analysts and the audit team. The clinical columns are those of npda.visit. Empty for anyone else.';
COMMENT ON COLUMN npda.visit_pseudonymised.child_key IS 'Pseudonymised child key (npda.patient_pseudonymised.child_key).';
COMMENT ON COLUMN npda.visit_pseudonymised.pz_code IS 'The submitting unit.';
COMMENT ON COLUMN npda.visit_pseudonymised.audit_year IS 'Audit year (start year of the period).';
COMMENT ON COLUMN npda.visit_pseudonymised.row_number IS 'CSV record number of the row in its file (file order).';
COMMENT ON COLUMN npda.visit_pseudonymised.visit_date IS 'As npda.visit.visit_date.';
COMMENT ON COLUMN npda.visit_pseudonymised.height IS 'As npda.visit.height.';
COMMENT ON COLUMN npda.visit_pseudonymised.weight IS 'As npda.visit.weight.';
COMMENT ON COLUMN npda.visit_pseudonymised.height_weight_observation_date IS 'As npda.visit.height_weight_observation_date.';
COMMENT ON COLUMN npda.visit_pseudonymised.hba1c IS 'As npda.visit.hba1c.';
COMMENT ON COLUMN npda.visit_pseudonymised.hba1c_format IS 'As npda.visit.hba1c_format.';
COMMENT ON COLUMN npda.visit_pseudonymised.hba1c_date IS 'As npda.visit.hba1c_date.';
COMMENT ON COLUMN npda.visit_pseudonymised.treatment IS 'As npda.visit.treatment.';
COMMENT ON COLUMN npda.visit_pseudonymised.closed_loop_system IS 'As npda.visit.closed_loop_system.';
COMMENT ON COLUMN npda.visit_pseudonymised.glucose_monitoring IS 'As npda.visit.glucose_monitoring.';
COMMENT ON COLUMN npda.visit_pseudonymised.insulin_regimen IS 'As npda.visit.insulin_regimen.';
COMMENT ON COLUMN npda.visit_pseudonymised.non_insulin_medication IS 'As npda.visit.non_insulin_medication.';
COMMENT ON COLUMN npda.visit_pseudonymised.dietary_lifestyle_modification IS 'As npda.visit.dietary_lifestyle_modification.';
COMMENT ON COLUMN npda.visit_pseudonymised.cgm_use IS 'As npda.visit.cgm_use.';
COMMENT ON COLUMN npda.visit_pseudonymised.systolic_blood_pressure IS 'As npda.visit.systolic_blood_pressure.';
COMMENT ON COLUMN npda.visit_pseudonymised.diastolic_blood_pressure IS 'As npda.visit.diastolic_blood_pressure.';
COMMENT ON COLUMN npda.visit_pseudonymised.blood_pressure_observation_date IS 'As npda.visit.blood_pressure_observation_date.';
COMMENT ON COLUMN npda.visit_pseudonymised.foot_examination_observation_date IS 'As npda.visit.foot_examination_observation_date.';
COMMENT ON COLUMN npda.visit_pseudonymised.retinal_screening_observation_date IS 'As npda.visit.retinal_screening_observation_date.';
COMMENT ON COLUMN npda.visit_pseudonymised.retinal_screening_result IS 'As npda.visit.retinal_screening_result.';
COMMENT ON COLUMN npda.visit_pseudonymised.albumin_creatinine_ratio IS 'As npda.visit.albumin_creatinine_ratio.';
COMMENT ON COLUMN npda.visit_pseudonymised.albumin_creatinine_ratio_date IS 'As npda.visit.albumin_creatinine_ratio_date.';
COMMENT ON COLUMN npda.visit_pseudonymised.albuminuria_stage IS 'As npda.visit.albuminuria_stage.';
COMMENT ON COLUMN npda.visit_pseudonymised.total_cholesterol IS 'As npda.visit.total_cholesterol.';
COMMENT ON COLUMN npda.visit_pseudonymised.total_cholesterol_date IS 'As npda.visit.total_cholesterol_date.';
COMMENT ON COLUMN npda.visit_pseudonymised.thyroid_function_date IS 'As npda.visit.thyroid_function_date.';
COMMENT ON COLUMN npda.visit_pseudonymised.thyroid_treatment_status IS 'As npda.visit.thyroid_treatment_status.';
COMMENT ON COLUMN npda.visit_pseudonymised.coeliac_screen_date IS 'As npda.visit.coeliac_screen_date.';
COMMENT ON COLUMN npda.visit_pseudonymised.gluten_free_diet IS 'As npda.visit.gluten_free_diet.';
COMMENT ON COLUMN npda.visit_pseudonymised.psychological_screening_assessment_date IS 'As npda.visit.psychological_screening_assessment_date.';
COMMENT ON COLUMN npda.visit_pseudonymised.psychological_additional_support_status IS 'As npda.visit.psychological_additional_support_status.';
COMMENT ON COLUMN npda.visit_pseudonymised.psychological_support_outcome IS 'As npda.visit.psychological_support_outcome.';
COMMENT ON COLUMN npda.visit_pseudonymised.smoking_status IS 'As npda.visit.smoking_status.';
COMMENT ON COLUMN npda.visit_pseudonymised.smoking_vaping_status IS 'As npda.visit.smoking_vaping_status.';
COMMENT ON COLUMN npda.visit_pseudonymised.smoking_cessation_referral_date IS 'As npda.visit.smoking_cessation_referral_date.';
COMMENT ON COLUMN npda.visit_pseudonymised.carbohydrate_counting_level_three_education_date IS 'As npda.visit.carbohydrate_counting_level_three_education_date.';
COMMENT ON COLUMN npda.visit_pseudonymised.dietician_additional_appointment_offered IS 'As npda.visit.dietician_additional_appointment_offered.';
COMMENT ON COLUMN npda.visit_pseudonymised.dietician_additional_appointment_date IS 'As npda.visit.dietician_additional_appointment_date.';
COMMENT ON COLUMN npda.visit_pseudonymised.flu_immunisation_recommended_date IS 'As npda.visit.flu_immunisation_recommended_date.';
COMMENT ON COLUMN npda.visit_pseudonymised.ketone_meter_training IS 'As npda.visit.ketone_meter_training.';
COMMENT ON COLUMN npda.visit_pseudonymised.sick_day_rules_training_date IS 'As npda.visit.sick_day_rules_training_date.';
COMMENT ON COLUMN npda.visit_pseudonymised.hospital_admission_date IS 'As npda.visit.hospital_admission_date.';
COMMENT ON COLUMN npda.visit_pseudonymised.hospital_discharge_date IS 'As npda.visit.hospital_discharge_date.';
COMMENT ON COLUMN npda.visit_pseudonymised.hospital_admission_reason IS 'As npda.visit.hospital_admission_reason.';
COMMENT ON COLUMN npda.visit_pseudonymised.hospital_admission_reason_2026 IS 'As npda.visit.hospital_admission_reason_2026.';
COMMENT ON COLUMN npda.visit_pseudonymised.dka_additional_therapies IS 'As npda.visit.dka_additional_therapies.';
COMMENT ON COLUMN npda.visit_pseudonymised.hospital_admission_other IS 'As npda.visit.hospital_admission_other (free text: review before publishing).';
COMMENT ON COLUMN npda.visit_pseudonymised.blood_gas_ph IS 'As npda.visit.blood_gas_ph.';
COMMENT ON COLUMN npda.visit_pseudonymised.blood_gas_bicarbonate IS 'As npda.visit.blood_gas_bicarbonate.';
COMMENT ON COLUMN npda.visit_pseudonymised.is_valid IS 'False when a finding was recorded on this row.';

CREATE OR REPLACE VIEW npda.patient_kpi_pseudonymised WITH (security_barrier = true) AS
SELECT c.child_key, c.pz_code, c.audit_year, kd.code AS kpi, kd.label,
       sc.outcomes[kd.position] AS outcome, sc.kpi_values[kd.position]::numeric AS value,
       CASE WHEN kd.code = '32.1' THEN sc.checks_expected::integer END AS value_expected,
       sc.as_of, kd.position AS kpi_position
  FROM (SELECT p.id AS patient_id, u.pz_code, npda.audit_year(ap.start_date) AS audit_year,
               npda._hmac_sha256(k.secret, CASE WHEN p.nhs_number IS NOT NULL THEN 'nhs:' || p.nhs_number
                                                ELSE 'urn:' || p.unique_reference_number END) AS child_key
          FROM npda.patient p
          JOIN npda.submission s ON s.id = p.submission_id AND s.is_active
          JOIN npda.paediatric_diabetes_unit u ON u.id = s.paediatric_diabetes_unit_id
          JOIN npda.audit_period ap ON ap.id = s.audit_period_id
         CROSS JOIN npda.pseudonym_secret k
        OFFSET 0) AS c  -- one key per child, not one per child and KPI
  JOIN npda.patient_kpi_score sc ON sc.patient_id = c.patient_id
 CROSS JOIN npda.kpi kd
 WHERE (SELECT npda._caller_may_read_pseudonymised());
COMMENT ON VIEW npda.patient_kpi_pseudonymised IS
  'Per-child KPI outcomes of every active submission with the pseudonymised child key (npda.patient_pseudonymised), one row per child, unit, audit year and KPI, for analysts and the audit team. Empty for anyone else.';
COMMENT ON COLUMN npda.patient_kpi_pseudonymised.child_key IS 'Pseudonymised child key (npda.patient_pseudonymised.child_key).';
COMMENT ON COLUMN npda.patient_kpi_pseudonymised.pz_code IS 'The submitting unit.';
COMMENT ON COLUMN npda.patient_kpi_pseudonymised.audit_year IS 'Audit year (start year of the period).';
COMMENT ON COLUMN npda.patient_kpi_pseudonymised.kpi IS 'KPI code (npda.kpi.code).';
COMMENT ON COLUMN npda.patient_kpi_pseudonymised.label IS 'KPI label.';
COMMENT ON COLUMN npda.patient_kpi_pseudonymised.outcome IS 'pass, fail, pending or ineligible.';
COMMENT ON COLUMN npda.patient_kpi_pseudonymised.value IS 'The per-child value where the KPI has one.';
COMMENT ON COLUMN npda.patient_kpi_pseudonymised.value_expected IS '32.1 only: checks expected.';
COMMENT ON COLUMN npda.patient_kpi_pseudonymised.as_of IS 'Date the outcome was evaluated for.';
COMMENT ON COLUMN npda.patient_kpi_pseudonymised.kpi_position IS 'Report order of the KPI.';
