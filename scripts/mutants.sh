#!/usr/bin/env bash
# Mutation testing of leakprof's core with cargo-mutants: every mutant the
# tests do not catch is behaviour no test pins. Prints caught/missed per file.
#
#   bash scripts/mutants.sh                  the core (below); hours on 2 cores
#   bash scripts/mutants.sh src/blocking.rs  only these files (globs work too)
#
# The core: src/blocking.rs, src/aggregate.rs, src/glob.rs, src/source/analyze
# (file or folder), src/allowlist (file or folder), and the finding ids
# (`assign`/`fingerprint`, wherever they are defined).
#
# Needs cargo-mutants (cargo install --locked cargo-mutants). It copies the
# tree to a temporary folder and builds there: the checkout is never touched.
# Equivalent mutants are excluded in .cargo/mutants.toml, each with its reason.
# Missed mutants are listed in target/mutants/*/mutants.out/missed.txt.
#
# Environment: MUTANTS_JOBS (default 1) parallel builds; MUTANTS_OUT (default
# target/mutants) where results go.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

die() { echo "mutants.sh: $*" >&2; exit 2; }

cargo mutants --version >/dev/null 2>&1 ||
	die "cargo-mutants is not installed; run: cargo install --locked cargo-mutants"

JOBS=${MUTANTS_JOBS:-1}
OUT=${MUTANTS_OUT:-$ROOT/target/mutants}
# Debug info is not needed to tell caught from missed, and linking without it
# is much faster. Only the integration tests and unit tests run: no doc tests.
export CARGO_PROFILE_DEV_DEBUG=${CARGO_PROFILE_DEV_DEBUG:-0}
TEST_ARGS=(--cargo-test-arg=--lib --cargo-test-arg=--test=cli)

# run NAME ARGS...: one cargo-mutants run into $OUT/NAME. Its exit code says
# whether mutants were missed; the table below says it for every file.
run() {
	local name=$1
	shift
	mkdir -p "$OUT/$name"
	echo "mutants.sh: cargo mutants $* (results in ${OUT#"$ROOT"/}/$name)" >&2
	cargo mutants --jobs "$JOBS" --output "$OUT/$name" "${TEST_ARGS[@]}" "$@" || true
	[ -f "$OUT/$name/mutants.out/outcomes.json" ] || die "cargo mutants produced no outcomes in $OUT/$name"
}

rm -rf "$OUT"
if [ $# -gt 0 ]; then
	args=()
	for file in "$@"; do
		if [ -d "$file" ]; then
			file="${file%/}/**/*.rs"
		fi
		args+=(--file "$file")
	done
	run selected "${args[@]}"
else
	args=(--file src/blocking.rs --file src/aggregate.rs --file src/glob.rs)
	for path in src/source/analyze src/allowlist; do
		if [ -d "$path" ]; then
			args+=(--file "$path/**/*.rs")
		fi
		if [ -f "$path.rs" ]; then
			args+=(--file "$path.rs")
		fi
	done
	run core "${args[@]}"
	# The id code lives in a file shared with other things: only its functions.
	ids=$(grep -rlE '^\s*(pub(\([a-z]+\))? )?fn (assign|fingerprint)\b' src | sort -u)
	[ -n "$ids" ] || die "no fn assign or fn fingerprint under src/"
	args=()
	for file in $ids; do
		args+=(--file "$file")
	done
	run ids "${args[@]}" --re '\b(assign|fingerprint)\b'
fi

# One line per file: caught, missed, timeout, unviable.
missed=0
{
	printf '%-40s %7s %7s %7s %9s\n' file caught missed timeout unviable
	for result in "$OUT"/*/mutants.out; do
		for outcome in caught missed timeout unviable; do
			sed -E 's/^([^:]+):.*/\1/' "$result/$outcome.txt" | sed "s/\$/ $outcome/"
		done
	done | awk '
		{ files[$1] = 1; count[$1, $2]++ }
		END {
			for (file in files) {
				printf "%-40s %7d %7d %7d %9d\n", file, count[file, "caught"], count[file, "missed"],
					count[file, "timeout"], count[file, "unviable"]
			}
		}' | sort
} || die "cannot read the results under $OUT"
# A timeout is a mutant that made a test loop (e.g. a loop bound turned endless): the tests
# did not pass with it, so it is not missed; it is counted apart.
for result in "$OUT"/*/mutants.out; do
	missed=$((missed + $(wc -l <"$result/missed.txt")))
done
if [ "$missed" -gt 0 ]; then
	echo "mutants.sh: $missed mutants missed; see $OUT/*/mutants.out/missed.txt" >&2
	exit 1
fi
