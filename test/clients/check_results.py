"""The Python client an analyst would write (Debian python3-psycopg): read the
national table and the per-unit results of one KPI year from the published
view over TCP as the analyst login, and check them, row for row, against the
same query run by psql. Prints TAP lines; exit status 0 when all passed.

usage: /usr/bin/python3 check_results.py CONNINFO YEAR EXPECTED_NATIONAL EXPECTED_PDU
  CONNINFO            libpq connection string of the analyst (host, port, dbname, user, password)
  EXPECTED_*          files of the same rows as psql printed them (-At -F '|', NULL as empty)
"""
import sys

import psycopg

conninfo, year, expected_national, expected_pdu = sys.argv[1:5]
QUERY = ("SELECT level, area_code, kpi, eligible, passed, pct_passed, value, suppressed"
         "  FROM npda.kpi_results_published WHERE audit_year = %s AND level = %s"
         " ORDER BY area_code, kpi_position")
failures = 0
n = 0


def check(ok, label):
    global failures, n
    n += 1
    print(("ok %d - %s" if ok else "not ok %d - %s") % (n, label))
    if not ok:
        failures += 1


def as_psql(row):
    # psql -At prints NULL as an empty field, numerics as their text, booleans as t/f
    def text(v):
        if v is None:
            return ""
        if isinstance(v, bool):
            return "t" if v else "f"
        return str(v)
    return "|".join(text(v) for v in row)


with psycopg.connect(conninfo) as conn:
    who = conn.execute("SELECT current_user, pg_has_role(current_user, 'npda_analyst', 'MEMBER')").fetchone()
    check(who[1], "python: connected over TCP as %s, a member of npda_analyst" % who[0])
    for level, path in (("national", expected_national), ("pdu", expected_pdu)):
        rows = conn.execute(QUERY, (int(year), level)).fetchall()
        with open(path, encoding="utf-8") as f:
            expected = [line.rstrip("\n") for line in f if line.strip()]
        got = [as_psql(r) for r in rows]
        check(len(rows) > 0 and got == expected,
              "python: %d %s rows of npda.kpi_results_published, as psql reads them" % (len(rows), level))
        if got != expected:
            for g, e in list(zip(got, expected))[:3]:
                if g != e:
                    print("#   got:      %s\n#   expected: %s" % (g, e))
            print("#   %d rows, expected %d" % (len(got), len(expected)))
    # The rows are usable as numbers: a percentage is withheld exactly where the row is suppressed.
    rows = conn.execute("SELECT pct_passed, passed, suppressed FROM npda.kpi_results_published"
                        " WHERE audit_year = %s AND level = 'pdu' AND kpi = '13'", (int(year),)).fetchall()
    check(all((r[0] is None) or (0 <= float(r[0]) <= 100) for r in rows),
          "python: every published percentage of KPI 13 is a number from 0 to 100 or NULL")
sys.exit(1 if failures else 0)
