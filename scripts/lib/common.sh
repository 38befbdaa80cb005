# Shared helpers for scripts/*.sh. Source it; don't run it.

# Go lives in /usr/local/go on our machines but may not be on PATH (CI);
# sbin holds runuser. Appending keeps a developer's own choices first.
export PATH="$PATH:/usr/local/go/bin:${HOME:-/root}/go/bin:/usr/local/sbin:/usr/sbin:/sbin"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

section() { printf '== %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

is_root() { [ "$(id -u)" = 0 ]; }

# Run a command as root: directly, or through sudo on a developer machine.
as_root() {
	if is_root; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		die "need root (or sudo) to run: $*"
	fi
}
