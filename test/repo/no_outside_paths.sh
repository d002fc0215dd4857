#!/usr/bin/env bash
# The repository stands on its own: no tracked text file refers to a path
# outside it. Checked in every git-tracked text file (binary files are skipped):
#   1. no reference to the project's reference material kept outside the
#      repository (a "shared" folder beside it, its spec and anchor-data folders);
#   2. no spec/<name>.md path: the repository's own documents are docs/<name>.md;
#   3. no absolute path into a workspace or a home directory;
#   4. every relative path with a ".." step, resolved from the directory of the
#      file that names it, stays inside the repository (URLs are left alone; a
#      bare "cd $(dirname "$0")/.." hop in a script is resolved the same way).
# The patterns below are written so that this file does not match them itself.
# Prints TAP.
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/lib/tap.sh
show() { [ -z "$1" ] || sed 's/^/#   /' <<<"$1" | head -40; }

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "ok 1 - not a git checkout: nothing to scan # SKIP"
  exit 0
fi

# Lines of tracked text files matching an extended regex: "path:line:text".
scan() { git grep -I -n -E "$1" -- . || true; }

files=$(git grep -I -l -e '' -- . | wc -l)
[ "$files" -gt 100 ]; check $? "tracked text files scanned ($files)"

hits=$(scan '\.\./shared([/]|$)|(^|[^A-Za-z0-9_.-])shared[/](spec|anchor-data|hooks)([/]|$)|(^|[^A-Za-z0-9_/.-])anchor-data[/]')
[ -z "$hits" ]; check $? "no reference to reference material outside the repository (a shared folder, anchor-data)"
show "$hits"

hits=$(scan '(^|[^A-Za-z0-9_/.-])spec[/][A-Za-z0-9_.-]+\.md')
[ -z "$hits" ]; check $? "no spec/<name>.md path (the repository's documents are docs/<name>.md)"
show "$hits"

hits=$(scan '(^|[^A-Za-z0-9_.~:/-])[/](work|home|root|Users)[/]')
[ -z "$hits" ]; check $? "no absolute path into a workspace or a home directory"
show "$hits"

# Every token of path characters with a ".." component, resolved from the
# directory of its file. A token that starts with "/.." follows something
# computed at run time ($(dirname "$0"), a directory variable) and is taken as
# relative to the file's directory too. A token that only climbs ("/..",
# "/../../") names nothing; it is resolved only in a dirname construct.
hits=$(scan '(^|[^.])\.\.([/]|$)' | perl -ne '
  chomp;
  my ($file, $line, $text) = /^(.*?):(\d+):(.*)$/ or next;
  my @dir = grep { length } split m{/}, ($file =~ m{^(.*)/} ? $1 : "");
  while ($text =~ m{([A-Za-z0-9_./-]*)}g) {
    my $tok = $1;
    next unless $tok =~ m{(?:^|/)\.\.(?:/|$)} && $tok =~ m{/};
    my $before = substr($text, 0, pos($text) - length($tok));
    next if $before =~ m{[A-Za-z][A-Za-z0-9+.-]*://\S*$};      # inside a URL
    my @parts = grep { length && $_ ne "." } split m{/}, $tok;
    my $named = grep { $_ ne ".." } @parts;
    next if !$named && $text !~ /dirname/;
    next if $tok =~ m{^/} && $tok !~ m{^/\.\.};                 # an absolute path: check 3
    my @path = @dir;
    my $outside = 0;
    for my $p (@parts) {
      if ($p eq "..") { if (@path) { pop @path } else { $outside = 1; last } }
      else { push @path, $p }
    }
    if ($outside) { print "$file:$line: $tok\n"; }
  }')
[ -z "$hits" ]; check $? "every relative path with a .. step stays inside the repository"
show "$hits"

tap_done
