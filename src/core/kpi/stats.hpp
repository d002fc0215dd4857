// Small statistics used by the KPI engine and its aggregates: mean, median
// (docs/kpis.md §3.6) and a buffer of doubles that stays on the stack for the usual
// handful of HbA1c values per child.
#pragma once
#include <cstddef>
#include <optional>
#include <vector>
#include "no_postgres.hpp"

namespace npda {

// Arithmetic mean of n values; std::nullopt when n == 0.
std::optional<double> mean_of(const double *values, std::size_t n);

// Median of n values: the middle value after sorting, or the mean of the two
// middle values when n is even; std::nullopt when n == 0. Reorders `values`.
std::optional<double> median_in_place(double *values, std::size_t n);

// A growable list of doubles that allocates only past kInline values.
class ValueBuffer {
public:
    static constexpr std::size_t kInline = 32;

    void push(double v) {
        if (heap_.empty() && size_ < kInline) {
            inline_[size_] = v;
        } else {
            if (heap_.empty()) heap_.assign(inline_, inline_ + size_);
            heap_.push_back(v);
        }
        ++size_;
    }
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    double *data() { return heap_.empty() ? inline_ : heap_.data(); }
    const double *data() const { return heap_.empty() ? inline_ : heap_.data(); }

private:
    double inline_[kInline] = {};
    std::vector<double> heap_;
    std::size_t size_ = 0;
};

}  // namespace npda
