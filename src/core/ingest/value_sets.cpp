// Value-set tables (docs/data-model.md §3). Labels are for messages and the
// PostgreSQL layer's lookup tables; the codes are what the CSV carries.
#include "ingest/value_sets.hpp"

#include <algorithm>

namespace npda {

namespace {

const std::vector<ValueSet> &all_sets() {
    static const std::vector<ValueSet> sets = {
        {ValueSetId::none, "none", {}, {}},
        // docs/data-model.md §3.2: text written in the file maps case-insensitively.
        {ValueSetId::sex, "sex",
         {{1, "Male"}, {2, "Female"}, {3, "Not specified (indeterminate)"}, {99, "Unknown (not recorded)"}},
         {{"m", 1}, {"f", 2}, {"not specified", 3}, {"unknown", 99}}},
        {ValueSetId::diabetes_type, "diabetes type",
         {{1, "Type 1 insulin-dependent diabetes mellitus"},
          {2, "Type 2 non-insulin-dependent diabetes mellitus"},
          {3, "Cystic fibrosis related diabetes"},
          {4, "MODY (monogenic)"},
          {5, "Other specified diabetes"},
          {99, "Unknown/unspecified"}},
         {}},
        {ValueSetId::reason_leaving_service, "reason for leaving service",
         {{1, "Transitioned to adult diabetes service"}, {2, "Moved out of area"}, {3, "Other"}},
         {}},
        {ValueSetId::hba1c_format, "HbA1c result format",
         {{1, "mmol/mol (IFCC)"}, {2, "Percentage (%) (DCCT/NGSP)"}},
         {}},
        // docs/data-model.md §3.6: 99 was 9 in the 2024-10 reference; 9 is accepted as a synonym.
        {ValueSetId::treatment, "treatment regimen",
         {{1, "One-three injections/day"},
          {2, "Four or more injections/day"},
          {3, "Insulin pump"},
          {4, "One-three injections/day plus other blood glucose lowering medication"},
          {5, "Four or more injections/day plus other blood glucose lowering medication"},
          {6, "Insulin pump therapy plus other blood glucose lowering medication"},
          {7, "Dietary management alone"},
          {8, "Dietary management plus other blood glucose lowering medication"},
          {99, "Unknown"}},
         {{"9", 99}}},
        {ValueSetId::closed_loop_system, "closed loop system",
         {{1, "No"},
          {2, "Closed loop system (licensed)"},
          {3, "Closed loop system (DIY, unlicensed)"},
          {4, "Closed loop system (licence status unknown)"}},
         {}},
        {ValueSetId::glucose_monitoring, "glucose monitoring",
         {{1, "No"},
          {2, "Flash glucose monitor"},
          {3, "Modified flash glucose monitor"},
          {4, "Real-time continuous glucose monitor with alarms"},
          {5, "Other"},
          {99, "Unknown"}},
         {}},
        {ValueSetId::yes_no_unknown, "yes/no/unknown", {{1, "Yes"}, {2, "No"}, {99, "Unknown"}}, {}},
        {ValueSetId::retinal_screening_result, "retinal screening result",
         {{1, "Normal"}, {2, "Abnormal"}, {99, "Unknown"}},
         {}},
        {ValueSetId::albuminuria_stage, "albuminuria stage",
         {{1, "Normoalbuminuria"}, {2, "Microalbuminuria"}, {3, "Macroalbuminuria"}, {99, "Unknown"}},
         {}},
        {ValueSetId::thyroid_treatment_status, "thyroid treatment status",
         {{1, "No thyroid therapy"},
          {2, "Thyroxine for hypothyroidism"},
          {3, "Antithyroid medication for hyperthyroidism"},
          {99, "Unknown"}},
         {}},
        {ValueSetId::smoking_status, "smoking status",
         {{1, "Non-smoker"}, {2, "Current smoker"}, {99, "Unknown"}},
         {}},
        {ValueSetId::smoking_vaping_status, "smoking and vaping status",
         {{1, "Non-smoker and non-vaper"},
          {2, "Current smoker, non-vaper"},
          {3, "Current vaper, non-smoker"},
          {4, "Current smoker and vaper"},
          {99, "Unknown"}},
         {}},
        {ValueSetId::admission_reason_2021, "reason for admission (2021)",
         {{1, "Stabilisation of diabetes"},
          {2, "DKA"},
          {3, "Ketosis without acidosis"},
          {4, "Hypoglycaemia"},
          {5, "Surgical procedures"},
          {6, "Other causes"}},
         {}},
        {ValueSetId::admission_reason_2026, "reason for admission (2026)",
         {{1, "Acute DKA"},
          {2, "Acute but not in DKA"},
          {3, "Hypoglycaemia"},
          {4, "Surgical procedure"},
          {5, "Routine admission for stabilisation/education"},
          {6, "Other causes"}},
         {}},
        {ValueSetId::dka_additional_therapies, "DKA additional therapies",
         {{1, "Hypertonic saline"}, {2, "Mannitol"}, {3, "Bicarbonate infusion"}, {4, "None of the above"}},
         {}},
        {ValueSetId::adhd_asd_status, "ADHD/ASD status",
         {{1, "Yes, ADHD"}, {2, "Yes, ASD"}, {3, "Yes, both ADHD and ASD"}, {4, "No, neither"}, {99, "Unknown"}},
         {}},
        {ValueSetId::insulin_regimen, "insulin regimen",
         {{1, "No insulin"},
          {2, "One-three injections/day"},
          {3, "Four or more injections/day"},
          {4, "Insulin pump (standalone)"},
          {5, "Hybrid closed loop"},
          {99, "Unknown"}},
         {}},
        {ValueSetId::non_insulin_medication, "non-insulin medication",
         {{1, "No medication"},
          {2, "Metformin only"},
          {3, "GLP-1 agonists"},
          {4, "SGLT2 inhibitors"},
          {5, "Other"},
          {99, "Unknown"}},
         {}},
        {ValueSetId::psychological_support_outcome, "psychological support outcome",
         {{1, "Offered and attended"},
          {2, "Offered and did not attend"},
          {3, "Offered and declined"},
          {4, "Not offered"},
          {5, "Mental health support accessed elsewhere"},
          {99, "Unknown"}},
         {}},
    };
    return sets;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

const ValueSet &value_set(ValueSetId id) {
    const auto &sets = all_sets();
    const auto i = static_cast<std::size_t>(id);
    return i < sets.size() && sets[i].id == id ? sets[i] : sets[0];
}

bool value_set_contains(const ValueSet &set, std::int16_t code) {
    return std::any_of(set.codes.begin(), set.codes.end(),
                       [code](const CodeLabel &c) { return c.code == code; });
}

std::string value_set_code_list(const ValueSet &set) {
    std::string out;
    for (const auto &c : set.codes) {
        if (!out.empty()) out += ", ";
        out += std::to_string(c.code);
    }
    return out;
}

std::optional<std::int16_t> value_set_synonym(const ValueSet &set, std::string_view text) {
    text = trim(text);
    for (const auto &s : set.synonyms) {
        if (s.text.size() != text.size()) continue;
        bool same = true;
        for (std::size_t i = 0; i < text.size() && same; ++i) same = lower(text[i]) == s.text[i];
        if (same) return s.code;
    }
    return std::nullopt;
}

const std::vector<TextCodeLabel> &ethnicity_codes() {
    static const std::vector<TextCodeLabel> codes = {
        {"A", "White - British"},
        {"B", "White - Irish"},
        {"C", "White - Any other White background"},
        {"D", "Mixed - White and Black Caribbean"},
        {"E", "Mixed - White and Black African"},
        {"F", "Mixed - White and Asian"},
        {"G", "Mixed - Any other mixed background"},
        {"H", "Asian - Indian or British Indian"},
        {"J", "Asian - Pakistani or British Pakistani"},
        {"K", "Asian - Bangladeshi or British Bangladeshi"},
        {"L", "Asian - Any other Asian background"},
        {"M", "Black - Caribbean"},
        {"N", "Black - African"},
        {"P", "Black - Any other Black background"},
        {"R", "Chinese"},
        {"S", "Other - Any other ethnic group"},
        {"Z", "Not stated"},
        {"99", "Not known"},
    };
    return codes;
}

bool is_ethnicity_code(std::string_view code) {
    const auto &codes = ethnicity_codes();
    return std::any_of(codes.begin(), codes.end(), [code](const TextCodeLabel &c) { return c.code == code; });
}

std::string ethnicity_code_list() {
    std::string out;
    for (const auto &c : ethnicity_codes()) {
        if (!out.empty()) out += ", ";
        out += c.code;
    }
    return out;
}

}  // namespace npda
