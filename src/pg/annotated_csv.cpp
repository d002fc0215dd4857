// npda.submission_annotated_csv(submission_id): the stored file given back
// record by record with its findings, for the "annotated" quality report.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ingest/csv_reader.hpp"
#include "ingest/text_decode.hpp"
#include "spi.hpp"

namespace {

struct Annotation {
    int count = 0;
    std::string text;
};

}  // namespace

NPDA_FUNCTION(submission_annotated_csv) {
    const std::int64_t submission_id = PG_GETARG_INT64(0);
    npda::pg::SpiConnection spi;

    // The raw bytes, copied into C++ (they live in SPI memory until finish).
    std::string bytes;
    if (npda::pg::spi_execute("SELECT csv FROM npda.submission WHERE id = $1",
                              {{INT8OID, Int64GetDatum(submission_id)}}, true) == 0) {
        spi.finish();
        throw npda::Error(npda::sqlstate::kInvalidArgument, "no submission " + std::to_string(submission_id), "",
                          "SELECT id, file_name FROM npda.submission lists the submissions.");
    }
    {
        const char *data = nullptr;
        std::size_t len = 0;
        npda::pg::call([&]() {
            bool isnull = false;
            bytea *b = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
            data = VARDATA_ANY(b);
            len = VARSIZE_ANY_EXHDR(b);
        });
        bytes.assign(data, len);
    }

    // Findings by row, in the order they were recorded.
    std::map<int, Annotation> notes;
    const std::uint64_t n = npda::pg::spi_execute(
        "SELECT row_number, coalesce(column_heading || ': ', '') || message || ' [' || code || ']' "
        "FROM npda.submission_error WHERE submission_id = $1 ORDER BY row_number, id",
        {{INT8OID, Int64GetDatum(submission_id)}}, true);
    for (std::uint64_t i = 0; i < n; ++i) {
        bool isnull = false;
        const int row = DatumGetInt32(npda::pg::spi_value(i, 1, isnull));
        const char *line = npda::pg::call([&]() {
            return TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
        });
        Annotation &a = notes[row];
        if (a.count++) a.text += '\n';
        a.text += line;
    }
    spi.finish();

    const npda::DecodedText decoded = npda::decode_text(bytes);
    const std::vector<npda::CsvRecord> records = npda::read_csv(decoded.text);

    // Emit rows. Everything PostgreSQL allocates happens inside one guarded
    // call that only reads the C++ containers built above.
    npda::pg::call([&]() {
        InitMaterializedSRF(fcinfo, 0);
        ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
        for (const npda::CsvRecord &rec : records) {
            Datum values[4];
            bool nulls[4] = {false, false, false, false};
            values[0] = Int32GetDatum(rec.record_number);
            auto it = notes.find(rec.record_number);
            values[1] = Int32GetDatum(it == notes.end() ? 0 : it->second.count);
            if (it == notes.end())
                nulls[2] = true;
            else
                values[2] = PointerGetDatum(cstring_to_text_with_len(it->second.text.data(),
                                                                     static_cast<int>(it->second.text.size())));
            Datum *fields = static_cast<Datum *>(palloc(sizeof(Datum) * (rec.fields.size() + 1)));
            for (std::size_t f = 0; f < rec.fields.size(); ++f)
                fields[f] = PointerGetDatum(cstring_to_text_with_len(rec.fields[f].data(),
                                                                     static_cast<int>(rec.fields[f].size())));
            values[3] = PointerGetDatum(construct_array(fields, static_cast<int>(rec.fields.size()), TEXTOID, -1, false,
                                                        TYPALIGN_INT));
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        }
    });
    return (Datum)0;
}
