#!/usr/bin/env bash
# make fuzz: every libFuzzer harness in test/fuzz for a while, with the
# sanitizers, keeping what it finds (docs/fuzzing.md).
#
# Builds build-fuzz with clang++-14 -fsanitize=fuzzer,address,undefined (as
# make test does), then runs each harness for NPDA_FUZZ_SECONDS seconds
# (default 200: about 10 minutes for the three harnesses) from its corpus,
# test/fuzz/corpus/<harness>/, with a random seed. New inputs are written to a
# scratch directory and merged back into the corpus with -merge=1, which keeps
# only the inputs that add coverage, so the corpus stays small. A crash, a
# sanitizer report or a broken invariant fails the run and leaves the input in
# build-fuzz/artifacts/. The last lines give, per harness, the executions,
# executions per second, coverage (cov: edges, ft: features) and the corpus
# entries added.
#
# Environment: NPDA_FUZZ_SECONDS (per harness, default 200), NPDA_FUZZ_ONLY
# (one harness name), NPDA_WERROR.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${NPDA_FUZZ_SECONDS:-200}
CMAKE_WERROR=ON
case "${NPDA_WERROR:-1}" in 0|OFF|off|no|false) CMAKE_WERROR=OFF ;; esac

if ! command -v clang++-14 >/dev/null; then
  echo "== installing clang-14 and its fuzzer runtime"
  apt-get install -y -q clang-14 libclang-rt-14-dev >/dev/null
fi
command -v cmake >/dev/null || apt-get install -y -q cmake >/dev/null

HARNESSES=()
for src in test/fuzz/*.cpp; do
  name=$(basename "$src" .cpp)
  [ -n "${NPDA_FUZZ_ONLY:-}" ] && [ "$name" != "$NPDA_FUZZ_ONLY" ] && continue
  HARNESSES+=("$name")
done
[ ${#HARNESSES[@]} -gt 0 ] || { echo "no harness matches NPDA_FUZZ_ONLY=${NPDA_FUZZ_ONLY:-}"; exit 1; }

echo "== building the harnesses (build-fuzz, clang++-14, fuzzer + ASan + UBSan)"
LOG=build-fuzz/fuzz-logs
mkdir -p "$LOG" build-fuzz/artifacts
CXX=clang++-14 cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNPDA_FUZZ=ON -DNPDA_WERROR="$CMAKE_WERROR" \
  >"$LOG/build.log" 2>&1 && cmake --build build-fuzz -j2 --target "${HARNESSES[@]}" >>"$LOG/build.log" 2>&1 ||
  { tail -40 "$LOG/build.log"; exit 1; }

SUMMARY=()
status=0
for name in "${HARNESSES[@]}"; do
  corpus=test/fuzz/corpus/$name
  mkdir -p "$corpus"
  fresh=$(mktemp -d)
  before=$(find "$corpus" -type f | wc -l)
  echo "== $name: ${SECONDS_EACH} s from $before corpus entries"
  if ./build-fuzz/"$name" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix=build-fuzz/artifacts/"$name"- "$fresh" "$corpus" >"$LOG/$name.log" 2>&1; then
    ok=yes
  else
    ok=NO; status=1
    tail -40 "$LOG/$name.log"
  fi
  # Keep only what adds coverage.
  ./build-fuzz/"$name" -merge=1 -rss_limit_mb=2048 "$corpus" "$fresh" >"$LOG/$name.merge.log" 2>&1 || true
  rm -rf "$fresh"
  after=$(find "$corpus" -type f | wc -l)
  last=$(grep -E '^#[0-9]+' "$LOG/$name.log" | tail -1)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOG/$name.log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$LOG/$name.log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  SUMMARY+=("$(printf '| %-24s | %6s | %10s | %8s | %6s | %7s | %-14s | %-4s |' "$name" "$SECONDS_EACH" "${runs:--}" \
    "${rate:--}" "${cov:--}" "${ft:--}" "$before -> $after" "$ok")")
done

echo
printf '| %-24s | %6s | %10s | %8s | %6s | %7s | %-14s | %-4s |\n' harness seconds executions "exec/s" cov ft corpus clean
printf '| %-24s | %6s | %10s | %8s | %6s | %7s | %-14s | %-4s |\n' ------------------------ ------ ---------- -------- ------ ------- -------------- ----
printf '%s\n' "${SUMMARY[@]}"
echo "(logs: $LOG; corpus: test/fuzz/corpus/<harness>/ -- commit the new entries)"
exit $status
