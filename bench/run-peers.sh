#!/usr/bin/env bash
# Runs io.rnnstream.bench.peers.PeerComparison (bench profile) with the given arguments; see docs/BENCHMARKS.md.
#   mvn -B -P bench -pl bench -am package -DskipTests && bench/run-peers.sh --keys 10000 --repeat 3
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
mkdir -p "$root/bench/target/tmp"
# One native thread for ND4J/DL4J (OpenMP), as a keyed operator gets one core.
export OMP_NUM_THREADS=1
exec java --add-modules jdk.incubator.vector ${BENCH_JAVA_OPTS:--Xmx6g} -Djava.io.tmpdir="$root/bench/target/tmp" \
  -cp "$root/bench/target/classes:$(cat "$root/bench/target/classpath.txt")" \
  io.rnnstream.bench.peers.PeerComparison "$@"
