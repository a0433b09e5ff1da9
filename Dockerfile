# leakprof in a small image: built in a Rust image, run in Debian slim with git (which
# `--repo` needs for repositories that are mounted in; leakprof itself reads them with
# libgit2).
#
#   docker build -t leakprof .
#   docker run --rm -v "$PWD:/src" -w /src leakprof report --profile goroutine.pb.gz --repo .
#
# .ci/run checks the build stage's steps as a script (scripts/check-dockerfile.sh) on
# machines without Docker.

FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin leakprof
RUN ./target/release/leakprof --version

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && git config --system --add safe.directory '*'
COPY --from=build /src/target/release/leakprof /usr/local/bin/leakprof
ENTRYPOINT ["leakprof"]
CMD ["--help"]
