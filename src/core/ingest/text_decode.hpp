// Bytes of an uploaded file -> UTF-8 text (docs/data-model.md §6.1).
//
// PDUs export from Excel, Twinkle and Diamond: files arrive as UTF-8 with or
// without a byte-order mark, or as Windows-1252 ("ANSI", a superset of
// Latin-1). Everything downstream works on UTF-8, so decoding happens once, up
// front, and also turns non-breaking spaces into plain spaces (they count as
// spaces in headings and values: exports that carry them were rejected by
// the reference platform).
#pragma once
#include <string>
#include <string_view>
#include "no_postgres.hpp"

namespace npda {

enum class SourceEncoding { utf8, utf8_bom, windows1252 };

struct DecodedText {
    std::string text;  // UTF-8, no BOM, U+00A0 replaced by ' '
    SourceEncoding encoding = SourceEncoding::utf8;
};

// Decode file bytes. Throws npda::Error(sqlstate::kNotText) when the bytes are
// not text at all (NUL bytes, a ZIP/XLSX or other binary signature, UTF-16, or
// many control characters), with a hint to export the sheet as CSV.
// Empty input gives empty text (the caller reports the empty file).
DecodedText decode_text(std::string_view bytes);

// decode_text without a copy when none is needed: when the bytes (after a
// BOM) are well-formed UTF-8 holding no U+00A0, the result is a view into
// bytes and `scratch` is left empty; otherwise decode_text's text is moved
// into `scratch` and viewed. Same errors as decode_text.
std::string_view decode_text_into(std::string_view bytes, std::string &scratch, SourceEncoding &encoding);

// True when bytes is well-formed UTF-8 (no overlong forms, no surrogates,
// nothing above U+10FFFF).
bool is_valid_utf8(std::string_view bytes);

// Number of code points in UTF-8 text (the unit of a column's length limit).
std::size_t utf8_length(std::string_view s);
// The first n code points of UTF-8 text (all of it when shorter).
std::string utf8_prefix(std::string_view s, std::size_t n);

}  // namespace npda
