// npda_gen: deterministic synthetic NPDA submissions, one CSV file per PDU.
//
//   npda_gen --seed 42 --audit-year 2025 [--template 2021|2026]
//            [--pdus PZ001,PZ002|all] [--pdu-file seeds/orgs/paediatric_diabetes_units.csv]
//            [--children-per-pdu N | --children TOTAL] [--visits-per-child M]
//            [--error-rate 0.02] [--move-rate 0.01] [--today 2026-11-27]
//            [--lf | --crlf] [--check] [--quiet] (--out DIR | --stdout)
//
// Files are named <PZ>_<audit year>.csv and carry the published template
// headings byte for byte ("Unique Reference Number" instead of "NHS Number"
// for PZ248 Jersey). The same arguments always give byte-identical files:
// every random choice comes from --seed, and "today" is --today, never the
// clock. --check reads every generated file back through the core's
// submission reader (the code npda.submit_csv runs) and prints its findings
// by error code: with --error-rate 0 there must be none.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <unordered_set>
#include <vector>

#include "ingest/csv_reader.hpp"
#include "errors.hpp"
#include "nhs_number.hpp"
#include "ingest/submission_reader.hpp"
#include "ingest/value_parsing.hpp"
#include "npda_gen.hpp"

namespace {

using namespace npda_gen;

struct Options {
    std::uint64_t seed = 42;
    int audit_year = 2025;
    int template_year = 0;  // 0 = the dataset of the audit year
    std::string pdus = "all";
    std::string pdu_file;
    long children_per_pdu = -1;
    long children_total = -1;
    double visits_per_child = 10.0;
    double error_rate = 0.0;
    double move_rate = 0.01;
    std::string today = "2026-11-27";
    int line_end = 0;  // 0 = as the template (2021 LF, 2026 CRLF), 1 = LF, 2 = CRLF
    bool check = false;
    bool quiet = false;
    bool to_stdout = false;
    std::string out_dir;
};

[[noreturn]] void usage(const char *error = nullptr) {
    if (error) std::fprintf(stderr, "npda_gen: %s\n\n", error);
    std::fputs(
        "usage: npda_gen [options] (--out DIR | --stdout)\n"
        "  --seed N               random seed (default 42); same arguments -> identical files\n"
        "  --audit-year Y         audit period starting 1 April Y (default 2025)\n"
        "  --template 2021|2026   CSV template (default: the dataset of the audit year)\n"
        "  --pdus LIST|all        PZ codes, comma-separated, or all (173 units minus PZ999; default)\n"
        "  --pdu-file PATH        paediatric_diabetes_units.csv (default seeds/orgs/ in the repository)\n"
        "  --children-per-pdu N   children per unit (default 200)\n"
        "  --children TOTAL       children in all, spread over the units by a skewed unit size\n"
        "  --visits-per-child M   mean rows per child for a full year of care (default 10; spread about 0.4M-1.6M)\n"
        "  --error-rate P         share of rows with one realistic mistake (default 0)\n"
        "  --move-rate P          share of children who moved to another unit during the year (default 0.01)\n"
        "  --today YYYY-MM-DD     the date files are generated for: nothing later (default 2026-11-27)\n"
        "  --lf | --crlf          line ends (default: as the published template, 2021 LF, 2026 CRLF)\n"
        "  --check                read every file back with the core submission reader and count findings\n"
        "  --quiet                no summary\n"
        "  --out DIR              write DIR/<PZ>_<year>.csv for every unit\n"
        "  --stdout               write the one selected unit's file to standard output\n",
        stderr);
    std::exit(error ? 2 : 0);
}

long parse_long(const std::string &v, const char *opt) {
    char *end = nullptr;
    const long x = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end) usage((std::string(opt) + " needs a whole number").c_str());
    return x;
}
double parse_double(const std::string &v, const char *opt) {
    char *end = nullptr;
    const double x = std::strtod(v.c_str(), &end);
    if (v.empty() || *end) usage((std::string(opt) + " needs a number").c_str());
    return x;
}

Options parse_args(int argc, char **argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage((a + " needs a value").c_str());
            return argv[++i];
        };
        if (a == "--help" || a == "-h") usage();
        else if (a == "--seed") o.seed = std::strtoull(value().c_str(), nullptr, 10);
        else if (a == "--audit-year") o.audit_year = static_cast<int>(parse_long(value(), "--audit-year"));
        else if (a == "--template") o.template_year = static_cast<int>(parse_long(value(), "--template"));
        else if (a == "--pdus") o.pdus = value();
        else if (a == "--pdu-file") o.pdu_file = value();
        else if (a == "--children-per-pdu") o.children_per_pdu = parse_long(value(), "--children-per-pdu");
        else if (a == "--children") o.children_total = parse_long(value(), "--children");
        else if (a == "--visits-per-child") o.visits_per_child = parse_double(value(), "--visits-per-child");
        else if (a == "--error-rate") o.error_rate = parse_double(value(), "--error-rate");
        else if (a == "--move-rate") o.move_rate = parse_double(value(), "--move-rate");
        else if (a == "--today") o.today = value();
        else if (a == "--lf") o.line_end = 1;
        else if (a == "--crlf") o.line_end = 2;
        else if (a == "--check") o.check = true;
        else if (a == "--quiet") o.quiet = true;
        else if (a == "--stdout") o.to_stdout = true;
        else if (a == "--out") o.out_dir = value();
        else usage(("unknown option " + a).c_str());
    }
    if (o.template_year != 0 && o.template_year != 2021 && o.template_year != 2026)
        usage("--template must be 2021 or 2026");
    if (o.children_per_pdu >= 0 && o.children_total >= 0) usage("give --children-per-pdu or --children, not both");
    if (o.children_per_pdu < 0 && o.children_total < 0) o.children_per_pdu = 200;
    if (o.visits_per_child < 1 || o.visits_per_child > 100) usage("--visits-per-child must be between 1 and 100");
    if (o.error_rate < 0 || o.error_rate > 1) usage("--error-rate must be between 0 and 1");
    if (o.move_rate < 0 || o.move_rate > 0.5) usage("--move-rate must be between 0 and 0.5");
    if (o.to_stdout == !o.out_dir.empty()) usage("give exactly one of --out DIR and --stdout");
    return o;
}

bool file_exists(const std::string &path) { return access(path.c_str(), R_OK) == 0; }

// The PDU list: --pdu-file, else seeds/orgs/ under the working directory or
// next to the executable (build/npda_gen -> the repository root is ..).
std::string find_pdu_file(const std::string &given) {
    if (!given.empty()) return given;
    const std::string rel = "seeds/orgs/paediatric_diabetes_units.csv";
    std::vector<std::string> candidates = {rel};
    char exe[4096];
    const ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        std::string dir(exe, static_cast<std::size_t>(len));
        dir = dir.substr(0, dir.rfind('/'));
        candidates.push_back(dir + "/../" + rel);
        candidates.push_back(dir + "/../../" + rel);
    }
    for (const auto &c : candidates)
        if (file_exists(c)) return c;
    usage("cannot find seeds/orgs/paediatric_diabetes_units.csv: pass --pdu-file");
}

std::vector<Pdu> read_pdus(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    const auto records = npda::read_csv(text);
    if (records.empty()) throw std::runtime_error(path + " is empty");
    const auto &head = records.front().fields;
    const auto col = [&](const char *name) {
        const auto it = std::find(head.begin(), head.end(), name);
        if (it == head.end()) throw std::runtime_error(path + " has no column " + name);
        return static_cast<std::size_t>(it - head.begin());
    };
    const std::size_t pz_col = col("pz_code"), postcode_col = col("postcode");
    std::vector<Pdu> pdus;
    for (std::size_t i = 1; i < records.size(); ++i) {
        const auto &f = records[i].fields;
        if (f.size() <= std::max(pz_col, postcode_col)) continue;
        const auto pz = npda::normalise_pz_code(f[pz_col]);
        if (!pz) continue;
        Pdu p;
        p.pz = *pz;
        p.number = std::atoi(pz->c_str() + 2);
        p.urn = p.pz == "PZ248";
        const std::string pc = npda::normalise_postcode(f[postcode_col]);
        if (pc.size() >= 5 && npda::is_postcode_format(pc)) p.outward = pc.substr(0, pc.size() - 3);
        pdus.push_back(std::move(p));
    }
    std::sort(pdus.begin(), pdus.end(), [](const Pdu &a, const Pdu &b) { return a.number < b.number; });
    return pdus;
}

std::vector<Pdu> select_pdus(const std::vector<Pdu> &all, const std::string &list) {
    std::vector<Pdu> out;
    if (list == "all") {
        for (const auto &p : all)
            if (p.pz != "PZ999") out.push_back(p);
        return out;
    }
    std::set<int> wanted;
    std::stringstream ss(list);
    std::string item;
    while (std::getline(ss, item, ',')) {
        if (item.empty()) continue;
        const auto pz = npda::normalise_pz_code(item);
        if (!pz) usage(("not a PZ code: " + item).c_str());
        const auto it = std::find_if(all.begin(), all.end(), [&](const Pdu &p) { return p.pz == *pz; });
        if (it == all.end()) usage((*pz + " is not in the PDU file").c_str());
        wanted.insert(it->number);
    }
    for (const auto &p : all)
        if (wanted.count(p.number)) out.push_back(p);
    if (out.empty()) usage("--pdus selects no unit");
    return out;
}

npda::Date parse_iso(const std::string &s) {
    int y = 0, m = 0, d = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3 || !npda::is_valid_ymd(y, m, d))
        usage("--today must be YYYY-MM-DD");
    return npda::date_from_ymd(y, m, d);
}

// ---- The national plan ----

struct Plan {
    std::vector<PduPlan> units;
    std::vector<Person> persons;
};

constexpr char kGpLetters[] = "ABCDEFGHJKLMNPY";

char digit(int v) { return static_cast<char>('0' + v); }

std::string nhs_number(Rng &r, std::unordered_set<std::string> &used) {
    // The NHS test range 999 000 0000 - 999 999 9999: synthetic numbers that
    // pass the modulus-11 check but belong to nobody.
    for (int attempt = 0;; ++attempt) {
        std::string s = attempt < 200 ? "999" : std::string(1, digit(r.range(4, 9)));
        while (s.size() < 9) s.push_back(digit(r.range(0, 9)));
        int sum = 0;
        for (int i = 0; i < 9; ++i) sum += (s[static_cast<std::size_t>(i)] - '0') * (10 - i);
        int check = 11 - sum % 11;
        if (check == 11) check = 0;
        if (check == 10) continue;
        s.push_back(digit(check));
        if (used.insert(s).second) return s;
    }
}

std::string urn(Rng &r, std::unordered_set<std::string> &used) {
    for (;;) {
        std::string s(1, digit(r.range(1, 9)));
        for (int i = 0; i < 6; ++i) s.push_back(digit(r.range(0, 9)));
        if (used.insert("URN" + s).second) return s;
    }
}

Person make_person(std::uint64_t seed, bool jersey, const Settings &s, std::unordered_set<std::string> &used) {
    Rng r(seed);
    Person p;
    p.seed = seed;
    p.id = jersey ? urn(r, used) : nhs_number(r, used);
    int ty = 0, tm = 0, td = 0;
    npda::date_to_ymd(s.today, ty, tm, td);
    if (tm == 2 && td == 29) td = 28;
    const Date oldest = npda::date_from_ymd(ty - 25, tm, td) + 1;  // under 25 today (docs/data-model.md §4.6)
    for (int attempt = 0; attempt < 50; ++attempt) {
        // Age today: most children 8-17, few babies, few young adults.
        const int age = r.pick<int>({{0, 0.1}, {1, 0.4}, {2, 0.8}, {3, 1.2}, {4, 1.6}, {5, 2.2}, {6, 2.8},
                                     {7, 3.4}, {8, 4.2}, {9, 5.0}, {10, 5.8}, {11, 6.4}, {12, 7.0}, {13, 7.4},
                                     {14, 7.6}, {15, 7.6}, {16, 7.2}, {17, 6.4}, {18, 3.5}, {19, 1.4},
                                     {20, 0.4}, {21, 0.3}, {22, 0.2}, {23, 0.15}, {24, 0.1}});
        p.dob = std::max(oldest, npda::date_from_ymd(ty - age, tm, td) - r.range(0, 364));
        if (p.dob <= s.last_day - 120) break;
    }
    if (p.dob > s.last_day - 120) p.dob = s.last_day - 120;
    const Date in_lo = std::max(s.period_start, p.dob + 30), in_hi = s.last_day - 30;
    const Date before_lo = p.dob + 180, before_hi = s.period_start - 1;
    const bool can_before = before_lo <= before_hi, can_in = in_lo <= in_hi;
    p.diagnosed_in_period = can_in && (!can_before || r.chance(0.10));
    if (p.diagnosed_in_period) p.diagnosis = r.range(in_lo, in_hi);
    else if (can_before) p.diagnosis = r.range(before_lo, before_hi);
    else p.diagnosis = std::min(p.dob + 30, s.last_day);
    p.sex = r.pick<std::int16_t>({{1, 0.51}, {2, 0.485}, {3, 0.002}, {99, 0.003}});
    p.ethnicity = r.pick<const char *>({{"A", 0.68}, {"B", 0.005}, {"C", 0.03}, {"D", 0.01}, {"E", 0.005},
                                        {"F", 0.01}, {"G", 0.015}, {"H", 0.025}, {"J", 0.03}, {"K", 0.01},
                                        {"L", 0.01}, {"M", 0.008}, {"N", 0.02}, {"P", 0.005}, {"R", 0.003},
                                        {"S", 0.012}, {"Z", 0.02}, {"99", 0.04}});
    p.diabetes_type = r.pick<std::int16_t>({{1, 0.9}, {2, 0.05}, {3, 0.01}, {4, 0.02}, {5, 0.01}, {99, 0.01}});
    return p;
}

// Share of a full year's visits for a child under a unit's care from `from` to `to`.
double visit_share(Date from, Date to, const Settings &s) {
    const double frac = std::clamp(static_cast<double>(to - from + 1) / static_cast<double>(s.period_end - s.period_start + 1), 0.0, 1.0);
    return 0.25 + 0.75 * frac;
}

// A unit's traits, each from the unit's own seed (independent of the
// selection); `weight` is its relative size for --children.
PduPlan plan_unit(const Options &o, const Pdu &pdu, const std::vector<std::string> &outwards, double &weight) {
    Rng u(mix(o.seed, static_cast<std::uint64_t>(pdu.number), 0x554E4954ULL));
    PduPlan up;
    up.pdu = pdu;
    weight = std::exp(u.normal(0, 0.55)) * (pdu.urn ? 0.25 : 1.0);
    up.spaced_nhs = u.chance(0.35);
    up.hba1c_percent = u.chance(0.06);
    up.pdu_cell = u.chance(0.05) ? std::to_string(pdu.number) : pdu.pz;
    const int gps = u.range(15, 40);
    for (int i = 0; i < gps; ++i) {
        std::string gp(1, kGpLetters[u.range(0, static_cast<int>(sizeof kGpLetters) - 2)]);
        for (int k = 0; k < 5; ++k) gp.push_back(digit(u.range(0, 9)));
        up.gp_pool.push_back(gp);
    }
    const std::string own = pdu.outward.empty() ? outwards[static_cast<std::size_t>(u.range(0, static_cast<int>(outwards.size()) - 1))] : pdu.outward;
    // Mostly the unit's own postcode district; a third from elsewhere (Jersey: only JE).
    for (int i = 0; i < 4; ++i) up.outward_pool.push_back(own);
    if (!pdu.urn)
        for (int i = 0; i < 2; ++i) up.outward_pool.push_back(outwards[static_cast<std::size_t>(u.range(0, static_cast<int>(outwards.size()) - 1))]);
    return up;
}

// Children per unit: --children-per-pdu each, or --children spread by weight
// (largest remainders get the children left over).
std::vector<long> children_per_unit(const Options &o, const std::vector<double> &weights) {
    std::vector<long> counts(weights.size(), o.children_per_pdu);
    if (o.children_total < 0) return counts;
    double total_w = 0;
    for (const double w : weights) total_w += w;
    long assigned = 0;
    std::vector<std::pair<double, std::size_t>> remainders;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const double exact = static_cast<double>(o.children_total) * weights[i] / total_w;
        counts[i] = static_cast<long>(exact);
        assigned += counts[i];
        remainders.emplace_back(exact - static_cast<double>(counts[i]), i);
    }
    std::stable_sort(remainders.begin(), remainders.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    for (std::size_t k = 0; assigned < o.children_total && k < remainders.size(); ++k, ++assigned)
        ++counts[remainders[k].second];
    return counts;
}

// Person `person` (seed `seed`) at unit u for the year: death, leaving, or a
// move to one of the `movable` units, whose enrolment goes to incoming[dest].
Enrolment enrol(const Options &o, const Settings &s, const std::vector<Pdu> &pdus, std::size_t u,
                const std::vector<std::size_t> &movable, std::uint64_t seed, const Person &p, std::size_t person,
                std::vector<std::vector<Enrolment>> &incoming, Stats &stats) {
    Rng r(mix(seed, 0x454E524FULL));
    Enrolment e;
    e.person = person;
    e.from = std::max(s.period_start, p.diagnosis);
    e.to = s.last_day;
    if (e.from > e.to) e.from = e.to;
    e.spread = r.normal(0, 1);
    const int age_end = npda::age_in_years(p.dob, s.last_day);
    const bool room = e.from + 30 <= e.to;
    if (room && r.chance(0.0008)) {
        e.death = r.range(e.from + 30, e.to);
        e.to = e.death;
        ++stats.deaths;
    } else if (room && age_end >= 17 && r.chance(0.18)) {
        e.leaving = r.range(e.from + 30, e.to);
        e.leaving_reason = 1;  // transitioned to adult services
        e.to = e.leaving;
        ++stats.leavers;
    } else if (room && r.chance(0.01)) {
        e.leaving = r.range(e.from + 30, e.to);
        e.leaving_reason = 3;
        e.to = e.leaving;
        ++stats.leavers;
    } else if (!pdus[u].urn && movable.size() >= 2 && e.from + 30 <= e.to - 60 && r.chance(o.move_rate)) {
        // Moved out of area: the sending unit records the leaving date
        // and reason 2; the receiving unit submits the later visits.
        std::size_t dest = u;
        while (dest == u) dest = movable[static_cast<std::size_t>(r.range(0, static_cast<int>(movable.size()) - 1))];
        const Date moved = r.range(e.from + 30, e.to - 60);
        Enrolment in;
        in.person = e.person;
        in.moved_in = true;
        in.from = moved + r.range(7, 28);
        in.to = e.to;
        in.spread = e.spread;
        in.share = visit_share(in.from, in.to, s);
        incoming[dest].push_back(in);
        e.leaving = moved;
        e.leaving_reason = 2;
        e.to = moved - 1;
        ++stats.moved;
        ++stats.leavers;
    }
    e.share = visit_share(e.from, e.to, s);
    return e;
}

// Rows per child: a full year's count is normal with mean m and sd 0.3m,
// kept within 0.4m-1.6m (4-16 for m = 10), then scaled by the time under
// care; m is chosen so that the mean over all children is --visits-per-child.
void set_visit_counts(const Options &o, Plan &plan) {
    double shares = 0;
    std::size_t enrolments = 0;
    for (const auto &up : plan.units)
        for (const auto &e : up.children) shares += e.share, ++enrolments;
    const double m = enrolments ? o.visits_per_child * static_cast<double>(enrolments) / shares : o.visits_per_child;
    for (auto &up : plan.units)
        for (auto &e : up.children) {
            const double full = std::clamp(m * (1 + 0.3 * e.spread), std::max(1.0, 0.4 * m), 1.6 * m);
            e.visits = std::max(1, static_cast<int>(std::lround(full * e.share)));
        }
}

Plan make_plan(const Options &o, const std::vector<Pdu> &pdus, const std::vector<Pdu> &all_pdus, const Settings &s,
               Stats &stats) {
    Plan plan;
    std::vector<std::string> outwards;
    for (const auto &p : all_pdus)
        if (!p.outward.empty() && !p.urn) outwards.push_back(p.outward);
    if (outwards.empty()) outwards.push_back("SW1A");

    std::vector<double> weights(pdus.size());
    for (std::size_t u = 0; u < pdus.size(); ++u) plan.units.push_back(plan_unit(o, pdus[u], outwards, weights[u]));
    const std::vector<long> counts = children_per_unit(o, weights);

    std::vector<std::size_t> movable;  // units that can receive a moved child (not Jersey)
    for (std::size_t u = 0; u < pdus.size(); ++u)
        if (!pdus[u].urn) movable.push_back(u);

    std::unordered_set<std::string> used;
    std::vector<std::vector<Enrolment>> incoming(pdus.size());
    for (std::size_t u = 0; u < pdus.size(); ++u) {
        PduPlan &up = plan.units[u];
        for (long i = 0; i < counts[u]; ++i) {
            const std::uint64_t seed = mix(o.seed, static_cast<std::uint64_t>(pdus[u].number), static_cast<std::uint64_t>(i));
            plan.persons.push_back(make_person(seed, pdus[u].urn, s, used));
            const Person &p = plan.persons.back();
            up.children.push_back(enrol(o, s, pdus, u, movable, seed, p, plan.persons.size() - 1, incoming, stats));
            if (p.diagnosed_in_period) ++stats.new_diagnoses;
        }
    }
    for (std::size_t u = 0; u < pdus.size(); ++u)
        for (auto &e : incoming[u]) plan.units[u].children.push_back(e);
    set_visit_counts(o, plan);
    stats.children = plan.persons.size();
    return plan;
}

std::string with_commas(std::size_t v) {
    std::string s = std::to_string(v);
    for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
    return s;
}

// The generation settings from the options.
Settings make_settings(const Options &o, int template_year) {
    Settings s;
    s.seed = o.seed;
    s.audit_year = o.audit_year;
    s.dataset = template_year == 2026 ? npda::DatasetYear::y2026 : npda::DatasetYear::y2021;
    s.today = parse_iso(o.today);
    s.period_start = npda::audit_period_start(o.audit_year);
    s.period_end = npda::audit_period_end(o.audit_year);
    s.last_day = std::min(s.period_end, s.today);
    s.error_rate = o.error_rate;
    s.crlf = o.line_end == 0 ? s.dataset == npda::DatasetYear::y2026 : o.line_end == 2;
    return s;
}

// Write one unit's file to standard output or to --out.
void write_file(const Options &o, const PduPlan &up, const std::string &buf) {
    if (o.to_stdout) {
        std::fwrite(buf.data(), 1, buf.size(), stdout);
        return;
    }
    const std::string path = o.out_dir + "/" + up.pdu.pz + "_" + std::to_string(o.audit_year) + ".csv";
    FILE *f = std::fopen(path.c_str(), "wb");
    if (!f) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
    const bool ok = std::fwrite(buf.data(), 1, buf.size(), f) == buf.size();
    if (std::fclose(f) != 0 || !ok) throw std::runtime_error("cannot write " + path);
}

// What --check found in all the files.
struct CheckTotals {
    std::map<std::string, std::size_t> findings;  // by error code
    std::size_t children = 0, rows = 0;
    double secs = 0;  // in the reader
};

// --check: read one unit's file back with the core reader; false (after a
// message) when the reader rejects it.
bool check_file(const Options &o, const Settings &s, const PduPlan &up, const std::string &buf, CheckTotals &totals) {
    npda::SubmissionContext ctx;
    ctx.pz_code = up.pdu.pz;
    ctx.audit_year = o.audit_year;
    ctx.dataset = s.dataset;
    ctx.today = s.today;
    try {
        const auto c0 = std::chrono::steady_clock::now();
        const npda::ParsedSubmission parsed = npda::read_submission(buf, ctx);
        totals.secs += std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count();
        totals.children += parsed.patients.size();
        totals.rows += static_cast<std::size_t>(parsed.data_rows);
        for (const auto &e : parsed.errors) ++totals.findings[e.code];
    } catch (const npda::Error &e) {
        std::fprintf(stderr, "npda_gen: %s: the reader rejects the file: %s (%s)\n", up.pdu.pz.c_str(),
                     e.message().c_str(), e.detail().c_str());
        return false;
    }
    return true;
}

void print_summary(FILE *info, const Options &o, int template_year, const Plan &plan, const Stats &stats,
                   const CheckTotals &check, double secs) {
    std::size_t injected = 0;
    for (const auto n : stats.errors) injected += n;
    std::fprintf(info,
                 "npda_gen: %zu file(s), %d template, audit year %d-%02d, seed %llu\n"
                 "  children %s (new diagnoses %s, moved between units %s, leavers %s, deaths %s, admissions %s)\n"
                 "  rows %s (%.2f per child), %.1f MB, %.2f s\n",
                 plan.units.size(), template_year, o.audit_year, (o.audit_year + 1) % 100,
                 static_cast<unsigned long long>(o.seed), with_commas(stats.children).c_str(),
                 with_commas(stats.new_diagnoses).c_str(), with_commas(stats.moved).c_str(),
                 with_commas(stats.leavers).c_str(), with_commas(stats.deaths).c_str(),
                 with_commas(stats.admissions).c_str(), with_commas(stats.rows).c_str(),
                 stats.children ? static_cast<double>(stats.rows) / static_cast<double>(stats.children + stats.moved) : 0.0,
                 static_cast<double>(stats.bytes) / 1e6, secs);
    std::fprintf(info, "  rows with an injected error: %s\n", with_commas(injected).c_str());
    for (int k = 0; k < kErrorKindCount; ++k)
        if (stats.errors[static_cast<std::size_t>(k)])
            std::fprintf(info, "    %-45s %s\n", error_kind_name(static_cast<ErrorKind>(k)),
                         with_commas(stats.errors[static_cast<std::size_t>(k)]).c_str());
    if (o.check) {
        std::size_t total = 0;
        for (const auto &f : check.findings) total += f.second;
        std::fprintf(info, "  check (core reader): %s children, %s rows, %s findings, reader time %.3f s\n",
                     with_commas(check.children).c_str(), with_commas(check.rows).c_str(),
                     with_commas(total).c_str(), check.secs);
        for (const auto &f : check.findings)
            std::fprintf(info, "    %-45s %s\n", f.first.c_str(), with_commas(f.second).c_str());
    }
}

}  // namespace

int main(int argc, char **argv) {
    try {
        const Options o = parse_args(argc, argv);
        const auto t0 = std::chrono::steady_clock::now();
        if (const std::string bad = check_headers_against_core(); !bad.empty()) {
            std::fprintf(stderr, "npda_gen: embedded template headings disagree with src/core: %s\n", bad.c_str());
            return 1;
        }
        const int template_year = o.template_year ? o.template_year : npda::dataset_year_for(o.audit_year);
        const Settings s = make_settings(o, template_year);
        if (s.last_day - s.period_start < 150) {
            std::fprintf(stderr, "npda_gen: the audit period %d-%02d has fewer than 150 days before --today %s\n",
                         o.audit_year, (o.audit_year + 1) % 100, o.today.c_str());
            return 2;
        }
        FILE *info = o.to_stdout ? stderr : stdout;
        if (template_year != npda::dataset_year_for(o.audit_year))
            std::fprintf(stderr, "npda_gen: warning: audit year %d uses the %d dataset; npda.submit_csv will reject %d-template files for it\n",
                         o.audit_year, npda::dataset_year_for(o.audit_year), template_year);

        const std::vector<Pdu> all = read_pdus(find_pdu_file(o.pdu_file));
        const std::vector<Pdu> pdus = select_pdus(all, o.pdus);
        if (o.to_stdout && pdus.size() != 1) usage("--stdout needs exactly one unit in --pdus");

        Stats stats;
        const Plan plan = make_plan(o, pdus, all, s, stats);

        CheckTotals check;
        std::string buf;
        for (const PduPlan &up : plan.units) {
            buf.clear();
            buf.reserve(up.children.size() * static_cast<std::size_t>(o.visits_per_child * 260) + 4096);
            buf += header_line(s.dataset, up.pdu.urn);
            buf += s.crlf ? "\r\n" : "\n";
            for (const Enrolment &e : up.children) write_child(s, up, e, plan.persons[e.person], buf, stats);
            stats.bytes += buf.size();
            write_file(o, up, buf);
            if (o.check && !check_file(o, s, up, buf, check)) return 1;
        }
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (!o.quiet) print_summary(info, o, template_year, plan, stats, check, secs);
        if (o.check && o.error_rate == 0 && !check.findings.empty()) {
            std::fprintf(stderr, "npda_gen: --error-rate 0 but the reader found problems\n");
            return 1;
        }
        return 0;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "npda_gen: %s\n", e.what());
        return 1;
    }
}
