// The choropleth SVG document of npda.kpi_map_svg (svg_map.hpp).
#include "map/svg_map.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <stdexcept>

#include "errors.hpp"

namespace npda::map {

// viridis at five evenly spaced points, dark (low) to light (high).
const std::array<const char *, kClassCount> kPalette = {"#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"};

namespace {

struct LevelInfo {
    const char *level;
    const char *plural;  // as the subtitle names the areas
};
constexpr LevelInfo kLevels[] = {
    {"integrated_care_board", "integrated care boards"},
    {"local_health_board", "local health boards"},
    {"nhs_england_region", "NHS England regions"},
    {"country", "countries"},
};

const LevelInfo *find_level(std::string_view level) {
    for (const auto &l : kLevels)
        if (level == l.level) return &l;
    return nullptr;
}

std::string number(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    std::string s = buf;
    if (s == "-0" || s == "-0.0" || s == "-0.00") s.erase(0, 1);
    return s;
}

int figure_decimals(FigureKind kind) { return kind == FigureKind::kPercent || kind == FigureKind::kHba1c ? 1 : 0; }

const char *legend_heading(FigureKind kind) {
    switch (kind) {
        case FigureKind::kPercent: return "Children passing (%)";
        case FigureKind::kCount: return "Children";
        case FigureKind::kHba1c: return "HbA1c (mmol/mol)";
        case FigureKind::kAdmissions: return "Admissions";
    }
    return "";
}

// Decode one UTF-8 sequence at text[i]; returns its length, or 0 when it is
// malformed (overlong, surrogate, beyond U+10FFFF, truncated).
std::size_t utf8_sequence(std::string_view text, std::size_t i, std::uint32_t &cp) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char b = byte(i);
    std::size_t len;
    std::uint32_t min;
    if (b < 0x80) {
        cp = b;
        return 1;
    } else if ((b & 0xE0) == 0xC0) {
        len = 2, cp = b & 0x1F, min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
        len = 3, cp = b & 0x0F, min = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
        len = 4, cp = b & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (i + len > text.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

// Split a label into at most two lines of about `width` characters, at spaces;
// what does not fit ends in an ellipsis.
std::vector<std::string> wrap(const std::string &text, std::size_t width) {
    std::vector<std::string> lines;
    std::string line, word;
    std::vector<std::string> words;
    for (char c : text) {
        if (c == ' ') {
            if (!word.empty()) words.push_back(word);
            word.clear();
        } else {
            word += c;
        }
    }
    if (!word.empty()) words.push_back(word);
    for (std::size_t w = 0; w < words.size(); ++w) {
        if (!line.empty() && line.size() + 1 + words[w].size() > width) {
            lines.push_back(line);
            line.clear();
            if (lines.size() == 2) {
                lines[1] += " \xE2\x80\xA6";  // ellipsis
                return lines;
            }
        }
        line += (line.empty() ? "" : " ") + words[w];
    }
    if (!line.empty()) lines.push_back(line);
    return lines;
}

void text_element(std::string &out, double x, double y, int size, const char *weight, const std::string &text) {
    out += "<text x=\"" + number(x, 0) + "\" y=\"" + number(y, 0) + "\" font-size=\"" + std::to_string(size) + "\"";
    if (weight) out += std::string(" font-weight=\"") + weight + "\"";
    out += ">" + xml_escape(text) + "</text>\n";
}

}  // namespace

FigureKind figure_kind(std::string_view kpi_code) {
    if (kpi_code == "44" || kpi_code == "45") return FigureKind::kHba1c;
    if (kpi_code == "46" || kpi_code == "47") return FigureKind::kAdmissions;
    // KPIs 1-12 count children (no percentage); codes are '1' .. '12'.
    if (!kpi_code.empty() && kpi_code.size() <= 2 &&
        std::all_of(kpi_code.begin(), kpi_code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        int n = std::stoi(std::string(kpi_code));
        if (n >= 1 && n <= 12) return FigureKind::kCount;
    }
    return FigureKind::kPercent;
}

void set_figure(Area &area, FigureKind kind, const AreaFigures &figures) {
    const std::optional<double> &figure = kind == FigureKind::kPercent ? figures.pct_passed
                                          : kind == FigureKind::kCount ? figures.passed
                                                                       : figures.value;
    if (figure && std::isfinite(*figure)) {
        area.state = AreaState::kValue;
        area.figure = *figure;
    } else {
        area.state = figures.suppressed ? AreaState::kSuppressed : AreaState::kNoData;
        area.figure = 0;
    }
}

bool is_mappable_level(std::string_view level) { return find_level(level) != nullptr; }

void require_mappable_level(std::string_view level) {
    if (is_mappable_level(level)) return;
    throw Error(sqlstate::kMapLevel, "cannot draw a map of level \"" + std::string(level) + "\"",
                "Maps are drawn for areas with boundaries: integrated_care_board, local_health_board, "
                "nhs_england_region and country.",
                "For units and trusts, read npda.kpi_map (PDUs are points) or npda.kpi_results_published.");
}

std::vector<double> class_breaks(const std::vector<double> &figures) {
    std::vector<double> breaks;
    if (figures.empty()) return breaks;
    auto [lo_it, hi_it] = std::minmax_element(figures.begin(), figures.end());
    double lo = std::floor(*lo_it), hi = std::ceil(*hi_it);
    if (hi <= lo) hi = lo + 1;
    for (std::size_t i = 0; i <= kClassCount; ++i)
        breaks.push_back(i == kClassCount ? hi : lo + (hi - lo) * static_cast<double>(i) / kClassCount);
    return breaks;
}

std::size_t class_of(double figure, const std::vector<double> &breaks) {
    if (breaks.size() != kClassCount + 1) return 0;
    for (std::size_t c = 0; c + 1 < kClassCount; ++c)
        if (figure < breaks[c + 1]) return c;
    return kClassCount - 1;
}

std::string format_figure(FigureKind kind, double figure) {
    switch (kind) {
        case FigureKind::kPercent: return number(figure, 1) + "%";
        case FigureKind::kCount: return number(figure, 0) + (std::fabs(figure - 1) < 0.5 ? " child" : " children");
        case FigureKind::kHba1c: return number(figure, 1) + " mmol/mol";
        case FigureKind::kAdmissions:
            return number(figure, 0) + (std::fabs(figure - 1) < 0.5 ? " admission" : " admissions");
    }
    return number(figure, 1);
}

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (std::size_t i = 0; i < text.size();) {
        std::uint32_t cp = 0;
        std::size_t len = utf8_sequence(text, i, cp);
        if (len == 0) {
            out += "\xEF\xBF\xBD";  // U+FFFD for a malformed byte
            ++i;
            continue;
        }
        switch (cp) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default:
                if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xFFFE || cp == 0xFFFF) break;
                out.append(text.substr(i, len));
        }
        i += len;
    }
    return out;
}

bool is_path_data(std::string_view path) {
    for (char c : path) {
        if ((c >= '0' && c <= '9') || c == ' ' || c == ',' || c == '.' || c == '-' || c == '+' || c == 'e') continue;
        switch (c) {
            case 'M':
            case 'm':
            case 'L':
            case 'l':
            case 'Z':
            case 'z':
            case 'H':
            case 'h':
            case 'V':
            case 'v': continue;
            default: return false;
        }
    }
    return true;
}

std::string render_svg(const MapSpec &spec) {
    require_mappable_level(spec.level);
    const LevelInfo &level = *find_level(spec.level);
    const FigureKind kind = figure_kind(spec.kpi_code);
    const int decimals = figure_decimals(kind);

    std::vector<double> figures;
    std::size_t no_data = 0, suppressed = 0;
    for (const auto &a : spec.areas) {
        if (!is_path_data(a.path)) throw std::invalid_argument("area " + a.code + ": boundary is not SVG path data");
        if (a.state == AreaState::kValue && std::isfinite(a.figure))
            figures.push_back(a.figure);
        else if (a.state == AreaState::kSuppressed)
            ++suppressed;
        else
            ++no_data;
    }
    const std::vector<double> breaks = class_breaks(figures);
    // Every area with the same figure (e.g. 100 % everywhere): one colour and
    // one legend entry with that figure, not five classes of invented ranges.
    const bool one_figure = !figures.empty() && *std::min_element(figures.begin(), figures.end()) ==
                                                    *std::max_element(figures.begin(), figures.end());
    const std::size_t one_figure_class = kClassCount / 2;

    // The map panel (left) and the legend (right), in document pixels.
    const double map_x = 20, map_y = 110, map_w = 600, map_h = 850;
    const ViewBox box = spec.box.width > 0 && spec.box.height > 0 ? spec.box : ViewBox{0, 0, 1, 1};
    const double scale = std::min(map_w / box.width, map_h / box.height);  // pixels per map unit
    const double hatch = 6 / scale;                                        // 6 px in map units

    std::string out;
    out.reserve(4096 + spec.areas.size() * 256);
    char year_label[32];
    std::snprintf(year_label, sizeof year_label, "%d-%02d", spec.audit_year, ((spec.audit_year + 1) % 100 + 100) % 100);
    const std::string title = "NPDA " + std::string(year_label) + " \xE2\x80\x94 KPI " + spec.kpi_code;
    out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(kWidth) + "\" height=\"" +
           std::to_string(kHeight) + "\" viewBox=\"0 0 " + std::to_string(kWidth) + " " + std::to_string(kHeight) +
           "\" font-family=\"Arial, Helvetica, sans-serif\" role=\"img\" aria-labelledby=\"npda-map-title\">\n";
    out += "<title id=\"npda-map-title\">" + xml_escape(title + ": " + spec.kpi_label + ", by " + level.plural) +
           "</title>\n";
    out += "<defs>\n";
    out += "<pattern id=\"npda-hatch-map\" patternUnits=\"userSpaceOnUse\" width=\"" + number(hatch, 3) +
           "\" height=\"" + number(hatch, 3) + "\" patternTransform=\"rotate(45)\"><rect width=\"" + number(hatch, 3) +
           "\" height=\"" + number(hatch, 3) + "\" fill=\"#ffffff\"/><rect width=\"" + number(hatch / 3, 3) +
           "\" height=\"" + number(hatch, 3) + "\" fill=\"#7f7f7f\"/></pattern>\n";
    out += "<pattern id=\"npda-hatch-legend\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" "
           "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#ffffff\"/><rect width=\"2\" "
           "height=\"6\" fill=\"#7f7f7f\"/></pattern>\n";
    out += "</defs>\n";
    out += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
    text_element(out, 20, 38, 22, "bold", title);
    auto label_lines = wrap(spec.kpi_label, 75);
    double y = 64;
    for (const auto &line : label_lines) {
        text_element(out, 20, y, 16, nullptr, line);
        y += 20;
    }
    text_element(out, 20, y + 2, 13, nullptr,
                 "By " + std::string(level.plural) + ", boundaries as on 1 April " + std::to_string(spec.audit_year));

    // The map: one path per area, its name and figure as the tooltip.
    out += "<svg x=\"" + number(map_x, 0) + "\" y=\"" + number(map_y, 0) + "\" width=\"" + number(map_w, 0) +
           "\" height=\"" + number(map_h, 0) + "\" viewBox=\"" + number(box.x, 3) + " " + number(box.y, 3) + " " +
           number(box.width, 3) + " " + number(box.height, 3) + "\" preserveAspectRatio=\"xMidYMid meet\">\n";
    out += "<g stroke=\"#ffffff\" stroke-width=\"" + number(0.8 / scale, 3) +
           "\" stroke-linejoin=\"round\" fill-rule=\"evenodd\">\n";
    for (const auto &a : spec.areas) {
        std::string fill, figure;
        const bool has_value = a.state == AreaState::kValue && std::isfinite(a.figure);
        if (has_value) {
            fill = kPalette[one_figure ? one_figure_class : class_of(a.figure, breaks)];
            figure = format_figure(kind, a.figure);
        } else if (a.state == AreaState::kSuppressed) {
            fill = "url(#npda-hatch-map)";
            figure = "suppressed (small numbers)";
        } else {
            fill = kNoDataColour;
            figure = "no data";
        }
        out += "<path data-code=\"" + xml_escape(a.code) + "\" fill=\"" + fill + "\" d=\"" + a.path + "\"><title>" +
               xml_escape(a.name + " (" + a.code + "): " + figure) + "</title></path>\n";
    }
    out += "</g>\n</svg>\n";

    // The legend.
    const double lx = 650;
    double ly = 130;
    out += "<g id=\"npda-legend\">\n";
    text_element(out, lx, ly, 15, "bold", legend_heading(kind));
    ly += 14;
    if (breaks.empty()) {
        text_element(out, lx, ly + 14, 13, nullptr, "No results to show");
        ly += 28;
    } else if (one_figure) {
        out += "<rect x=\"" + number(lx, 0) + "\" y=\"" + number(ly, 0) +
               "\" width=\"28\" height=\"20\" stroke=\"#555555\" stroke-width=\"0.5\" fill=\"" +
               kPalette[one_figure_class] + "\"/>\n";
        text_element(out, lx + 38, ly + 15, 13, nullptr, number(figures.front(), decimals) + " (every area shown)");
        ly += 26;
    } else {
        for (std::size_t c = kClassCount; c-- > 0;) {  // highest first
            out += "<rect x=\"" + number(lx, 0) + "\" y=\"" + number(ly, 0) +
                   "\" width=\"28\" height=\"20\" stroke=\"#555555\" stroke-width=\"0.5\" fill=\"" + kPalette[c] +
                   "\"/>\n";
            const std::string range = number(breaks[c], decimals) + " \xE2\x80\x93 " + number(breaks[c + 1], decimals);
            text_element(out, lx + 38, ly + 15, 13, nullptr, range);
            ly += 26;
        }
    }
    ly += 8;
    out += "<rect x=\"" + number(lx, 0) + "\" y=\"" + number(ly, 0) +
           "\" width=\"28\" height=\"20\" stroke=\"#555555\" stroke-width=\"0.5\" fill=\"" + kNoDataColour + "\"/>\n";
    text_element(out, lx + 38, ly + 15, 13, nullptr, "No data (" + std::to_string(no_data) + ")");
    ly += 26;
    out += "<rect x=\"" + number(lx, 0) + "\" y=\"" + number(ly, 0) +
           "\" width=\"28\" height=\"20\" stroke=\"#555555\" stroke-width=\"0.5\" fill=\"url(#npda-hatch-legend)\"/>\n";
    text_element(out, lx + 38, ly + 15, 13, nullptr, "Suppressed: small numbers (" + std::to_string(suppressed) + ")");
    ly += 40;
    text_element(out, lx, ly, 12, nullptr,
                 one_figure ? "One figure, the same in all" : "Equal-interval classes over the");
    text_element(out, lx, ly + 16, 12, nullptr,
                 std::to_string(figures.size()) + (figures.size() == 1 ? " area" : " areas") +
                     " with a published figure.");
    text_element(out, lx, ly + 32, 12, nullptr, "Hover over an area for its name");
    text_element(out, lx, ly + 48, 12, nullptr, "and figure.");
    out += "</g>\n";
    text_element(out, 20, kHeight - 30, 11, nullptr, "NPDA published figures (small numbers suppressed).");
    text_element(out, 20, kHeight - 14, 11, nullptr,
                 "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
                 "Contains OS data \xC2\xA9 Crown copyright and database right.");
    out += "</svg>\n";
    return out;
}

}  // namespace npda::map
