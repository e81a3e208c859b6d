#!/usr/bin/env bash
# Supply-chain checks with cargo-deny (configuration: deny.toml at the repository root).
#
#   bash .ci/deny.sh
#
# - installs cargo-deny (from crates.io, `cargo install --locked`) if it is missing: a 5–15 minute
#   compile on two cores, once per machine;
# - bans, licenses, sources: always run, offline (`--offline`); any finding fails the script;
# - advisories: need the RustSec advisory database, a git repository cloned from GitHub into
#   $CARGO_HOME/advisory-dbs. If it cannot be fetched and no earlier copy is on the machine, the
#   check is SKIPPED with a loud message and the script still exits 0 — unless
#   DENY_REQUIRE_ADVISORIES=1, which makes a skipped advisories check an error. With a database
#   (fresh or left from an earlier fetch), advisories are checked and findings fail the script.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }
banner() {
  printf '\n%s\n' "################################################################################" >&2
  for line in "$@"; do printf '### %s\n' "$line" >&2; done
  printf '%s\n\n' "################################################################################" >&2
}

step "cargo-deny"
if ! cargo deny --version >/dev/null 2>&1; then
  echo "cargo-deny is not installed: cargo install cargo-deny --locked (this takes a while)"
  cargo install cargo-deny --locked
fi
cargo deny --version

step "bans, licenses, sources (offline)"
# `cargo metadata` (which cargo-deny runs) needs every package of the lock file, for every
# platform (r-efi, the Windows crates, ...), not only those a Linux build downloads: fetch them
# first, from crates.io, or the offline check fails on a fresh machine.
cargo fetch --locked
cargo deny --offline check bans licenses sources

step "advisories"
db_root="${CARGO_HOME:-$HOME/.cargo}/advisory-dbs"
fetched=no
if timeout 180 cargo deny fetch db; then
  fetched=yes
fi
have_db=no
for d in "$db_root"/advisory-db-*; do
  if [ -d "$d/.git" ] || [ -d "$d/crates" ]; then
    have_db=yes
  fi
done

if [ "$have_db" = yes ]; then
  if [ "$fetched" = no ]; then
    banner "WARNING: the advisory database could not be updated; checking against the copy" \
      "already in $db_root (it may be out of date)."
  fi
  cargo deny --offline check advisories
  echo "advisories: checked"
else
  banner "ADVISORIES NOT CHECKED: the RustSec advisory database (a git clone from GitHub)" \
    "could not be fetched on this machine and no earlier copy is in $db_root." \
    "bans, licenses and sources passed; known vulnerabilities were NOT looked up." \
    "Run 'cargo deny check advisories' on a machine that reaches github.com," \
    "or copy a clone of the advisory-db repository into $db_root/advisory-db-<hash>."
  if [ "${DENY_REQUIRE_ADVISORIES:-0}" = 1 ]; then
    echo "error: DENY_REQUIRE_ADVISORIES=1 and the advisories check could not run" >&2
    exit 1
  fi
fi
echo "deny.sh: done"
