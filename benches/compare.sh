#!/usr/bin/env bash
# OpenSSL's RSA speed next to ours, in one run, one thread each, one after the other.
#
#   bash benches/compare.sh [--seconds N] [--key-bits 1024|2048|3072|4096] [--elapsed] [--no-ifma-row]
#                                                                        (defaults: 10, 2048)
#
# Runs `openssl speed -seconds N rsaBITS` and `huifu-cfca speed --json --seconds N --key-bits BITS`
# (release build; set HUIFU_CFCA_BIN to use another binary) and prints sign/s and verify/s side by
# side with the ratio ours / OpenSSL. What is compared:
#   rsa          OpenSSL: RSA PKCS#1 v1.5 sign/verify of a 36-byte buffer (no hashing);
#                ours: RSA PKCS#1 v1.5 SHA-256 of a 36-byte message (blinded signing)
#   check_value  ours only: sign_check_value of a 412-byte APP+ JSON, and Verifier::verify of it
#                (chain + identity pin; with the default chain cache, and without); the ratio is to
#                OpenSSL's bare RSA, i.e. how much of OpenSSL's raw speed the whole path keeps.
# Both sides count operations per CPU second of the measuring process/thread (`openssl speed`'s
# default), so load from other processes slows neither side's figure; with --elapsed both divide by
# wall time instead (`openssl speed -elapsed`, `huifu-cfca speed --elapsed`). The machine is
# shared: numbers still move with its load (caches, clock); compare within one run.
# On a CPU with AVX-512 IFMA, --no-ifma-row also runs OpenSSL with IFMA masked off
# (OPENSSL_ia32cap=":~0x200000", CPUID.7.0:EBX bit 21) and adds its sign/s as a row: the like-for-like
# baseline for our portable kernel (HUIFU_CFCA_ENGINE=portable bash benches/compare.sh --no-ifma-row).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=10
bits=2048
elapsed=""
no_ifma_row=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --seconds=*) seconds="${1#*=}"; shift ;;
    --key-bits) bits="$2"; shift 2 ;;
    --key-bits=*) bits="${1#*=}"; shift ;;
    --elapsed) elapsed=1; shift ;;
    --no-ifma-row) no_ifma_row=1; shift ;;
    -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "usage: $0 [--seconds N] [--key-bits BITS] [--elapsed] [--no-ifma-row]" >&2; exit 2 ;;
  esac
done
case "$bits" in 1024 | 2048 | 3072 | 4096) ;; *) echo "error: --key-bits must be 1024, 2048, 3072 or 4096" >&2; exit 2 ;; esac
case "$seconds" in '' | *[!0-9]*) echo "error: --seconds must be a whole number" >&2; exit 2 ;; esac

command -v openssl >/dev/null 2>&1 || { echo "error: openssl is not installed" >&2; exit 1; }

bin="${HUIFU_CFCA_BIN:-}"
if [ -z "$bin" ]; then
  echo "building huifu-cfca (release)..." >&2
  cargo build --release --all-features --bin huifu-cfca >&2
  bin=target/release/huifu-cfca
fi

ossl_flags=(-seconds "$seconds")
our_flags=(--json --seconds "$seconds" --key-bits "$bits")
if [ -n "$elapsed" ]; then
  ossl_flags+=(-elapsed)
  our_flags+=(--elapsed)
fi
echo "running: openssl speed ${ossl_flags[*]} rsa$bits" >&2
ossl_out=$(openssl speed "${ossl_flags[@]}" "rsa$bits" 2>/dev/null)
# Header: "sign verify [encrypt decrypt] sign/s verify/s [encr./s decr./s]"; data: "rsa BITS bits ...".
read -r ossl_sign ossl_verify < <(printf '%s\n' "$ossl_out" | awk -v bits="$bits" '
  /sign\/s/ { for (i = 1; i <= NF; i++) { if ($i == "sign/s") s = i; if ($i == "verify/s") v = i } }
  $1 == "rsa" && $2 == bits && $3 == "bits" && s { print $(s + 3), $(v + 3); exit }')
if [ -z "${ossl_sign:-}" ] || [ -z "${ossl_verify:-}" ]; then
  echo "error: could not read sign/s and verify/s from openssl speed:" >&2
  printf '%s\n' "$ossl_out" >&2
  exit 1
fi

ossl_scalar_sign=""
if [ -n "$no_ifma_row" ] && grep -qw avx512ifma /proc/cpuinfo 2>/dev/null; then
  echo "running: OPENSSL_ia32cap=:~0x200000 openssl speed ${ossl_flags[*]} rsa$bits" >&2
  scalar_out=$(OPENSSL_ia32cap=":~0x200000" openssl speed "${ossl_flags[@]}" "rsa$bits" 2>/dev/null)
  read -r ossl_scalar_sign _ < <(printf '%s\n' "$scalar_out" | awk -v bits="$bits" '
    /sign\/s/ { for (i = 1; i <= NF; i++) { if ($i == "sign/s") s = i; if ($i == "verify/s") v = i } }
    $1 == "rsa" && $2 == bits && $3 == "bits" && s { print $(s + 3), $(v + 3); exit }')
fi

echo "running: $bin speed ${our_flags[*]}" >&2
ours=$("$bin" speed "${our_flags[@]}")
field() {
  printf '%s' "$ours" | grep -o "\"$1\":[0-9.]*" | cut -d: -f2
}
rsa_sign=$(field rsa_sign_per_s)
rsa_verify=$(field rsa_verify_per_s)
cv_sign=$(field check_value_sign_per_s)
cv_verify=$(field check_value_verify_per_s)
cv_verify_nc=$(field check_value_verify_uncached_per_s)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }
row() { printf '%-40s %14s %14s %10s\n' "$1" "$2" "$3" "$4"; }

ossl_version=$(openssl version | awk '{print $1, $2}')
echo
clock=$(printf '%s' "$ours" | grep -o '"clock":"[a-z]*"' | cut -d'"' -f4)
signer=$(printf '%s' "$ours" | grep -o '"signer":"[a-z]*"' | cut -d'"' -f4)
echo "RSA-$bits, $seconds s per test, one thread, per ${clock:-?} second, our signer: ${signer:-?}; $(uname -m), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
row "" "$ossl_version" "huifu-cfca" "ours/OSSL"
row "rsa sign/s" "$ossl_sign" "$rsa_sign" "$(ratio "$rsa_sign" "$ossl_sign")"
if [ -n "$ossl_scalar_sign" ]; then
  row "rsa sign/s (OpenSSL with IFMA masked)" "$ossl_scalar_sign" "$rsa_sign" "$(ratio "$rsa_sign" "$ossl_scalar_sign")"
fi
row "rsa verify/s" "$ossl_verify" "$rsa_verify" "$(ratio "$rsa_verify" "$ossl_verify")"
row "check_value sign/s (vs OpenSSL rsa)" "$ossl_sign" "$cv_sign" "$(ratio "$cv_sign" "$ossl_sign")"
row "check_value verify/s, chain cached" "$ossl_verify" "$cv_verify" "$(ratio "$cv_verify" "$ossl_verify")"
row "check_value verify/s, chain every time" "$ossl_verify" "$cv_verify_nc" "$(ratio "$cv_verify_nc" "$ossl_verify")"
