#!/usr/bin/env bash
# Captures the profiles in captures/ from the built-in rules' fixtures with Go 1.27:
#
#   bash testdata/builtin/capture.sh
#
#   captures/stdlib-{leaky,healthy}/      stdlib/ (a sql.DB and Transports per request, or
#   captures/stdlib-early/                one per process; early: the leak after only 6
#   captures/libraries-{leaky,healthy}/   requests); libraries/ (the replicas)
#       goroutine.pb.gz  goroutine.debug2.txt.gz  goroutineleak.pb.gz
#   captures/stdlib-go1.26-healthy/       stdlib/ built with Go 1.26, whose net/http still
#       goroutine.pb.gz  goroutine.debug2.txt.gz   bundles HTTP/2 as http2serverConn
#   captures/testing/                     stdlib's subtest_test.go, from inside a subtest
#       goroutine.pb.gz  goroutine.debug2.txt
#
# Go 1.27 and 1.26 come from ../install-go.sh (bash testdata/install-go.sh 1.27 1.26). No
# network: the libraries are replicas wired in by replace directives. Each
# program settles before it says "ready"; the whole run takes well under a
# minute.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off

die() { echo "capture.sh: $*" >&2; exit 1; }

GO=$(bash "$HERE/../install-go.sh" --path 1.27)
[ -x "$GO" ] || die "no Go 1.27 at $GO; run: bash testdata/install-go.sh 1.27"
GO126=$(bash "$HERE/../install-go.sh" --path 1.26)
[ -x "$GO126" ] || die "no Go 1.26 at $GO126; run: bash testdata/install-go.sh 1.26"

TMP=$(mktemp -d /tmp/leakprof-builtin.XXXXXX)
PID=
cleanup() {
	if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
	rm -rf "$TMP"
}
trap cleanup EXIT

(cd "$HERE/stdlib" && "$GO" vet . && "$GO" build -buildvcs=false -o "$TMP/stdlib" .)
(cd "$HERE/libraries" && "$GO" vet . && "$GO" build -buildvcs=false -o "$TMP/libraries" .)
(cd "$HERE/stdlib" && "$GO126" build -buildvcs=false -o "$TMP/stdlib-go1.26" .)

OUT="$TMP/captures"
mkdir -p "$OUT"
"$GO" version >"$OUT/go-version.txt"
"$GO126" version >>"$OUT/go-version.txt"

# capture PROGRAM MODE NAME [ARGS...]: runs the program, waits for "ready", fetches its
# profiles into captures/PROGRAM-NAME.
capture() {
	local program=$1 mode=$2 dir="$OUT/$1-$3"
	shift 3
	mkdir -p "$dir"
	"$TMP/$program" -mode "$mode" "$@" >"$TMP/stdout" 2>"$TMP/stderr" &
	PID=$!
	for _ in $(seq 1 600); do
		grep -qx ready "$TMP/stdout" 2>/dev/null && break
		kill -0 "$PID" 2>/dev/null || { cat "$TMP/stderr" >&2; die "$program exited before ready"; }
		sleep 0.2
	done
	grep -qx ready "$TMP/stdout" || die "$program not ready after 120s"
	local base
	base=$(sed -n 's/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$TMP/stdout")
	fetch() { curl -sS --fail --max-time 600 -o "$2" "$base$1" || die "GET $1 failed"; }
	fetch /debug/pprof/goroutine "$dir/goroutine.pb.gz"
	fetch '/debug/pprof/goroutine?debug=2' "$dir/goroutine.debug2.txt"
	# Go 1.26 serves goroutineleak only when built with GOEXPERIMENT=goroutineleakprofile.
	case "$program" in
	*go1.26) ;;
	*) fetch /debug/pprof/goroutineleak "$dir/goroutineleak.pb.gz" ;;
	esac
	gzip -9n "$dir/goroutine.debug2.txt"
	gzip -t "$dir"/*.pb.gz || die "a profile is not gzip"
	kill "$PID"
	wait "$PID" 2>/dev/null || true
	PID=
	echo "capture.sh: $program -mode $mode: $(gzip -dc "$dir/goroutine.debug2.txt.gz" | grep -c '^goroutine [0-9]') goroutines" >&2
}

capture stdlib leaky leaky
capture stdlib leaky early -requests 6
capture stdlib healthy healthy
capture stdlib-go1.26 healthy healthy
capture libraries leaky leaky
capture libraries healthy healthy

mkdir -p "$OUT/testing"
(cd "$HERE/stdlib" && BUILTIN_PROFILE_DIR="$OUT/testing" "$GO" test -count=1 -run '^TestParentWaits$' . >&2)
[ -s "$OUT/testing/goroutine.pb.gz" ] || die "the subtest wrote no profile"

rm -rf "$HERE/captures"
mv "$OUT" "$HERE/captures"
echo "capture.sh: -> testdata/builtin/captures" >&2
