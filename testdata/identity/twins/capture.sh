#!/usr/bin/env bash
# Captures testdata/identity/twins/captures/: the twins program (Go 1.27, standard library
# only) run twice, its goroutines blocked at the second of two identical sends only, then at
# both; one pprof profile of each run.
#
#   bash testdata/identity/twins/capture.sh      (~5 s)
#
# Toolchain: bash testdata/install-go.sh 1.27. Captures go to a temporary folder first and
# replace captures/ only when both are good; every process started is killed on exit.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off

[ $# -eq 0 ] || { echo "usage: capture.sh" >&2; exit 2; }

die() { echo "capture.sh: $*" >&2; exit 1; }

TMP=$(mktemp -d /tmp/leakprof-twins.XXXXXX)
PID=
cleanup() {
	[ -z "$PID" ] || { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

GO=$(bash "$HERE/../../install-go.sh" --path 1.27)
[ -x "$GO" ] || die "no Go 1.27 at $GO; run: bash testdata/install-go.sh 1.27"
(cd "$HERE" && "$GO" build -o "$TMP/twins" .) || die "build failed"

# run BLOCK: runs the program with -block BLOCK and fetches one profile into
# $TMP/captures/BLOCK.pb.gz.
run() {
	local block=$1 out=$TMP/run-$1 i base
	"$TMP/twins" -block "$block" >"$out.stdout" 2>"$out.stderr" &
	PID=$!
	for i in $(seq 1 1500); do
		grep -qx ready "$out.stdout" 2>/dev/null && break
		kill -0 "$PID" 2>/dev/null || { cat "$out.stderr" >&2; die "$block: exited before ready"; }
		sleep 0.02
	done
	grep -qx ready "$out.stdout" || die "$block: not ready after 30 s"
	base=$(sed -n 's/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$out.stdout")
	[ -n "$base" ] || die "$block: printed no address"
	mkdir -p "$TMP/captures"
	curl -sS --fail --max-time 60 -o "$TMP/captures/$block.pb.gz" "$base/debug/pprof/goroutine" ||
		die "$block: fetch failed"
	gzip -t "$TMP/captures/$block.pb.gz" || die "$block: the profile is not gzip"
	kill "$PID"
	wait "$PID" 2>/dev/null || true
	PID=
}

run second
run both
"$GO" version >"$TMP/captures/go-version.txt"
rm -rf "$HERE/captures"
mv "$TMP/captures" "$HERE/captures"
echo "capture.sh: wrote $HERE/captures" >&2
