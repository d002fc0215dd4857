// npda._publish_kpi_results(audit_period_id): store one period's results,
// exact and published (docs/publishing.md), in npda.kpi_result_store, where
// npda.kpi_results, npda.kpi_results_published and npda.kpi_map read them.
// npda.refresh_kpi_aggregations calls it after each period's rebuild, and a
// change of npda.publication_setting for every period. The disclosure rules
// are the core's (src/core/publish); the area names as in the audit year are
// npda._kpi_results_computed's.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "publish/disclosure.hpp"
#include "arrays.hpp"
#include "spi.hpp"

namespace {

using npda::pg::spi_execute;

std::int64_t int8_at(std::uint64_t row, int col) {
    bool isnull = false;
    const Datum d = npda::pg::spi_value(row, col, isnull);
    return isnull ? 0 : DatumGetInt64(d);
}

npda::publish::Rule load_rule() {
    spi_execute("SELECT suppression_threshold::int8, rounding_base::int8 FROM npda.publication_setting", {}, true);
    npda::publish::Rule rule;
    if (SPI_processed > 0) {
        rule.threshold = int8_at(0, 1);
        rule.rounding_base = int8_at(0, 2);
    }
    return rule;
}

std::vector<npda::publish::PduPlacement> load_placements(std::int64_t period_id) {
    const std::uint64_t n =
        spi_execute("SELECT pz_code, trust_ods_code, local_health_board_ods_code, integrated_care_board_ods_code, "
                    "nhs_england_region_code, country_ons_code FROM npda._pdu_hierarchy_for_roll_up($1)",
                    {{INT8OID, Int64GetDatum(period_id)}}, true);
    std::vector<npda::publish::PduPlacement> out(n);
    for (std::uint64_t r = 0; r < n; ++r)
        out[r] = {npda::pg::spi_text(r, 1), npda::pg::spi_text(r, 2), npda::pg::spi_text(r, 3),
                  npda::pg::spi_text(r, 4), npda::pg::spi_text(r, 5), npda::pg::spi_text(r, 6)};
    return out;
}

std::vector<npda::publish::KpiCounts> load_rows(std::int64_t period_id) {
    const std::uint64_t n = spi_execute(
        "SELECT level::text, area_code, kpi, eligible, ineligible, passed, failed, pending, value, children_with_value "
        "FROM npda.kpi_aggregation WHERE audit_period_id = $1 ORDER BY level, area_code, kpi",
        {{INT8OID, Int64GetDatum(period_id)}}, true);
    std::vector<npda::publish::KpiCounts> out(n);
    for (std::uint64_t r = 0; r < n; ++r) {
        npda::publish::KpiCounts &k = out[r];
        k.area = {npda::pg::spi_text(r, 1), npda::pg::spi_text(r, 2)};
        k.kpi = npda::pg::spi_text(r, 3);
        k.eligible = int8_at(r, 4);
        k.ineligible = int8_at(r, 5);
        k.passed = int8_at(r, 6);
        k.failed = int8_at(r, 7);
        k.pending = int8_at(r, 8);
        bool isnull = false;
        const Datum v = npda::pg::spi_value(r, 9, isnull);
        if (!isnull) k.value = DatumGetFloat8(v);
        k.children_with_value = int8_at(r, 10);
    }
    return out;
}

std::string join(const std::vector<std::string> &parts) {
    std::string s;
    for (const auto &p : parts) s += (s.empty() ? "" : ",") + p;
    return s;
}

}  // namespace

NPDA_FUNCTION(_publish_kpi_results) {
    const std::int64_t period_id = PG_GETARG_INT64(0);
    npda::pg::SpiConnection spi;
    const npda::publish::Rule rule = load_rule();
    const auto rows = load_rows(period_id);
    const auto links = npda::publish::area_links(load_placements(period_id));
    const auto published = npda::publish::publish(rows, links, rule);

    spi_execute("DELETE FROM npda.kpi_result_store WHERE audit_period_id = $1", {{INT8OID, Int64GetDatum(period_id)}});
    const std::size_t n = rows.size();
    std::vector<std::string> withheld(n);
    for (std::size_t i = 0; i < n; ++i) withheld[i] = join(published[i].withheld);
    auto text_array = [&](auto get) {
        return npda::pg::build_array(TEXTOID, n, [&](std::size_t i, Datum &v, bool &) {
            v = PointerGetDatum(cstring_to_text(get(i)));
        });
    };
    auto count_array = [&](std::optional<std::int64_t> npda::publish::Published::*field) {
        return npda::pg::build_array(INT8OID, n, [&](std::size_t i, Datum &v, bool &is_null) {
            const auto &c = published[i].*field;
            if (c)
                v = Int64GetDatum(*c);
            else
                is_null = true;
        });
    };
    std::uint64_t written = 0;
    if (n > 0)
        written = spi_execute(
            "INSERT INTO npda.kpi_result_store (audit_year, level, area_code, kpi, audit_period_id, area_name, label, "
            "kpi_position, eligible, ineligible, passed, failed, pending, pct_passed, value, as_of, computed_at, "
            "published_eligible, published_ineligible, published_passed, published_failed, published_pending, "
            "published_pct_passed, published_value, suppressed, withheld) "
            "SELECT r.audit_year, r.level, r.area_code, r.kpi, r.audit_period_id, r.area_name, r.label, "
            "r.kpi_position, r.eligible, r.ineligible, r.passed, r.failed, r.pending, r.pct_passed, r.value, r.as_of, "
            "r.computed_at, u.e, u.i, u.p, u.f, u.n, CASE WHEN u.pct THEN r.pct_passed END, u.v::numeric, u.s, "
            "coalesce(string_to_array(nullif(u.w, ''), ','), '{}') "
            "FROM unnest($2::text[], $3::text[], $4::text[], $5::int8[], $6::int8[], $7::int8[], $8::int8[], "
            "$9::int8[], $10::bool[], $11::float8[], $12::text[], $13::text[]) AS u(l, c, k, e, i, p, f, n, pct, v, s, w) "
            "JOIN npda._kpi_results_computed r ON r.audit_period_id = $1 AND r.level = u.l::npda.geo_level "
            "AND r.area_code = u.c AND r.kpi = u.k",
            {{INT8OID, Int64GetDatum(period_id)},
             {TEXTARRAYOID, text_array([&](std::size_t i) { return rows[i].area.level.c_str(); })},
             {TEXTARRAYOID, text_array([&](std::size_t i) { return rows[i].area.code.c_str(); })},
             {TEXTARRAYOID, text_array([&](std::size_t i) { return rows[i].kpi.c_str(); })},
             {INT8ARRAYOID, count_array(&npda::publish::Published::eligible)},
             {INT8ARRAYOID, count_array(&npda::publish::Published::ineligible)},
             {INT8ARRAYOID, count_array(&npda::publish::Published::passed)},
             {INT8ARRAYOID, count_array(&npda::publish::Published::failed)},
             {INT8ARRAYOID, count_array(&npda::publish::Published::pending)},
             {BOOLARRAYOID, npda::pg::build_array(BOOLOID, n,
                                                  [&](std::size_t i, Datum &v, bool &) {
                                                      v = BoolGetDatum(published[i].percentage_shown);
                                                  })},
             {FLOAT8ARRAYOID, npda::pg::build_array(FLOAT8OID, n,
                                                    [&](std::size_t i, Datum &v, bool &is_null) {
                                                        if (published[i].value)
                                                            v = Float8GetDatum(*published[i].value);
                                                        else
                                                            is_null = true;
                                                    })},
             {TEXTARRAYOID, text_array([&](std::size_t i) { return npda::publish::status_name(published[i].status); })},
             {TEXTARRAYOID, text_array([&](std::size_t i) { return withheld[i].c_str(); })}});
    spi.finish();
    return Int32GetDatum(static_cast<int32>(written));
}
