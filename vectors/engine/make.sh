#!/bin/sh
# Test keys for the RSA engine's differential tests (tests/it/engine_diff.rs, src/engine/tests.rs).
# PKCS#8 PEM, one key per file; regenerate with `sh make.sh` (keys are random each run).
set -e
cd "$(dirname "$0")"
i=0
gen() { # bits count [extra genpkey options]
  bits=$1; count=$2; shift 2
  n=0
  while [ $n -lt $count ]; do
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:$bits "$@" -out "k$(printf %02d $i)-$bits.key" 2>/dev/null
    i=$((i+1)); n=$((n+1))
  done
}
gen 2048 24
gen 2048 2 -pkeyopt rsa_keygen_pubexp:3
gen 3072 4
gen 4096 4
gen 1024 2
gen 1536 2
gen 2040 1
gen 2056 1
gen 3000 1
