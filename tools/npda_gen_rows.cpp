// npda_gen, part 2: one child's rows in one PDU's file.
//
// Each child gets a clinical profile (from the person's seed, so a child who
// moved unit looks the same in both files) and visits spread through its time
// under the unit's care. Every value respects the reader's field and
// cross-field rules (docs/data-model.md §4), so a file generated with
// --error-rate 0 has no findings; --error-rate p then spoils a share p of the
// rows with one realistic mistake each (ErrorKind).
#include <algorithm>
#include <charconv>
#include <cstring>
#include <string_view>

#include "npda_gen.hpp"

namespace npda_gen {

namespace {

using npda::DatasetYear;
using npda::FieldId;

// The published heading lines, byte for byte (test/fixtures/npda_csv_template_2021.csv
// and _2026.csv): trailing spaces are part of some headings.
constexpr const char kHeader2021[] =
    "NHS Number,Date of Birth,Postcode of usual address,Stated gender,Ethnic Category,Diabetes Type,Date "
    "of Diabetes Diagnosis,Date of leaving service,Reason for leaving service,Death Date,GP Practice Code"
    ",PDU Number,Visit/Appointment Date,Patient Height (cm),Patient Weight (kg),Observation Date (Height "
    "and weight),Hba1c Value,HbA1c result format,Observation Date: Hba1c Value,Diabetes Treatment at time"
    " of Hba1c measurement,\"If treatment included insulin pump therapy (i.e. option 3 or 6 selected), wa"
    "s this part of a closed loop system?\",\"At the time of HbA1c measurement, in addition to standard b"
    "lood glucose monitoring (SBGM), was the patient using any other method of glucose monitoring?\",Syst"
    "olic Blood Pressure,Diastolic Blood pressure,Observation Date (Blood Pressure),Foot Assessment / Exa"
    "mination Date,Retinal Screening date,Retinal Screening Result,Urinary Albumin Level (ACR),Observatio"
    "n Date: Urinary Albumin Level,Albuminuria Stage,Total Cholesterol Level (mmol/l),Observation Date: T"
    "otal Cholesterol Level,Observation Date: Thyroid Function ,\"At time of, or following measurement of"
    " thyroid function, was the patient prescribed any thyroid treatment?\",Observation Date: Coeliac Dis"
    "ease Screening,Has the patient been recommended a Gluten-free diet?,Observation Date - Psychological"
    " Screening Assessment,Was the patient assessed as requiring additional psychological/CAMHS support o"
    "utside of MDT clinics?,Does the patient smoke?,Date of offer of referral to smoking cessation servic"
    "e (if patient is a current smoker),Date of Level 3 carbohydrate counting education received,Was the "
    "patient offered an additional appointment with a paediatric dietitian?,Date of additional appointmen"
    "t with dietitian,Was the patient using (or trained to use) blood ketone testing equipment at time of"
    " visit?,Date that influenza immunisation was recommended,Date of provision of advice ('sick-day rule"
    "s') about managing diabetes during intercurrent illness or episodes of hyperglycaemia,Start date (Ho"
    "spital Provider Spell),Discharge date (Hospital provider spell),Reason for admission,Only complete i"
    "f DKA selected in previous question: During this DKA admission did the patient receive any of the fo"
    "llowing therapies?,Only complete if OTHER selected: Reason for admission (free text)";
constexpr const char kHeader2026[] =
    "NHS Number,Date of Birth,Postcode of usual address,Sex assigned at birth   ,Ethnic Category,Has the "
    "patient had a diagnosis of Attention Deficit Hyperactivity Disorder (ADHD) or Autism Spectrum Disord"
    "er (ASD)?,Does the patient have a diagnosis of a learning disability? ,Diabetes Type,Date of Diabete"
    "s Diagnosis,Date of leaving service,Reason for leaving service,Death Date,GP Practice Code,PDU Numbe"
    "r,Visit/Appointment Date,Patient Height (cm),Patient Weight (kg),Observation Date (Height and weight"
    "),Hba1c Value,Observation Date: HbA1c Value ,Insulin regime at time of visit ,Other (non-insulin) bl"
    "ood glucose lowering medication at time of visit ,Has lifestyle and dietary modification been recomm"
    "ended to reduce blood glucose levels? ,Was the patient using a continuous glucose monitor (CGM) at t"
    "ime of visit? ,Was the patient using (or trained to use) blood ketone testing equipment at time of v"
    "isit?  ,Did the patient receive immunotherapy prior to or after the diagnosis of stage 3 Type 1 diab"
    "etes? ,Date immunotherapy started ,Systolic Blood Pressure  ,Diastolic Blood pressure ,Observation D"
    "ate (Blood Pressure),Foot Assessment / Examination Date,Retinal Screening date,Retinal Screening Res"
    "ult,Urinary Albumin Level (ACR),Observation Date: Urinary Albumin Level,Albuminuria Stage,Total Chol"
    "esterol Level (mmol/l),Observation Date: Total Cholesterol Level,Observation Date: Thyroid Function,"
    "\"At time of, or following measurement of thyroid function, was the patient prescribed any thyroid t"
    "reatment?\",Observation Date: Coeliac Disease Screening,Has the patient been recommended a Gluten-fr"
    "ee diet?,Does the patient smoke and/or vape,Date of offer of smoking cessation advice (if patient is"
    " a current smoker),Date that influenza immunisation was recommended,Date of provision of advice ('si"
    "ck-day rules') about managing diabetes during intercurrent illness or episodes of hyperglycaemia  ,D"
    "ate of Annual Psychological Screening Assessment  ,\"Following annual psychological screening, was t"
    "he patient assessed as requiring additional psychological support outside of routine care? \",Was th"
    "e patient offered an additional appointment with a mental health professional as part of the diabete"
    "s MDT? ,Date of Level 3 carbohydrate counting education received,Was the patient offered an addition"
    "al appointment with a paediatric dietitian during the audit year?,Date of additional appointment wit"
    "h dietitian,Start date (Hospital Provider Spell),Discharge date (Hospital provider spell),Reason for"
    " admission,Only complete if OTHER selected: Reason for admission (free text),Only complete if DKA se"
    "lected in previous question: During this DKA admission did the patient receive any of the following "
    "therapies?,Initial pH at admission ,Initial Standard bicarbonate at admission (mmol/l)";


// ---- Text output ----

void put_int(std::string &s, long v) {
    char buf[24];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    s.append(buf, static_cast<std::size_t>(res.ptr - buf));
}

// v / 10^decimals with exactly `decimals` digits after the point.
void put_scaled(std::string &s, long v, int decimals) {
    if (v < 0) {
        s.push_back('-');
        v = -v;
    }
    long div = 1;
    for (int i = 0; i < decimals; ++i) div *= 10;
    put_int(s, v / div);
    if (decimals == 0) return;
    s.push_back('.');
    long frac = v % div;
    char buf[8];
    for (int i = decimals - 1; i >= 0; --i) {
        buf[i] = static_cast<char>('0' + frac % 10);
        frac /= 10;
    }
    s.append(buf, static_cast<std::size_t>(decimals));
}

void put_date(std::string &s, Date d) {
    int y = 0, m = 0, dd = 0;
    npda::date_to_ymd(d, y, m, dd);
    const char buf[10] = {static_cast<char>('0' + dd / 10), static_cast<char>('0' + dd % 10), '/',
                          static_cast<char>('0' + m / 10),  static_cast<char>('0' + m % 10),  '/',
                          static_cast<char>('0' + y / 1000), static_cast<char>('0' + y / 100 % 10),
                          static_cast<char>('0' + y / 10 % 10), static_cast<char>('0' + y % 10)};
    s.append(buf, sizeof buf);
}

long round_to_long(double v) { return static_cast<long>(std::lround(v)); }

// The cells of one row, by template column.
class RowCells {
public:
    explicit RowCells(DatasetYear year) : ncols_(npda::dataset_columns(year).size()) {
        for (std::size_t f = 0; f < npda::kFieldCount; ++f)
            col_[f] = npda::column_index(year, static_cast<FieldId>(f));
    }
    void clear() {
        for (std::size_t c = 0; c < ncols_; ++c) cells_[c].clear();
    }
    bool exists(FieldId f) const { return col_[static_cast<std::size_t>(f)] >= 0; }
    bool has(FieldId f) const { return exists(f) && !cell(f).empty(); }
    // The cell of f; a scratch string for a field this template does not have.
    std::string &cell(FieldId f) {
        const int c = col_[static_cast<std::size_t>(f)];
        if (c < 0) {
            scratch_.clear();
            return scratch_;
        }
        return cells_[static_cast<std::size_t>(c)];
    }
    const std::string &cell(FieldId f) const {
        const int c = col_[static_cast<std::size_t>(f)];
        return c < 0 ? scratch_ : cells_[static_cast<std::size_t>(c)];
    }
    void set(FieldId f, std::string_view v) { cell(f).assign(v.data(), v.size()); }
    void set_int(FieldId f, long v) {
        std::string &c = cell(f);
        c.clear();
        put_int(c, v);
    }
    void set_scaled(FieldId f, long v, int decimals) {
        std::string &c = cell(f);
        c.clear();
        put_scaled(c, v, decimals);
    }
    void set_date(FieldId f, Date d) {
        std::string &c = cell(f);
        c.clear();
        put_date(c, d);
    }
    void unset(FieldId f) { cell(f).clear(); }

    void append_to(std::string &out, bool crlf) const {
        for (std::size_t c = 0; c < ncols_; ++c) {
            if (c) out.push_back(',');
            const std::string &v = cells_[c];
            if (v.find_first_of(",\"\r\n") == std::string::npos) {
                out += v;
                continue;
            }
            out.push_back('"');
            for (const char ch : v) {
                if (ch == '"') out.push_back('"');
                out.push_back(ch);
            }
            out.push_back('"');
        }
        if (crlf) out.push_back('\r');
        out.push_back('\n');
    }

private:
    std::size_t ncols_;
    std::array<int, npda::kFieldCount> col_{};
    std::array<std::string, 64> cells_{};
    mutable std::string scratch_;
};

// ---- Growth (rough UK medians; only plausibility matters here) ----

double median_height(double age, int sex) {
    if (age < 1) return 50 + 25 * age;
    if (age < 2) return 75 + 12 * (age - 1);
    const double base = 87 + 6.2 * (std::min(age, 11.0) - 2);  // 142.8 cm at 11
    const double girl = base + 4.5 * std::clamp(age - 11, 0.0, 4.0) + 1.0 * std::clamp(age - 15, 0.0, 2.0);
    const double boy = base + 5.6 * std::clamp(age - 11, 0.0, 5.0) + 2.5 * std::clamp(age - 16, 0.0, 2.0);
    if (sex == 2) return girl;
    if (sex == 1) return boy;
    return (girl + boy) / 2;
}

double median_bmi(double age) {
    static const double kAge[] = {0, 0.5, 1, 3, 6, 10, 14, 18, 25};
    static const double kBmi[] = {13.5, 17, 17, 16, 15.5, 17, 19.5, 21.5, 23};
    if (age <= 0) return kBmi[0];
    for (std::size_t i = 1; i < sizeof kAge / sizeof kAge[0]; ++i)
        if (age < kAge[i]) return kBmi[i - 1] + (kBmi[i] - kBmi[i - 1]) * (age - kAge[i - 1]) / (kAge[i] - kAge[i - 1]);
    return 23;
}

// ---- A child's clinical profile (the same in every unit that submits the child) ----

struct Profile {
    double hba1c_mean = 60;     // mmol/mol
    double height_z = 0;        // relative deviation of height from the median
    double bmi_factor = 1;
    std::int16_t treatment = 2; // 2021 code
    std::int16_t closed_loop = 0;
    std::int16_t monitoring = 4;
    std::int16_t insulin_regimen = 3;  // 2026 code
    std::int16_t non_insulin = 1;
    std::int16_t lifestyle = 0;        // 0 = not answered
    std::int16_t cgm = 1;
    std::int16_t ketone = 1;
    std::int16_t smoking2021 = 1;
    std::int16_t smoking2026 = 1;
    std::int16_t thyroid = 1;
    std::int16_t gluten_free = 2;
    std::int16_t psych_support = 2;
    std::int16_t psych_outcome = 4;
    std::int16_t adhd = 4;
    std::int16_t learning = 2;
    std::int16_t immunotherapy = 2;
    Date immunotherapy_date = 0;
    bool percent_rows = false;  // 2021: this child's HbA1c is reported in % even where the unit uses mmol/mol
};

Profile make_profile(const Person &p, const Settings &s) {
    Rng r(mix(p.seed, 0xC11DULL));
    Profile f;
    const int t = p.diabetes_type;
    f.hba1c_mean = std::clamp(t == 1 ? r.normal(61, 13) : t == 4 ? r.normal(50, 6) : r.normal(56, 14), 36.0, 125.0);
    f.height_z = std::clamp(r.normal(0, 0.04), -0.1, 0.1);
    f.bmi_factor = std::clamp(std::exp(r.normal(t == 2 ? 0.35 : 0.05, 0.12)), 0.75, 1.8);
    if (t == 1)
        f.treatment = r.pick<std::int16_t>({{2, 0.55}, {3, 0.37}, {1, 0.04}, {5, 0.01}, {6, 0.01}, {99, 0.02}});
    else if (t == 2)
        f.treatment = r.pick<std::int16_t>({{7, 0.2}, {8, 0.3}, {4, 0.2}, {5, 0.2}, {2, 0.1}});
    else if (t == 4)
        f.treatment = r.pick<std::int16_t>({{7, 0.5}, {8, 0.3}, {1, 0.2}});
    else
        f.treatment = r.pick<std::int16_t>({{2, 0.6}, {1, 0.25}, {3, 0.15}});
    const bool pump = f.treatment == 3 || f.treatment == 6;
    if (pump) f.closed_loop = r.pick<std::int16_t>({{2, 0.7}, {1, 0.22}, {3, 0.05}, {4, 0.03}});
    f.monitoring = r.pick<std::int16_t>({{4, 0.72}, {2, 0.12}, {3, 0.03}, {1, 0.1}, {5, 0.01}, {99, 0.02}});
    switch (f.treatment) {
        case 1: case 4: f.insulin_regimen = 2; break;
        case 2: case 5: f.insulin_regimen = 3; break;
        case 3: f.insulin_regimen = f.closed_loop == 1 ? 4 : 5; break;
        case 6: f.insulin_regimen = 5; break;
        case 7: case 8: f.insulin_regimen = 1; break;
        default: f.insulin_regimen = 99; break;
    }
    if (f.treatment == 4 || f.treatment == 5 || f.treatment == 6 || f.treatment == 8)
        f.non_insulin = r.pick<std::int16_t>({{2, 0.6}, {3, 0.2}, {4, 0.1}, {5, 0.1}});
    if (t == 2 || t == 4) f.lifestyle = r.pick<std::int16_t>({{1, 0.85}, {2, 0.1}, {99, 0.05}});
    f.cgm = (f.monitoring >= 2 && f.monitoring <= 4) ? 1 : f.monitoring == 99 ? 99 : 2;
    f.ketone = r.pick<std::int16_t>({{1, 0.93}, {2, 0.05}, {99, 0.02}});
    f.smoking2021 = r.pick<std::int16_t>({{1, 0.93}, {2, 0.04}, {99, 0.03}});
    f.smoking2026 = r.pick<std::int16_t>({{1, 0.88}, {2, 0.03}, {3, 0.05}, {4, 0.01}, {99, 0.03}});
    f.thyroid = r.pick<std::int16_t>({{1, 0.94}, {2, 0.045}, {3, 0.005}, {99, 0.01}});
    f.gluten_free = r.pick<std::int16_t>({{2, 0.92}, {1, 0.06}, {99, 0.02}});
    f.psych_support = r.pick<std::int16_t>({{2, 0.8}, {1, 0.15}, {99, 0.05}});
    f.psych_outcome = f.psych_support == 1 ? r.pick<std::int16_t>({{1, 0.6}, {2, 0.15}, {3, 0.1}, {5, 0.15}})
                                           : r.pick<std::int16_t>({{4, 0.9}, {99, 0.1}});
    f.adhd = r.pick<std::int16_t>({{4, 0.85}, {1, 0.05}, {2, 0.04}, {3, 0.02}, {99, 0.04}});
    f.learning = r.pick<std::int16_t>({{2, 0.9}, {1, 0.03}, {99, 0.07}});
    f.immunotherapy = r.pick<std::int16_t>({{2, 0.85}, {99, 0.14}, {1, 0.01}});
    if (f.immunotherapy == 1) {
        // Not before the diagnosis (docs/data-model.md §4.6), not in the future.
        f.immunotherapy_date = std::min(p.diagnosis + r.range(0, 60), s.today);
    }
    f.percent_rows = r.chance(0.02);
    return f;
}

constexpr const char *kOtherReasons[] = {
    "Gastroenteritis",           "Fractured wrist, observation", "Appendicitis", "Chest infection",
    "Insulin pump failure",      "Tonsillitis",                  "Head injury, overnight observation",
    "Vomiting \"unable to keep fluids down\"",
};

constexpr char kInwardLetters[] = "ABDEFGHJLNPQRSTUWXYZ";

std::string nhs_text(const std::string &digits, bool spaced) {
    if (!spaced || digits.size() != 10) return digits;
    return digits.substr(0, 3) + " " + digits.substr(3, 3) + " " + digits.substr(6);
}

// A postcode in the unit's area (outward codes from its pool), now and then a
// no-fixed-abode code.
std::string random_postcode(const PduPlan &plan, Rng &r) {
    if (r.chance(0.003)) return "ZZ99 3VZ";  // no fixed abode
    std::string postcode =
        plan.outward_pool[static_cast<std::size_t>(r.range(0, static_cast<int>(plan.outward_pool.size()) - 1))];
    if (!r.chance(0.05)) postcode.push_back(' ');  // a few exports drop the space
    postcode.push_back(static_cast<char>('0' + r.range(0, 9)));
    postcode.push_back(kInwardLetters[r.range(0, 19)]);
    postcode.push_back(kInwardLetters[r.range(0, 19)]);
    return postcode;
}

// One child in one unit's file: what every row shares, and the random stream
// its rows draw from.
struct ChildRows {
    const Settings &s;
    const PduPlan &plan;
    const Enrolment &e;
    const Person &p;
    const Profile &f;
    Rng &r;
    bool y2021;
    bool new_diagnosis;
    std::string id;        // as written: NHS number (perhaps spaced) or URN
    std::string postcode;
    const std::string *gp;
    Date immunotherapy_date;

    // An observation date up to max_back days before the visit, never before the diagnosis.
    Date obs(Date d, int max_back) const {
        return std::max(p.diagnosis, d - (r.chance(0.7) ? 0 : r.range(1, max_back)));
    }
};

// Yearly items: on which visit each one is recorded (-1 = not done).
struct YearlyItems {
    int bp_at, foot_at, retinal_at, acr_at, chol_at, thyroid_at, coeliac_at, psych_at, smoking_at;
    int dietitian_at, flu_at, sick_day_at, carbs_at, admission_at;
};

YearlyItems plan_yearly_items(Rng &r, int n, bool older, bool new_diagnosis) {
    const auto slot = [&](double prob) { return r.chance(prob) ? r.range(0, n - 1) : -1; };
    YearlyItems y;
    y.bp_at = slot(older ? 0.85 : 0.25);
    y.foot_at = slot(older ? 0.75 : 0.05);
    y.retinal_at = slot(older ? 0.7 : 0.03);
    y.acr_at = slot(older ? 0.7 : 0.05);
    y.chol_at = slot(older ? 0.55 : 0.05);
    y.thyroid_at = new_diagnosis ? (r.chance(0.9) ? 0 : -1) : slot(0.8);
    y.coeliac_at = new_diagnosis ? (r.chance(0.9) ? 0 : -1) : slot(0.75);
    y.psych_at = slot(0.7);
    y.smoking_at = slot(older ? 0.75 : 0.02);
    y.dietitian_at = slot(0.5);
    y.flu_at = slot(0.8);
    y.sick_day_at = slot(0.85);
    y.carbs_at = new_diagnosis ? (r.chance(0.85) ? 0 : -1) : slot(0.08);
    y.admission_at = new_diagnosis ? (r.chance(0.45) ? 0 : -1) : slot(0.07);
    return y;
}

// Patient-level cells: identical on every row of the child.
void set_patient_cells(RowCells &cells, const ChildRows &c) {
    const Person &p = c.p;
    cells.set(FieldId::nhs_number, c.id);
    cells.set_date(FieldId::date_of_birth, p.dob);
    cells.set(FieldId::postcode, c.postcode);
    cells.set_int(FieldId::sex, p.sex);
    cells.set(FieldId::ethnicity, p.ethnicity);
    cells.set_int(FieldId::diabetes_type, p.diabetes_type);
    cells.set_date(FieldId::diagnosis_date, p.diagnosis);
    if (c.e.leaving) {
        cells.set_date(FieldId::date_leaving_service, c.e.leaving);
        cells.set_int(FieldId::reason_leaving_service, c.e.leaving_reason);
    }
    if (c.e.death) cells.set_date(FieldId::death_date, c.e.death);
    cells.set(FieldId::gp_practice_ods_code, *c.gp);
    cells.set(FieldId::pdu_number, c.plan.pdu_cell);
    if (!c.y2021) {
        cells.set_int(FieldId::adhd_asd_status, c.f.adhd);
        cells.set_int(FieldId::learning_disability_status, c.f.learning);
        cells.set_int(FieldId::immunotherapy_received, c.f.immunotherapy);
        if (c.immunotherapy_date) cells.set_date(FieldId::immunotherapy_date, c.immunotherapy_date);
    }
}

// Height and weight in tenths, as measured at age `age`.
struct Growth {
    long height_tenths, weight_tenths;
};

// Height and weight (most clinic visits).
Growth set_growth(RowCells &cells, const ChildRows &c, Date d, double age) {
    Rng &r = c.r;
    const double height = median_height(age, c.p.sex) * (1 + c.f.height_z) + r.normal(0, 0.4);
    const double weight = median_bmi(age) * c.f.bmi_factor * height * height / 10000.0 * (1 + r.normal(0, 0.01));
    const Growth g{std::clamp(round_to_long(height * 10), 450L, 2100L),
                   std::clamp(round_to_long(weight * 10), 20L, 1800L)};
    if (r.chance(0.88)) {
        cells.set_scaled(FieldId::height, g.height_tenths, 1);
        cells.set_scaled(FieldId::weight, g.weight_tenths, 1);
        cells.set_date(FieldId::height_weight_observation_date, c.obs(d, 7));
    }
    return g;
}

// HbA1c with the treatment at the time (most visits).
void set_hba1c(RowCells &cells, const ChildRows &c, Date d) {
    Rng &r = c.r;
    const Profile &f = c.f;
    const Date diag = c.p.diagnosis;
    if (!r.chance(0.8)) return;
    double mmol = f.hba1c_mean + r.normal(0, 6);
    if (c.p.diagnosed_in_period && d - diag < 120)
        mmol += (105 - f.hba1c_mean) * (1 - static_cast<double>(d - diag) / 120.0);
    mmol = std::clamp(mmol, 30.0, 170.0);
    if (c.y2021 && (c.plan.hba1c_percent || f.percent_rows)) {
        cells.set_scaled(FieldId::hba1c, round_to_long((mmol * 0.09148 + 2.152) * 10), 1);
        cells.set(FieldId::hba1c_format, "2");
    } else {
        cells.set_int(FieldId::hba1c, round_to_long(mmol));
        cells.set(FieldId::hba1c_format, "1");  // no column in 2026: ignored
    }
    cells.set_date(FieldId::hba1c_date, c.obs(d, 10));
    if (r.chance(0.95)) {
        if (c.y2021) {
            cells.set_int(FieldId::treatment, f.treatment);
            if (f.closed_loop) cells.set_int(FieldId::closed_loop_system, f.closed_loop);
            cells.set_int(FieldId::glucose_monitoring, f.monitoring);
        } else {
            cells.set_int(FieldId::insulin_regimen, f.insulin_regimen);
            cells.set_int(FieldId::non_insulin_medication, f.non_insulin);
            if (f.lifestyle) cells.set_int(FieldId::dietary_lifestyle_modification, f.lifestyle);
            cells.set_int(FieldId::cgm_use, f.cgm);
        }
    }
}

// The yearly items recorded on row i (visit date d, age `age`).
void set_yearly_items(RowCells &cells, const ChildRows &c, const YearlyItems &y, int i, Date d, double age) {
    Rng &r = c.r;
    const Profile &f = c.f;
    if (i == y.bp_at) {
        const long sys = std::clamp(round_to_long(r.normal(100 + 1.2 * std::min(age, 18.0), 9)), 75L, 150L);
        const long dia = std::clamp(round_to_long(r.normal(62 + 0.5 * std::min(age, 18.0), 7)), 40L, 95L);
        cells.set_int(FieldId::systolic_blood_pressure, sys);
        cells.set_int(FieldId::diastolic_blood_pressure, dia);
        cells.set_date(FieldId::blood_pressure_observation_date, c.obs(d, 3));
    }
    if (i == y.foot_at) cells.set_date(FieldId::foot_examination_observation_date, c.obs(d, 3));
    if (i == y.retinal_at) {
        cells.set_date(FieldId::retinal_screening_observation_date, c.obs(d, 60));
        cells.set_int(FieldId::retinal_screening_result, r.pick<std::int16_t>({{1, 0.95}, {2, 0.04}, {99, 0.01}}));
    }
    if (i == y.acr_at) {
        const bool micro = r.chance(0.05);
        const long acr = micro ? r.range(30, 290) : r.range(2, 29);  // tenths of mg/mmol
        cells.set_scaled(FieldId::albumin_creatinine_ratio, acr, 1);
        cells.set_date(FieldId::albumin_creatinine_ratio_date, c.obs(d, 14));
        cells.set_int(FieldId::albuminuria_stage, r.chance(0.02) ? 99 : micro ? 2 : 1);
    }
    if (i == y.chol_at) {
        cells.set_scaled(FieldId::total_cholesterol, r.range(30, 62), 1);
        cells.set_date(FieldId::total_cholesterol_date, c.obs(d, 14));
    }
    if (i == y.thyroid_at) {
        // May be up to 90 days before the diagnosis (docs/data-model.md §4.7); kept after it here.
        cells.set_date(FieldId::thyroid_function_date, c.obs(d, 30));
        cells.set_int(FieldId::thyroid_treatment_status, f.thyroid);
    }
    if (i == y.coeliac_at) {
        cells.set_date(FieldId::coeliac_screen_date, c.obs(d, 30));
        cells.set_int(FieldId::gluten_free_diet, f.gluten_free);
    }
    if (i == y.psych_at) {
        cells.set_date(FieldId::psychological_screening_assessment_date, c.obs(d, 14));
        cells.set_int(FieldId::psychological_additional_support_status, f.psych_support);
        cells.set_int(FieldId::psychological_support_outcome, f.psych_outcome);
    }
    if (i == y.smoking_at) {
        if (c.y2021) {
            cells.set_int(FieldId::smoking_status, f.smoking2021);
            if (f.smoking2021 == 2 && r.chance(0.6)) cells.set_date(FieldId::smoking_cessation_referral_date, d);
        } else {
            cells.set_int(FieldId::smoking_vaping_status, f.smoking2026);
            if ((f.smoking2026 == 2 || f.smoking2026 == 4) && r.chance(0.6))
                cells.set_date(FieldId::smoking_cessation_referral_date, d);
        }
    }
    if (i == y.carbs_at) {
        // Exempt from the diagnosis rule; new diagnoses are taught within two weeks.
        const Date when = c.new_diagnosis ? std::min(c.p.diagnosis + r.range(0, 14), c.s.last_day) : c.obs(d, 30);
        cells.set_date(FieldId::carbohydrate_counting_level_three_education_date, when);
    }
    if (i == y.dietitian_at) {
        const std::int16_t offered = r.pick<std::int16_t>({{1, 0.8}, {2, 0.15}, {99, 0.05}});
        cells.set_int(FieldId::dietician_additional_appointment_offered, offered);
        if (offered == 1 && r.chance(0.8)) cells.set_date(FieldId::dietician_additional_appointment_date, d);
    }
    if (i == y.flu_at) cells.set_date(FieldId::flu_immunisation_recommended_date, d);
    if (i == y.sick_day_at) cells.set_date(FieldId::sick_day_rules_training_date, d);
}

// A hospital admission ending on or before the visit date d.
void set_admission(RowCells &cells, const ChildRows &c, Date d) {
    Rng &r = c.r;
    const Date diag = c.p.diagnosis;
    // 2021 codes: 1 stabilisation, 2 DKA, 3 ketosis, 4 hypoglycaemia, 5 surgery, 6 other.
    const std::int16_t reason2021 =
        c.new_diagnosis ? r.pick<std::int16_t>({{2, 0.3}, {1, 0.7}})
                        : r.pick<std::int16_t>({{2, 0.3}, {3, 0.1}, {4, 0.2}, {5, 0.15}, {6, 0.25}});
    const Date admitted = c.new_diagnosis ? diag : std::max(diag, d - r.range(0, 20));
    const Date discharged = std::min(d, admitted + r.range(1, 5));
    cells.set_date(FieldId::hospital_admission_date, admitted);
    cells.set_date(FieldId::hospital_discharge_date, discharged);
    if (c.y2021) {
        cells.set_int(FieldId::hospital_admission_reason, reason2021);
    } else {
        static const std::int16_t k2026[] = {0, 5, 1, 2, 3, 4, 6};
        cells.set_int(FieldId::hospital_admission_reason_2026, k2026[reason2021]);
    }
    if (reason2021 == 2) {
        cells.set_int(FieldId::dka_additional_therapies,
                      r.pick<std::int16_t>({{4, 0.85}, {1, 0.07}, {3, 0.05}, {2, 0.03}}));
        if (!c.y2021) {
            cells.set_scaled(FieldId::blood_gas_ph, r.range(690, 729), 2);
            cells.set_scaled(FieldId::blood_gas_bicarbonate, r.range(40, 149), 1);
        }
    }
    if (reason2021 == 6)
        cells.set(FieldId::hospital_admission_other,
                  kOtherReasons[r.range(0, static_cast<int>(sizeof kOtherReasons / sizeof kOtherReasons[0]) - 1)]);
}

// Date d written in one of three wrong ways.
std::string malformed_date(Date d, Rng &r) {
    int yy = 0, mm = 0, dd = 0;
    npda::date_to_ymd(d, yy, mm, dd);
    std::string bad;
    const int variant = r.range(0, 2);
    if (variant == 0) {
        put_date(bad, d);
        bad[2] = bad[5] = '.';
    } else if (variant == 1) {
        put_int(bad, yy);
        bad += mm < 10 ? "/0" : "/";
        put_int(bad, mm);
        bad += dd < 10 ? "/0" : "/";
        put_int(bad, dd);
    } else {
        bad = "31/02/";
        put_int(bad, yy);
    }
    return bad;
}

// Spoil the row (visit date d, growth g) with one realistic mistake of a
// random kind.
void spoil_row(RowCells &cells, const ChildRows &c, Date d, Growth g, Stats &stats) {
    Rng &r = c.r;
    const auto kind = static_cast<ErrorKind>(r.range(0, kErrorKindCount - 1));
    ++stats.errors[static_cast<std::size_t>(kind)];
    const auto ensure_height_weight = [&] {
        if (!cells.has(FieldId::height_weight_observation_date)) {
            cells.set_scaled(FieldId::height, g.height_tenths, 1);
            cells.set_scaled(FieldId::weight, g.weight_tenths, 1);
            cells.set_date(FieldId::height_weight_observation_date, d);
        }
    };
    const auto ensure_hba1c = [&] {
        if (!cells.has(FieldId::hba1c)) {
            cells.set_int(FieldId::hba1c, round_to_long(c.f.hba1c_mean));
            cells.set(FieldId::hba1c_format, "1");
            cells.set_date(FieldId::hba1c_date, d);
        }
    };
    switch (kind) {
        case ErrorKind::nhs_check_digit: {
            if (c.plan.pdu.urn) {
                cells.set(FieldId::nhs_number, "J" + c.p.id);
            } else {
                std::string bad = c.p.id;
                bad[9] = static_cast<char>('0' + (bad[9] - '0' + r.range(1, 9)) % 10);
                cells.set(FieldId::nhs_number, nhs_text(bad, c.plan.spaced_nhs));
            }
            break;
        }
        case ErrorKind::date_in_future:
            cells.set_date(FieldId::visit_date, c.s.today + r.range(30, 400));
            break;
        case ErrorKind::date_before_birth:
            ensure_height_weight();
            cells.set_date(FieldId::height_weight_observation_date, c.p.dob - r.range(1, 400));
            break;
        case ErrorKind::code_not_in_set: cells.set(FieldId::ketone_meter_training, "45"); break;
        case ErrorKind::code_true_false:
            cells.set(FieldId::gluten_free_diet, r.chance(0.5) ? "TRUE" : "FALSE");
            break;
        case ErrorKind::text_in_number:
            ensure_height_weight();
            cells.set(FieldId::weight, "see notes");
            break;
        case ErrorKind::hba1c_pair_missing:
            ensure_hba1c();
            if (c.y2021) cells.unset(FieldId::hba1c_format);
            else cells.unset(FieldId::hba1c_date);
            break;
        case ErrorKind::malformed_date: cells.set(FieldId::visit_date, malformed_date(d, r)); break;
        case ErrorKind::height_in_mm:
            ensure_height_weight();
            cells.set_int(FieldId::height, g.height_tenths);  // 152.3 cm written as 1523
            break;
        case ErrorKind::hba1c_percent_as_mmol:
            ensure_hba1c();
            cells.set_scaled(FieldId::hba1c, round_to_long((c.f.hba1c_mean * 0.09148 + 2.152) * 10), 1);
            cells.set(FieldId::hba1c_format, "1");
            break;
        case ErrorKind::blood_pressure_half:
            cells.set_int(FieldId::systolic_blood_pressure, 110);
            cells.unset(FieldId::diastolic_blood_pressure);
            cells.unset(FieldId::blood_pressure_observation_date);
            break;
        case ErrorKind::dka_without_therapy:
            if (!cells.has(FieldId::hospital_admission_date)) {
                cells.set_date(FieldId::hospital_admission_date, d);
                cells.set_date(FieldId::hospital_discharge_date, d);
            }
            cells.set(FieldId::hospital_admission_reason, "2");
            cells.set(FieldId::hospital_admission_reason_2026, "1");
            cells.unset(FieldId::dka_additional_therapies);
            cells.unset(FieldId::hospital_admission_other);
            break;
        case ErrorKind::bad_postcode: cells.set(FieldId::postcode, "NOT KNOWN"); break;
        case ErrorKind::cessation_non_smoker:
            cells.set(c.y2021 ? FieldId::smoking_status : FieldId::smoking_vaping_status, "1");
            cells.set_date(FieldId::smoking_cessation_referral_date, d);
            break;
        case ErrorKind::count_: break;
    }
}

}  // namespace

const char *error_kind_name(ErrorKind k) {
    switch (k) {
        case ErrorKind::nhs_check_digit: return "identifier check digit / URN format";
        case ErrorKind::date_in_future: return "visit date in the future";
        case ErrorKind::date_before_birth: return "observation date before birth";
        case ErrorKind::code_not_in_set: return "code not in value set (45)";
        case ErrorKind::code_true_false: return "TRUE/FALSE in a coded column";
        case ErrorKind::text_in_number: return "text in a number column";
        case ErrorKind::hba1c_pair_missing: return "HbA1c format (2021) or date (2026) missing";
        case ErrorKind::malformed_date: return "malformed date";
        case ErrorKind::height_in_mm: return "height in mm (1800)";
        case ErrorKind::hba1c_percent_as_mmol: return "HbA1c % value entered as mmol/mol";
        case ErrorKind::blood_pressure_half: return "systolic without diastolic and date";
        case ErrorKind::dka_without_therapy: return "DKA admission without therapies";
        case ErrorKind::bad_postcode: return "postcode 'NOT KNOWN'";
        case ErrorKind::cessation_non_smoker: return "cessation date for a non-smoker";
        case ErrorKind::count_: break;
    }
    return "?";
}

std::string header_line(DatasetYear year, bool urn) {
    std::string h = year == DatasetYear::y2026 ? kHeader2026 : kHeader2021;
    if (urn) h.replace(0, npda::kNhsNumberHeading.size(), npda::kUrnHeading);
    return h;
}

std::string check_headers_against_core() {
    for (const DatasetYear y : {DatasetYear::y2021, DatasetYear::y2026}) {
        const std::string line = header_line(y, false);
        std::vector<std::string> headings;
        std::string cur;
        bool quoted = false;
        for (const char c : line) {
            if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) headings.push_back(std::move(cur)), cur.clear();
            else cur.push_back(c);
        }
        headings.push_back(cur);
        const auto &cols = npda::dataset_columns(y);
        if (headings.size() != cols.size())
            return "template " + std::to_string(static_cast<int>(y)) + ": " + std::to_string(headings.size()) +
                   " headings, the core has " + std::to_string(cols.size());
        for (std::size_t i = 0; i < cols.size(); ++i)
            if (npda::clean_heading(headings[i]) != cols[i].heading)
                return "template " + std::to_string(static_cast<int>(y)) + " column " + std::to_string(i + 1) +
                       ": '" + headings[i] + "' vs core '" + std::string(cols[i].heading) + "'";
    }
    return {};
}

void write_child(const Settings &s, const PduPlan &plan, const Enrolment &e, const Person &p, std::string &out,
                 Stats &stats) {
    static RowCells cells2021(DatasetYear::y2021);
    static RowCells cells2026(DatasetYear::y2026);
    RowCells &cells = s.dataset == DatasetYear::y2026 ? cells2026 : cells2021;
    const Profile f = make_profile(p, s);
    Rng r(mix(p.seed, static_cast<std::uint64_t>(plan.pdu.number), e.moved_in ? 2U : 1U));

    ChildRows c{s, plan, e, p, f, r, s.dataset == DatasetYear::y2021, false, {}, {}, nullptr, 0};
    c.id = plan.pdu.urn ? p.id : nhs_text(p.id, plan.spaced_nhs);
    c.postcode = random_postcode(plan, r);
    c.gp = &plan.gp_pool[static_cast<std::size_t>(r.range(0, static_cast<int>(plan.gp_pool.size()) - 1))];

    // Visit dates, in date order (file order = date order, as most exports).
    const int n = std::max(1, e.visits);
    std::vector<Date> dates(static_cast<std::size_t>(n));
    for (auto &d : dates) d = r.range(e.from, e.to);
    std::sort(dates.begin(), dates.end());
    c.new_diagnosis = p.diagnosed_in_period && !e.moved_in && e.from == p.diagnosis;
    if (c.new_diagnosis) dates[0] = p.diagnosis;
    const Date last_visit = dates.back();
    // Not after the death (docs/data-model.md §4.6).
    c.immunotherapy_date = e.death ? std::min(f.immunotherapy_date, e.death) : f.immunotherapy_date;

    const bool older = npda::age_in_years(p.dob, last_visit) >= 12;
    const YearlyItems yearly = plan_yearly_items(r, n, older, c.new_diagnosis);
    if (yearly.admission_at >= 0) ++stats.admissions;

    for (int i = 0; i < n; ++i) {
        const Date d = dates[static_cast<std::size_t>(i)];
        cells.clear();
        set_patient_cells(cells, c);
        cells.set_date(FieldId::visit_date, d);
        const double age = static_cast<double>(d - p.dob) / 365.25;
        const Growth g = set_growth(cells, c, d, age);
        set_hba1c(cells, c, d);
        if (r.chance(0.6)) cells.set_int(FieldId::ketone_meter_training, r.chance(0.97) ? f.ketone : 99);
        set_yearly_items(cells, c, yearly, i, d, age);
        if (i == yearly.admission_at) set_admission(cells, c, d);
        if (s.error_rate > 0 && r.chance(s.error_rate)) spoil_row(cells, c, d, g, stats);
        cells.append_to(out, s.crlf);
        ++stats.rows;
    }
}

}  // namespace npda_gen
