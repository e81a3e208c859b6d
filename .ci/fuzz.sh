#!/usr/bin/env bash
# CI fuzzing: every cargo-fuzz target for FUZZ_SECONDS (default 60) each, with the machine's
# nightly toolchain. A crash (or a failed build) fails the script; without a nightly toolchain it
# warns loudly and exits 0. New crash inputs land in fuzz/artifacts/<target>/: fix the bug, then
# commit the input to fuzz/regressions/<target>/ (tests/fuzz_replay.rs replays it on stable).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-60}"
# Costs are limits too: an input that takes over 5 s, a process over 1 GiB or one allocation over
# 256 MiB is a failure (the verifier's bounds are 1 MiB messages, depth 24, and cost linear in
# the size, so none of that is needed). No sanitizer by default (RSA signing under ASan runs a
# few executions a second); FUZZ_SANITIZER=address to opt in. The crate's only unsafe code is
# the AVX-512 kernel (src/engine/ifma.rs), which fuzz-engine exercises.
sanitizer="${FUZZ_SANITIZER:-none}"
targets=(check_value pfx chain sign_verify pfx_differential)

if ! cargo +nightly --version >/dev/null 2>&1; then
  cat >&2 <<'MSG'
######################################################################
## WARNING: no nightly toolchain (cargo +nightly): FUZZING SKIPPED  ##
## install one with `rustup toolchain install nightly`              ##
######################################################################
MSG
  exit 0
fi

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "==> installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

echo "==> building the fuzz targets"
cargo +nightly fuzz build -s "$sanitizer"

failed=()
for t in "${targets[@]}"; do
  echo "==> fuzz $t for ${seconds}s"
  # The committed corpus seeds the run; new inputs go to a scratch copy so the tree stays clean.
  scratch="$(mktemp -d)"
  cp -R "fuzz/corpus/$t/." "$scratch/" 2>/dev/null || true
  if ! cargo +nightly fuzz run -s "$sanitizer" "$t" "$scratch" -- \
      -max_total_time="$seconds" -timeout=5 -rss_limit_mb=1024 -malloc_limit_mb=256 \
      -print_final_stats=1; then
    failed+=("$t")
  fi
  rm -rf "$scratch"
done

if [ "${#failed[@]}" -ne 0 ]; then
  echo "error: fuzzing found crashes in: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
echo "==> fuzzing: no crash in ${#targets[@]} targets"
