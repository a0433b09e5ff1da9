#!/usr/bin/env bash
# Captures real goroutine profiles and dumps from the fixture programs.
#
#   bash testdata/capture.sh          profiles/, dumps/ and waits/captures/ (a few minutes)
#   bash testdata/capture.sh --huge   also dumps/truncated-64MiB.* (slow)
#   bash testdata/capture.sh --only-huge
#   bash testdata/capture.sh --only-waits   waits/captures/ alone (about 70 s)
#
# Toolchains come from install-go.sh (run `bash testdata/install-go.sh` first).
# Every program runs with GODEBUG=tracebacklabels=1: the fixture's go.mod says
# `go 1.19`, which would otherwise turn 1.27's label printing in tracebacks off.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VERSIONS=(1.19 1.21 1.23 1.26 1.27)
DUMP_VERSIONS=(1.27 1.19)
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off
export GODEBUG=tracebacklabels=1

huge=0 normal=1 waits=1
for arg in "$@"; do
	case "$arg" in
	--huge) huge=1 ;;
	--only-huge) huge=1 normal=0 waits=0 ;;
	--only-waits) normal=0 waits=1 ;;
	*) echo "usage: capture.sh [--huge|--only-huge|--only-waits]" >&2; exit 2 ;;
	esac
done

die() { echo "capture.sh: $*" >&2; exit 1; }
log() { echo "capture.sh: $*" >&2; }

TMP=$(mktemp -d /tmp/leakprof-capture.XXXXXX)
PID=
cleanup() {
	if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
	rm -rf "$TMP"
}
trap cleanup EXIT

gobin() {
	local bin
	bin=$(bash "$HERE/install-go.sh" --path "$1")
	[ -x "$bin" ] || die "no Go $1 at $bin; run: bash testdata/install-go.sh $1"
	echo "$bin"
}

# leak_experiment GO: prints "none" if the toolchain has no goroutineleak
# profile, "" if it is always on, or the GOEXPERIMENT that enables it.
leak_experiment() {
	local src
	src="$("$1" env GOROOT)/src/runtime/pprof/pprof.go"
	if ! grep -q '"goroutineleak"' "$src"; then
		echo none
	elif grep -q 'goexperiment.GoroutineLeakProfile' "$src"; then
		echo goroutineleakprofile
	fi
}

# start BINARY OUTDIR ARGS...: runs the program and waits for "ready";
# sets PID and BASE (http://ADDR).
start() {
	local bin=$1 out=$2
	shift 2
	"$bin" "$@" >"$out.stdout" 2>"$out.stderr" &
	PID=$!
	local i
	for i in $(seq 1 600); do
		grep -qx ready "$out.stdout" 2>/dev/null && break
		kill -0 "$PID" 2>/dev/null || { cat "$out.stderr" >&2; die "$bin exited before ready"; }
		sleep 0.2
	done
	grep -qx ready "$out.stdout" || die "$bin not ready after 120s"
	BASE=$(sed -n 's/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$out.stdout")
	[ -n "$BASE" ] || die "$bin printed no address"
}

stop() {
	kill "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	PID=
}

fetch() { # fetch PATH FILE
	curl -sS --fail --max-time 600 -o "$2" "$BASE$1" || die "GET $1 failed"
}

check_gz() {
	gzip -t "$1" 2>/dev/null || die "$1 is not gzip"
}

check_prefix() { # check_prefix FILE PREFIX
	[ -s "$1" ] || die "$1 is empty"
	head -c "${#2}" "$1" | grep -qF -- "$2" || die "$1 does not start with '$2'"
}

# capture_profiles VERSION OUTDIR [trimpath]
capture_profiles() {
	local v=$1 out=$2 trim=${3:-} go exp bin src work
	go=$(gobin "$v")
	exp=$(leak_experiment "$go")
	work=$(mktemp -d "$TMP/go$v.XXXXXX")
	src="$HERE/leaky"
	local flags=()
	if [ -n "$trim" ]; then
		# a copy in another folder, so absolute paths would differ
		cp -r "$HERE/leaky" "$work/src"
		src="$work/src"
		flags=(-trimpath)
	fi
	bin="$work/leaky"
	if [ "$exp" = none ] || [ -z "$exp" ]; then
		(cd "$src" && "$go" build -buildvcs=false "${flags[@]}" -o "$bin" .)
	else
		(cd "$src" && GOEXPERIMENT="$exp" "$go" build -buildvcs=false "${flags[@]}" -o "$bin" .)
	fi
	local new="$work/out"
	mkdir -p "$new"
	"$go" version >"$new/go-version.txt"
	"$go" version -m "$bin" | sed "s|$work/leaky|leaky|" >"$new/build-info.txt"

	start "$bin" "$work/run"
	fetch /debug/pprof/goroutine "$new/goroutine.pb.gz"
	check_gz "$new/goroutine.pb.gz"
	if [ -z "$trim" ]; then
		fetch '/debug/pprof/goroutine?debug=1' "$new/goroutine.debug1.txt"
		check_prefix "$new/goroutine.debug1.txt" "goroutine profile: total "
	fi
	fetch '/debug/pprof/goroutine?debug=2' "$new/goroutine.debug2.txt"
	check_prefix "$new/goroutine.debug2.txt" "goroutine "
	if [ "$exp" != none ] && [ -z "$trim" ]; then
		fetch /debug/pprof/goroutineleak "$new/goroutineleak.pb.gz"
		check_gz "$new/goroutineleak.pb.gz"
		fetch '/debug/pprof/goroutineleak?debug=1' "$new/goroutineleak.debug1.txt"
		check_prefix "$new/goroutineleak.debug1.txt" "goroutineleak profile: total "
		# leaked goroutines stay marked until the next leak-detection GC
		fetch '/debug/pprof/goroutine?debug=2' "$new/goroutine-after-leak.debug2.txt"
		grep -q ' (leaked)' "$new/goroutine-after-leak.debug2.txt" ||
			die "no (leaked) marker in $new/goroutine-after-leak.debug2.txt"
	fi
	stop
	local total
	total=$(grep -c '^goroutine [0-9]' "$new/goroutine.debug2.txt")
	[ "$total" -ge 1789 ] || die "go$v: only $total goroutines in debug=2"
	rm -rf "$out"
	mkdir -p "$(dirname "$out")"
	mv "$new" "$out"
	log "go$v${trim:+ (trimpath)}: $total goroutines -> ${out#"$HERE"/}"
}

# capture_dumps VERSION: SIGQUIT dump, panic dump and (1.27) test timeout dump
capture_dumps() {
	local v=$1 go work bin out=$HERE/dumps
	go=$(gobin "$v")
	work=$(mktemp -d "$TMP/dump$v.XXXXXX")
	bin="$work/leaky"
	(cd "$HERE/leaky" && "$go" build -buildvcs=false -o "$bin" .)
	mkdir -p "$out"

	start "$bin" "$work/quit"
	kill -QUIT "$PID"
	wait "$PID" 2>/dev/null || true
	PID=
	grep -q '^SIGQUIT: quit' "$work/quit.stderr" || die "go$v: no SIGQUIT dump"
	cp "$work/quit.stderr" "$out/sigquit-go$v.txt"

	if [ "$v" = 1.27 ]; then
		local rc=0
		GOTRACEBACK=all "$bin" -panic >"$work/panic.stdout" 2>"$work/panic.stderr" || rc=$?
		[ "$rc" = 2 ] || die "go$v -panic exited $rc, want 2"
		grep -q '^panic: leaky: panic requested' "$work/panic.stderr" || die "go$v: no panic dump"
		cp "$work/panic.stderr" "$out/panic-go$v.txt"

		rc=0
		(cd "$HERE/leaky" && "$go" test -count=1 -timeout 2s .) >"$work/test.out" 2>&1 || rc=$?
		[ "$rc" != 0 ] || die "go$v test did not time out"
		grep -q '^panic: test timed out after 2s' "$work/test.out" || die "go$v: no test timeout dump"
		cp "$work/test.out" "$out/testtimeout-go$v.txt"
	fi
	log "go$v: dumps -> ${out#"$HERE"/}"
}

# capture_huge: a debug=2 dump that runtime/pprof cuts at 64 MiB
capture_huge() {
	local go work bin out=$HERE/dumps size
	go=$(gobin 1.27)
	work=$(mktemp -d "$TMP/huge.XXXXXX")
	bin="$work/huge"
	(cd "$HERE/huge" && "$go" build -buildvcs=false -o "$bin" .)
	mkdir -p "$out"
	start "$bin" "$work/run"
	fetch /debug/pprof/goroutine "$work/goroutine.pb.gz"
	check_gz "$work/goroutine.pb.gz"
	fetch '/debug/pprof/goroutine?debug=2' "$work/debug2.txt"
	stop
	size=$(stat -c %s "$work/debug2.txt")
	[ "$size" = $((64 << 20)) ] || die "huge debug=2 is $size bytes, want exactly 64 MiB"
	gzip -9 -n -c "$work/debug2.txt" >"$out/truncated-64MiB.debug2.txt.gz"
	cp "$work/goroutine.pb.gz" "$out/truncated-64MiB.goroutine.pb.gz"
	log "huge: $size bytes -> ${out#"$HERE"/}/truncated-64MiB.debug2.txt.gz"
}

# capture_waits: testdata/waits in its two phases (see waits/main.go). The late
# snapshot comes more than a minute after each phase's garbage collection, so
# its debug=2 headers say ", 1 minutes"; the early one has no minutes.
capture_waits() {
	local go work bin out=$HERE/waits/captures new ready advanced format
	go=$(gobin 1.27)
	work=$(mktemp -d "$TMP/waits.XXXXXX")
	bin="$work/waits"
	(cd "$HERE/waits" && "$go" build -buildvcs=false -o "$bin" .)
	new="$work/out"
	mkdir -p "$new"
	"$go" version >"$new/go-version.txt"
	"$go" version -m "$bin" | sed "s|$work/waits|waits|" >"$new/build-info.txt"

	start "$bin" "$work/run"
	ready=$SECONDS
	fetch /debug/pprof/goroutine "$new/early.pb.gz"
	fetch '/debug/pprof/goroutine?debug=1' "$new/early.debug1.txt"
	fetch '/debug/pprof/goroutine?debug=2' "$new/early.debug2.txt"
	fetch /advance "$work/advance.txt"
	grep -qx advanced "$work/advance.txt" || die "waits: /advance said $(cat "$work/advance.txt")"
	advanced=$SECONDS
	log "waits: waiting a minute for the late snapshot"
	sleep $((advanced - ready + 62))
	fetch /debug/pprof/goroutine "$new/late.pb.gz"
	fetch '/debug/pprof/goroutine?debug=1' "$new/late.debug1.txt"
	fetch '/debug/pprof/goroutine?debug=2' "$new/late.debug2.txt"
	stop

	for format in early late; do
		check_gz "$new/$format.pb.gz"
		check_prefix "$new/$format.debug1.txt" "goroutine profile: total "
		check_prefix "$new/$format.debug2.txt" "goroutine "
	done
	! grep -q ' minutes[],]' "$new/early.debug2.txt" || die "waits: early.debug2.txt has waits of minutes"
	grep -q '^goroutine [0-9]* \[chan receive, 1 minutes\]' "$new/late.debug2.txt" ||
		die "waits: late.debug2.txt has no wait of 1 minute"
	grep -q '^main\.startEarly\.func1' "$new/early.debug2.txt" || die "waits: no early parkers"
	! grep -q '^main\.startEarly\.func1' "$new/late.debug2.txt" || die "waits: early parkers not released"
	grep -q '^main\.startLate\.func1' "$new/late.debug2.txt" || die "waits: no late parkers"
	rm -rf "$out"
	mv "$new" "$out"
	log "waits: -> ${out#"$HERE"/}"
}

if [ "$normal" = 1 ]; then
	for v in "${VERSIONS[@]}"; do
		capture_profiles "$v" "$HERE/profiles/go$v"
	done
	capture_profiles 1.27 "$HERE/profiles/go1.27-trimpath" trimpath
	for v in "${DUMP_VERSIONS[@]}"; do
		capture_dumps "$v"
	done
fi
if [ "$waits" = 1 ]; then
	capture_waits
fi
if [ "$huge" = 1 ]; then
	capture_huge
fi
