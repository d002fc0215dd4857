// The choropleth SVG document of npda.kpi_map_svg (src/core/map/svg_map.hpp).
#include <gtest/gtest.h>

#include <string>

#include "errors.hpp"
#include "map/svg_map.hpp"

using namespace npda::map;

namespace {

std::size_t count(const std::string &haystack, const std::string &needle) {
    std::size_t n = 0;
    for (std::size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
    return n;
}

MapSpec sample() {
    MapSpec spec;
    spec.kpi_code = "25";
    spec.kpi_label = "HbA1c (%)";
    spec.level = "integrated_care_board";
    spec.audit_year = 2025;
    spec.box = {0, -100, 100, 100};
    spec.areas = {
        {"QA1", "North", "M 0 -100 l 50 0 0 50 -50 0 z", AreaState::kValue, 91.5},
        {"QA2", "South", "M 50 -100 l 50 0 0 50 -50 0 z", AreaState::kValue, 60.0},
        {"QA3", "East", "M 0 -50 l 50 0 0 50 -50 0 z", AreaState::kSuppressed, 0},
        {"QA4", "West", "M 50 -50 l 50 0 0 50 -50 0 z", AreaState::kNoData, 0},
    };
    return spec;
}

}  // namespace

TEST(SvgMap, FigureKindFollowsTheKpi) {
    EXPECT_EQ(figure_kind("1"), FigureKind::kCount);
    EXPECT_EQ(figure_kind("12"), FigureKind::kCount);
    EXPECT_EQ(figure_kind("13"), FigureKind::kPercent);
    EXPECT_EQ(figure_kind("32.1"), FigureKind::kPercent);
    EXPECT_EQ(figure_kind("44"), FigureKind::kHba1c);
    EXPECT_EQ(figure_kind("45"), FigureKind::kHba1c);
    EXPECT_EQ(figure_kind("46"), FigureKind::kAdmissions);
    EXPECT_EQ(figure_kind("47"), FigureKind::kAdmissions);
    EXPECT_EQ(figure_kind("49"), FigureKind::kPercent);
}

TEST(SvgMap, OnlyLevelsWithBoundariesAreMappable) {
    for (const char *level : {"integrated_care_board", "local_health_board", "nhs_england_region", "country"})
        EXPECT_TRUE(is_mappable_level(level)) << level;
    for (const char *level : {"pdu", "trust", "national", "", "ICB"}) {
        EXPECT_FALSE(is_mappable_level(level)) << level;
        try {
            require_mappable_level(level);
            ADD_FAILURE() << level;
        } catch (const npda::Error &e) {
            EXPECT_STREQ(e.sqlstate(), "NP450");
        }
    }
    MapSpec spec = sample();
    spec.level = "pdu";
    EXPECT_THROW(render_svg(spec), npda::Error);
}

TEST(SvgMap, EqualIntervalClasses) {
    EXPECT_TRUE(class_breaks({}).empty());
    auto b = class_breaks({60.0, 91.5, 75.2});
    ASSERT_EQ(b.size(), kClassCount + 1);
    EXPECT_DOUBLE_EQ(b.front(), 60);
    EXPECT_DOUBLE_EQ(b.back(), 92);
    EXPECT_DOUBLE_EQ(b[1], 66.4);
    EXPECT_EQ(class_of(60, b), 0u);
    EXPECT_EQ(class_of(66.39, b), 0u);
    EXPECT_EQ(class_of(66.4, b), 1u);
    EXPECT_EQ(class_of(91.5, b), kClassCount - 1);
    EXPECT_EQ(class_of(92, b), kClassCount - 1);
    auto one = class_breaks({42.0});  // a single value still has a class
    EXPECT_DOUBLE_EQ(one.front(), 42);
    EXPECT_DOUBLE_EQ(one.back(), 43);
    EXPECT_EQ(class_of(42, one), 0u);
}

TEST(SvgMap, FiguresAsPeopleReadThem) {
    EXPECT_EQ(format_figure(FigureKind::kPercent, 63.25), "63.2%");
    EXPECT_EQ(format_figure(FigureKind::kHba1c, 58.44), "58.4 mmol/mol");
    EXPECT_EQ(format_figure(FigureKind::kAdmissions, 12), "12 admissions");
    EXPECT_EQ(format_figure(FigureKind::kAdmissions, 1), "1 admission");
    EXPECT_EQ(format_figure(FigureKind::kCount, 140), "140 children");
}

TEST(SvgMap, XmlEscapingOfHostileText) {
    EXPECT_EQ(xml_escape("plain"), "plain");
    EXPECT_EQ(xml_escape("<&\"'>"), "&lt;&amp;&quot;&apos;&gt;");
    EXPECT_EQ(xml_escape("a</title><script>alert(1)</script>"), "a&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
    EXPECT_EQ(xml_escape("]]><!--"), "]]&gt;&lt;!--");
    // Characters XML 1.0 does not allow are dropped; tab and newlines stay.
    EXPECT_EQ(xml_escape(std::string("a\0b\x01\x1f\tc\n", 8)), "ab\tc\n");
    EXPECT_EQ(xml_escape("\xEF\xBF\xBE\xEF\xBF\xBF"), "");
    // Non-ASCII text is kept; malformed UTF-8 becomes U+FFFD.
    EXPECT_EQ(xml_escape("Betsi Cadwaladr \xE2\x80\x93 Ynys M\xC3\xB4n"),
              "Betsi Cadwaladr \xE2\x80\x93 Ynys M\xC3\xB4n");
    EXPECT_EQ(xml_escape("x\xC3"), "x\xEF\xBF\xBD");
    EXPECT_EQ(xml_escape("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
    EXPECT_EQ(xml_escape("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
}

TEST(SvgMap, PathDataIsCheckedBeforeItIsWritten) {
    EXPECT_TRUE(is_path_data("M 3359 -4222 l 5 -1 0 -5 z M 1 2 L 3 4 Z"));
    EXPECT_TRUE(is_path_data(""));
    EXPECT_FALSE(is_path_data("M 0 0\"/><script/>"));
    MapSpec spec = sample();
    spec.areas[0].path = "M 0 0\" onload=\"x";
    EXPECT_THROW(render_svg(spec), std::invalid_argument);
}

TEST(SvgMap, TheDocument) {
    const std::string svg = render_svg(sample());
    EXPECT_EQ(svg.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
                        "width=\"900\" height=\"1000\"",
                        0),
              0u);
    EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
    EXPECT_EQ(count(svg, "<path "), 4u);
    EXPECT_EQ(count(svg, "</title></path>"), 4u);
    EXPECT_NE(svg.find("<title>North (QA1): 91.5%</title>"), std::string::npos);
    EXPECT_NE(svg.find("<title>East (QA3): suppressed (small numbers)</title>"), std::string::npos);
    EXPECT_NE(svg.find("<title>West (QA4): no data</title>"), std::string::npos);
    // Colours: the highest and the lowest class; the suppressed hatched, no data grey.
    EXPECT_NE(svg.find("data-code=\"QA1\" fill=\"#fde725\""), std::string::npos);
    EXPECT_NE(svg.find("data-code=\"QA2\" fill=\"#440154\""), std::string::npos);
    EXPECT_NE(svg.find("data-code=\"QA3\" fill=\"url(#npda-hatch-map)\""), std::string::npos);
    EXPECT_NE(svg.find("data-code=\"QA4\" fill=\"#d9d9d9\""), std::string::npos);
    // Title, label, year and legend.
    EXPECT_NE(svg.find("NPDA 2025-26 \xE2\x80\x94 KPI 25"), std::string::npos);
    EXPECT_NE(svg.find(">HbA1c (%)</text>"), std::string::npos);
    EXPECT_NE(svg.find("<g id=\"npda-legend\">"), std::string::npos);
    EXPECT_NE(svg.find("Children passing (%)"), std::string::npos);
    EXPECT_NE(svg.find("No data (1)"), std::string::npos);
    EXPECT_NE(svg.find("Suppressed: small numbers (1)"), std::string::npos);
    for (const char *colour : kPalette) EXPECT_NE(svg.find(colour), std::string::npos) << colour;
}

TEST(SvgMap, HostileNamesAndLabelsAreEscapedEverywhere) {
    MapSpec spec = sample();
    spec.kpi_label = "<b>&\"bold\"</b>";
    spec.areas[0].name = "Evil <&\"> </title><script>x</script>";
    spec.areas[0].code = "Q\"1";
    const std::string svg = render_svg(spec);
    EXPECT_EQ(svg.find("<script"), std::string::npos);
    EXPECT_EQ(svg.find("<b>"), std::string::npos);
    EXPECT_NE(svg.find("Evil &lt;&amp;&quot;&gt; &lt;/title&gt;&lt;script&gt;x&lt;/script&gt; (Q&quot;1): 91.5%"),
              std::string::npos);
    EXPECT_NE(svg.find("data-code=\"Q&quot;1\""), std::string::npos);
    EXPECT_NE(svg.find("&lt;b&gt;&amp;&quot;bold&quot;&lt;/b&gt;"), std::string::npos);
}

TEST(SvgMap, NoFiguresAtAll) {
    MapSpec spec = sample();
    for (auto &a : spec.areas) a.state = AreaState::kNoData;
    const std::string svg = render_svg(spec);
    EXPECT_NE(svg.find("No results to show"), std::string::npos);
    EXPECT_NE(svg.find("No data (4)"), std::string::npos);
    EXPECT_EQ(count(svg, "<path "), 4u);
}

TEST(SvgMap, OneFigureEverywhereIsOneLegendEntry) {
    MapSpec spec = sample();
    spec.areas[0].figure = 100.0;
    spec.areas[1].figure = 100.0;
    const std::string svg = render_svg(spec);
    // One swatch with the figure itself, no invented ranges such as 100.0 - 101.0.
    EXPECT_NE(svg.find(">100.0 (every area shown)<"), std::string::npos);
    EXPECT_EQ(svg.find("101.0"), std::string::npos);
    EXPECT_EQ(svg.find("\xE2\x80\x93"), std::string::npos);  // no range dash in the legend
    EXPECT_NE(svg.find("One figure, the same in all"), std::string::npos);
}

TEST(SvgMap, ValueKpisUseTheirUnits) {
    MapSpec spec = sample();
    spec.kpi_code = "44";
    spec.areas[0].figure = 58.44;
    const std::string svg = render_svg(spec);
    EXPECT_NE(svg.find("HbA1c (mmol/mol)"), std::string::npos);
    EXPECT_NE(svg.find("North (QA1): 58.4 mmol/mol"), std::string::npos);
}

TEST(SvgMap, LongLabelsWrapOnTwoLines) {
    MapSpec spec = sample();
    spec.kpi_label = std::string(300, 'x') + " " + std::string(10, 'y');
    EXPECT_NO_THROW(render_svg(spec));
    spec.kpi_label = "";
    for (int i = 0; i < 60; ++i) spec.kpi_label += "word ";
    const std::string svg = render_svg(spec);
    EXPECT_NE(svg.find("\xE2\x80\xA6</text>"), std::string::npos);  // the rest is cut with an ellipsis
}

TEST(SvgMap, AnAreasFigureAndState) {
    Area a;
    AreaFigures f;
    f.pct_passed = 71.3;
    f.value = 55.0;
    f.passed = 12;
    set_figure(a, FigureKind::kPercent, f);
    EXPECT_EQ(a.state, AreaState::kValue);
    EXPECT_DOUBLE_EQ(a.figure, 71.3);
    set_figure(a, FigureKind::kHba1c, f);
    EXPECT_DOUBLE_EQ(a.figure, 55.0);
    set_figure(a, FigureKind::kCount, f);
    EXPECT_DOUBLE_EQ(a.figure, 12);
    f.pct_passed.reset();
    set_figure(a, FigureKind::kPercent, f);
    EXPECT_EQ(a.state, AreaState::kNoData);  // nobody eligible, or no row at all
    f.suppressed = true;
    set_figure(a, FigureKind::kPercent, f);
    EXPECT_EQ(a.state, AreaState::kSuppressed);
    set_figure(a, FigureKind::kAdmissions, f);  // a figure that was not withheld is shown
    EXPECT_EQ(a.state, AreaState::kValue);
}
