#!/usr/bin/env bash
# Captures the bound-verification fixtures in testdata/bounds/captures/ from the program
# here (Go 1.27, standard library only): the goroutine profile (debug=0), the goroutineleak
# profile, and the debug=2 dump whose (leaked) markers say what the GC proved.
#
#   bash testdata/bounds/capture.sh      (a few seconds)
#
# Toolchain: bash testdata/install-go.sh 1.27.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off

die() { echo "capture.sh: $*" >&2; exit 1; }

TMP=$(mktemp -d /tmp/leakprof-bounds.XXXXXX)
PID=
cleanup() {
	if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
	rm -rf "$TMP"
}
trap cleanup EXIT

GO=$(bash "$HERE/../install-go.sh" --path 1.27)
[ -x "$GO" ] || die "no Go 1.27 at $GO; run: bash testdata/install-go.sh 1.27"
(cd "$HERE" && "$GO" build -o "$TMP/bounds" .) || die "build failed"

"$TMP/bounds" >"$TMP/out" 2>"$TMP/err" &
PID=$!
for i in $(seq 1 600); do
	grep -qx ready "$TMP/out" 2>/dev/null && break
	kill -0 "$PID" 2>/dev/null || { cat "$TMP/err" >&2; die "exited before ready"; }
	sleep 0.05
done
grep -qx ready "$TMP/out" || die "not ready after 30 s"
BASE=$(sed -n 's/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$TMP/out")

mkdir -p "$TMP/captures"
fetch() { curl -sS --fail --max-time 60 -o "$TMP/captures/$2" "$BASE$1" || die "GET $1 failed"; }
fetch /debug/pprof/goroutine goroutine.pb.gz
fetch /debug/pprof/goroutineleak goroutineleak.pb.gz
fetch '/debug/pprof/goroutine?debug=2' goroutine.debug2.txt
grep -q '(leaked)' "$TMP/captures/goroutine.debug2.txt" || die "no (leaked) marker in the debug=2 dump"
"$GO" version >"$TMP/captures/go-version.txt"
rm -rf "$HERE/captures"
mv "$TMP/captures" "$HERE/captures"
echo "capture.sh: wrote $HERE/captures" >&2
