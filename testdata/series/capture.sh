#!/usr/bin/env bash
# Captures the time-series fixtures in testdata/series/captures/ from the
# fixture program in testdata/series/service/ (Go 1.27, standard library only).
#
#   bash testdata/series/capture.sh     all of timeline/ fleet/ leak-moment/ sizes/ (~50 s)
#
# Toolchain: bash testdata/install-go.sh 1.27. Every capture is checked
# (gzip, pprof parses, expected counts move the expected way) and written to
# a temporary directory first; captures/ is replaced only when all are good.
# Every instance started here is killed on exit, whatever happens.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off

[ $# -eq 0 ] || { echo "usage: capture.sh" >&2; exit 2; }

die() { echo "capture.sh: $*" >&2; exit 1; }
log() { echo "capture.sh: $*" >&2; }

TMP=$(mktemp -d /tmp/leakprof-series.XXXXXX)
PIDS=()
cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

GO=$(bash "$HERE/../install-go.sh" --path 1.27)
[ -x "$GO" ] || die "no Go 1.27 at $GO; run: bash testdata/install-go.sh 1.27"

now_us() { echo "${EPOCHREALTIME//[^0-9]/}"; }

sleep_until() { # sleep_until MICROSECONDS (EPOCHREALTIME clock)
	local d=$(($1 - $(now_us)))
	[ "$d" -le 0 ] || sleep "$(printf '%d.%06d' $((d / 1000000)) $((d % 1000000)))"
}

# start NAME ARGS...: runs the service and waits for "ready"; sets
# BASE_<NAME> (http://ADDR) and READY_<NAME> (microseconds, EPOCHREALTIME).
start() {
	local name=$1 out=$TMP/run-$1 pid i base
	shift
	"$TMP/service" "$@" >"$out.stdout" 2>"$out.stderr" &
	pid=$!
	PIDS+=("$pid")
	for i in $(seq 1 1500); do
		grep -qx ready "$out.stdout" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || { cat "$out.stderr" >&2; die "instance $name exited before ready"; }
		sleep 0.02
	done
	grep -qx ready "$out.stdout" || die "instance $name not ready after 30s"
	printf -v "READY_$name" %s "$(now_us)"
	base=$(sed -n 's/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$out.stdout")
	[ -n "$base" ] || die "instance $name printed no address"
	printf -v "BASE_$name" %s "$base"
}

stop_all() {
	local pid
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	PIDS=()
}

fetch() { # fetch NAME PATH FILE
	local base=BASE_$1
	mkdir -p "$(dirname "$3")"
	curl -sS --fail --max-time 60 -o "$3" "${!base}$2" || die "instance $1: GET $2 failed"
	[ -s "$3" ] || die "instance $1: GET $2 returned nothing"
}

# counts FILE: "count<TAB>function" for every function of the service that
# is the innermost main.* frame of some goroutine, summed (go tool pprof -raw).
counts() {
	gzip -t "$1" 2>/dev/null || die "$1 is not gzip"
	"$GO" tool pprof -raw "$1" >"$TMP/raw.txt" 2>"$TMP/raw.err" ||
		die "go tool pprof -raw $1 failed: $(cat "$TMP/raw.err")"
	grep -q '^Samples:' "$TMP/raw.txt" || die "$1: no samples"
	awk '
		/^Samples:/ { sec = "s"; next }
		/^Locations/ { sec = "l"; next }
		/^Mappings/ { sec = "m"; next }
		sec == "s" && $1 ~ /^[0-9]+:$/ {
			n++; cnt[n] = $1 + 0; locs[n] = ""
			for (i = 2; i <= NF; i++) locs[n] = locs[n] " " $i
			next
		}
		sec == "l" {
			if ($1 ~ /^[0-9]+:$/) { id = $1 + 0; from = 2 } else from = 1
			for (i = from; i <= NF && !(id in fn); i++) if ($i ~ /^main\./) fn[id] = $i
		}
		END {
			for (s = 1; s <= n; s++) {
				k = split(locs[s], a, " "); f = ""
				for (i = 1; i <= k; i++) if (a[i] in fn) { f = fn[a[i]]; break }
				if (f != "") sum[f] += cnt[s]
			}
			for (f in sum) printf "%d\t%s\n", sum[f], f
		}' "$TMP/raw.txt"
}

count_of() { # count_of FILE FUNCTION: goroutines in FUNCTION (0 if none)
	counts "$1" | awk -v f="$2" -F '\t' '$2 == f { n = $1 } END { print n + 0 }'
}

expect_eq() { # expect_eq FILE FUNCTION WANT
	local got
	got=$(count_of "$1" "$2")
	[ "$got" = "$3" ] || die "${1#"$TMP"/}: $2 has $got goroutines, want $3"
}

check_background() { # check_background FILE WORKERS
	expect_eq "$1" main.poolWorker "$2"
	expect_eq "$1" main.signalWaiter 2
	expect_eq "$1" main.condWaiter 3
	expect_eq "$1" main.control 1
}

# check_series FILE...: the leak strictly grows, the drain strictly shrinks
# until it reaches 0 (then stays at 0)
check_series() {
	local f leak drain prev_leak=-1 prev_drain=-1
	for f in "$@"; do
		leak=$(count_of "$f" main.leakSend)
		drain=$(count_of "$f" main.drainWaiter)
		[ "$leak" -gt "$prev_leak" ] || die "${f#"$TMP"/}: leak $leak after $prev_leak, want growth"
		if [ "$prev_drain" -ge 0 ]; then
			[ "$drain" -lt "$prev_drain" ] || { [ "$drain" = 0 ] && [ "$prev_drain" = 0 ]; } ||
				die "${f#"$TMP"/}: drain $drain after $prev_drain, want shrinking"
		fi
		prev_leak=$leak prev_drain=$drain
		log "  ${f#"$TMP"/out/}: leakSend=$leak drainWaiter=$drain"
	done
}

OUT=$TMP/out
mkdir -p "$OUT"

(cd "$HERE/service" && "$GO" build -buildvcs=false -o "$TMP/service" .)
"$GO" version >"$OUT/go-version.txt"
"$GO" version -m "$TMP/service" | sed "s|$TMP/service|service|" >"$OUT/build-info.txt"

# Snapshots are taken OFFSET after "ready", off the 100 ms leak-tick grid.
OFFSET=650000

# 1. timeline/: one instance (default flags), 6 profiles 2 s apart
capture_timeline() {
	local i t
	start t
	t=$((READY_t + OFFSET))
	for i in 01 02 03 04 05 06; do
		sleep_until "$t"
		fetch t /debug/pprof/goroutine "$OUT/timeline/goroutine-$i.pb.gz"
		t=$((t + 2000000))
	done
	stop_all
	log "timeline:"
	for i in 01 02 03 04 05 06; do
		check_background "$OUT/timeline/goroutine-$i.pb.gz" 40
	done
	check_series "$OUT"/timeline/goroutine-0{1,2,3,4,5,6}.pb.gz
}

# 2. fleet/: three instances (-leak-batch 5, 10, 20), 3 rounds 2 s apart,
# plus a debug=2 dump of each right after round 3
capture_fleet() {
	local i x t
	start a -leak-batch 5
	start b -leak-batch 10
	start c -leak-batch 20
	t=$((READY_c + OFFSET))
	for i in 01 02 03; do
		sleep_until "$t"
		for x in a b c; do
			fetch "$x" /debug/pprof/goroutine "$OUT/fleet/instance-$x/goroutine-$i.pb.gz"
		done
		t=$((t + 2000000))
	done
	for x in a b c; do
		fetch "$x" '/debug/pprof/goroutine?debug=2' "$OUT/fleet/instance-$x/goroutine-03.debug2.txt"
	done
	stop_all
	log "fleet:"
	for x in a b c; do
		head -c 10 "$OUT/fleet/instance-$x/goroutine-03.debug2.txt" | grep -q '^goroutine ' ||
			die "fleet/instance-$x/goroutine-03.debug2.txt is not a debug=2 dump"
		grep -q '^main\.leakSend(' "$OUT/fleet/instance-$x/goroutine-03.debug2.txt" ||
			die "fleet/instance-$x/goroutine-03.debug2.txt has no main.leakSend"
		for i in 01 02 03; do
			check_background "$OUT/fleet/instance-$x/goroutine-$i.pb.gz" 40
		done
		check_series "$OUT"/fleet/instance-$x/goroutine-0{1,2,3}.pb.gz
	done
}

# 3. leak-moment/: goroutineleak, then immediately goroutine, from one
# instance (default flags) ~3 s after ready. A leak tick (every 100 ms) can
# fall between the two requests (~10-20 ms apart); then both are fetched again
# ~1.04 s later, at another phase of the tick, until they agree.
capture_leak_moment() {
	local try t leaked all dir=$OUT/leak-moment
	start m
	t=$((READY_m + 3000000 + OFFSET))
	for try in 1 2 3 4 5 6 7 8; do
		sleep_until "$t"
		fetch m /debug/pprof/goroutineleak "$dir/goroutineleak.pb.gz"
		fetch m /debug/pprof/goroutine "$dir/goroutine.pb.gz"
		leaked=$(count_of "$dir/goroutineleak.pb.gz" main.leakSend)
		all=$(count_of "$dir/goroutine.pb.gz" main.leakSend)
		[ "$leaked" -gt 0 ] || die "leak-moment: goroutineleak reports no main.leakSend"
		[ "$leaked" != "$all" ] || break
		log "leak-moment: try $try: goroutineleak $leaked != goroutine $all, again"
		t=$((t + 1037000))
	done
	stop_all
	[ "$leaked" = "$all" ] || die "leak-moment: the two profiles never agreed"
	[ "$(counts "$dir/goroutineleak.pb.gz" | wc -l)" = 1 ] ||
		die "leak-moment: goroutineleak reports more than main.leakSend: $(counts "$dir/goroutineleak.pb.gz" | tr '\n' ' ')"
	check_background "$dir/goroutine.pb.gz" 40
	log "leak-moment: main.leakSend $leaked in both"
}

# 4. sizes/: a tiny instance and a large one, for adaptive thresholds
capture_sizes() {
	local n
	start s -workers 3 -leak-batch 1 -leak-every 500ms -drain 0
	start l -workers 400 -leak-batch 50 -leak-every 50ms -drain 300
	sleep_until $((READY_l + 4025000))
	fetch l /debug/pprof/goroutine "$OUT/sizes/large.pb.gz"
	sleep_until $((READY_s + 6250000))
	fetch s /debug/pprof/goroutine "$OUT/sizes/small.pb.gz"
	stop_all
	check_background "$OUT/sizes/small.pb.gz" 3
	check_background "$OUT/sizes/large.pb.gz" 400
	expect_eq "$OUT/sizes/small.pb.gz" main.drainWaiter 0
	n=$(count_of "$OUT/sizes/small.pb.gz" main.leakSend)
	[ "$n" -ge 10 ] && [ "$n" -le 13 ] || die "sizes/small.pb.gz: leak $n, want ~12"
	log "sizes: small leakSend=$n"
	n=$(count_of "$OUT/sizes/large.pb.gz" main.leakSend)
	[ "$n" -ge 3000 ] || die "sizes/large.pb.gz: leak $n, want thousands"
	log "sizes: large leakSend=$n drainWaiter=$(count_of "$OUT/sizes/large.pb.gz" main.drainWaiter)"
}

capture_timeline
capture_fleet
capture_leak_moment
capture_sizes

n=$(find "$OUT" -name '*.pb.gz' | wc -l)
[ "$n" = 19 ] || die "$n profiles captured, want 19"
n=$(find "$OUT" -name '*.debug2.txt' | wc -l)
[ "$n" = 3 ] || die "$n debug=2 dumps captured, want 3"
rm -rf "$HERE/captures"
mv "$OUT" "$HERE/captures"
log "done -> ${HERE#"$(cd "$HERE/../.." && pwd)"/}/captures"
