# shellcheck shell=bash disable=SC2034
# Shared by scripts/run, scripts/test and scripts/install-deps. Source it, do not run it.
#
# Provides:
#   HOOKGATE_ROOT                  absolute path of the repository (works from any current directory)
#   HOOKGATE_BUILD_PACKAGES        Debian packages needed to build and run the server
#   HOOKGATE_TEST_PACKAGES         the same plus the peers the tests use
#   hookgate_install_packages PKG...   installs the missing ones (apt-get), nothing if all are present
#   hookgate_configure DIR ARGS...     cmake -G Ninja into DIR (recreates a cache made by another generator)

HOOKGATE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# libssl-dev comes with libpoco-dev already; it is listed because the tests link OpenSSL::Crypto.
# ca-certificates provides the system CA bundle used to verify https endpoints and SMTP servers.
# libpq-dev: Poco's PostgreSQL connector needs its headers (the PostgreSQL store).
HOOKGATE_BUILD_PACKAGES=(g++ cmake ninja-build libpoco-dev libssl-dev libsqlite3-dev libpq-dev ca-certificates)
# postgresql-15: the tests start their own server (initdb in a temporary folder).
# chromium: the dashboard's browser tests (driven by playwright-core from npm).
HOOKGATE_TEST_PACKAGES=("${HOOKGATE_BUILD_PACKAGES[@]}" catch2 python3-aiosmtpd openssl curl
	postgresql-15 chromium)

hookgate_log()
{
	printf 'hookgate: %s\n' "$*" >&2
}

# Prints the packages among "$@" that are not installed (one per line).
hookgate_missing_packages()
{
	local package status
	for package in "$@"; do
		status="$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)"
		if [[ "$status" != "installed" ]]; then
			printf '%s\n' "$package"
		fi
	done
}

hookgate_install_packages()
{
	local -a missing=()
	local -a sudo=()
	mapfile -t missing < <(hookgate_missing_packages "$@")
	if ((${#missing[@]} == 0)); then
		return 0
	fi
	if ((EUID != 0)); then
		if command -v sudo >/dev/null 2>&1; then
			sudo=(sudo)
		else
			hookgate_log "missing Debian packages: ${missing[*]}; run as root or install them first"
			return 1
		fi
	fi
	hookgate_log "installing missing Debian packages: ${missing[*]}"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update </dev/null
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends "${missing[@]}" </dev/null
}

hookgate_configure()
{
	local dir="$1"
	shift
	local cache="$dir/CMakeCache.txt"
	# A build folder made with another generator (e.g. Unix Makefiles) cannot be reused with Ninja.
	if [[ -f "$cache" ]] && ! grep -qx 'CMAKE_GENERATOR:INTERNAL=Ninja' "$cache"; then
		hookgate_log "$dir was configured with another generator; recreating its CMake cache"
		rm -rf "$cache" "$dir/CMakeFiles"
	fi
	cmake -S "$HOOKGATE_ROOT" -B "$dir" -G Ninja "$@"
}
