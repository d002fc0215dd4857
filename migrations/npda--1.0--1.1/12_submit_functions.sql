-- Submitting a file, and reading its findings back.

CREATE FUNCTION npda._submit_csv(pz_code text, csv bytea, audit_year integer, file_name text) RETURNS bigint
  AS 'MODULE_PATHNAME', '_submit_csv'
  LANGUAGE C VOLATILE;
COMMENT ON FUNCTION npda._submit_csv(text, bytea, integer, text) IS
  'Internal: the C++ submission path behind npda.submit_csv; returns the new submission''s id.';

CREATE FUNCTION npda.submit_csv(pz_code text, csv bytea, audit_year integer DEFAULT NULL, file_name text DEFAULT NULL)
  RETURNS npda.submission
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  new_id bigint;
  result npda.submission;
BEGIN
  new_id := npda._submit_csv(pz_code, csv, audit_year, file_name);
  SELECT s.* INTO result FROM npda.submission s WHERE s.id = new_id;
  RETURN result;
END
$$;
COMMENT ON FUNCTION npda.submit_csv(text, bytea, integer, text) IS
  'Submit a PDU''s NPDA CSV file (2021 or 2026 template, chosen by the audit period) for an audit year (the calendar year the period starts; NULL = the period containing today). Structural problems raise an SQLSTATE NP0xx/NP1xx error and change nothing; field problems are stored in npda.submission_error and the file is accepted. In one transaction the new submission becomes the only active one for the PDU and period, the previous one''s children are removed (its row, file and errors kept), and every child is scored. Returns the submission row.';

CREATE FUNCTION npda.submission_annotated_csv(submission_id bigint)
  RETURNS TABLE (row_number integer, error_count integer, errors text, fields text[])
  AS 'MODULE_PATHNAME', 'submission_annotated_csv'
  LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION npda.submission_annotated_csv(bigint) IS
  'The submitted file given back record by record (header = row 1) with its findings: error_count, errors (one line per finding: heading: message [code]) and the record''s fields as read (decoded to UTF-8). The downloadable "annotated" data quality report.';

CREATE VIEW npda.submission_error_report AS
SELECT s.id AS submission_id, u.pz_code, npda.audit_year(ap.start_date) AS audit_year, s.file_name,
       s.submitted_at, s.is_active, e.row_number, e.column_heading, e.value, e.code, e.message
  FROM npda.submission_error e
  JOIN npda.submission s ON s.id = e.submission_id
  JOIN npda.paediatric_diabetes_unit u ON u.id = s.paediatric_diabetes_unit_id
  JOIN npda.audit_period ap ON ap.id = s.audit_period_id;
COMMENT ON VIEW npda.submission_error_report IS
  'The data quality report as a plain query: every finding of every submission with its PDU, audit year and file. Filter on pz_code, audit_year and is_active for a PDU''s current report.';
COMMENT ON COLUMN npda.submission_error_report.submission_id IS 'npda.submission.id.';
COMMENT ON COLUMN npda.submission_error_report.pz_code IS 'The submitting PDU.';
COMMENT ON COLUMN npda.submission_error_report.audit_year IS 'Audit year (start year of the period).';
COMMENT ON COLUMN npda.submission_error_report.file_name IS 'The submitted file''s name.';
COMMENT ON COLUMN npda.submission_error_report.submitted_at IS 'When the file was submitted.';
COMMENT ON COLUMN npda.submission_error_report.is_active IS 'Whether this is the PDU''s active submission for the period.';
COMMENT ON COLUMN npda.submission_error_report.row_number IS 'CSV record number (header = 1).';
COMMENT ON COLUMN npda.submission_error_report.column_heading IS 'Template heading of the offending column (NULL: the whole row or child).';
COMMENT ON COLUMN npda.submission_error_report.value IS 'The offending value as submitted.';
COMMENT ON COLUMN npda.submission_error_report.code IS 'Stable rule name (docs/error-codes.md).';
COMMENT ON COLUMN npda.submission_error_report.message IS 'What is wrong and what was expected.';

CREATE FUNCTION npda.submission_annotated_csv_lines(submission_id bigint)
  RETURNS TABLE (row_number integer, line text)
  LANGUAGE sql STABLE STRICT
  SET search_path = pg_catalog, pg_temp
  BEGIN ATOMIC
    SELECT a.row_number,
           concat_ws(',',
             CASE WHEN a.row_number = 1 THEN 'NPDA findings'
                  ELSE '"' || replace(coalesce(a.errors, ''), '"', '""') || '"' END,
             (SELECT string_agg(CASE WHEN f ~ '[",\r\n]' THEN '"' || replace(f, '"', '""') || '"' ELSE f END, ','
                                ORDER BY i)
                FROM unnest(a.fields) WITH ORDINALITY AS u(f, i)))
      FROM npda.submission_annotated_csv(submission_id) AS a
     ORDER BY a.row_number;
  END;
COMMENT ON FUNCTION npda.submission_annotated_csv_lines(bigint) IS
  'The annotated data quality report as CSV text, one line per record of the submitted file: a first column "NPDA findings" holding each row''s findings, then the row as submitted (UTF-8, quoted where needed). Save it with \copy (SELECT line FROM npda.submission_annotated_csv_lines(id) ORDER BY row_number) TO ''report.csv''.';
