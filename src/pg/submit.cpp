// npda._submit_csv(pz_code, csv, audit_year, file_name): the submission path.
//
// Resolve the PDU and audit period, check the caller may submit into it, read
// and validate the whole file in C++ (src/core/ingest/submission_reader.hpp),
// then, under a per-PDU-and-period lock, retire the previous submission and
// write the new one with one set-based INSERT per table. Everything happens in
// the caller's transaction: if any step fails, the previous submission is still
// active and untouched. The SQL wrapper npda.submit_csv returns the submission
// row.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "calendar.hpp"
#include "errors.hpp"
#include "ingest/record_columns.hpp"
#include "ingest/submission_reader.hpp"
#include "arrays.hpp"
#include "bulk_load.hpp"
#include "composite_rows.hpp"
#include "locks.hpp"
#include "scoring.hpp"
#include "settings.hpp"
#include "spi.hpp"

namespace {

using npda::pg::SpiArg;
using npda::pg::spi_execute;

// Rows per INSERT of visits: bounds the memory of the parameter arrays while
// keeping the per-statement overhead negligible.
constexpr std::size_t kVisitBatch = 50000;

Datum text_datum(const std::string &s) {
    return npda::pg::call([&]() { return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size()))); });
}

// "2024-25" for audit year 2024; any other integer as it is (the caller may
// pass anything, and year + 1 must not overflow).
std::string period_label(int year) {
    char buf[32];
    if (year >= 1 && year <= 9998)
        snprintf(buf, sizeof buf, "%d-%02d", year, (year + 1) % 100);  // PostgreSQL's snprintf: cannot throw
    else
        snprintf(buf, sizeof buf, "%d", year);
    return buf;
}

struct Target {
    std::int64_t pdu_id = 0;
    std::int64_t period_id = 0;
    int audit_year = 0;
    npda::DatasetYear dataset = npda::DatasetYear::y2021;
    npda::Date today = 0;
};

// Find the PDU and audit period, and refuse a closed period to ordinary users.
Target resolve_target(const std::string &pz_code, std::optional<int> requested_year) {
    Target t;
    if (spi_execute("SELECT id FROM npda.paediatric_diabetes_unit WHERE pz_code = $1",
                    {{TEXTOID, text_datum(pz_code)}}, true) == 0)
        throw npda::Error(npda::sqlstate::kUnknownPdu, "unknown paediatric diabetes unit \"" + pz_code + "\"",
                          "No row of npda.paediatric_diabetes_unit has this PZ code.",
                          "Check the PZ code; SELECT pz_code, name FROM npda.paediatric_diabetes_unit lists them.");
    t.pdu_id = npda::pg::spi_int64(0, 1);

    spi_execute("SELECT current_date", {}, true);
    bool isnull = false;
    t.today = static_cast<npda::Date>(DatumGetDateADT(npda::pg::spi_value(0, 1, isnull)));
    t.audit_year = requested_year ? *requested_year : npda::audit_year(t.today);

    // The period whose audit year is the one asked for: any integer is a fair
    // question (no make_date, which raises 22008 for year 0). The same
    // predicate as npda._audit_period_id, written out because this library
    // also serves databases still on an older release's SQL, which lack it.
    if (spi_execute("SELECT id, dataset_year, is_open, pg_catalog.pg_has_role('npda_audit_team', 'MEMBER') "
                    "FROM npda.audit_period WHERE npda.audit_year(start_date) OPERATOR(pg_catalog.=) $1",
                    {{INT4OID, Int32GetDatum(t.audit_year)}}, true) == 0)
        throw npda::Error(npda::sqlstate::kUnknownPeriod, "no audit period " + period_label(t.audit_year),
                          "npda.audit_period has no period starting on 1 April " + std::to_string(t.audit_year) + ".",
                          "Pass the audit year as the calendar year the period starts (2025 for 2025-26).");
    t.period_id = npda::pg::spi_int64(0, 1);
    const int dataset = DatumGetInt16(npda::pg::spi_value(0, 2, isnull));
    const bool is_open = DatumGetBool(npda::pg::spi_value(0, 3, isnull));
    const bool privileged = DatumGetBool(npda::pg::spi_value(0, 4, isnull));
    t.dataset = dataset == 2026 ? npda::DatasetYear::y2026 : npda::DatasetYear::y2021;
    if (!is_open && !privileged)
        throw npda::Error(npda::sqlstate::kPeriodClosed,
                          "audit period " + period_label(t.audit_year) + " is closed",
                          "Closed periods accept submissions only from superusers and members of npda_audit_team.",
                          "Ask the RCPCH audit team to submit the file or to reopen the period.");
    return t;
}

// Serialise submissions for one PDU and period. A transaction-level advisory
// lock needs no table privilege and is released at commit or abort; the
// partial unique index on submission(pdu, period) WHERE is_active is the
// backstop if anything ever bypasses it.
//
// Submissions also share a lock on the whole period, which npda.rescore takes
// exclusively: a whole-period re-score never races a replacement that
// removes the children it is scoring.
void lock_pdu_period(const Target &t) {
    npda::pg::lock_period(t.period_id, false);
    npda::pg::lock_pdu_period(t.pdu_id, t.period_id);
}

// Retire the active submission (kept as history with its file and errors) and
// remove every child of this PDU and period.
void retire_previous(const Target &t) {
    spi_execute("UPDATE npda.submission SET is_active = false, replaced_at = clock_timestamp() "
                "WHERE paediatric_diabetes_unit_id = $1 AND audit_period_id = $2 AND is_active",
                {{INT8OID, Int64GetDatum(t.pdu_id)}, {INT8OID, Int64GetDatum(t.period_id)}});
    spi_execute("DELETE FROM npda.patient p USING npda.submission s "
                "WHERE p.submission_id = s.id AND s.paediatric_diabetes_unit_id = $1 AND s.audit_period_id = $2",
                {{INT8OID, Int64GetDatum(t.pdu_id)}, {INT8OID, Int64GetDatum(t.period_id)}});
}

std::vector<std::int64_t> allocate_ids(const char *sequence, std::size_t n) {
    std::vector<std::int64_t> ids;
    ids.reserve(n);
    if (n == 0) return ids;
    const std::string sql = std::string("SELECT pg_catalog.nextval('") + sequence + "'::regclass) FROM pg_catalog.generate_series(1, $1)";
    const std::uint64_t got = spi_execute(sql.c_str(), {{INT4OID, Int32GetDatum(static_cast<int32>(n))}});
    for (std::uint64_t i = 0; i < got; ++i) ids.push_back(npda::pg::spi_int64(i, 1));
    return ids;
}

// Rows (CSV record numbers) that carry at least one finding.
struct RowsWithErrors {
    std::vector<int> rows;  // sorted, unique
    explicit RowsWithErrors(const std::vector<npda::FieldError> &errors) {
        for (const auto &e : errors) rows.push_back(e.row_number);
        std::sort(rows.begin(), rows.end());
        rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    }
    bool has(int row) const { return std::binary_search(rows.begin(), rows.end(), row); }
};

void insert_patients(const npda::ParsedSubmission &parsed, std::int64_t submission_id,
                     const std::vector<std::int64_t> &ids, const RowsWithErrors &bad, std::int64_t pdu_id) {
    std::vector<const npda::PatientRecord *> rows;
    rows.reserve(parsed.patients.size());
    for (const auto &p : parsed.patients) rows.push_back(&p);
    const std::size_t n = rows.size();
    if (n == 0) return;

    // A child is valid when none of its rows carries a finding.
    std::vector<char> valid(n, 1);
    for (std::size_t i = 0; i < n; ++i) {
        if (bad.has(rows[i]->first_row_number)) valid[i] = 0;
        for (const auto &visit : rows[i]->visits)
            if (bad.has(visit.row_number)) valid[i] = 0;
    }
    npda::pg::CompositeRows<npda::PatientRecord> patients(
        "npda.patient", npda::patient_columns(), {"id", "submission_id", "first_row_number", "is_valid"});
    patients.insert(rows, [&](std::size_t i, std::size_t column, Datum &v, bool &) {
        switch (column) {
        case 0: v = Int64GetDatum(ids[i]); break;
        case 1: v = Int64GetDatum(submission_id); break;
        case 2: v = Int32GetDatum(rows[i]->first_row_number); break;
        default: v = BoolGetDatum(valid[i] != 0); break;
        }
    });

    // One transfer row per child: the submitting PDU and its leaving data.
    spi_execute(
        "INSERT INTO npda.transfer (patient_id, paediatric_diabetes_unit_id, date_leaving_service, reason_leaving_service) "
        "SELECT u.p, $1, u.d, u.r FROM unnest($2::int8[], $3::date[], $4::int2[]) AS u(p, d, r)",
        {{INT8OID, Int64GetDatum(pdu_id)},
         {INT8ARRAYOID, npda::pg::int8_array(ids)},
         {DATEARRAYOID, npda::pg::build_array(DATEOID, n, [&](std::size_t i, Datum &v, bool &is_null) {
              if (rows[i]->date_leaving_service) v = DateADTGetDatum(*rows[i]->date_leaving_service); else is_null = true;
          })},
         {INT2ARRAYOID, npda::pg::build_array(INT2OID, n, [&](std::size_t i, Datum &v, bool &is_null) {
              if (rows[i]->reason_leaving_service) v = Int16GetDatum(*rows[i]->reason_leaving_service); else is_null = true;
          })}});
}

void insert_visits(const npda::ParsedSubmission &parsed, const std::vector<std::int64_t> &patient_ids,
                   const RowsWithErrors &bad) {
    npda::pg::CompositeRows<npda::VisitRecord> visits("npda.visit", npda::visit_columns(),
                                                      {"patient_id", "row_number", "is_valid"});
    std::vector<const npda::VisitRecord *> rows;
    std::vector<std::int64_t> owners;
    auto flush = [&]() {
        visits.insert(rows, [&](std::size_t i, std::size_t column, Datum &v, bool &) {
            switch (column) {
            case 0: v = Int64GetDatum(owners[i]); break;
            case 1: v = Int32GetDatum(rows[i]->row_number); break;
            default: v = BoolGetDatum(!bad.has(rows[i]->row_number)); break;
            }
        });
        rows.clear();
        owners.clear();
    };
    for (std::size_t p = 0; p < parsed.patients.size(); ++p) {
        for (const auto &v : parsed.patients[p].visits) {
            rows.push_back(&v);
            owners.push_back(patient_ids[p]);
            if (rows.size() == kVisitBatch) flush();
        }
    }
    flush();
}

void insert_errors(const std::vector<npda::FieldError> &errors, std::int64_t submission_id) {
    const std::size_t n = errors.size();
    if (n == 0) return;
    auto text_array = [&](auto member, bool empty_is_null) {
        return npda::pg::build_array(TEXTOID, n, [&](std::size_t i, Datum &v, bool &is_null) {
            const std::string &s = errors[i].*member;
            if (empty_is_null && s.empty()) { is_null = true; return; }
            v = PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size())));
        });
    };
    spi_execute("INSERT INTO npda.submission_error (submission_id, row_number, column_heading, value, code, message) "
                "SELECT $1, * FROM unnest($2::int4[], $3::text[], $4::text[], $5::text[], $6::text[])",
                {{INT8OID, Int64GetDatum(submission_id)},
                 {INT4ARRAYOID, npda::pg::build_array(INT4OID, n, [&](std::size_t i, Datum &v, bool &) { v = Int32GetDatum(errors[i].row_number); })},
                 {TEXTARRAYOID, text_array(&npda::FieldError::column_heading, true)},
                 {TEXTARRAYOID, text_array(&npda::FieldError::value, false)},
                 {TEXTARRAYOID, text_array(&npda::FieldError::code, false)},
                 {TEXTARRAYOID, text_array(&npda::FieldError::message, false)}});
}

}  // namespace

NPDA_FUNCTION(_submit_csv) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
        throw npda::Error(npda::sqlstate::kInvalidArgument, "pz_code and csv must not be NULL", "",
                          "Call npda.submit_csv('PZ041', <file bytes>, <audit year>, <file name>).");
    // Refuse an oversized file before reading a byte of it (its size is in the
    // varlena header, compressed or not).
    const std::int64_t file_bytes =
        npda::pg::call([fcinfo]() { return static_cast<std::int64_t>(toast_raw_datum_size(PG_GETARG_DATUM(1))) - VARHDRSZ; });
    if (file_bytes > npda::pg::max_file_bytes())
        throw npda::Error(npda::sqlstate::kFileTooLarge,
                          "the file is too large: " + std::to_string(file_bytes) + " bytes",
                          "npda.max_file_size allows at most " + std::to_string(npda::pg::max_file_bytes()) + " bytes.",
                          "A PDU's yearly file is a few megabytes; check the file, or ask the DBA to raise npda.max_file_size.");
    text *pz_arg = npda::pg::call([fcinfo]() { return PG_GETARG_TEXT_PP(0); });
    bytea *csv_arg = npda::pg::call([fcinfo]() { return PG_GETARG_BYTEA_PP(1); });
    Datum csv_datum = PointerGetDatum(csv_arg);
    std::optional<int> year;
    if (!PG_ARGISNULL(2)) year = PG_GETARG_INT32(2);
    std::optional<std::string> file_name;
    if (!PG_ARGISNULL(3)) {
        text *fn = npda::pg::call([fcinfo]() { return PG_GETARG_TEXT_PP(3); });
        file_name = std::string(VARDATA_ANY(fn), VARSIZE_ANY_EXHDR(fn));
    }

    const std::string pz_given(VARDATA_ANY(pz_arg), VARSIZE_ANY_EXHDR(pz_arg));
    const auto pz_code = npda::normalise_pz_code(pz_given);
    if (!pz_code)
        throw npda::Error(npda::sqlstate::kUnknownPdu, "\"" + pz_given + "\" is not a PDU code", "",
                          "PDU codes are PZ followed by three digits, for example PZ041.");

    npda::pg::SpiConnection spi;
    const Target target = resolve_target(*pz_code, year);

    npda::SubmissionContext ctx;
    ctx.pz_code = *pz_code;
    ctx.audit_year = target.audit_year;
    ctx.dataset = target.dataset;
    ctx.today = target.today;
    ctx.interrupt = npda::pg::interrupt_hook();
    ctx.limits = npda::pg::finding_limits();
    const std::string_view bytes(VARDATA_ANY(csv_arg), VARSIZE_ANY_EXHDR(csv_arg));
    const npda::ParsedSubmission parsed = npda::read_submission(bytes, ctx);

    lock_pdu_period(target);
    // From here until the file is written the statement-level KPI triggers
    // stand aside: the children being removed need no scores, and the new
    // ones are scored once below from the records in memory.
    std::optional<npda::pg::BulkLoadScope> bulk(std::in_place);
    retire_previous(target);

    std::size_t visit_count = 0;
    for (const auto &p : parsed.patients) visit_count += p.visits.size();
    spi_execute("INSERT INTO npda.submission (paediatric_diabetes_unit_id, audit_period_id, dataset_year, file_name, "
                "file_sha256, csv, is_active, row_count, patient_count, visit_count, error_count) "
                "VALUES ($1, $2, $3, $4, pg_catalog.encode(pg_catalog.sha256($5), 'hex'), $5, true, $6, $7, $8, $9) RETURNING id",
                {{INT8OID, Int64GetDatum(target.pdu_id)},
                 {INT8OID, Int64GetDatum(target.period_id)},
                 {INT2OID, Int16GetDatum(static_cast<int16>(target.dataset))},
                 {TEXTOID, file_name ? text_datum(*file_name) : (Datum)0, !file_name},
                 {BYTEAOID, csv_datum},
                 {INT4OID, Int32GetDatum(parsed.data_rows)},
                 {INT4OID, Int32GetDatum(static_cast<int32>(parsed.patients.size()))},
                 {INT4OID, Int32GetDatum(static_cast<int32>(visit_count))},
                 {INT4OID, Int32GetDatum(static_cast<int32>(parsed.errors.size()))}});
    const std::int64_t submission_id = npda::pg::spi_int64(0, 1);

    const RowsWithErrors bad(parsed.errors);
    const std::vector<std::int64_t> patient_ids = allocate_ids("npda.patient_id_seq", parsed.patients.size());
    insert_patients(parsed, submission_id, patient_ids, bad, target.pdu_id);
    insert_visits(parsed, patient_ids, bad);
    bulk.reset();
    insert_errors(parsed.errors, submission_id);
    npda::pg::score_records(parsed.patients, patient_ids, target.period_id, target.audit_year, target.today);

    spi.finish();
    return Int64GetDatum(submission_id);
}
