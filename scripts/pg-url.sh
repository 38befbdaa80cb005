#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Installs and starts the test PostgreSQL as scripts/test.sh does, then prints
# its URL, for running go test by hand or from an editor:
#
#   KIZUNA_TEST_POSTGRES=$(./scripts/pg-url.sh) go test ./internal/store/
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib/common.sh"
. "$here/lib/deps.sh"
. "$here/lib/postgres.sh"

{
	ensure_deps need_base need_postgres
	if pg_managed; then ensure_postgres; fi
} >&2
echo "${KIZUNA_TEST_POSTGRES:-$KIZUNA_PG_DEFAULT_URL}"
