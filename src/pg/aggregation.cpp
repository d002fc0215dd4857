// npda._refresh_kpi_aggregation(audit_period_id): rebuild one period's KPI
// roll-ups from the stored per-child scores (docs/kpis.md §6).
//
// PDU level: every record of the PDU's active submission counts there.
// Above PDU level (decision D11): records of the same child (same identifier)
// in several PDUs' active submissions count once, at the attributed PDU (the
// latest visit in the period), except KPIs 41-43 which go to the PDU caring on
// day 90 / day 14 after diagnosis; the RCPCH test unit PZ999 (and PZ998) stay
// at PDU level. Each record adds its own PDU's stored outcomes. The areas are
// those of the hierarchy in force on the period's first day (organisation
// releases, docs/geography.md), so each year keeps its own geography.
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kpi/kpi.hpp"
#include "kpi/aggregate.hpp"
#include "arrays.hpp"
#include "load_children.hpp"
#include "scoring.hpp"
#include "spi.hpp"

namespace {

using npda::pg::spi_execute;

// The areas a PDU rolls up to in the period; empty strings where it does not.
struct PduAreas {
    std::string pz_code, trust, lhb, icb, region, country;
    bool dummy = false;    // PZ999 / PZ998: PDU level only
    bool in_force = true;  // in force on the period's first day (else placed as on its nearest day)
};

// The hierarchy a period's roll-ups follow: the one in force on its first day
// (npda._pdu_hierarchy_for_roll_up, sql/20_geography.sql, says why).
std::unordered_map<std::int64_t, PduAreas> load_pdu_areas(std::int64_t period_id) {
    std::unordered_map<std::int64_t, PduAreas> areas;
    const std::uint64_t n =
        spi_execute("SELECT paediatric_diabetes_unit_id, pz_code, trust_ods_code, local_health_board_ods_code, "
                    "integrated_care_board_ods_code, nhs_england_region_code, country_ons_code, in_force "
                    "FROM npda._pdu_hierarchy_for_roll_up($1)",
                    {{INT8OID, Int64GetDatum(period_id)}}, true);
    for (std::uint64_t row = 0; row < n; ++row) {
        PduAreas a;
        a.pz_code = npda::pg::spi_text(row, 2);
        a.trust = npda::pg::spi_text(row, 3);
        a.lhb = npda::pg::spi_text(row, 4);
        a.icb = npda::pg::spi_text(row, 5);
        a.region = npda::pg::spi_text(row, 6);
        a.country = npda::pg::spi_text(row, 7);
        bool isnull = false;
        a.in_force = DatumGetBool(npda::pg::spi_value(row, 8, isnull));
        a.dummy = npda::is_test_unit(a.pz_code);
        areas.emplace(npda::pg::spi_int64(row, 1), std::move(a));
    }
    return areas;
}

struct ScoredRecord {
    std::int64_t patient_id = 0;
    std::int64_t pdu_id = 0;
    std::int64_t submitted_at = 0;  // microseconds, for D11 ties
    std::string identifier;         // "N" + NHS number or "U" + URN
    npda::KpiResults results{};
    npda::Date as_of = 0;
};

// Read the period's stored scores (active submissions only).
std::vector<ScoredRecord> load_scores(std::int64_t period_id, const npda::pg::OutcomeType &ot) {
    std::vector<ScoredRecord> out;
    const std::uint64_t n = spi_execute(
        "SELECT k.patient_id, s.paediatric_diabetes_unit_id, "
        "(extract(epoch FROM s.submitted_at) * 1000000)::int8, "
        "CASE WHEN p.nhs_number IS NOT NULL THEN 'N' || p.nhs_number ELSE 'U' || coalesce(p.unique_reference_number, '') END, "
        "k.outcomes, k.kpi_values, k.checks_expected, k.as_of "
        "FROM npda.patient_kpi_score k JOIN npda.patient p ON p.id = k.patient_id "
        "JOIN npda.submission s ON s.id = p.submission_id "
        "WHERE k.audit_period_id = $1 AND s.is_active",
        {{INT8OID, Int64GetDatum(period_id)}}, true);
    out.resize(n);
    std::vector<const char *> identifiers(n, nullptr);
    bool bad_shape = false;
    npda::pg::call([&]() {
        for (std::uint64_t r = 0; r < n; ++r) {
            HeapTuple tuple = SPI_tuptable->vals[r];
            TupleDesc desc = SPI_tuptable->tupdesc;
            ScoredRecord &rec = out[r];
            bool isnull = false;
            rec.patient_id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &isnull));
            rec.pdu_id = DatumGetInt64(SPI_getbinval(tuple, desc, 2, &isnull));
            rec.submitted_at = DatumGetInt64(SPI_getbinval(tuple, desc, 3, &isnull));
            identifiers[r] = TextDatumGetCString(SPI_getbinval(tuple, desc, 4, &isnull));
            Datum *outcomes, *values;
            bool *onulls, *vnulls;
            int no = 0, nv = 0;
            deconstruct_array(DatumGetArrayTypeP(SPI_getbinval(tuple, desc, 5, &isnull)), ot.type, 4, true,
                              TYPALIGN_INT, &outcomes, &onulls, &no);
            deconstruct_array(DatumGetArrayTypeP(SPI_getbinval(tuple, desc, 6, &isnull)), FLOAT8OID, 8, FLOAT8PASSBYVAL,
                              TYPALIGN_DOUBLE, &values, &vnulls, &nv);
            if (no != static_cast<int>(npda::kKpiCount) || nv != static_cast<int>(npda::kKpiCount)) {
                bad_shape = true;
                continue;
            }
            for (std::size_t k = 0; k < npda::kKpiCount; ++k) {
                const Oid label = DatumGetObjectId(outcomes[k]);
                npda::Outcome o = npda::Outcome::ineligible;
                for (int l = 0; l < 4; ++l)
                    if (ot.labels[l] == label) o = static_cast<npda::Outcome>(l);
                rec.results[k].outcome = o;
                if (!vnulls[k]) rec.results[k].value = DatumGetFloat8(values[k]);
            }
            Datum expected = SPI_getbinval(tuple, desc, 7, &isnull);
            if (!isnull) rec.results[npda::kSlot32_1].value_expected = DatumGetInt16(expected);
            rec.as_of = DatumGetDateADT(SPI_getbinval(tuple, desc, 8, &isnull));
        }
    });
    if (bad_shape) throw std::logic_error("a row of npda.patient_kpi_score does not hold 51 results");
    for (std::uint64_t r = 0; r < n; ++r) out[r].identifier = identifiers[r];
    return out;
}

// (level, area code) -> accumulator, ordered for a stable output.
using AreaKey = std::pair<std::string, std::string>;

struct Accumulators {
    std::map<AreaKey, npda::KpiAccumulator> areas;
    npda::Date oldest_as_of = 0;
    bool any = false;

    void add(const std::string &level, const std::string &code, const npda::KpiResults &r,
             const npda::KpiSlotMask *mask) {
        if (code.empty()) return;
        npda::KpiAccumulator &acc = areas[{level, code}];
        if (mask)
            acc.add(r, *mask);
        else
            acc.add(r);
    }
    // The child's areas above PDU level.
    void add_above_pdu(const PduAreas &a, const npda::KpiResults &r, const npda::KpiSlotMask *mask) {
        if (a.dummy) return;
        add("trust", a.trust, r, mask);
        add("local_health_board", a.lhb, r, mask);
        add("integrated_care_board", a.icb, r, mask);
        add("nhs_england_region", a.region, r, mask);
        add("country", a.country, r, mask);
        add("national", "national", r, mask);
    }
};

std::size_t write_aggregates(std::int64_t period_id, const Accumulators &acc) {
    spi_execute("DELETE FROM npda.kpi_aggregation WHERE audit_period_id = $1", {{INT8OID, Int64GetDatum(period_id)}});
    struct Row {
        const std::string *level, *code;
        std::size_t slot;
        npda::KpiAggregate agg;
    };
    std::vector<Row> rows;
    rows.reserve(acc.areas.size() * npda::kKpiCount);
    for (const auto &[key, a] : acc.areas) {
        const npda::KpiAggregates aggs = a.result();
        for (std::size_t slot = 0; slot < npda::kKpiCount; ++slot)
            rows.push_back({&key.first, &key.second, slot, aggs[slot]});
    }
    if (rows.empty()) return 0;
    const auto &defs = npda::kpi_definitions();
    const std::size_t n = rows.size();
    auto text_array = [&](auto get) {
        return npda::pg::build_array(TEXTOID, n, [&](std::size_t i, Datum &v, bool &) {
            const char *s = get(rows[i]);
            v = PointerGetDatum(cstring_to_text(s));
        });
    };
    auto int8_array = [&](auto get) {
        return npda::pg::build_array(INT8OID, n,
                                     [&](std::size_t i, Datum &v, bool &) { v = Int64GetDatum(get(rows[i])); });
    };
    spi_execute(
        "INSERT INTO npda.kpi_aggregation (level, area_code, audit_period_id, kpi, eligible, ineligible, passed, failed, "
        "pending, value, children_with_value, as_of) "
        "SELECT l::npda.geo_level, c, $1, k, e, i, p, f, pe, v, w, $2 "
        "FROM unnest($3::text[], $4::text[], $5::text[], $6::int8[], $7::int8[], $8::int8[], $9::int8[], $10::int8[], "
        "$11::float8[], $12::int8[]) AS u(l, c, k, e, i, p, f, pe, v, w)",
        {{INT8OID, Int64GetDatum(period_id)},
         {DATEOID, DateADTGetDatum(acc.oldest_as_of)},
         {TEXTARRAYOID, text_array([](const Row &r) { return r.level->c_str(); })},
         {TEXTARRAYOID, text_array([](const Row &r) { return r.code->c_str(); })},
         {TEXTARRAYOID, text_array([&](const Row &r) { return defs[r.slot].code; })},
         {INT8ARRAYOID, int8_array([](const Row &r) { return r.agg.eligible; })},
         {INT8ARRAYOID, int8_array([](const Row &r) { return r.agg.ineligible; })},
         {INT8ARRAYOID, int8_array([](const Row &r) { return r.agg.passed; })},
         {INT8ARRAYOID, int8_array([](const Row &r) { return r.agg.failed; })},
         {INT8ARRAYOID, int8_array([](const Row &r) { return r.agg.pending; })},
         {FLOAT8ARRAYOID, npda::pg::build_array(FLOAT8OID, n,
                                                [&](std::size_t i, Datum &v, bool &is_null) {
                                                    if (rows[i].agg.value)
                                                        v = Float8GetDatum(*rows[i].agg.value);
                                                    else
                                                        is_null = true;
                                                })},
         {INT8ARRAYOID, int8_array([](const Row &r) { return r.agg.children_with_value; })}});
    return n;
}

// The calendar year audit period `period_id` starts in.
int audit_year_of(std::int64_t period_id) {
    spi_execute("SELECT extract(year FROM start_date)::int4 FROM npda.audit_period WHERE id = $1",
                {{INT8OID, Int64GetDatum(period_id)}}, true);
    if (SPI_processed == 0)
        throw npda::Error(npda::sqlstate::kUnknownPeriod, "no audit period with id " + std::to_string(period_id));
    bool isnull = false;
    return DatumGetInt32(npda::pg::spi_value(0, 1, isnull));
}

// Every area gets its 51 rows, zeros where no child counts there (C79):
// dashboards and maps show an empty area rather than lose it.
void add_every_area(Accumulators &acc, const std::unordered_map<std::int64_t, PduAreas> &areas) {
    for (const auto &[id, a] : areas) {
        if (!a.in_force) continue;  // a unit opened or closed in another year: rows only where it has children
        acc.areas[{"pdu", a.pz_code}];
        if (a.dummy) continue;
        for (const auto &[level, code] : {std::pair<const char *, const std::string *>{"trust", &a.trust},
                                          {"local_health_board", &a.lhb},
                                          {"integrated_care_board", &a.icb},
                                          {"nhs_england_region", &a.region},
                                          {"country", &a.country}})
            if (!code->empty()) acc.areas[{level, *code}];
        acc.areas[{"national", "national"}];
    }
}

// Children with records at several PDUs (`groups`: each child's indexes into
// `records`) count once above PDU level: their full records are loaded and
// each KPI goes to the record attribute_child picks for it (D11).
void add_moved_children(Accumulators &acc, const std::vector<ScoredRecord> &records,
                        std::vector<const std::vector<std::size_t> *> groups,
                        const std::unordered_map<std::int64_t, PduAreas> &areas, const npda::ScoringPeriod &period) {
    if (groups.empty()) return;
    std::vector<std::int64_t> moved_ids;
    for (const auto *idx : groups)
        for (std::size_t i : *idx) moved_ids.push_back(records[i].patient_id);
    std::vector<npda::pg::LoadedChild> loaded = npda::pg::load_children_by_id(moved_ids);
    std::unordered_map<std::int64_t, const npda::PatientRecord *> record_of;
    for (const auto &c : loaded) record_of.emplace(c.patient_id, &c.record);
    // Walk the children in a fixed order so the result never depends on hashing.
    std::sort(groups.begin(), groups.end(),
              [&](auto a, auto b) { return records[(*a)[0]].identifier < records[(*b)[0]].identifier; });
    for (const auto *idx : groups) {
        std::vector<npda::PduRecordRef> refs;
        std::vector<std::size_t> used;
        for (std::size_t i : *idx) {
            auto rec = record_of.find(records[i].patient_id);
            if (rec == record_of.end()) continue;
            refs.push_back({rec->second, areas.at(records[i].pdu_id).pz_code, records[i].submitted_at});
            used.push_back(i);
        }
        if (refs.empty()) continue;
        const npda::Attribution attribution = npda::attribute_child(refs, period);
        for (std::size_t j = 0; j < refs.size(); ++j) {
            npda::KpiSlotMask mask{};
            bool any_slot = false;
            for (std::size_t slot = 0; slot < npda::kKpiCount; ++slot) {
                mask[slot] = attribution.for_kpi(slot) == j;
                any_slot = any_slot || mask[slot];
            }
            if (!any_slot) continue;
            const ScoredRecord &r = records[used[j]];
            acc.add_above_pdu(areas.at(r.pdu_id), r.results, &mask);
        }
    }
}

}  // namespace

NPDA_FUNCTION(_refresh_kpi_aggregation) {
    const std::int64_t period_id = PG_GETARG_INT64(0);
    npda::pg::SpiConnection spi;
    const npda::ScoringPeriod period = npda::scoring_period_for(audit_year_of(period_id));

    const auto areas = load_pdu_areas(period_id);
    const auto ot = npda::pg::outcome_type();
    const std::vector<ScoredRecord> records = load_scores(period_id, ot);

    Accumulators acc;
    add_every_area(acc, areas);
    // PDU level: every record counts at its own PDU. Above it, records are
    // grouped by child.
    std::unordered_map<std::string, std::vector<std::size_t>> by_child;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const ScoredRecord &r = records[i];
        acc.oldest_as_of = acc.any ? std::min(acc.oldest_as_of, r.as_of) : r.as_of;
        acc.any = true;
        const auto it = areas.find(r.pdu_id);
        if (it == areas.end()) continue;
        acc.add("pdu", it->second.pz_code, r.results, nullptr);
        if (!it->second.dummy) by_child[r.identifier].push_back(i);
    }
    if (!acc.any) {
        spi_execute("SELECT current_date", {}, true);
        bool isnull = false;
        acc.oldest_as_of = DatumGetDateADT(npda::pg::spi_value(0, 1, isnull));
    }

    // Children seen by one PDU count there; moved children need their full
    // records to be attributed (D11).
    std::vector<const std::vector<std::size_t> *> moved;
    for (const auto &[identifier, idx] : by_child) {
        if (idx.size() == 1) {
            const ScoredRecord &r = records[idx[0]];
            acc.add_above_pdu(areas.at(r.pdu_id), r.results, nullptr);
        } else {
            moved.push_back(&idx);
        }
    }
    add_moved_children(acc, records, std::move(moved), areas, period);
    const std::size_t written = write_aggregates(period_id, acc);
    spi.finish();
    return Int32GetDatum(static_cast<int32>(written));
}
