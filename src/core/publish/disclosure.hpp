// Disclosure control of the published KPI results (docs/publishing.md): the
// small-number rule as NHS statistical publications apply it, and the
// secondary suppression that keeps a withheld count from being worked out by
// subtraction. Pure C++, no PostgreSQL: npda._publish_kpi_results (src/pg)
// feeds it the period's roll-ups and its geography and stores the result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace npda::publish {

// The rule's two numbers (npda.publication_setting).
struct Rule {
    std::int64_t threshold = 7;      // counts 1..threshold are withheld; 0 withholds nothing
    std::int64_t rounding_base = 5;  // other counts are rounded to the nearest multiple; 1 keeps them exact
};

// 1 <= count <= threshold: withheld. Zero is never small.
bool is_small(std::int64_t count, const Rule &rule);
// The count rounded to the nearest multiple of the base, halves up (8 -> 10,
// 12 -> 10, 13 -> 15); 0 stays 0.
std::int64_t round_count(std::int64_t count, const Rule &rule);

// Why a count is not shown.
enum class Status : std::uint8_t { shown, primary, secondary };
// "none", "primary", "secondary" (npda.kpi_results_published.suppressed).
const char *status_name(Status s);

// A count and whether it is withheld.
struct Cell {
    std::int64_t value = 0;
    Status status = Status::shown;
};
// total = sum of parts: anyone who sees all but one of these cells can work
// out the last one.
struct Sum {
    std::size_t total = 0;
    std::vector<std::size_t> parts;
};

// Secondary suppression: until nothing changes, every sum with exactly one
// withheld cell gets a second one: the smallest shown non-zero part (the
// lowest index among equals), or, when no part qualifies, the total. Zeros
// are never withheld (a withheld cell next to zeros only is its total's
// size, which is then small or withheld itself). Returns the number of cells
// withheld here.
std::size_t protect_sums(std::vector<Cell> &cells, const std::vector<Sum> &sums);

// ---- areas -----------------------------------------------------------------
struct Area {
    std::string level;  // npda.geo_level: pdu, trust, local_health_board, ...
    std::string code;
    bool operator<(const Area &o) const { return level != o.level ? level < o.level : code < o.code; }
    bool operator==(const Area &o) const { return level == o.level && code == o.code; }
};

// Where a PDU sits in the period's geography; empty strings where it does not.
struct PduPlacement {
    std::string pz_code, trust, local_health_board, integrated_care_board, region, country;
};

// A child area wholly inside its parent, so that the parent's count is the sum
// of its children's.
struct AreaLink {
    Area parent, child;
};

// The partitions protected (docs/publishing.md): national > countries,
// country > NHS England regions, country > local health boards, region >
// integrated care boards, ICB > trusts, ICB > PDUs, trust > PDUs, LHB > PDUs,
// and country > PDUs for a PDU in neither a region nor an LHB (Jersey). A
// level pair is linked only where the child nests wholly in one parent (a
// trust whose units lie in two ICBs is linked to neither). The RCPCH test
// units count at PDU level only and are linked to nothing. Sorted, unique.
std::vector<AreaLink> area_links(const std::vector<PduPlacement> &pdus);

// ---- KPI results -----------------------------------------------------------
// One roll-up row (npda.kpi_aggregation).
struct KpiCounts {
    Area area;
    std::string kpi;  // "1".."49", "32.1"...
    std::int64_t eligible = 0, ineligible = 0, passed = 0, failed = 0, pending = 0;
    std::optional<double> value;
    std::int64_t children_with_value = 0;
};

// What is published of it.
struct Published {
    std::optional<std::int64_t> eligible, ineligible, passed, failed, pending;  // std::nullopt: withheld
    bool percentage_shown = true;  // the exact percentage may be shown (when the KPI has one)
    std::optional<double> value;
    Status status = Status::shown;      // primary if a count is small, else secondary if one was withheld
    std::vector<std::string> withheld;  // the columns withheld: eligible, passed, failed, pending, pct_passed, value
};

// The published figures of a period's rows (same order). Counts: eligible,
// passed, failed and pending are withheld when small (primary), then
// protected by secondary suppression within the row (eligible = passed +
// failed + pending) and across every link (the parent's count is the sum of
// its children's), KPI by KPI, until stable; shown counts are rounded.
// ineligible is never published. The percentage is shown only when eligible,
// passed, failed and pending are all shown. Values: 44/45 (HbA1c) are shown
// exactly unless children_with_value is small; 46/47 (admissions) are counts,
// withheld when they or children_with_value are small, protected across
// links and rounded.
std::vector<Published> publish(const std::vector<KpiCounts> &rows, const std::vector<AreaLink> &links,
                               const Rule &rule);

}  // namespace npda::publish
