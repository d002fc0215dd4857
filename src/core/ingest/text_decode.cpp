// Bytes -> UTF-8: BOM removal, UTF-8 validation, Windows-1252 fallback and
// the "is this text at all" check (docs/data-model.md §6.1, §6.4).
#include "ingest/text_decode.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include "errors.hpp"

namespace npda {

namespace {

// Code points of bytes 0x80-0x9F in Windows-1252. The five bytes the code page
// leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) map to the C1 control of the
// same value, as the WHATWG encoding standard does, so decoding never fails.
constexpr std::uint16_t kCp1252High[32] = {0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                           0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
                                           0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                           0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

void append_utf8(std::string &out, std::uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

[[noreturn]] void throw_not_text(const std::string &detail) {
    throw Error(sqlstate::kNotText, "file is not a CSV text file", detail,
                "Open the sheet in Excel, choose File > Save As > \"CSV UTF-8 (Comma delimited)\" "
                "and submit the .csv file.");
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// Reject what is obviously not a CSV file before trying to decode it. A CSV
// exported by any spreadsheet holds no NUL bytes and almost no C0 controls
// other than tab, line feed and carriage return.
void check_is_text(std::string_view bytes) {
    if (starts_with(bytes, "PK\x03\x04"))
        throw_not_text("The file is a ZIP archive, for example an Excel workbook (.xlsx).");
    if (starts_with(bytes, std::string_view("\xD0\xCF\x11\xE0", 4)))
        throw_not_text("The file is an old-style Excel workbook (.xls) or another OLE document.");
    if (starts_with(bytes, "%PDF")) throw_not_text("The file is a PDF document.");
    if (starts_with(bytes, "\xFF\xFE") || starts_with(bytes, "\xFE\xFF"))
        throw_not_text("The file is UTF-16 text (\"Unicode Text\" in Excel), which is not accepted.");
    std::size_t controls = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        // Skip eight bytes at a time when none is below 0x20 (the usual case).
        if (i + 8 <= bytes.size()) {
            std::uint64_t w;
            std::memcpy(&w, bytes.data() + i, 8);
            if (((w - 0x2020202020202020ULL) & ~w & 0x8080808080808080ULL) == 0) {
                i += 7;
                continue;
            }
        }
        const unsigned char c = static_cast<unsigned char>(bytes[i]);
        if (c == 0)
            throw_not_text("The file contains NUL bytes at byte " + std::to_string(i + 1) +
                           "; it is a binary file, not CSV text.");
        // Tab, LF, CR are normal; form feed and the DOS end-of-file mark
        // (Ctrl-Z) turn up in old exports and are harmless.
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != 0x0C && c != 0x1A) ++controls;
    }
    if (controls > 16 && controls * 100 > bytes.size())
        throw_not_text("The file contains " + std::to_string(controls) +
                       " control characters; it is a binary file, not CSV text.");
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
    const auto *p = reinterpret_cast<const unsigned char *>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        // Eight ASCII bytes at a time: the usual case for a CSV export.
        if (i + 8 <= n) {
            std::uint64_t word;
            std::memcpy(&word, p + i, 8);
            if ((word & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }
        const unsigned char c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len;
        std::uint32_t min;
        std::uint32_t cp;
        if ((c & 0xE0) == 0xC0) {
            len = 2, min = 0x80, cp = c & 0x1Fu;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, min = 0x800, cp = c & 0x0Fu;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, min = 0x10000, cp = c & 0x07u;
        } else {
            return false;
        }
        if (i + len > n) return false;
        for (std::size_t k = 1; k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (p[i + k] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

DecodedText decode_text(std::string_view bytes) {
    DecodedText out;
    if (bytes.empty()) return out;
    check_is_text(bytes);
    if (starts_with(bytes, "\xEF\xBB\xBF")) {
        bytes.remove_prefix(3);
        out.encoding = SourceEncoding::utf8_bom;
    }
    if (is_valid_utf8(bytes)) {
        // Copy, turning U+00A0 (C2 A0) into a plain space on the way; copy
        // the stretches between C2 bytes whole.
        out.text.reserve(bytes.size());
        std::size_t from = 0;
        while (from < bytes.size()) {
            const void *hit = std::memchr(bytes.data() + from, 0xC2, bytes.size() - from);
            const std::size_t at =
                hit ? static_cast<std::size_t>(static_cast<const char *>(hit) - bytes.data()) : bytes.size();
            out.text.append(bytes.data() + from, at - from);
            if (at >= bytes.size()) break;
            if (at + 1 < bytes.size() && bytes[at + 1] == '\xA0') {
                out.text.push_back(' ');
            } else {
                out.text.append(bytes.data() + at, std::min<std::size_t>(2, bytes.size() - at));
            }
            from = at + 2;
        }
        return out;
    }
    // Not UTF-8: read as Windows-1252 (a BOM followed by invalid UTF-8 is
    // improbable; the BOM bytes were already dropped and the rest is decoded).
    out.encoding = SourceEncoding::windows1252;
    out.text.reserve(bytes.size() + bytes.size() / 8);
    for (const char ch : bytes) {
        const unsigned char c = static_cast<unsigned char>(ch);
        if (c < 0x80) {
            out.text.push_back(ch);
        } else if (c < 0xA0) {
            append_utf8(out.text, kCp1252High[c - 0x80]);
        } else if (c == 0xA0) {
            out.text.push_back(' ');  // non-breaking space counts as a space
        } else {
            append_utf8(out.text, c);  // 0xA1-0xFF are the Latin-1 code points
        }
    }
    return out;
}

std::string_view decode_text_into(std::string_view bytes, std::string &scratch, SourceEncoding &encoding) {
    scratch.clear();
    if (bytes.empty()) {
        encoding = SourceEncoding::utf8;
        return {};
    }
    check_is_text(bytes);
    std::string_view body = bytes;
    encoding = SourceEncoding::utf8;
    if (starts_with(body, "\xEF\xBB\xBF")) {
        body.remove_prefix(3);
        encoding = SourceEncoding::utf8_bom;
    }
    if (is_valid_utf8(body) && body.find("\xC2\xA0") == std::string_view::npos) return body;
    DecodedText decoded = decode_text(bytes);
    encoding = decoded.encoding;
    scratch = std::move(decoded.text);
    return scratch;
}

std::size_t utf8_length(std::string_view s) {
    std::size_t n = 0;
    for (const char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

std::string utf8_prefix(std::string_view s, std::size_t n) {
    std::size_t points = 0, i = 0;
    for (; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && points++ == n) break;
    }
    return std::string(s.substr(0, i));
}

}  // namespace npda
