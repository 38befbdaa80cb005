#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The one test command, for developers and CI (.ci/run) alike: installs what
# the tests need, starts PostgreSQL, then runs gofmt, go vet and go test -race.
#
#   ./scripts/test.sh                             # everything
#   ./scripts/test.sh -run Foo ./internal/store/  # args go to go test
#   ./scripts/test.sh -run Foo                    # no package given: ./...
#
# Exports KIZUNA_TEST_POSTGRES (kept if already set; a non-default value means
# "my own server": nothing is installed or started for it) and
# KIZUNA_REQUIRE_POSTGRES=1 (tests that need Postgres fail instead of skipping).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib/common.sh"
. "$here/lib/deps.sh"
. "$here/lib/postgres.sh"
cd "$REPO_ROOT"

ensure_deps "${KIZUNA_NEEDS[@]}"
if pg_managed; then
	ensure_postgres
else
	section "using KIZUNA_TEST_POSTGRES from the environment"
fi
export KIZUNA_TEST_POSTGRES="${KIZUNA_TEST_POSTGRES:-$KIZUNA_PG_DEFAULT_URL}"
export KIZUNA_REQUIRE_POSTGRES="${KIZUNA_REQUIRE_POSTGRES:-1}"
export KIZUNA_REQUIRE_NODE="${KIZUNA_REQUIRE_NODE:-1}"
export KIZUNA_REQUIRE_PYTHON="${KIZUNA_REQUIRE_PYTHON:-1}"
export KIZUNA_REQUIRE_DOVECOT="${KIZUNA_REQUIRE_DOVECOT:-1}"
export KIZUNA_REQUIRE_CHROMIUM="${KIZUNA_REQUIRE_CHROMIUM:-1}"

command -v go >/dev/null || die "go not found (expected in /usr/local/go/bin)"

section "gofmt"
# Tracked files (plus new ones not yet added); testdata may hold broken Go on purpose.
list_go_files() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -z --cached --others --exclude-standard -- '*.go' ':!:**/testdata/**'
	else
		find . -name '*.go' -not -path '*/testdata/*' -not -path './.git/*' -print0
	fi
}
go_files=()
while IFS= read -r -d '' f; do
	if [ -f "$f" ]; then go_files+=("$f"); fi # skip files deleted but not yet staged
done < <(list_go_files)
if [ "${#go_files[@]}" -gt 0 ]; then
	unformatted=$(gofmt -l "${go_files[@]}") || die "gofmt failed (syntax error?)"
	if [ -n "$unformatted" ]; then
		printf '%s\n' "$unformatted"
		die "the files above need gofmt -w"
	fi
fi

section "go vet"
go vet ./...

section "go test"
# Test ./... unless a package is named (so `-run Foo` alone covers everything).
pkgs=(./...)
for a in "$@"; do
	case $a in
	-args | --args) break ;; # the rest goes to the test binaries
	. | .. | ./* | ../* | github.com/kizuna-desk/kizuna*)
		pkgs=()
		break
		;;
	esac
done
# exec: go test's own output and exit status are the result.
exec go test -race -count=1 -timeout 30m "${pkgs[@]}" "$@"
