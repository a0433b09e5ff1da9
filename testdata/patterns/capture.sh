#!/usr/bin/env bash
# Captures the profiles in captures/ from the patterns program with Go 1.27:
#
#   bash testdata/patterns/capture.sh
#
# Go 1.27 comes from ../install-go.sh (bash testdata/install-go.sh 1.27). The
# program settles before it says "ready", so every capture holds the same
# goroutines: expected.tsv lists them.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off

die() { echo "capture.sh: $*" >&2; exit 1; }

GO=$(bash "$HERE/../install-go.sh" --path 1.27)
[ -x "$GO" ] || die "no Go 1.27 at $GO; run: bash testdata/install-go.sh 1.27"

TMP=$(mktemp -d /tmp/leakprof-patterns.XXXXXX)
PID=
cleanup() {
	if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
	rm -rf "$TMP"
}
trap cleanup EXIT

(cd "$HERE" && "$GO" build -buildvcs=false -o "$TMP/patterns" .)
"$TMP/patterns" -addr 127.0.0.1:0 >"$TMP/stdout" 2>"$TMP/stderr" &
PID=$!
for _ in $(seq 1 600); do
	grep -qx ready "$TMP/stdout" 2>/dev/null && break
	kill -0 "$PID" 2>/dev/null || { cat "$TMP/stderr" >&2; die "the program exited before ready"; }
	sleep 0.2
done
grep -qx ready "$TMP/stdout" || die "not ready after 120s"
BASE=$(sed -n 's/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$TMP/stdout")

fetch() { curl -sS --fail --max-time 600 -o "$2" "$BASE$1" || die "GET $1 failed"; }

OUT="$TMP/captures"
mkdir -p "$OUT"
"$GO" version >"$OUT/go-version.txt"
fetch /debug/pprof/goroutine "$OUT/goroutine.pb.gz"
fetch '/debug/pprof/goroutine?debug=1' "$OUT/goroutine.debug1.txt"
fetch '/debug/pprof/goroutine?debug=2' "$OUT/goroutine.debug2.txt"
fetch /debug/pprof/goroutineleak "$OUT/goroutineleak.pb.gz"
gzip -t "$OUT/goroutine.pb.gz" "$OUT/goroutineleak.pb.gz" || die "a profile is not gzip"
grep -q '^goroutine profile: total ' "$OUT/goroutine.debug1.txt" || die "bad debug=1"
grep -q '^goroutine [0-9]' "$OUT/goroutine.debug2.txt" || die "bad debug=2"
rm -rf "$HERE/captures"
mv "$OUT" "$HERE/captures"
echo "capture.sh: $(grep -c '^goroutine [0-9]' "$HERE/captures/goroutine.debug2.txt") goroutines -> testdata/patterns/captures" >&2
