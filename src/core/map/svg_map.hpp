// The choropleth map of one KPI as a standalone SVG document
// (npda.kpi_map_svg; docs/architecture.md §2). PostGIS supplies each area's
// outline as SVG path data in a projected plane (sql/56_maps.sql); this file
// decides everything else: the figure a KPI is mapped by, the classes and
// their colour-blind-safe colours, the legend, the titles and tooltips, and
// the escaping of every text for XML. Pure C++, no PostgreSQL headers.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "no_postgres.hpp"

namespace npda::map {

// What the areas are coloured by.
enum class FigureKind {
    kPercent,     // pct_passed: most KPIs
    kCount,       // passed: the cohort counts, KPIs 1-12 (no percentage)
    kHba1c,       // value, mmol/mol: KPIs 44 and 45
    kAdmissions,  // value, admissions: KPIs 46 and 47
};
FigureKind figure_kind(std::string_view kpi_code);

// An area's published figures, as npda.kpi_results_published gives them
// (NULL = nullopt), and whether disclosure control withheld something.
struct AreaFigures {
    std::optional<double> pct_passed, value, passed;
    bool suppressed = false;
};

// The levels a map can be drawn at (areas with boundaries): ICBs, LHBs,
// regions and countries. npda.geo_level spelling.
bool is_mappable_level(std::string_view level);
// Throws npda::Error NP450 unless is_mappable_level(level).
void require_mappable_level(std::string_view level);

enum class AreaState {
    kValue,       // a figure to colour by
    kNoData,      // no result for the area (no unit reported, or nobody eligible)
    kSuppressed,  // withheld by disclosure control
};

struct Area {
    std::string code;
    std::string name;
    std::string path;  // SVG path data (M/L/Z, relative or absolute, numbers)
    AreaState state = AreaState::kNoData;
    double figure = 0;  // used when state == kValue
};

// The map's extent in the plane of the path data (x to the right, y down).
struct ViewBox {
    double x = 0, y = 0, width = 0, height = 0;
};

struct MapSpec {
    std::string kpi_code;
    std::string kpi_label;
    std::string level;  // npda.geo_level
    int audit_year = 0;
    ViewBox box;
    std::vector<Area> areas;
};

// The state and figure an area is drawn with: the figure of the KPI's kind;
// when it is NULL, suppressed if disclosure control withheld it, else no data.
void set_figure(Area &area, FigureKind kind, const AreaFigures &figures);

// Fixed layout of the document, in pixels (the size rsvg-convert renders).
inline constexpr int kWidth = 900;
inline constexpr int kHeight = 1000;
// A fixed number of equal-interval classes, coloured with viridis (perceptually
// uniform, readable with the common colour-vision deficiencies and in grey).
inline constexpr std::size_t kClassCount = 5;
extern const std::array<const char *, kClassCount> kPalette;
inline constexpr const char *kNoDataColour = "#d9d9d9";

// Class breaks over the figures: kClassCount + 1 ascending bounds, from the
// smallest figure rounded down to the largest rounded up (whole numbers; a
// single value gets a width of one). Empty when there are no figures.
std::vector<double> class_breaks(const std::vector<double> &figures);
// The class (0 .. kClassCount-1) of a figure within the breaks.
std::size_t class_of(double figure, const std::vector<double> &breaks);

// The figure as people read it: "63.2%", "58.4 mmol/mol", "12 admissions", "140 children".
std::string format_figure(FigureKind kind, double figure);

// Text and attribute values for XML: & < > " ' as entities, characters XML 1.0
// does not allow (controls other than tab, line feed and carriage return,
// U+FFFE, U+FFFF) dropped, malformed UTF-8 replaced by U+FFFD.
std::string xml_escape(std::string_view text);

// True when `path` is SVG path data of the kind PostGIS writes (the commands
// M L Z H V in either case, numbers, signs, points, spaces, commas).
bool is_path_data(std::string_view path);

// The whole document. Throws npda::Error NP450 for a level that cannot be
// mapped, and std::invalid_argument (an internal error: PostGIS never writes
// such a thing) for an area whose path data is not path data.
std::string render_svg(const MapSpec &spec);

}  // namespace npda::map
