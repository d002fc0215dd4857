// npda._submit_csv(pz_code, csv, audit_year, file_name): the submission path.
//
// Resolve the PDU and audit period, check the caller may submit into it, read
// and validate the whole file in C++ (src/core/ingest/submission_reader.hpp),
// then, under a per-PDU-and-period lock, retire the previous submission and
// write the new one with one set-based INSERT per table. Everything happens in
// the caller's transaction: if any step fails, the previous submission is still
// active and untouched. The SQL wrapper npda.submit_csv returns the submission
// row.
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

using npda::pg::spi_execute;
using npda::pg::SpiArg;

// Rows (visits) per batch of children: the children are built, written and
// scored a batch at a time, so memory follows the batch, not the file, while
// the per-statement overhead stays negligible. 5,000 rather than 10,000: a
// 10 MB file then stays within its bound of 4 x file + 64 MB (docs/benchmarks.md).
constexpr std::size_t kRowBatch = 5000;

Datum text_datum(const std::string &s) {
    return npda::pg::call([&]() {
        return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size())));
    });
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

// Who is asking, for the access checks below.
enum class Caller {
    // Release 1.2 on: the person of the access model (npda._caller(): the
    // login's npda user, or the person an application acts for), not
    // current_user, since npda.submit_csv runs with the extension owner's
    // rights. Must be employed at the PDU; only the audit team may submit into
    // a closed period; submitted_by names the person.
    access_model,
    // The SQL of releases 1.0-1.1 (the library serves every older script until
    // ALTER EXTENSION UPDATE): current_user, a member of npda_audit_team for a
    // closed period, submitted_by = session_user.
    current_user,
};

// Find the PDU and audit period, refuse a PDU the caller is not employed at,
// and a closed period to anyone but the audit team.
Target resolve_target(const std::string &pz_code, std::optional<int> requested_year, Caller caller) {
    Target t;
    const bool model = caller == Caller::access_model;
    if (spi_execute(model ? "SELECT id, npda._caller_may_write_pdu(id) FROM npda.paediatric_diabetes_unit "
                            "WHERE pz_code OPERATOR(pg_catalog.=) $1"
                          : "SELECT id, true FROM npda.paediatric_diabetes_unit WHERE pz_code = $1",
                    {{TEXTOID, text_datum(pz_code)}}, true) == 0)
        throw npda::Error(npda::sqlstate::kUnknownPdu, "unknown paediatric diabetes unit \"" + pz_code + "\"",
                          "No row of npda.paediatric_diabetes_unit has this PZ code.",
                          "Check the PZ code; SELECT pz_code, name FROM npda.paediatric_diabetes_unit lists them.");
    t.pdu_id = npda::pg::spi_int64(0, 1);
    bool employed_isnull = false;
    if (!DatumGetBool(npda::pg::spi_value(0, 2, employed_isnull)))
        throw npda::Error(
            npda::sqlstate::kNotEmployedAt, "you may not submit for " + pz_code,
            "Editors and coordinators submit for the units they are employed at (npda.organisation_employer).",
            "Submit for one of your own units, or ask the RCPCH audit team.");

    spi_execute("SELECT current_date", {}, true);
    bool isnull = false;
    t.today = static_cast<npda::Date>(DatumGetDateADT(npda::pg::spi_value(0, 1, isnull)));
    t.audit_year = requested_year ? *requested_year : npda::audit_year(t.today);

    // The period whose audit year is the one asked for: any integer is a fair
    // question (no make_date, which raises 22008 for year 0). The same
    // predicate as npda._audit_period_id, written out because this library
    // also serves databases still on an older release's SQL, which lack it.
    if (spi_execute(model ? "SELECT id, dataset_year, is_open, npda._caller_sees_all() "
                            "FROM npda.audit_period WHERE npda.audit_year(start_date) OPERATOR(pg_catalog.=) $1"
                          : "SELECT id, dataset_year, is_open, pg_catalog.pg_has_role('npda_audit_team', 'MEMBER') "
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
        throw npda::Error(npda::sqlstate::kPeriodClosed, "audit period " + period_label(t.audit_year) + " is closed",
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
    const std::string sql =
        std::string("SELECT pg_catalog.nextval('") + sequence + "'::regclass) FROM pg_catalog.generate_series(1, $1)";
    const std::uint64_t got = spi_execute(sql.c_str(), {{INT4OID, Int32GetDatum(static_cast<int32>(n))}});
    for (std::uint64_t i = 0; i < got; ++i) ids.push_back(npda::pg::spi_int64(i, 1));
    npda::pg::call([]() { SPI_freetuptable(SPI_tuptable); });  // else kept until SPI_finish
    return ids;
}

// The rows of one batch of children, and whether each carries a finding.
struct Batch {
    const std::vector<npda::PatientRecord> &patients;
    const std::vector<std::int64_t> &ids;
    const npda::SubmissionReader &reader;
};

void insert_patients(npda::pg::CompositeRows<npda::PatientRecord> &table, const Batch &b, std::int64_t submission_id,
                     std::int64_t pdu_id) {
    std::vector<const npda::PatientRecord *> rows;
    rows.reserve(b.patients.size());
    for (const auto &p : b.patients) rows.push_back(&p);
    const std::size_t n = rows.size();
    if (n == 0) return;

    // A child is valid when none of its rows carries a finding.
    std::vector<char> valid(n, 1);
    for (std::size_t i = 0; i < n; ++i) {
        if (b.reader.row_has_finding(rows[i]->first_row_number)) valid[i] = 0;
        for (const auto &visit : rows[i]->visits)
            if (b.reader.row_has_finding(visit.row_number)) valid[i] = 0;
    }
    const std::vector<std::int64_t> &ids = b.ids;
    table.insert(rows, [&](std::size_t i, std::size_t column, Datum &v, bool &) {
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
         {DATEARRAYOID, npda::pg::build_array(DATEOID, n,
                                              [&](std::size_t i, Datum &v, bool &is_null) {
                                                  if (rows[i]->date_leaving_service)
                                                      v = DateADTGetDatum(*rows[i]->date_leaving_service);
                                                  else
                                                      is_null = true;
                                              })},
         {INT2ARRAYOID, npda::pg::build_array(INT2OID, n, [&](std::size_t i, Datum &v, bool &is_null) {
              if (rows[i]->reason_leaving_service)
                  v = Int16GetDatum(*rows[i]->reason_leaving_service);
              else
                  is_null = true;
          })}});
}

void insert_visits(npda::pg::CompositeRows<npda::VisitRecord> &table, const Batch &b) {
    std::vector<const npda::VisitRecord *> rows;
    std::vector<std::int64_t> owners;
    for (std::size_t p = 0; p < b.patients.size(); ++p) {
        for (const auto &v : b.patients[p].visits) {
            rows.push_back(&v);
            owners.push_back(b.ids[p]);
        }
    }
    table.insert(rows, [&](std::size_t i, std::size_t column, Datum &v, bool &) {
        switch (column) {
            case 0: v = Int64GetDatum(owners[i]); break;
            case 1: v = Int32GetDatum(rows[i]->row_number); break;
            default: v = BoolGetDatum(!b.reader.row_has_finding(rows[i]->row_number)); break;
        }
    });
}

// A summary finding (a code past its cap, docs/error-codes.md) names the row
// its uncounted findings start on; that row may carry no finding of its own
// and its child may already be written as valid: mark them now. Rare (a
// file past a cap), so an UPDATE rather than a second pass.
void mark_summary_rows(const std::vector<npda::FieldError> &errors, const npda::SubmissionReader &reader,
                       std::int64_t submission_id) {
    std::vector<std::int64_t> rows;
    for (const auto &e : errors)
        if (!reader.row_has_finding(e.row_number)) rows.push_back(e.row_number);
    if (rows.empty()) return;
    const Datum array = npda::pg::build_array(INT4OID, rows.size(), [&](std::size_t i, Datum &v, bool &) {
        v = Int32GetDatum(static_cast<int32>(rows[i]));
    });
    spi_execute("UPDATE npda.visit v SET is_valid = false FROM npda.patient p "
                "WHERE p.submission_id = $1 AND v.patient_id = p.id AND v.row_number = ANY ($2) AND v.is_valid",
                {{INT8OID, Int64GetDatum(submission_id)}, {INT4ARRAYOID, array}});
    spi_execute("UPDATE npda.patient p SET is_valid = false WHERE p.submission_id = $1 AND p.is_valid "
                "AND EXISTS (SELECT FROM npda.visit v WHERE v.patient_id = p.id AND NOT v.is_valid)",
                {{INT8OID, Int64GetDatum(submission_id)}});
}

void insert_errors(const std::vector<npda::FieldError> &errors, std::int64_t submission_id) {
    const std::size_t n = errors.size();
    if (n == 0) return;
    auto text_array = [&](auto member, bool empty_is_null) {
        return npda::pg::build_array(TEXTOID, n, [&](std::size_t i, Datum &v, bool &is_null) {
            const std::string &s = errors[i].*member;
            if (empty_is_null && s.empty()) {
                is_null = true;
                return;
            }
            v = PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size())));
        });
    };
    spi_execute("INSERT INTO npda.submission_error (submission_id, row_number, column_heading, value, code, message) "
                "SELECT $1, * FROM unnest($2::int4[], $3::text[], $4::text[], $5::text[], $6::text[])",
                {{INT8OID, Int64GetDatum(submission_id)},
                 {INT4ARRAYOID, npda::pg::build_array(INT4OID, n,
                                                      [&](std::size_t i, Datum &v, bool &) {
                                                          v = Int32GetDatum(errors[i].row_number);
                                                      })},
                 {TEXTARRAYOID, text_array(&npda::FieldError::column_heading, true)},
                 {TEXTARRAYOID, text_array(&npda::FieldError::value, false)},
                 {TEXTARRAYOID, text_array(&npda::FieldError::code, false)},
                 {TEXTARRAYOID, text_array(&npda::FieldError::message, false)}});
}

}  // namespace

namespace {

Datum submit_csv(FunctionCallInfo fcinfo, Caller caller) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
        throw npda::Error(npda::sqlstate::kInvalidArgument, "pz_code and csv must not be NULL", "",
                          "Call npda.submit_csv('PZ041', <file bytes>, <audit year>, <file name>).");
    // Refuse an oversized file before reading a byte of it (its size is in the
    // varlena header, compressed or not).
    const std::int64_t file_bytes = npda::pg::call([fcinfo]() {
        return static_cast<std::int64_t>(toast_raw_datum_size(PG_GETARG_DATUM(1))) - VARHDRSZ;
    });
    if (file_bytes > npda::pg::max_file_bytes())
        throw npda::Error(
            npda::sqlstate::kFileTooLarge, "the file is too large: " + std::to_string(file_bytes) + " bytes",
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
    const Target target = resolve_target(*pz_code, year, caller);

    npda::SubmissionContext ctx;
    ctx.pz_code = *pz_code;
    ctx.audit_year = target.audit_year;
    ctx.dataset = target.dataset;
    ctx.today = target.today;
    ctx.interrupt = npda::pg::interrupt_hook();
    ctx.limits = npda::pg::finding_limits();
    const std::string_view bytes(VARDATA_ANY(csv_arg), VARSIZE_ANY_EXHDR(csv_arg));
    // First pass: structure and every row's findings (see SubmissionReader).
    npda::SubmissionReader reader(bytes, ctx);

    lock_pdu_period(target);
    // From here until the file is written the statement-level KPI triggers
    // stand aside: the children being removed need no scores, and the new
    // ones are scored batch by batch below from the records in memory.
    std::optional<npda::pg::BulkLoadScope> bulk(std::in_place);
    retire_previous(target);

    // error_count is known once every child is built: 0 here, set below.
    // submitted_by: the person an application acts for (npda.act_as), else
    // the session user (npda._caller_label(); the column's default before 1.2).
    // A kept (generic) plan, not spi_execute: with the parameters as constants
    // the planner would fold the file into the plan, one more copy of it for
    // each of its two uses.
    static npda::pg::KeptPlan insert_as_caller(
        "INSERT INTO npda.submission (paediatric_diabetes_unit_id, audit_period_id, dataset_year, file_name, "
        "file_sha256, csv, is_active, row_count, patient_count, visit_count, error_count, submitted_by) "
        "VALUES ($1, $2, $3, $4, pg_catalog.encode(pg_catalog.sha256($5), 'hex'), $5, true, $6, $7, $8, 0, "
        "npda._caller_label()) RETURNING id");
    static npda::pg::KeptPlan insert_as_user(
        "INSERT INTO npda.submission (paediatric_diabetes_unit_id, audit_period_id, dataset_year, file_name, "
        "file_sha256, csv, is_active, row_count, patient_count, visit_count, error_count) "
        "VALUES ($1, $2, $3, $4, pg_catalog.encode(pg_catalog.sha256($5), 'hex'), $5, true, $6, $7, $8, 0) "
        "RETURNING id");
    npda::pg::spi_execute_plan(caller == Caller::access_model ? insert_as_caller : insert_as_user,
                               {{INT8OID, Int64GetDatum(target.pdu_id)},
                                {INT8OID, Int64GetDatum(target.period_id)},
                                {INT2OID, Int16GetDatum(static_cast<int16>(target.dataset))},
                                {TEXTOID, file_name ? text_datum(*file_name) : (Datum)0, !file_name},
                                {BYTEAOID, csv_datum},
                                {INT4OID, Int32GetDatum(reader.data_rows())},
                                {INT4OID, Int32GetDatum(static_cast<int32>(reader.patient_count()))},
                                {INT4OID, Int32GetDatum(reader.data_rows())}});  // every data row is one visit
    const std::int64_t submission_id = npda::pg::spi_int64(0, 1);

    // Second pass: build, write and score the children a batch at a time.
    // The batch's rows and scores are built in contexts deleted after each
    // statement (CompositeRows, store_scores); the rest is switched into a
    // batch context emptied after the batch (SPI returns to its procedure
    // context after each call, so small arrays built after one, such as the
    // transfers', stay there until SPI_finish: a few bytes a child).
    npda::pg::CompositeRows<npda::PatientRecord> patient_table("npda.patient", npda::patient_columns(),
                                                               {"id", "submission_id", "first_row_number", "is_valid"});
    npda::pg::CompositeRows<npda::VisitRecord> visit_table("npda.visit", npda::visit_columns(),
                                                           {"patient_id", "row_number", "is_valid"});
    const MemoryContext batch_context = npda::pg::call([]() {
        return AllocSetContextCreate(CurrentMemoryContext, "npda submission batch", ALLOCSET_DEFAULT_SIZES);
    });
    std::vector<npda::PatientRecord> patients;
    while (reader.next_batch(patients, kRowBatch)) {
        const MemoryContext caller_context = npda::pg::call([&]() { return MemoryContextSwitchTo(batch_context); });
        const std::vector<std::int64_t> patient_ids = allocate_ids("npda.patient_id_seq", patients.size());
        const Batch batch{patients, patient_ids, reader};
        insert_patients(patient_table, batch, submission_id, target.pdu_id);
        insert_visits(visit_table, batch);
        npda::pg::score_records(patients, patient_ids, target.period_id, target.audit_year, target.today);
        npda::pg::call([&]() {
            MemoryContextSwitchTo(caller_context);
            MemoryContextReset(batch_context);
        });
    }
    patients = {};

    const std::vector<npda::FieldError> errors = reader.take_errors();
    mark_summary_rows(errors, reader, submission_id);
    if (!errors.empty())
        spi_execute("UPDATE npda.submission SET error_count = $2 WHERE id = $1",
                    {{INT8OID, Int64GetDatum(submission_id)},
                     {INT4OID, Int32GetDatum(static_cast<int32>(errors.size()))}});
    bulk.reset();
    insert_errors(errors, submission_id);

    spi.finish();
    return Int64GetDatum(submission_id);
}

}  // namespace

// npda._submit_csv as defined from release 1.2: the access model's checks.
NPDA_FUNCTION(_submit_csv_as_caller) { return submit_csv(fcinfo, Caller::access_model); }

// npda._submit_csv as releases 1.0-1.1 define it.
NPDA_FUNCTION(_submit_csv) { return submit_csv(fcinfo, Caller::current_user); }
