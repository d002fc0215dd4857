// The two CSV templates (2021: 52 columns, 2026: 59 columns) and the heading
// aliases, as data (docs/data-model.md §5, §6.2). A template gives each
// column's heading and the field it fills; what a field is and how it is kept
// is in the field table (fields.hpp). Nothing here knows how a value is
// checked; the rules read these tables.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>
#include "ingest/fields.hpp"
#include "ingest/record.hpp"
#include "ingest/value_sets.hpp"
#include "no_postgres.hpp"

namespace npda {

// One column of a template: its heading, and the field it fills with that
// field's row of the field table (fields.hpp) copied in, so the rules read
// everything about the column in one place.
struct ColumnDef : FieldDef {
    std::string_view heading;  // as published, trimmed, without footnote daggers
};

// Template columns in published order. Index 0 is the identifier column
// ("NHS Number"; "Unique Reference Number" for PZ248).
const std::vector<ColumnDef> &dataset_columns(DatasetYear year);
// Index of the template column holding field, or -1 when the dataset has none.
int column_index(DatasetYear year, FieldId field);

inline constexpr std::string_view kNhsNumberHeading = "NHS Number";
inline constexpr std::string_view kUrnHeading = "Unique Reference Number";

// An alternative heading seen in real exports and the official heading it
// stands for. An alias applies to every dataset whose template has the
// official heading.
struct HeadingAlias {
    std::string_view alias;
    std::string_view official;
};
const std::vector<HeadingAlias> &heading_aliases();

// Heading cleaning (docs/data-model.md §6.2 steps 1-2): trim spaces, strip surrounding quotes.
std::string_view clean_heading(std::string_view heading);
// The "loose" comparison form (docs/data-model.md §6.2 step 5, applied to every heading): accents
// removed, every character that is not a letter or digit (daggers,
// punctuation) becomes a space, runs of spaces collapse, lower case, trimmed.
// Case-insensitive comparison and quote stripping are implied.
std::string loose_heading(std::string_view heading);

// What a file heading refers to.
struct HeadingMatch {
    enum class Kind { template_column, unique_reference_number, unknown };
    Kind kind = Kind::unknown;
    int column = -1;  // template column index for Kind::template_column
};

// Heading lookup for one dataset: official headings, aliases, and the URN
// identifier heading, all compared in loose form.
class HeadingIndex {
public:
    explicit HeadingIndex(DatasetYear year);
    HeadingMatch match(std::string_view file_heading) const;

private:
    std::unordered_map<std::string, HeadingMatch> by_loose_;
};
const HeadingIndex &heading_index(DatasetYear year);

}  // namespace npda
