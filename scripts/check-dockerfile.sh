#!/usr/bin/env bash
# Checks the Dockerfile on a machine without Docker (CI): builds the context Docker would get
# (the tracked files, less .dockerignore), runs the build stage's RUN steps in it as a
# script, then checks what the runtime stage takes from it: the binary at the path it
# copies, under the size the README promises, and git installed beside it. With a working
# Docker it also builds the image and runs it.
#
#   scripts/check-dockerfile.sh        prints the binary's size on success
#
# The build reuses ./target through a link, so only leakprof itself is compiled again.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
max_bytes=8000000

fail() { echo "check-dockerfile.sh: $*" >&2; exit 1; }

# The stages: the build stage runs from `FROM … AS build` to the next `FROM`.
build_stage=$(awk 'toupper($1)=="FROM" {on = ($NF == "build")} on' Dockerfile)
runtime_stage=$(awk 'toupper($1)=="FROM" {n++} n==2' Dockerfile)
[ -n "$build_stage" ] || fail "Dockerfile has no stage named build"
[ -n "$runtime_stage" ] || fail "Dockerfile has no runtime stage after the build stage"
workdir=$(awk 'toupper($1)=="WORKDIR" {print $2}' <<< "$build_stage")
[ -n "$workdir" ] || fail "the build stage sets no WORKDIR"
grep -q '^COPY \. \.$' <<< "$build_stage" || fail "the build stage does not COPY the context"

# The context: tracked files, less what .dockerignore leaves out (top-level names here).
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
mapfile -t ignored < <(grep -v '^\s*\(#\|$\)' .dockerignore)
git ls-files -z | while IFS= read -r -d '' file; do
	top=${file%%/*}
	for pattern in "${ignored[@]}"; do
		[ "$top" = "$pattern" ] && continue 2
	done
	[ -e "$file" ] || continue
	mkdir -p "$context/$(dirname "$file")"
	cp -p "$file" "$context/$file"
done
mkdir -p "$repo/target"
ln -s "$repo/target" "$context/target"

# Each RUN of the build stage, joined across line continuations, run in the context.
runs=$(awk '
	function add(text) { cont = (text ~ /\\$/); sub(/\\$/, "", text); cmd = cmd text; if (!cont) print cmd }
	/^RUN / { cmd = ""; add(substr($0, 5)); next }
	cont { add(" " $0) }
' <<< "$build_stage")
[ -n "$runs" ] || fail "the build stage runs nothing"
while IFS= read -r step; do
	echo "+ RUN $step" >&2
	(cd "$context" && bash -euo pipefail -c "$step") || fail "RUN $step failed"
done <<< "$runs"

# What the runtime stage copies must be there, small, and working.
source=$(awk '$1=="COPY" && $2=="--from=build" {print $3}' <<< "$runtime_stage")
[ -n "$source" ] || fail "the runtime stage copies nothing from the build stage"
binary="$context/${source#"$workdir"/}"
[ -x "$binary" ] || fail "$source is not built by the build stage"
size=$(stat -c %s "$binary")
[ "$size" -lt "$max_bytes" ] || fail "$source is $size bytes, over the 8 MB (8,000,000 bytes) the README promises"
"$binary" --version >/dev/null || fail "$source does not run"
grep -q 'apt-get install.* git' <<< "$runtime_stage" || fail "the runtime stage does not install git"
grep -q '^ENTRYPOINT \["leakprof"\]' <<< "$runtime_stage" || fail "the entry point is not leakprof"
echo "Dockerfile: build stage ok, $source is $size bytes ($(awk "BEGIN {printf \"%.1f\", $size/1048576}") MiB)"

if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
	docker build -q -t leakprof-check . >/dev/null
	docker run --rm leakprof-check --version
	docker run --rm --entrypoint git leakprof-check --version
else
	echo "Dockerfile: no Docker daemon here; the image itself was not built"
fi
