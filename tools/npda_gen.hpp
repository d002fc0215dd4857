// npda_gen: deterministic synthetic NPDA submissions (see tools/npda_gen.cpp
// for the command line). Shared declarations of the generator's two parts:
//   npda_gen.cpp       command line, PDU list, national plan (children, moves), files, --check
//   npda_gen_rows.cpp  one child's rows in one PDU's file, CSV text, injected errors
// Everything random comes from std::mt19937_64 seeded from --seed, through the
// small Rng below (own distributions, so the output does not depend on the
// standard library's distribution algorithms).
#pragma once
#include <array>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "calendar.hpp"
#include "ingest/dataset.hpp"
#include "ingest/record.hpp"

namespace npda_gen {

using npda::Date;

// splitmix64: derives independent seeds from (seed, key, ...).
inline std::uint64_t mix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}
inline std::uint64_t mix(std::uint64_t a, std::uint64_t b) { return mix(mix(a) ^ (b * 0xD6E8FEB86659FD93ULL)); }
inline std::uint64_t mix(std::uint64_t a, std::uint64_t b, std::uint64_t c) { return mix(mix(a, b), c); }

class Rng {
public:
    explicit Rng(std::uint64_t seed) : engine_(seed) {}
    std::uint64_t bits() { return engine_(); }
    // [0, 1)
    double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
    // Whole number in [lo, hi]; lo when hi < lo.
    int range(int lo, int hi) {
        if (hi <= lo) return lo;
        const auto span = static_cast<std::uint64_t>(static_cast<std::int64_t>(hi) - lo + 1);
        return lo + static_cast<int>(engine_() % span);
    }
    bool chance(double p) { return uniform() < p; }
    double normal(double mean, double sd) {
        double u1 = uniform();
        if (u1 < 1e-300) u1 = 1e-300;
        const double u2 = uniform();
        return mean + sd * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }
    // One item by weight (weights need not sum to 1).
    template <class T>
    T pick(std::initializer_list<std::pair<T, double>> items) {
        double total = 0;
        for (const auto &it : items) total += it.second;
        double x = uniform() * total;
        for (const auto &it : items) {
            if (x < it.second) return it.first;
            x -= it.second;
        }
        return (items.end() - 1)->first;
    }

private:
    std::mt19937_64 engine_;
};

// The kinds of realistic mistakes --error-rate injects (one per chosen row).
enum class ErrorKind : int {
    nhs_check_digit,        // identifier with a wrong check digit (URN with a letter for PZ248)
    date_in_future,         // an observation or visit date after --today
    date_before_birth,      // height/weight observation date before the date of birth
    code_not_in_set,        // 45 in a coded column
    code_true_false,        // TRUE / FALSE in a coded column (an Excel tick box)
    text_in_number,         // "see notes" in the weight column
    hba1c_pair_missing,     // 2021: HbA1c value and date without the format; 2026: without the date
    malformed_date,         // 12.05.2025, 2025/05/12, 31/02/2025
    height_in_mm,           // a height of 1800
    hba1c_percent_as_mmol,  // 7.4 entered with format 1 (or in the 2026 mmol/mol column)
    blood_pressure_half,    // systolic without diastolic
    dka_without_therapy,    // DKA admission without the therapies answer
    bad_postcode,           // "NOT KNOWN" in the postcode column
    cessation_non_smoker,   // smoking cessation date for a non-smoker
    count_
};
inline constexpr int kErrorKindCount = static_cast<int>(ErrorKind::count_);
const char *error_kind_name(ErrorKind k);

struct Pdu {
    std::string pz;       // "PZ041"
    int number = 0;       // 41
    std::string outward;  // outward code of the unit's postcode ("SA6"), may be empty
    bool urn = false;     // PZ248 Jersey: Unique Reference Number instead of NHS number
};

// A child as a person: what stays the same wherever they are submitted.
struct Person {
    std::uint64_t seed = 0;
    std::string id;  // ten-digit NHS number, or URN digits for Jersey
    Date dob = 0;
    Date diagnosis = 0;
    std::int16_t sex = 1;
    std::string ethnicity;  // "A" … "Z", "99"
    std::int16_t diabetes_type = 1;
    bool diagnosed_in_period = false;
};

// A child in one PDU's file.
struct Enrolment {
    std::size_t person = 0;  // index into Plan::persons
    Date from = 0, to = 0;   // visits fall in [from, to]
    int visits = 1;
    double spread = 0;  // this child's standard-normal draw for its number of visits
    double share = 1;   // share of a full year's visits (time under this unit's care)
    Date leaving = 0;   // 0 = none
    std::int16_t leaving_reason = 0;
    Date death = 0;         // 0 = alive
    bool moved_in = false;  // the receiving side of a move between PDUs
};

struct PduPlan {
    Pdu pdu;
    std::string pdu_cell;        // how this unit writes its PDU Number ("PZ041", occasionally "41")
    bool spaced_nhs = false;     // writes NHS numbers as "943 476 5919"
    bool hba1c_percent = false;  // 2021: reports HbA1c in % (format 2)
    std::vector<std::string> gp_pool;
    std::vector<std::string> outward_pool;  // postcode districts of its children
    std::vector<Enrolment> children;
};

struct Settings {
    std::uint64_t seed = 42;
    int audit_year = 2025;
    npda::DatasetYear dataset = npda::DatasetYear::y2021;
    Date today = 0;
    Date period_start = 0, period_end = 0;
    Date last_day = 0;  // min(period end, today)
    double error_rate = 0.0;
    bool crlf = false;
};

struct Stats {
    std::size_t rows = 0;
    std::size_t children = 0;
    std::size_t moved = 0;
    std::size_t deaths = 0;
    std::size_t leavers = 0;
    std::size_t new_diagnoses = 0;
    std::size_t admissions = 0;
    std::size_t bytes = 0;
    std::array<std::size_t, kErrorKindCount> errors{};
};

// The exact published heading line of a template (trailing spaces kept), with
// "Unique Reference Number" as first heading when urn is set.
std::string header_line(npda::DatasetYear year, bool urn);
// Checks the embedded heading lines against the core's template tables;
// returns an empty string when they agree, else what differs.
std::string check_headers_against_core();

// Appends every row of one child to out.
void write_child(const Settings &s, const PduPlan &plan, const Enrolment &e, const Person &p, std::string &out,
                 Stats &stats);

}  // namespace npda_gen
