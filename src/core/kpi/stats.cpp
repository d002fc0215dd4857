// Mean and median for the KPI engine and its aggregates (docs/kpis.md §3.6, D8).
#include "kpi/stats.hpp"

#include <algorithm>

#include "kpi/kpi.hpp"

namespace npda {

std::optional<double> mean_of(const double *values, std::size_t n) {
    if (n == 0) return std::nullopt;
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) sum += values[i];
    return sum / static_cast<double>(n);
}

// nth_element puts the upper middle value in place; for an even count the
// lower middle value is the largest of the elements before it.
std::optional<double> median_in_place(double *values, std::size_t n) {
    if (n == 0) return std::nullopt;
    const std::size_t mid = n / 2;
    std::nth_element(values, values + mid, values + n);
    const double upper = values[mid];
    if (n % 2 == 1) return upper;
    const double lower = *std::max_element(values, values + mid);
    return (lower + upper) / 2.0;
}

double hba1c_percent_to_mmol_mol(double percent) { return (percent - 2.152) / 0.09148; }

}  // namespace npda
