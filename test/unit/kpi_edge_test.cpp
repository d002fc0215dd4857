// Edge rules of the KPI engine (docs/kpis.md §1, §3, §4, §5; D1-D14, R3-R14):
// boundary days, unit conversion, medians, most-recent-entry ties, admissions,
// transfers and deaths, care-at-diagnosis windows and the pending rules.
#include <gtest/gtest.h>

#include "kpi/measures.hpp"
#include "kpi/stats.hpp"
#include "kpi_test_fixtures.hpp"

using namespace kpitest;

// ---- Ages (D14) and identity (R3) -------------------------------------------

TEST(KpiAge, TwelfthBirthdayOnFirstApril) {
    PatientRecord p = Std();
    p.date_of_birth = D(2012, 4, 1);
    EXPECT_EQ(outcome(p, "4"), Outcome::pass);
    p.date_of_birth = D(2012, 4, 2);  // 11 on S, 12 the next day
    EXPECT_EQ(outcome(p, "4"), Outcome::ineligible);
    EXPECT_EQ(outcome(p, "3"), Outcome::pass);
}

TEST(KpiAge, TwentyFifthBirthdayOnFirstApril) {
    PatientRecord p = Std();
    p.date_of_birth = D(1999, 4, 2);  // 24 on S
    EXPECT_EQ(outcome(p, "1"), Outcome::pass);
    p.date_of_birth = D(1999, 4, 1);  // 25 on S
    EXPECT_EQ(outcome(p, "1"), Outcome::ineligible);
}

TEST(KpiAge, BornDuringThePeriodIsAgeZero) {
    PatientRecord p = Std();
    p.date_of_birth = D(2024, 5, 1);
    EXPECT_EQ(outcome(p, "1"), Outcome::pass);
    EXPECT_EQ(outcome(p, "32.2"), Outcome::fail);  // under 12
    p.date_of_birth = D(2025, 3, 31);             // last valid day (R3)
    EXPECT_EQ(outcome(p, "1"), Outcome::pass);
    p.date_of_birth = D(2025, 4, 1);  // after E: not a valid date of birth
    EXPECT_EQ(outcome(p, "1"), Outcome::ineligible);
    p.date_of_birth.reset();
    EXPECT_EQ(outcome(p, "1"), Outcome::ineligible);
}

TEST(KpiIdentity, ValidIdentifiers) {
    PatientRecord p = Std();
    p.nhs_number = "9434765918";  // bad check digit
    EXPECT_EQ(outcome(p, "1"), Outcome::ineligible);
    EXPECT_EQ(outcome(p, "7"), Outcome::ineligible);
    p.nhs_number.reset();
    EXPECT_EQ(outcome(p, "1"), Outcome::ineligible);
    p.unique_reference_number = "001234";  // Jersey URN
    EXPECT_EQ(outcome(p, "1"), Outcome::pass);
    p.unique_reference_number = "12A4";
    EXPECT_EQ(outcome(p, "1"), Outcome::ineligible);
    p.unique_reference_number = "";
    EXPECT_EQ(outcome(p, "1"), Outcome::ineligible);
}

TEST(KpiMeasures, M7DoesNotNeedM1ButNeedsObservation) {
    PatientRecord p = NewDx();
    p.visits[0].visit_date = D(2024, 3, 1);  // no visit in P
    EXPECT_EQ(outcome(p, "7"), Outcome::ineligible);  // no observation date either
    p.visits[0].total_cholesterol_date = D(2024, 4, 3);
    EXPECT_EQ(outcome(p, "7"), Outcome::pass);
    EXPECT_EQ(outcome(p, "1"), Outcome::ineligible);
    p.visits[0].total_cholesterol_date = D(2025, 4, 1);  // after E
    EXPECT_EQ(outcome(p, "7"), Outcome::ineligible);
}

TEST(KpiMeasures, DischargeDateAloneDoesNotMakeM1) {
    PatientRecord p = Early();
    p.visits[0].hospital_discharge_date = D(2024, 4, 5);
    EXPECT_EQ(outcome(p, "1"), Outcome::ineligible);
    p.visits[0].hospital_admission_date = D(2025, 3, 31);
    EXPECT_EQ(outcome(p, "1"), Outcome::pass);
}

// ---- Transfers, deaths and diagnosis inside the period (D6, R9, R12) ---------

TEST(KpiMeasures, LeavingDateEdges) {
    for (const auto &[date, in_period] : std::vector<std::pair<Date, bool>>{
             {D(2024, 3, 31), false}, {D(2024, 4, 1), true}, {D(2025, 3, 31), true}, {D(2025, 4, 1), false}}) {
        PatientRecord p = Std();
        p.date_leaving_service = date;
        p.reason_leaving_service = 2;
        const KpiResults r = score(p);
        EXPECT_EQ(r[slot("5")].outcome, in_period ? Outcome::ineligible : Outcome::pass) << date_to_iso(date);
        EXPECT_EQ(r[slot("9")].outcome, in_period ? Outcome::pass : Outcome::ineligible) << date_to_iso(date);
        EXPECT_EQ(r[slot("25")].outcome, in_period ? Outcome::ineligible : Outcome::fail) << date_to_iso(date);
    }
}

TEST(KpiMeasures, DeathDateEdges) {
    for (const auto &[date, in_period] : std::vector<std::pair<Date, bool>>{
             {D(2024, 3, 31), false}, {D(2024, 4, 1), true}, {D(2025, 3, 31), true}, {D(2025, 4, 1), false}}) {
        PatientRecord p = Std();
        p.death_date = date;
        const KpiResults r = score(p);
        EXPECT_EQ(r[slot("5")].outcome, in_period ? Outcome::ineligible : Outcome::pass) << date_to_iso(date);
        EXPECT_EQ(r[slot("8")].outcome, in_period ? Outcome::pass : Outcome::ineligible) << date_to_iso(date);
        EXPECT_EQ(r[slot("1")].outcome, Outcome::pass);
    }
}

TEST(KpiMeasures, NoDiagnosisDateKeepsCompleteYear) {  // R9
    PatientRecord p = with_date(Std(), &VisitRecord::hba1c_date, D(2024, 8, 1));
    p.visits[0].hba1c = 50;
    p.diagnosis_date.reset();
    const KpiResults r = score(p);
    EXPECT_EQ(r[slot("5")].outcome, Outcome::pass);
    EXPECT_EQ(r[slot("2")].outcome, Outcome::ineligible);
    EXPECT_EQ(r[slot("25")].outcome, Outcome::pass);
    EXPECT_EQ(r[slot("44")].outcome, Outcome::fail);  // no qualifying value without a diagnosis
    EXPECT_EQ(score(p, D(2024, 9, 1))[slot("44")].outcome, Outcome::fail);  // and never pending
}

TEST(KpiMeasures, M6NeedsM5) {
    PatientRecord p = C6();
    p.death_date = D(2024, 12, 1);
    EXPECT_EQ(outcome(p, "6"), Outcome::ineligible);
    EXPECT_EQ(outcome(p, "28"), Outcome::ineligible);
    EXPECT_EQ(outcome(p, "4"), Outcome::pass);
}

// ---- Most recent entry (D1) -------------------------------------------------

TEST(KpiLatest, UndatedAndLateVisitsIgnored) {
    PatientRecord p = edit(Std(), [](VisitRecord &v) { v.treatment = 1; });
    add_visit(p, std::nullopt).treatment = 3;      // no visit date: not considered
    add_visit(p, D(2025, 4, 1)).treatment = 3;     // after E: not considered
    const KpiResults r = score(p);
    EXPECT_EQ(r[slot("13")].outcome, Outcome::pass);
    EXPECT_EQ(r[slot("15")].outcome, Outcome::fail);
}

TEST(KpiLatest, VisitBeforePeriodCounts) {
    PatientRecord p = Std();
    p.visits[0].visit_date = D(2024, 6, 1);
    add_visit(p, D(2023, 6, 1)).thyroid_treatment_status = 2;
    EXPECT_EQ(outcome(p, "11"), Outcome::pass);
}

TEST(KpiLatest, NullEntryDoesNotHideEarlierEntry) {
    PatientRecord p = edit(Std(), [](VisitRecord &v) { v.ketone_meter_training = 1; });
    add_visit(p, D(2024, 9, 1));  // later visit without the item
    EXPECT_EQ(outcome(p, "12"), Outcome::pass);
    add_visit(p, D(2024, 10, 1)).ketone_meter_training = 99;  // a later 99 is an entry (R7)
    EXPECT_EQ(outcome(p, "12"), Outcome::ineligible);
}

TEST(KpiLatest, TiesFollowRowNumberNotVectorPosition) {
    PatientRecord p = Std();
    p.visits.clear();
    add_visit(p, D(2024, 6, 1)).glucose_monitoring = 4;
    add_visit(p, D(2024, 6, 1)).glucose_monitoring = 2;
    EXPECT_EQ(outcome(p, "21"), Outcome::pass);
    std::swap(p.visits[0].row_number, p.visits[1].row_number);  // first element is now the later row
    EXPECT_EQ(outcome(p, "21"), Outcome::fail);
    EXPECT_EQ(outcome(p, "22"), Outcome::pass);
}

TEST(KpiLatest, TreatmentCodeNineAndOutOfSetFailAll) {
    for (int code : {9, 99, 42}) {
        const KpiResults r = score(edit(Std(), [code](VisitRecord &v) { v.treatment = static_cast<std::int16_t>(code); }));
        for (int k = 13; k <= 20; ++k) EXPECT_EQ(r[kpi_slot(k)].outcome, Outcome::fail) << code << " " << k;
    }
}

TEST(KpiLatest, Kpi23UsesType1Cohort) {
    PatientRecord p = edit(Std(), [](VisitRecord &v) { v.glucose_monitoring = 4; });
    p.diabetes_type = 2;
    EXPECT_EQ(outcome(p, "22"), Outcome::pass);
    EXPECT_EQ(outcome(p, "23"), Outcome::ineligible);
    p.diabetes_type = 1;
    EXPECT_EQ(outcome(p, "23"), Outcome::pass);
}

TEST(KpiLatest, HclLatestTreatmentWins) {
    PatientRecord p = edit(Std(), [](VisitRecord &v) {
        v.visit_date = D(2024, 5, 1);
        v.treatment = 3;
        v.closed_loop_system = 2;
    });
    p = plus_visit(p, D(2024, 8, 1), [](VisitRecord &v) { v.treatment = 2; });
    EXPECT_EQ(outcome(p, "24"), Outcome::fail);
    p = plus_visit(p, D(2024, 9, 1), [](VisitRecord &v) { v.closed_loop_system = 1; v.treatment = 6; });
    EXPECT_EQ(outcome(p, "24"), Outcome::fail);
}

TEST(KpiLatest, AlbuminuriaOrderedByAcrDate) {
    PatientRecord p = Std();
    // Later visit carries an older ACR date: the earlier visit's newer ACR result wins.
    p.visits[0].visit_date = D(2024, 5, 1);
    p.visits[0].albuminuria_stage = 2;
    p.visits[0].albumin_creatinine_ratio_date = D(2024, 4, 20);
    p = plus_visit(p, D(2024, 9, 1), [](VisitRecord &v) {
        v.albuminuria_stage = 1;
        v.albumin_creatinine_ratio_date = D(2024, 3, 1);
    });
    EXPECT_EQ(outcome(p, "49"), Outcome::pass);
    // An ACR date after E is not considered; an undated stage neither.
    p = plus_visit(p, D(2024, 9, 2), [](VisitRecord &v) {
        v.albuminuria_stage = 1;
        v.albumin_creatinine_ratio_date = D(2025, 4, 2);
    });
    p = plus_visit(p, D(2024, 9, 3), [](VisitRecord &v) { v.albuminuria_stage = 1; });
    EXPECT_EQ(outcome(p, "49"), Outcome::pass);
    // A newer stage 1 turns it to fail; an ACR date before S still counts (D1).
    p = plus_visit(p, std::nullopt, [](VisitRecord &v) {
        v.albuminuria_stage = 1;
        v.albumin_creatinine_ratio_date = D(2024, 4, 21);
    });
    EXPECT_EQ(outcome(p, "49"), Outcome::fail);
}

// ---- Care processes ---------------------------------------------------------

TEST(KpiCare, BloodPressureNeedsSystolic) {
    PatientRecord p = C6();
    p.visits[0].diastolic_blood_pressure = 70;
    p.visits[0].blood_pressure_observation_date = D(2024, 4, 3);
    EXPECT_EQ(outcome(p, "28"), Outcome::fail);
    p.visits[0].systolic_blood_pressure = 110;
    p.visits[0].diastolic_blood_pressure.reset();
    EXPECT_EQ(outcome(p, "28"), Outcome::pass);
}

TEST(KpiCare, UrinaryAlbuminNeedsValue) {
    PatientRecord p = C6();
    p.visits[0].albumin_creatinine_ratio_date = D(2024, 4, 3);
    EXPECT_EQ(outcome(p, "29"), Outcome::fail);
    p.visits[0].albumin_creatinine_ratio = 2.0;
    EXPECT_EQ(outcome(p, "29"), Outcome::pass);
}

TEST(KpiCare, BmiNeedsSameDate) {
    PatientRecord p = C5();
    add_visit(p, D(2024, 6, 1)).height = 140;
    p.visits[1].height_weight_observation_date = D(2024, 6, 1);
    add_visit(p, D(2024, 6, 2)).weight = 40;
    p.visits[2].height_weight_observation_date = D(2024, 6, 2);
    EXPECT_EQ(outcome(p, "26"), Outcome::fail);
    p.visits[2].height_weight_observation_date = D(2024, 6, 1);
    EXPECT_EQ(outcome(p, "26"), Outcome::pass);
    p.visits[1].height_weight_observation_date = p.visits[2].height_weight_observation_date = D(2025, 4, 1);
    EXPECT_EQ(outcome(p, "26"), Outcome::fail);
}

TEST(KpiCare, VisitDateBasedProcesses) {
    // 35, 37, 48 need the row's visit date inside P.
    PatientRecord p = C6();
    p = plus_visit(p, std::nullopt, [](VisitRecord &v) {
        v.smoking_status = 1;
        v.dietician_additional_appointment_offered = 1;
        v.psychological_additional_support_status = 1;
    });
    KpiResults r = score(p);
    EXPECT_EQ(r[slot("35")].outcome, Outcome::fail);
    EXPECT_EQ(r[slot("37")].outcome, Outcome::fail);
    EXPECT_EQ(r[slot("48")].outcome, Outcome::fail);
    p.visits[1].visit_date = D(2025, 3, 31);
    r = score(p);
    EXPECT_EQ(r[slot("35")].outcome, Outcome::pass);
    EXPECT_EQ(r[slot("37")].outcome, Outcome::pass);
    EXPECT_EQ(r[slot("48")].outcome, Outcome::pass);
    p.visits[1].smoking_status = 99;
    EXPECT_EQ(outcome(p, "35"), Outcome::fail);
}

TEST(KpiCare, SmokingScreened2026) {
    PatientRecord p = C6();
    p.visits[0].visit_date = D(2026, 6, 1);
    p.visits[0].height_weight_observation_date = D(2026, 6, 1);
    p.date_of_birth = D(2014, 4, 1);
    p.diagnosis_date = D(2022, 1, 1);
    p.visits[0].smoking_vaping_status = 3;
    p.visits[0].smoking_status = 1;  // the 2021 field is ignored in 2026
    EXPECT_EQ(outcome(p, "35", as_of_2026(), p2026()), Outcome::pass);
    p.visits[0].smoking_vaping_status = 99;
    EXPECT_EQ(outcome(p, "35", as_of_2026(), p2026()), Outcome::fail);
}

TEST(KpiCare, SmokingReferralNeedsNoVisitDate) {  // R14
    PatientRecord p = plus_visit(C6(), std::nullopt,
                                 [](VisitRecord &v) { v.smoking_cessation_referral_date = D(2024, 7, 1); });
    EXPECT_EQ(outcome(p, "36"), Outcome::pass);
}

TEST(KpiCare, FluAndDieteticDates) {
    EXPECT_EQ(outcome(with_date(C5(), &VisitRecord::flu_immunisation_recommended_date, D(2024, 10, 1)), "39"), Outcome::pass);
    EXPECT_EQ(outcome(with_date(C5(), &VisitRecord::flu_immunisation_recommended_date, D(2024, 3, 31)), "39"), Outcome::fail);
    EXPECT_EQ(outcome(with_date(C5(), &VisitRecord::dietician_additional_appointment_date, D(2025, 3, 31)), "38"), Outcome::pass);
}

TEST(KpiCare, Hba1cEntryIgnoresFormat) {
    PatientRecord p = with_date(C5(), &VisitRecord::hba1c_date, D(2024, 6, 1));
    p.visits[0].hba1c = 7.5;
    p.visits[0].hba1c_format.reset();  // unknown unit still an entry for 25 (but not for 44)
    const KpiResults r = score(p);
    EXPECT_EQ(r[slot("25")].outcome, Outcome::pass);
    EXPECT_EQ(r[slot("44")].outcome, Outcome::fail);
}

TEST(KpiCare, HealthChecksTwelveAndOver) {
    PatientRecord p = C6();
    VisitRecord &v = p.visits[0];
    v.hba1c = 50;
    v.hba1c_date = D(2024, 4, 3);
    v.height = 150;
    v.weight = 45;
    v.thyroid_function_date = D(2024, 4, 3);
    v.systolic_blood_pressure = 110;
    v.blood_pressure_observation_date = D(2024, 4, 3);
    v.albumin_creatinine_ratio = 1.0;
    v.albumin_creatinine_ratio_date = D(2024, 4, 3);
    KpiResults r = score(p);
    EXPECT_EQ(r[kSlot32_1].value, 5.0);
    EXPECT_EQ(r[kSlot32_1].value_expected, 6);
    EXPECT_EQ(r[kSlot32_1].outcome, Outcome::fail);
    EXPECT_EQ(r[kSlot32_3].outcome, Outcome::fail);
    EXPECT_EQ(r[kSlot32_2].outcome, Outcome::ineligible);
    p.visits[0].retinal_screening_result = 1;  // retinal screening is not a check
    p.visits[0].retinal_screening_observation_date = D(2024, 4, 3);
    EXPECT_EQ(score(p)[kSlot32_1].value, 5.0);
    p.visits[0].foot_examination_observation_date = D(2024, 4, 3);
    r = score(p);
    EXPECT_EQ(r[kSlot32_1].value, 6.0);
    EXPECT_EQ(r[kSlot32_1].outcome, Outcome::pass);
    EXPECT_EQ(r[kSlot32_3].outcome, Outcome::pass);
    // Pending while open: the missing checks are pending in the aggregate.
    const PatientRecord one_check = with_date(C6(), &VisitRecord::thyroid_function_date, D(2024, 4, 3));
    const KpiAggregates a = aggregate({one_check, C6()}, D(2024, 6, 1));
    EXPECT_TRUE(Counts(a[kSlot32_1], 12, 1, 0, 0, 11));  // C6 has a height/weight date but no values
    const KpiAggregates ended = aggregate({one_check, C6(), p}, D(2025, 4, 1));
    EXPECT_TRUE(Counts(ended[kSlot32_1], 18, 7, 11, 0));
}

// ---- HbA1c outcomes (D8) ----------------------------------------------------

TEST(KpiHba1c, NinetyDayExclusionBoundary) {
    PatientRecord p = Std();
    p.diagnosis_date = D(2024, 1, 3);
    const Date dx = *p.diagnosis_date;
    p.visits[0].hba1c = 60;
    p.visits[0].hba1c_date = dx + 90;
    EXPECT_EQ(outcome(p, "44"), Outcome::fail);
    p.visits[0].hba1c_date = dx + 91;
    const KpiResults r = score(p);
    EXPECT_EQ(r[slot("44")].outcome, Outcome::pass);
    EXPECT_DOUBLE_EQ(*r[slot("44")].value, 60.0);
}

TEST(KpiHba1c, PeriodEdges) {
    PatientRecord p = Std();
    p.visits.clear();
    for (const auto &[value, date] : std::vector<std::pair<double, Date>>{
             {10, D(2024, 3, 31)}, {40, D(2024, 4, 1)}, {60, D(2025, 3, 31)}, {90, D(2025, 4, 1)}}) {
        VisitRecord &v = add_visit(p, date);
        v.hba1c = value;
        v.hba1c_date = date;
    }
    const KpiResults r = score(p);
    EXPECT_DOUBLE_EQ(*r[slot("44")].value, 50.0);
    EXPECT_DOUBLE_EQ(*r[slot("45")].value, 50.0);
    EXPECT_EQ(r[slot("33")].outcome, Outcome::fail);  // two entries in P
}

TEST(KpiHba1c, PercentConvertedToMmolMol) {
    EXPECT_NEAR(hba1c_percent_to_mmol_mol(7.0), (7.0 - 2.152) / 0.09148, 1e-9);
    EXPECT_NEAR(hba1c_percent_to_mmol_mol(7.0), 53.0, 0.1);
    PatientRecord p = with_date(Std(), &VisitRecord::hba1c_date, D(2024, 6, 1));
    p.visits[0].hba1c = 7.0;
    p.visits[0].hba1c_format = 2;
    p = plus_visit(p, D(2024, 7, 1), [](VisitRecord &v) {
        v.hba1c = 48;
        v.hba1c_date = D(2024, 7, 1);
    });
    const KpiResults r = score(p);
    const double converted = (7.0 - 2.152) / 0.09148;
    EXPECT_NEAR(*r[slot("44")].value, (converted + 48) / 2, 1e-9);
    EXPECT_NEAR(*r[slot("45")].value, (converted + 48) / 2, 1e-9);
}

TEST(KpiHba1c, UnknownFormatDroppedIn2021) {
    PatientRecord p = with_date(Std(), &VisitRecord::hba1c_date, D(2024, 6, 1));
    p.visits[0].hba1c = 7.0;
    for (std::optional<std::int16_t> format : {std::optional<std::int16_t>{}, std::optional<std::int16_t>{99},
                                              std::optional<std::int16_t>{3}}) {
        p.visits[0].hba1c_format = format;
        const KpiResults r = score(p);
        EXPECT_EQ(r[slot("44")].outcome, Outcome::fail);
        EXPECT_FALSE(r[slot("45")].value.has_value());
    }
}

TEST(KpiHba1c, Dataset2026IsAlwaysMmolMol) {
    PatientRecord p = Std();
    p.visits[0].visit_date = D(2026, 6, 1);
    p.visits[0].hba1c = 58;
    p.visits[0].hba1c_date = D(2026, 6, 1);
    p.visits[0].hba1c_format = 2;  // ignored: a 2021-only field
    const KpiResults r = score(p, as_of_2026(), p2026());
    EXPECT_DOUBLE_EQ(*r[slot("44")].value, 58.0);
    p.visits[0].hba1c_format.reset();
    EXPECT_DOUBLE_EQ(*score(p, as_of_2026(), p2026())[slot("45")].value, 58.0);
}

TEST(KpiHba1c, MedianOddAndEven) {
    PatientRecord p = Std();
    p.visits.clear();
    auto add = [&](double value, Date date) {
        VisitRecord &v = add_visit(p, date);
        v.hba1c = value;
        v.hba1c_date = date;
    };
    add(70, D(2024, 5, 1));
    add(40, D(2024, 6, 1));
    add(50, D(2024, 7, 1));
    KpiResults r = score(p);
    EXPECT_DOUBLE_EQ(*r[slot("45")].value, 50.0);
    EXPECT_DOUBLE_EQ(*r[slot("44")].value, 160.0 / 3.0);
    add(61, D(2024, 8, 1));
    r = score(p);
    EXPECT_DOUBLE_EQ(*r[slot("45")].value, 55.5);
    EXPECT_DOUBLE_EQ(*r[slot("44")].value, 221.0 / 4.0);
}

TEST(KpiStats, MeanAndMedianHelpers) {
    EXPECT_FALSE(mean_of(nullptr, 0).has_value());
    EXPECT_FALSE(median_in_place(nullptr, 0).has_value());
    double one[] = {4.5};
    EXPECT_DOUBLE_EQ(*median_in_place(one, 1), 4.5);
    double two[] = {9, 1};
    EXPECT_DOUBLE_EQ(*median_in_place(two, 2), 5.0);
    double five[] = {5, 1, 4, 2, 3};
    EXPECT_DOUBLE_EQ(*median_in_place(five, 5), 3.0);
    double six[] = {6, 1, 5, 2, 4, 3, };
    EXPECT_DOUBLE_EQ(*median_in_place(six, 6), 3.5);
    double dup[] = {2, 2, 2, 9};
    EXPECT_DOUBLE_EQ(*median_in_place(dup, 4), 2.0);
    EXPECT_DOUBLE_EQ(*mean_of(five, 5), 3.0);
}

TEST(KpiStats, ValueBufferGrowsPastInline) {
    ValueBuffer b;
    for (int i = 0; i < 100; ++i) b.push(i);
    ASSERT_EQ(b.size(), 100u);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(b.data()[i], i);
    EXPECT_DOUBLE_EQ(*median_in_place(b.data(), b.size()), 49.5);
}

TEST(KpiHba1c, AggregateMedianOfMedians) {
    auto child = [](double value) {
        PatientRecord p = with_date(Std(), &VisitRecord::hba1c_date, D(2024, 6, 1));
        p.visits[0].hba1c = value;
        return p;
    };
    KpiAggregates a = aggregate({child(40), child(70), child(50)});
    EXPECT_DOUBLE_EQ(*a[slot("45")].value, 50.0);
    EXPECT_DOUBLE_EQ(*a[slot("44")].value, 160.0 / 3.0);
    a = aggregate({child(40), child(70), child(50), child(52), Std()});
    EXPECT_DOUBLE_EQ(*a[slot("45")].value, 51.0);
    EXPECT_EQ(a[slot("45")].children_with_value, 4);
    EXPECT_TRUE(Counts(a[slot("45")], 5, 4, 1, 0));
}

// ---- Admissions (D9, R14) ---------------------------------------------------

namespace {
VisitRecord &admission(PatientRecord &p, OptDate start, OptDate discharge, std::optional<int> reason) {
    VisitRecord &v = add_visit(p, D(2024, 6, 1));
    v.hospital_admission_date = start;
    v.hospital_discharge_date = discharge;
    if (reason) v.hospital_admission_reason = static_cast<std::int16_t>(*reason);
    return v;
}
double admissions(const PatientRecord &p, const char *kpi = "46") { return *score(p)[slot(kpi)].value; }
}  // namespace

TEST(KpiAdmissions, DuplicatesCountOnce) {
    PatientRecord p = Std();
    for (int i = 0; i < 3; ++i) admission(p, D(2024, 6, 1), D(2024, 6, 4), 2);
    EXPECT_EQ(admissions(p), 1.0);
    EXPECT_EQ(admissions(p, "47"), 1.0);
    admission(p, D(2024, 6, 1), D(2024, 6, 4), 4);  // other reason: another admission
    EXPECT_EQ(admissions(p), 2.0);
    EXPECT_EQ(admissions(p, "47"), 1.0);
    admission(p, D(2024, 6, 1), std::nullopt, 2);  // no discharge differs from a discharge
    admission(p, D(2024, 6, 1), std::nullopt, 2);  // empty equals empty
    EXPECT_EQ(admissions(p), 3.0);
    EXPECT_EQ(admissions(p, "47"), 2.0);
}

TEST(KpiAdmissions, DatesAndReasons) {
    PatientRecord p = Std();
    admission(p, D(2024, 3, 25), D(2024, 4, 1), 1);   // discharged on S: counts
    admission(p, D(2025, 3, 31), std::nullopt, 3);    // admitted on E: counts
    admission(p, D(2024, 3, 1), D(2024, 3, 31), 1);   // both before S
    admission(p, D(2025, 4, 1), D(2025, 4, 2), 1);    // both after E
    admission(p, D(2024, 6, 1), std::nullopt, 99);    // reason outside the value set
    admission(p, D(2024, 6, 2), std::nullopt, 0);
    admission(p, D(2024, 6, 3), std::nullopt, std::nullopt);  // no reason
    EXPECT_EQ(admissions(p), 2.0);
    EXPECT_EQ(admissions(p, "47"), 0.0);
    EXPECT_EQ(outcome(p, "47"), Outcome::fail);
}

TEST(KpiAdmissions, NearDiagnosisStillCounts) {  // R14
    PatientRecord p = NewDx();
    admission(p, D(2024, 4, 3), D(2024, 4, 6), 2);
    EXPECT_EQ(admissions(p, "47"), 1.0);
}

TEST(KpiAdmissions, Dataset2026UsesItsReasonField) {
    PatientRecord p = Std();
    p.visits[0].visit_date = D(2026, 5, 1);
    VisitRecord &v = add_visit(p, D(2026, 6, 1));
    v.hospital_admission_date = D(2026, 6, 1);
    v.hospital_admission_reason = 2;       // 2021 field: ignored
    v.hospital_admission_reason_2026 = 1;  // acute DKA
    VisitRecord &w = add_visit(p, D(2026, 7, 1));
    w.hospital_admission_date = D(2026, 7, 1);
    w.hospital_admission_reason = 1;  // only the 2021 field: not an admission in 2026
    const KpiResults r = score(p, as_of_2026(), p2026());
    EXPECT_EQ(r[slot("46")].value, 1.0);
    EXPECT_EQ(r[slot("47")].value, 1.0);
    p.visits[1].hospital_admission_reason_2026 = 2;
    EXPECT_EQ(score(p, as_of_2026(), p2026())[slot("47")].value, 0.0);
}

TEST(KpiAdmissions, ValueOnlyForEligibleChildren) {
    EXPECT_FALSE(score(Old())[slot("46")].value.has_value());
    EXPECT_EQ(score(Std())[slot("46")].value, 0.0);
    EXPECT_EQ(score(Std())[slot("46")].outcome, Outcome::fail);
}

// ---- Care at diagnosis (D7) -------------------------------------------------

namespace {
PatientRecord diagnosed(Date dx) {
    PatientRecord p = Std();
    p.diagnosis_date = dx;
    p.visits[0].visit_date = D(2024, 10, 30);
    p.visits[0].height_weight_observation_date = D(2024, 10, 30);
    return p;
}
Outcome at_dx(const char *kpi, DateField field, int offset, Date dx = D(2024, 10, 1)) {
    PatientRecord p = diagnosed(dx);
    p = plus_visit(p, std::nullopt, [&](VisitRecord &v) { v.*field = dx + offset; });
    return outcome(p, kpi);
}
}  // namespace

TEST(KpiCareAtDiagnosis, WindowEdges) {
    const DateField coeliac = &VisitRecord::coeliac_screen_date;
    const DateField thyroid = &VisitRecord::thyroid_function_date;
    const DateField carbs = &VisitRecord::carbohydrate_counting_level_three_education_date;
    for (const auto &[kpi, field] : {std::pair<const char *, DateField>{"41", coeliac}, {"42", thyroid}}) {
        EXPECT_EQ(at_dx(kpi, field, -91), Outcome::fail) << kpi;
        EXPECT_EQ(at_dx(kpi, field, -90), Outcome::pass) << kpi;
        EXPECT_EQ(at_dx(kpi, field, 0), Outcome::pass) << kpi;
        EXPECT_EQ(at_dx(kpi, field, 90), Outcome::pass) << kpi;
        EXPECT_EQ(at_dx(kpi, field, 91), Outcome::fail) << kpi;
    }
    EXPECT_EQ(at_dx("43", carbs, -8), Outcome::fail);
    EXPECT_EQ(at_dx("43", carbs, -7), Outcome::pass);
    EXPECT_EQ(at_dx("43", carbs, 14), Outcome::pass);
    EXPECT_EQ(at_dx("43", carbs, 15), Outcome::fail);
    // A thyroid screen for 42 is not a coeliac screen for 41.
    EXPECT_EQ(at_dx("41", thyroid, 0), Outcome::fail);
}

TEST(KpiCareAtDiagnosis, EligibilityCutOffs) {
    const Date e = D(2025, 3, 31);
    EXPECT_EQ(outcome(diagnosed(e - 91), "41"), Outcome::fail);
    EXPECT_EQ(outcome(diagnosed(e - 90), "41"), Outcome::ineligible);
    EXPECT_EQ(outcome(diagnosed(e - 90), "42"), Outcome::ineligible);
    EXPECT_EQ(outcome(diagnosed(e - 90), "43"), Outcome::fail);
    EXPECT_EQ(outcome(diagnosed(e - 15), "43"), Outcome::fail);
    EXPECT_EQ(outcome(diagnosed(e - 14), "43"), Outcome::ineligible);
    EXPECT_EQ(outcome(diagnosed(D(2024, 4, 1)), "41"), Outcome::fail);  // first day of P
    EXPECT_EQ(outcome(diagnosed(D(2024, 3, 31)), "41"), Outcome::ineligible);
}

// ---- Pending (D12, docs/kpis.md §3.5) ---------------------------------------

TEST(KpiPending, CareProcessesUntilPeriodEnd) {
    const Date e = D(2025, 3, 31);
    const PatientRecord p = C6();
    for (int k : {25, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36, 37, 38, 39, 40}) {
        EXPECT_EQ(score(p, e)[kpi_slot(k)].outcome, Outcome::pending) << k;
        EXPECT_EQ(score(p, D(2024, 4, 1))[kpi_slot(k)].outcome, Outcome::pending) << k;
        EXPECT_EQ(score(p, e + 1)[kpi_slot(k)].outcome, Outcome::fail) << k;
    }
    for (std::size_t s : {kSlot32_1, kSlot32_3}) {
        EXPECT_EQ(score(p, e)[s].outcome, Outcome::pending);
        EXPECT_EQ(score(p, e + 1)[s].outcome, Outcome::fail);
    }
    EXPECT_EQ(score(p, e)[kSlot32_1].value, 0.0);
}

TEST(KpiPending, PassIsNotPending) {
    const PatientRecord p = with_date(C5(), &VisitRecord::thyroid_function_date, D(2024, 4, 3));
    EXPECT_EQ(outcome(p, "27", D(2024, 6, 1)), Outcome::pass);
}

TEST(KpiPending, StatusKpisNeverPending) {
    const PatientRecord p = Std();  // no treatment, monitoring, admissions, support, albuminuria
    const KpiResults r = score(p, D(2024, 6, 1));
    for (int k = 13; k <= 24; ++k) EXPECT_EQ(r[kpi_slot(k)].outcome, Outcome::fail) << k;
    for (int k = 46; k <= 49; ++k) EXPECT_EQ(r[kpi_slot(k)].outcome, Outcome::fail) << k;
    for (int k = 1; k <= 12; ++k) EXPECT_NE(r[kpi_slot(k)].outcome, Outcome::pending) << k;
}

TEST(KpiPending, CareAtDiagnosisOnlyWithinWindow) {
    const Date dx = D(2024, 10, 1);
    const PatientRecord p = diagnosed(dx);
    EXPECT_EQ(score(p, dx + 90)[slot("41")].outcome, Outcome::pending);
    EXPECT_EQ(score(p, dx + 90)[slot("42")].outcome, Outcome::pending);
    EXPECT_EQ(score(p, dx + 91)[slot("41")].outcome, Outcome::fail);
    EXPECT_EQ(score(p, dx + 91)[slot("42")].outcome, Outcome::fail);
    EXPECT_EQ(score(p, dx + 14)[slot("43")].outcome, Outcome::pending);
    EXPECT_EQ(score(p, dx + 15)[slot("43")].outcome, Outcome::fail);
    EXPECT_EQ(score(p, dx - 30)[slot("43")].outcome, Outcome::pending);
}

TEST(KpiPending, Hba1cOutcomeOnlyIfAQualifyingDateRemains) {
    const Date e = D(2025, 3, 31);
    PatientRecord p = Std();  // diagnosed 2022: any date in P qualifies
    EXPECT_EQ(score(p, e)[slot("44")].outcome, Outcome::pending);
    EXPECT_EQ(score(p, e)[slot("45")].outcome, Outcome::pending);
    EXPECT_EQ(score(p, e + 1)[slot("44")].outcome, Outcome::fail);
    // Diagnosed so late that dx + 91 is after E: nothing can qualify.
    p.diagnosis_date = e - 90;
    EXPECT_EQ(score(p, D(2024, 6, 1))[slot("44")].outcome, Outcome::fail);
    p.diagnosis_date = e - 91;  // dx + 91 = E
    EXPECT_EQ(score(p, D(2024, 6, 1))[slot("44")].outcome, Outcome::pending);
    EXPECT_EQ(score(p, e)[slot("45")].outcome, Outcome::pending);
}

TEST(KpiPending, AsOfBeforePeriodStart) {
    const KpiResults r = score(C5(), D(2024, 1, 1));
    EXPECT_EQ(r[slot("25")].outcome, Outcome::pending);
    EXPECT_EQ(r[slot("5")].outcome, Outcome::pass);
}

// ---- 2026 mapping (D13, docs/kpis.md §5) ------------------------------------

TEST(Kpi2026, NotApplicableKpisAreIneligible) {
    PatientRecord p = Std();
    p.visits[0].visit_date = D(2026, 6, 1);
    const KpiResults r = score(p, as_of_2026(), p2026());
    for (int k : {13, 14, 16, 17, 18, 19, 20, 21}) {
        EXPECT_EQ(r[kpi_slot(k)].outcome, Outcome::ineligible) << k;
        EXPECT_TRUE(kpi_not_applicable(kpi_slot(k), DatasetYear::y2026)) << k;
        EXPECT_FALSE(kpi_not_applicable(kpi_slot(k), DatasetYear::y2021)) << k;
    }
    for (int k : {15, 22, 23, 24}) {
        EXPECT_EQ(r[kpi_slot(k)].outcome, Outcome::fail) << k;
        EXPECT_FALSE(kpi_not_applicable(kpi_slot(k), DatasetYear::y2026)) << k;
    }
}

TEST(Kpi2026, CgmAndRegimenMappings) {
    auto child = [](int regimen, int cgm) {
        PatientRecord p = Std();
        p.visits[0].visit_date = D(2026, 6, 1);
        p.visits[0].insulin_regimen = static_cast<std::int16_t>(regimen);
        p.visits[0].cgm_use = static_cast<std::int16_t>(cgm);
        return score(p, as_of_2026(), p2026());
    };
    KpiResults r = child(4, 2);
    EXPECT_EQ(r[slot("15")].outcome, Outcome::pass);
    EXPECT_EQ(r[slot("24")].outcome, Outcome::fail);
    EXPECT_EQ(r[slot("22")].outcome, Outcome::fail);
    EXPECT_EQ(r[slot("23")].outcome, Outcome::fail);
    r = child(3, 1);
    EXPECT_EQ(r[slot("15")].outcome, Outcome::fail);
    EXPECT_EQ(r[slot("22")].outcome, Outcome::pass);
    EXPECT_EQ(r[slot("23")].outcome, Outcome::pass);
}
