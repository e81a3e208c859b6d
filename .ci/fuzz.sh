#!/usr/bin/env bash
# CI fuzzing: every cargo-fuzz target of fuzz/ for FUZZ_SECONDS (default 60) each, then the RSA
# engine's differential target (fuzz-engine/, engine_diff) under AddressSanitizer, with the
# machine's nightly toolchain (installed if missing; without one the script fails: fuzzing that
# did not run checked nothing). A crash, an input over the time or memory limits, or a failed build
# fails the script. New failing inputs land in <fuzz dir>/artifacts/<target>/: fix the bug, then
# commit the input to fuzz/regressions/<target>/ (tests/it/fuzz_replay.rs replays it on stable).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-60}"
# Costs are limits too: an input that takes over 5 s (-timeout), a process over 1 GiB
# (-rss_limit_mb) or one allocation over 256 MiB (-malloc_limit_mb) is a failure: libFuzzer stops
# with "timeout" or "out-of-memory", saves the input and exits non-zero, and so does cargo fuzz run
# (the verifier's bounds are 1 MiB messages, depth 24, and cost linear in the size, so none of
# that is needed). The fuzz/ targets run without a sanitizer by default (the parsers and the
# verifier are safe Rust; RSA signing under ASan runs a few executions a second);
# FUZZ_SANITIZER=address to opt in. The crate does have unsafe code: the AVX-512 IFMA kernel of
# the RSA engine (src/engine/ifma/), which fuzz-engine's engine_diff drives against the `rsa`
# crate on every kernel the CPU offers, so that target always runs under AddressSanitizer (with
# room for ASan's shadow memory in the RSS limit).
sanitizer="${FUZZ_SANITIZER:-none}"
targets=(check_value pfx chain sign_verify pfx_differential)
limits=(-timeout=5 -malloc_limit_mb=256 -print_final_stats=1)

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "==> installing a nightly toolchain (cargo fuzz needs one)"
  timeout 600 rustup toolchain install nightly --profile minimal || true
fi
if ! cargo +nightly --version >/dev/null 2>&1; then
  cat >&2 <<'MSG'
######################################################################
## error: no nightly toolchain (cargo +nightly): FUZZING NOT RUN    ##
## install one with `rustup toolchain install nightly`              ##
######################################################################
MSG
  exit 1
fi

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "==> installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

# Each fuzz project builds into its own target folder (fuzz/target, fuzz-engine/target): with
# one shared folder the two sanitizer settings would rebuild each other's crates on every run.
unset CARGO_TARGET_DIR

echo "==> building the fuzz targets"
cargo +nightly fuzz build -s "$sanitizer"

failed=()
for t in "${targets[@]}"; do
  echo "==> fuzz $t for ${seconds}s"
  # The committed corpus seeds the run; new inputs go to a scratch copy so the tree stays clean.
  scratch="$(mktemp -d)"
  cp -R "fuzz/corpus/$t/." "$scratch/" 2>/dev/null || true
  if ! cargo +nightly fuzz run -s "$sanitizer" "$t" "$scratch" -- \
      -max_total_time="$seconds" -rss_limit_mb=1024 "${limits[@]}"; then
    failed+=("$t")
  fi
  rm -rf "$scratch"
done

echo "==> building fuzz-engine (engine_diff) with AddressSanitizer"
cargo +nightly fuzz build --fuzz-dir fuzz-engine -s address engine_diff
echo "==> fuzz engine_diff (fuzz-engine, AddressSanitizer) for ${seconds}s"
# No committed corpus: libFuzzer starts from nothing (the input is a key index, a mode and a
# payload, so it finds its way quickly).
scratch="$(mktemp -d)"
if ! cargo +nightly fuzz run --fuzz-dir fuzz-engine -s address engine_diff "$scratch" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 "${limits[@]}"; then
  failed+=("engine_diff")
fi
rm -rf "$scratch"
targets+=(engine_diff)

if [ "${#failed[@]}" -ne 0 ]; then
  echo "error: fuzzing failed (a crash, a timeout or out-of-memory input, or the run itself) in:" \
    "${failed[*]} (inputs in fuzz/artifacts/ or fuzz-engine/artifacts/)" >&2
  exit 1
fi
echo "==> fuzzing: no crash, timeout or out-of-memory input in ${#targets[@]} targets"
