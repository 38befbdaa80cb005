# System packages the tests need, installed with apt-get only when missing.
# Needs lib/common.sh.

# Each need_* function prints the Debian packages still missing for one
# requirement, and prints nothing when it's already satisfied (so a machine
# that has everything never touches apt).
#
# >>> To add a requirement: write a need_* function and list it here. <<<
KIZUNA_NEEDS=(
	need_base
	need_cc
	need_postgres
	need_node
	need_dovecot
	need_python
	need_chromium
)

need_base() { missing_pkgs ca-certificates; }

# go test -race needs cgo, so a C compiler and libc headers.
need_cc() { command -v gcc >/dev/null || echo gcc libc6-dev; }

# Any installed server version will do; Debian's default is 15 on bookworm.
need_postgres() {
	pg_managed || return 0 # tests use the developer's own server
	pg_bin_dir >/dev/null || echo postgresql
}

# The node-zendesk tests. Only when node is missing: Debian's npm conflicts
# with a NodeSource nodejs, which our machines ship.
need_node() { command -v node >/dev/null || echo nodejs npm; }

# The IMAP poller's tests start their own throwaway Dovecot (own config,
# own port); the system service is not used.
need_dovecot() { [ -x /usr/sbin/dovecot ] || command -v dovecot >/dev/null || echo dovecot-imapd; }

# The mail corpus is written by Python's own email package, so our parser is
# checked against a mail library that is not ours.
need_python() { command -v python3 >/dev/null || echo python3; }

# The web UI's browser tests drive a real headless Chromium (chromedp speaks
# the DevTools protocol directly, so no chromedriver is needed). Japanese
# fonts make the screenshots readable.
need_chromium() {
	command -v chromium >/dev/null || echo chromium
	missing_pkgs fonts-noto-cjk
}

# missing_pkgs PKG... prints those not installed.
missing_pkgs() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || echo "$p"
	done
}

# ensure_deps NEED... installs whatever those need_* functions report missing.
ensure_deps() {
	local need pkgs=()
	for need in "$@"; do
		# shellcheck disable=SC2207 # package names have no spaces
		pkgs+=($("$need"))
	done
	[ "${#pkgs[@]}" -gt 0 ] || return 0

	section "installing ${pkgs[*]}"
	local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -y
		-o DPkg::Lock::Timeout=300 -o Acquire::Retries=3 -o Dpkg::Use-Pty=0)
	# A broken third-party source shouldn't stop us if Debian's lists came through.
	as_root "${apt[@]}" update || warn "apt-get update failed; trying the install anyway"
	as_root "${apt[@]}" install --no-install-recommends \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${pkgs[@]}"

	# Where invoke-rc.d lets it, installing postgresql starts Debian's brand-new
	# (unused) cluster on 5432; stop it so our tuned test cluster can have the
	# port. Only clusters this very install created can be running here.
	if [[ " ${pkgs[*]} " == *" postgresql "* ]] && command -v pg_lsclusters >/dev/null; then
		pg_lsclusters --no-header | while read -r ver name _port status _; do
			if [ "$status" = online ]; then as_root pg_ctlcluster "$ver" "$name" stop; fi
		done
	fi

	# Likewise Debian's dovecot service: the tests run their own instance, and
	# a system one left on 143/993 would only be in the way.
	if [[ " ${pkgs[*]} " == *" dovecot-imapd "* ]] && [ -f /run/dovecot/master.pid ]; then
		as_root doveadm stop 2>/dev/null || true
	fi
	return 0
}
