// npda.submission_annotated_csv(submission_id): the stored file given back
// record by record with its findings, for the "annotated" quality report. The
// report itself is src/core/ingest/annotated_csv.hpp; this is the glue: fetch
// the file and the findings, and put each record into the result as it is
// read (the tuplestore goes to disk beyond work_mem), so memory follows the
// file, not the file times its fields.
#include <cstdint>
#include <string>

#include "ingest/annotated_csv.hpp"
#include "spi.hpp"

namespace {

// Both functions: the records of a submission's file with their findings, as
// (row_number, error_count, errors, fields) or as (row_number, line).
Datum annotated_rows(FunctionCallInfo fcinfo, bool as_lines) {
    const std::int64_t submission_id = PG_GETARG_INT64(0);
    // The file is detoasted once, into a context of our own that outlives SPI.
    const MemoryContext file_context = npda::pg::call([]() {
        return AllocSetContextCreate(CurrentMemoryContext, "npda annotated file", ALLOCSET_DEFAULT_SIZES);
    });
    npda::pg::SpiConnection spi;
    if (npda::pg::spi_execute("SELECT csv FROM npda.submission WHERE id = $1",
                              {{INT8OID, Int64GetDatum(submission_id)}}, true) == 0) {
        spi.finish();
        throw npda::Error(npda::sqlstate::kInvalidArgument, "no submission " + std::to_string(submission_id), "",
                          "SELECT id, file_name FROM npda.submission lists the submissions.");
    }
    const bytea *file = npda::pg::call([&]() {
        bool isnull = false;
        const Datum d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
        const MemoryContext old = MemoryContextSwitchTo(file_context);
        bytea *b = reinterpret_cast<bytea *>(PG_DETOAST_DATUM_COPY(d));
        MemoryContextSwitchTo(old);
        SPI_freetuptable(SPI_tuptable);
        return b;
    });
    npda::AnnotatedCsv report(std::string_view(VARDATA(file), VARSIZE(file) - VARHDRSZ));

    // Findings by row, in the order they were recorded.
    const std::uint64_t n = npda::pg::spi_execute(
        "SELECT row_number, coalesce(column_heading || ': ', '') || message || ' [' || code || ']' "
        "FROM npda.submission_error WHERE submission_id = $1 ORDER BY row_number, id",
        {{INT8OID, Int64GetDatum(submission_id)}}, true);
    for (std::uint64_t i = 0; i < n; ++i) {
        bool isnull = false;
        const int row = DatumGetInt32(npda::pg::spi_value(i, 1, isnull));
        const text *line = npda::pg::call([&]() {
            return DatumGetTextPP(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
        });
        report.add_finding(row, std::string_view(VARDATA_ANY(line), VARSIZE_ANY_EXHDR(line)));
    }
    spi.finish();

    // One row of the result per record, built in a context emptied after each.
    ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
    const MemoryContext row_context = npda::pg::call([&]() {
        InitMaterializedSRF(fcinfo, 0);
        return AllocSetContextCreate(CurrentMemoryContext, "npda annotated row", ALLOCSET_DEFAULT_SIZES);
    });
    npda::AnnotatedRecord rec;
    std::string line;
    while (report.next(rec)) {
        if (as_lines) {
            line = npda::annotated_line(rec);
            npda::pg::call([&]() {
                const MemoryContext old = MemoryContextSwitchTo(row_context);
                Datum values[2] = {Int32GetDatum(rec.row_number),
                                   PointerGetDatum(cstring_to_text_with_len(line.data(),
                                                                            static_cast<int>(line.size())))};
                bool nulls[2] = {false, false};
                tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
                MemoryContextSwitchTo(old);
                MemoryContextReset(row_context);
            });
            continue;
        }
        npda::pg::call([&]() {
            const MemoryContext old = MemoryContextSwitchTo(row_context);
            Datum values[4];
            bool nulls[4] = {false, false, false, false};
            values[0] = Int32GetDatum(rec.row_number);
            values[1] = Int32GetDatum(rec.error_count);
            if (rec.error_count == 0)
                nulls[2] = true;
            else
                values[2] =
                    PointerGetDatum(cstring_to_text_with_len(rec.errors.data(), static_cast<int>(rec.errors.size())));
            Datum *fields = static_cast<Datum *>(palloc(sizeof(Datum) * (rec.fields.size() + 1)));
            for (std::size_t f = 0; f < rec.fields.size(); ++f)
                fields[f] = PointerGetDatum(cstring_to_text_with_len(rec.fields[f].data(),
                                                                     static_cast<int>(rec.fields[f].size())));
            values[3] = PointerGetDatum(construct_array(fields, static_cast<int>(rec.fields.size()), TEXTOID, -1, false,
                                                        TYPALIGN_INT));
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
            MemoryContextSwitchTo(old);
            MemoryContextReset(row_context);
        });
    }
    npda::pg::call([&]() {
        MemoryContextDelete(row_context);
        MemoryContextDelete(file_context);
    });
    return (Datum)0;
}

}  // namespace

NPDA_FUNCTION(submission_annotated_csv) { return annotated_rows(fcinfo, false); }

// From release 1.2; before, npda.submission_annotated_csv_lines was SQL over
// npda.submission_annotated_csv and wrote the same lines.
NPDA_FUNCTION(submission_annotated_csv_lines) { return annotated_rows(fcinfo, true); }
