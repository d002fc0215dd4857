// Disclosure control of the published KPI results (disclosure.hpp).
#include "publish/disclosure.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <utility>

#include "kpi/aggregate.hpp"
#include "kpi/kpi.hpp"

namespace npda::publish {

bool is_small(std::int64_t count, const Rule &rule) { return count >= 1 && count <= rule.threshold; }

std::int64_t round_count(std::int64_t count, const Rule &rule) {
    if (rule.rounding_base <= 1 || count == 0) return count;
    const std::int64_t b = rule.rounding_base;
    const std::int64_t sign = count < 0 ? -1 : 1;
    const std::int64_t m = count * sign;
    return sign * ((m + b / 2) / b * b);
}

const char *status_name(Status s) {
    switch (s) {
        case Status::primary: return "primary";
        case Status::secondary: return "secondary";
        case Status::shown: break;
    }
    return "none";
}

std::size_t protect_sums(std::vector<Cell> &cells, const std::vector<Sum> &sums) {
    std::size_t added = 0;
    bool changed = true;
    while (changed) {
        changed = false;
        for (const Sum &s : sums) {
            std::size_t withheld = cells[s.total].status != Status::shown ? 1 : 0;
            for (std::size_t p : s.parts) withheld += cells[p].status != Status::shown ? 1 : 0;
            if (withheld != 1) continue;
            // The smallest shown non-zero part, the lowest index among equals.
            std::optional<std::size_t> pick;
            for (std::size_t p : s.parts) {
                const Cell &c = cells[p];
                if (c.status != Status::shown || c.value == 0) continue;
                if (!pick || c.value < cells[*pick].value || (c.value == cells[*pick].value && p < *pick)) pick = p;
            }
            if (!pick && cells[s.total].status == Status::shown && cells[s.total].value != 0) pick = s.total;
            if (!pick) continue;
            cells[*pick].status = Status::secondary;
            ++added;
            changed = true;
        }
    }
    return added;
}

namespace {

constexpr const char *kPdu = "pdu";
constexpr const char *kTrust = "trust";
constexpr const char *kLhb = "local_health_board";
constexpr const char *kIcb = "integrated_care_board";
constexpr const char *kRegion = "nhs_england_region";
constexpr const char *kCountry = "country";
constexpr const char *kNational = "national";

}  // namespace

std::vector<AreaLink> area_links(const std::vector<PduPlacement> &pdus) {
    // Parents seen for each child area, per parent level.
    std::map<std::pair<Area, std::string>, std::set<std::string>> parents;
    auto note = [&](const char *parent_level, const std::string &parent, const char *child_level,
                    const std::string &child) {
        if (parent.empty() || child.empty()) return;
        parents[{Area{child_level, child}, parent_level}].insert(parent);
    };
    for (const PduPlacement &p : pdus) {
        if (p.pz_code.empty() || is_test_unit(p.pz_code)) continue;
        note(kNational, kNational, kCountry, p.country);
        note(kCountry, p.country, kRegion, p.region);
        note(kCountry, p.country, kLhb, p.local_health_board);
        note(kRegion, p.region, kIcb, p.integrated_care_board);
        note(kIcb, p.integrated_care_board, kTrust, p.trust);
        note(kIcb, p.integrated_care_board, kPdu, p.pz_code);
        note(kTrust, p.trust, kPdu, p.pz_code);
        note(kLhb, p.local_health_board, kPdu, p.pz_code);
        if (p.region.empty() && p.local_health_board.empty()) note(kCountry, p.country, kPdu, p.pz_code);
    }
    std::vector<AreaLink> links;
    for (const auto &[key, set] : parents)
        if (set.size() == 1) links.push_back({Area{key.second, *set.begin()}, key.first});
    std::sort(links.begin(), links.end(), [](const AreaLink &a, const AreaLink &b) {
        return a.parent == b.parent ? a.child < b.child : a.parent < b.parent;
    });
    return links;
}

namespace {

// The cells of one row: the four counts kept, and the value.
enum Measure : std::size_t { kEligible, kPassed, kFailed, kPending, kValue, kMeasures };
constexpr const char *kMeasureColumn[kMeasures] = {"eligible", "passed", "failed", "pending", "value"};

enum class ValueKind { none, mean, count };

ValueKind value_kind(const std::string &kpi) {
    if (kpi == "44" || kpi == "45") return ValueKind::mean;
    if (kpi == "46" || kpi == "47") return ValueKind::count;
    return ValueKind::none;
}

}  // namespace

std::vector<Published> publish(const std::vector<KpiCounts> &rows, const std::vector<AreaLink> &links,
                               const Rule &rule) {
    const std::size_t n = rows.size();
    std::vector<Cell> cells(n * kMeasures);
    std::vector<ValueKind> kinds(n);
    std::map<std::pair<Area, std::string>, std::size_t> row_of;
    for (std::size_t r = 0; r < n; ++r) {
        const KpiCounts &k = rows[r];
        row_of.emplace(std::make_pair(k.area, k.kpi), r);
        kinds[r] = value_kind(k.kpi);
        Cell *c = &cells[r * kMeasures];
        c[kEligible].value = k.eligible;
        c[kPassed].value = k.passed;
        c[kFailed].value = k.failed;
        c[kPending].value = k.pending;
        for (std::size_t m = kEligible; m <= kPending; ++m)
            if (is_small(c[m].value, rule)) c[m].status = Status::primary;
        const bool few_children = is_small(k.children_with_value, rule);
        if (kinds[r] == ValueKind::count) {
            c[kValue].value = k.value ? static_cast<std::int64_t>(std::llround(*k.value)) : 0;
            if (k.value && (few_children || is_small(c[kValue].value, rule))) c[kValue].status = Status::primary;
        } else if (kinds[r] == ValueKind::mean) {
            if (k.value && few_children) c[kValue].status = Status::primary;
        }
    }

    std::vector<Sum> sums;
    // Within a row: eligible = passed + failed + pending.
    for (std::size_t r = 0; r < n; ++r)
        sums.push_back({r * kMeasures + kEligible,
                        {r * kMeasures + kPassed, r * kMeasures + kFailed, r * kMeasures + kPending}});
    // Across areas: the parent's count is the sum of its children's, KPI by KPI.
    std::map<std::size_t, std::vector<std::size_t>> children;  // parent row -> child rows
    {
        // Index rows by area, then link rows of the same KPI.
        std::map<Area, std::vector<std::size_t>> rows_of_area;
        for (std::size_t r = 0; r < n; ++r) rows_of_area[rows[r].area].push_back(r);
        for (const AreaLink &l : links) {
            const auto child_rows = rows_of_area.find(l.child);
            if (child_rows == rows_of_area.end()) continue;
            for (std::size_t cr : child_rows->second) {
                const auto parent = row_of.find({l.parent, rows[cr].kpi});
                if (parent != row_of.end()) children[parent->second].push_back(cr);
            }
        }
    }
    for (const auto &[parent, kids] : children) {
        std::vector<std::size_t> measures = {kEligible, kPassed, kFailed, kPending};
        if (kinds[parent] == ValueKind::count) measures.push_back(kValue);
        for (std::size_t m : measures) {
            Sum s{parent * kMeasures + m, {}};
            for (std::size_t c : kids) s.parts.push_back(c * kMeasures + m);
            sums.push_back(std::move(s));
        }
    }
    protect_sums(cells, sums);

    std::vector<Published> out(n);
    for (std::size_t r = 0; r < n; ++r) {
        const KpiCounts &k = rows[r];
        const Cell *c = &cells[r * kMeasures];
        Published &p = out[r];
        auto shown = [&](std::size_t m) -> std::optional<std::int64_t> {
            if (c[m].status != Status::shown) return std::nullopt;
            return round_count(c[m].value, rule);
        };
        p.eligible = shown(kEligible);
        p.passed = shown(kPassed);
        p.failed = shown(kFailed);
        p.pending = shown(kPending);
        p.ineligible = std::nullopt;  // never published
        for (std::size_t m = 0; m < kMeasures; ++m) {
            if (c[m].status == Status::primary) p.status = Status::primary;
            if (c[m].status == Status::secondary && p.status == Status::shown) p.status = Status::secondary;
        }
        p.percentage_shown = c[kEligible].status == Status::shown && c[kPassed].status == Status::shown &&
                             c[kFailed].status == Status::shown && c[kPending].status == Status::shown;
        for (std::size_t m = kEligible; m <= kPending; ++m)
            if (c[m].status != Status::shown) p.withheld.push_back(kMeasureColumn[m]);
        const auto slot = kpi_index(k.kpi);
        if (!p.percentage_shown && slot && kpi_percentage_tenths(*slot, k.passed, k.eligible))
            p.withheld.push_back("pct_passed");
        if (k.value) {
            if (c[kValue].status != Status::shown) {
                p.withheld.push_back(kMeasureColumn[kValue]);
            } else if (kinds[r] == ValueKind::count) {
                p.value = static_cast<double>(round_count(c[kValue].value, rule));
            } else {
                p.value = k.value;
            }
        }
    }
    return out;
}

}  // namespace npda::publish
