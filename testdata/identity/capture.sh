#!/usr/bin/env bash
# Captures the identity fixtures in testdata/identity/captures/ from the series service
# (testdata/series/service, Go 1.27, standard library only), built three ways:
#
#   plain/      built in place, no -trimpath: frames carry this checkout's absolute paths;
#               leaks 10 goroutines every 100 ms
#   trimpath/   built with -trimpath from a copy in another folder: frames carry module
#               paths (example.com/service/patterns.go); runs with -leak-batch 0, so it
#               does not leak
#   commented/  built from a copy whose patterns.go is commented/patterns.go here: the same
#               code with comments and blank lines added around the blocking lines (which
#               moves them); leaks like plain
#
# Each instance is profiled three times, two seconds apart, into files named the way
# `leakprof collect` names them (goroutine-YYYYMMDDTHHMMSSZ.pb.gz), one folder per instance.
#
#   bash testdata/identity/capture.sh      (~25 s)
#
# Toolchain: bash testdata/install-go.sh 1.27. Captures go to a temporary folder first and
# replace captures/ only when every one is good; every process started is killed on exit.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SERVICE=$(cd "$HERE/../series/service" && pwd)
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off

[ $# -eq 0 ] || { echo "usage: capture.sh" >&2; exit 2; }

die() { echo "capture.sh: $*" >&2; exit 1; }

TMP=$(mktemp -d /tmp/leakprof-identity.XXXXXX)
PIDS=()
cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

GO=$(bash "$HERE/../install-go.sh" --path 1.27)
[ -x "$GO" ] || die "no Go 1.27 at $GO; run: bash testdata/install-go.sh 1.27"

# Three builds of one revision.
(cd "$SERVICE" && "$GO" build -o "$TMP/plain" .) || die "plain build failed"
mkdir -p "$TMP/elsewhere" "$TMP/variant"
cp -r "$SERVICE" "$TMP/elsewhere/service"
(cd "$TMP/elsewhere/service" && "$GO" build -trimpath -o "$TMP/trimpath" .) || die "-trimpath build failed"
cp -r "$SERVICE" "$TMP/variant/service"
cp "$HERE/commented/patterns.go" "$TMP/variant/service/patterns.go"
(cd "$TMP/variant/service" && "$GO" build -o "$TMP/commented" .) || die "commented build failed"

# run NAME ARGS...: starts build NAME, waits for "ready", takes three profiles two seconds
# apart into $TMP/captures/NAME/.
run() {
	local name=$1 out=$TMP/run-$1 pid i base stamp
	shift
	"$TMP/$name" "$@" >"$out.stdout" 2>"$out.stderr" &
	pid=$!
	PIDS+=("$pid")
	for i in $(seq 1 1500); do
		grep -qx ready "$out.stdout" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || { cat "$out.stderr" >&2; die "$name exited before ready"; }
		sleep 0.02
	done
	grep -qx ready "$out.stdout" || die "$name not ready after 30 s"
	base=$(sed -n 's/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$out.stdout")
	[ -n "$base" ] || die "$name printed no address"
	mkdir -p "$TMP/captures/$name"
	for i in 1 2 3; do
		sleep 2
		stamp=$(date -u +%Y%m%dT%H%M%SZ)
		curl -sS --fail --max-time 60 -o "$TMP/captures/$name/goroutine-$stamp.pb.gz" \
			"$base/debug/pprof/goroutine" || die "$name: fetch $i failed"
		gzip -t "$TMP/captures/$name/goroutine-$stamp.pb.gz" || die "$name: fetch $i is not gzip"
	done
	kill "$pid"
	wait "$pid" 2>/dev/null || true
}

# No drain: its goroutines would shrink under the identity being tested.
run plain -drain 0
run trimpath -drain 0 -leak-batch 0
run commented -drain 0

for name in plain trimpath commented; do
	[ "$(ls "$TMP/captures/$name" | wc -l)" -eq 3 ] || die "$name: want 3 profiles"
done
"$GO" version >"$TMP/captures/go-version.txt"
rm -rf "$HERE/captures"
mv "$TMP/captures" "$HERE/captures"
echo "capture.sh: wrote $HERE/captures" >&2
