# shellcheck shell=bash disable=SC2034
# Shared by scripts/run, scripts/test and scripts/install-deps. Source it, do not run it.
#
# Provides:
#   HOOKGATE_ROOT                  absolute path of the repository (works from any current directory)
#   HOOKGATE_BUILD_PACKAGES        Debian packages needed to build and run the server
#   HOOKGATE_TEST_PACKAGES         the same plus the peers the tests use
#   hookgate_install_packages PKG...   installs the missing ones (apt-get), nothing if all are present
#   hookgate_configure DIR ARGS...     cmake -G Ninja into DIR (recreates a cache made by another generator)
#   hookgate_test_node DIR             prints the path of a node >= 20 for the browser tests

HOOKGATE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# libssl-dev comes with libpoco-dev already; it is listed because the tests link OpenSSL::Crypto.
# ca-certificates provides the system CA bundle used to verify https endpoints and SMTP servers.
# libpq-dev: Poco's PostgreSQL connector needs its headers (the PostgreSQL store).
HOOKGATE_BUILD_PACKAGES=(g++ cmake ninja-build libpoco-dev libssl-dev libsqlite3-dev libpq-dev ca-certificates)
# postgresql-15: the tests start their own server (initdb in a temporary folder).
# chromium: the dashboard's browser tests (driven by playwright-core from npm).
# clang-14 with libFuzzer (libclang-rt-14-dev): the fuzz targets (scripts/fuzz).
HOOKGATE_FUZZ_PACKAGES=("${HOOKGATE_BUILD_PACKAGES[@]}" clang-14 libclang-rt-14-dev)
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

# The browser tests' node: playwright-core needs node >= 20, Debian 12 ships 18.
HOOKGATE_NODE_MAJOR=20
# From the npm registry (package node-linux-<arch>: the official binary), when the system's
# node is older. Pinned, and kept by version in the folder given to hookgate_test_node.
HOOKGATE_NODE_VERSION=20.20.2

# The major version of the node at "$1", or nothing if it does not run.
hookgate_node_major()
{
	local version
	version="$("$1" --version 2>/dev/null || true)"
	if [[ "$version" =~ ^v([0-9]+)\. ]]; then
		printf '%s\n' "${BASH_REMATCH[1]}"
	fi
}

# Prints the path of a node >= HOOKGATE_NODE_MAJOR: the one on PATH when it is new enough,
# else HOOKGATE_NODE_VERSION installed with npm into DIR/node-<version>/ (once; kept there).
# Fails with the reason when neither can be had.
hookgate_test_node()
{
	local tools="$1" system major arch folder node
	system="$(command -v node || true)"
	if [[ -n "$system" ]]; then
		major="$(hookgate_node_major "$system")"
		if [[ -n "$major" ]] && ((major >= HOOKGATE_NODE_MAJOR)); then
			printf '%s\n' "$system"
			return 0
		fi
	fi
	case "$(uname -m)" in
		x86_64) arch=x64 ;;
		aarch64) arch=arm64 ;;
		*)
			hookgate_log "node ${major:-?} at ${system:-nowhere} is older than $HOOKGATE_NODE_MAJOR, and npm has no node for $(uname -m); install node >= $HOOKGATE_NODE_MAJOR"
			return 1
			;;
	esac
	folder="$tools/node-$HOOKGATE_NODE_VERSION"
	node="$folder/node_modules/node-linux-$arch/bin/node"
	if [[ "$(hookgate_node_major "$node")" != "${HOOKGATE_NODE_VERSION%%.*}" ]]; then
		hookgate_log "node ${major:-?} at ${system:-nowhere} is older than the browser tests need ($HOOKGATE_NODE_MAJOR); installing node $HOOKGATE_NODE_VERSION from npm into $folder"
		rm -rf "$folder"
		mkdir -p "$folder"
		if ! npm install --prefix "$folder" --no-save --no-package-lock --no-audit --no-fund \
			"node-linux-$arch@$HOOKGATE_NODE_VERSION" >&2; then
			hookgate_log "could not install node $HOOKGATE_NODE_VERSION from npm (node-linux-$arch); install node >= $HOOKGATE_NODE_MAJOR"
			return 1
		fi
	fi
	major="$(hookgate_node_major "$node")"
	if [[ -z "$major" ]] || ((major < HOOKGATE_NODE_MAJOR)); then
		hookgate_log "$node does not run as node >= $HOOKGATE_NODE_MAJOR ($("$node" --version 2>&1 | head -n 1)); install node >= $HOOKGATE_NODE_MAJOR"
		return 1
	fi
	printf '%s\n' "$node"
}
