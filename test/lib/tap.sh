# TAP for the shell test scripts (sourced, after the script has changed to the
# repository root): tools/run-tests.sh counts the "ok" / "not ok" lines and
# reads the last "# N passed, N failed".
#
#   check STATUS LABEL     ok when STATUS is 0
#   is GOT EXPECTED LABEL  ok when the two strings are equal; prints both if not
#   tap_done               the plan and the summary; returns 1 if anything failed
n=0
fails=0
check() {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
is() {
  if [ "$1" = "$2" ]; then check 0 "$3"; else check 1 "$3"; echo "#   got:      $1"; echo "#   expected: $2"; fi
}
tap_done() {
  echo "1..$n"
  echo "# $((n - fails)) passed, $fails failed"
  [ "$fails" -eq 0 ]
}
