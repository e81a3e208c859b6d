#!/usr/bin/env bash
# Makes every file under vectors/ with the OpenSSL command-line tool: an implementation independent of
# ours. Tests never run this script; it documents how the committed files were made. Re-running it
# makes new keys, so every file changes: commit them together.
#
#   bash vectors/make.sh            (from the repository root; needs openssl 3)
#
# Layout:
#   chain/   a CFCA-like test PKI: root -> OCA31-like intermediate -> leaves (this file)
#   pfx/     the PKCS#12 matrix (make-pfx.sh)
#   p7/      signatures made by OpenSSL for the verifier's tests (make-p7.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
openssl version

rm -rf chain && mkdir -p chain && cd chain
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Fixed validity windows, so tests can verify at fixed times.
START=20240101000000Z
END=20440101000000Z

cat > "$work/ca.cnf" <<CNF
[ ca ]
default_ca = the_ca
[ the_ca ]
dir = $work
database = $work/index.txt
new_certs_dir = $work/new
serial = $work/serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ any ]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
[ req ]
distinguished_name = dn
string_mask = nombstr
prompt = no
[ dn ]
CN = unused
[ v3_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_oca ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = clientAuth, emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_leaf_wrong_usage ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_not_ca ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyCertSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
mkdir -p "$work/new"; : > "$work/index.txt"; echo 4002990001 > "$work/serial"

key() { openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${2:-2048}" -out "$1.key" 2>/dev/null; }

# issue NAME SUBJECT EXT ISSUER [START END]: a certificate NAME.cer (DER) and NAME.pem for NAME.key.
# ISSUER "self" makes a self-signed root.
issue() {
  local name=$1 subj=$2 ext=$3 issuer=$4 start=${5:-$START} end=${6:-$END}
  openssl req -new -key "$name.key" -config "$work/ca.cnf" -subj "$subj" -out "$work/$name.csr"
  if [ "$issuer" = self ]; then
    openssl ca -batch -config "$work/ca.cnf" -selfsign -keyfile "$name.key" -in "$work/$name.csr" \
      -extensions "$ext" -startdate "$start" -enddate "$end" -notext -out "$name.pem" 2>/dev/null
  else
    openssl ca -batch -config "$work/ca.cnf" -cert "$issuer.pem" -keyfile "$issuer.key" -in "$work/$name.csr" \
      -extensions "$ext" -startdate "$start" -enddate "$end" -notext -out "$name.pem" 2>/dev/null
  fi
  openssl x509 -in "$name.pem" -outform DER -out "$name.cer"
}

# The CFCA-like chain. T61String CNs come from string_mask=nombstr ('@' is not PrintableString).
key root;  issue root "/C=CN/O=Huifu CFCA Vectors/CN=VECTORS ACS TEST CA" v3_root self
key oca;   issue oca "/C=CN/O=Huifu CFCA Vectors/CN=VECTORS ACS TEST OCA31" v3_oca root
# The merchant (signs requests) and Huifu (signs answers, id 100001).
key merchant; issue merchant "/C=CN/O=CFCA TEST CA/OU=Local RA/OU=Organizational-1/CN=051@AS0381@N111130@1" v3_leaf oca
key huifu;    issue huifu "/C=CN/O=CFCA TEST CA/OU=Local RA/OU=Organizational-1/CN=051@100001@N3501040009317@1" v3_leaf oca
# Another merchant whose id contains 100001 as a substring: must fail the exact 100001 pin.
key other;    issue other "/C=CN/O=CFCA TEST CA/OU=Local RA/OU=Organizational-1/CN=051@1000011@N100001@1" v3_leaf oca
# Huifu-named leaves that must be rejected for one reason each.
key expired;  issue expired "/C=CN/O=CFCA TEST CA/OU=Local RA/CN=051@100001@EXPIRED@1" v3_leaf oca 20200101000000Z 20210101000000Z
key future;   issue future "/C=CN/O=CFCA TEST CA/OU=Local RA/CN=051@100001@FUTURE@1" v3_leaf oca 20400101000000Z 20450101000000Z
key wrongku;  issue wrongku "/C=CN/O=CFCA TEST CA/OU=Local RA/CN=051@100001@WRONGKU@1" v3_leaf_wrong_usage oca
# A non-CA "intermediate" and a leaf under it.
key notca;    issue notca "/C=CN/O=Huifu CFCA Vectors/CN=VECTORS NOT A CA" v3_not_ca oca
key undernotca; issue undernotca "/C=CN/O=CFCA TEST CA/OU=Local RA/CN=051@100001@UNDERNOTCA@1" v3_leaf notca
# A foreign root with its own Huifu-named leaf.
key foreignroot; issue foreignroot "/C=CN/O=Somebody Else/CN=FOREIGN ROOT" v3_root self
key foreign;  issue foreign "/C=CN/O=CFCA TEST CA/OU=Local RA/CN=051@100001@FOREIGN@1" v3_leaf foreignroot
# Other RSA sizes for the signer (1024..4096 must work).
for bits in 1024 3072 4096; do
  key "merchant$bits" "$bits"
  issue "merchant$bits" "/C=CN/O=CFCA TEST CA/OU=Local RA/CN=051@AS0381@N111130@$bits" v3_leaf oca
done
# An EC leaf (a key type the signer must refuse).
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key 2>/dev/null
issue ec "/C=CN/O=CFCA TEST CA/OU=Local RA/CN=051@EC0001@N1@1" v3_leaf oca

cat root.pem oca.pem > ca-bundle.pem
openssl verify -CAfile root.pem -untrusted oca.pem merchant.pem huifu.pem
cd "$here"

for part in make-pfx.sh make-p7.sh; do
  if [ -f "$part" ]; then bash "$part"; fi
done
echo "vectors made"
