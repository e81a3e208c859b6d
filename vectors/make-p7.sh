#!/usr/bin/env bash
# Makes vectors/p7/: PKCS#7 SignedData messages made by the OpenSSL CLI (an implementation independent of
# ours) with the keys in vectors/chain/. Called by make.sh after the chain exists; it never regenerates
# vectors/chain. Tests never run this script. See p7/README.md for what each file exercises.
#
#   bash vectors/make-p7.sh         (needs openssl 3 and python3)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
test -f chain/huifu.pem || { echo "vectors/chain is missing: run make.sh" >&2; exit 1; }
mkdir -p p7 && find p7 -type f ! -name README.md -delete
C=chain
P=p7

# Content files: Huifu-style (base64 of a JSON answer) and raw bytes.
printf '%s' '{"cmd_id":"301","resp_code":"301000","resp_desc":"交易成功","mer_cust_id":"6666000000000001"}' > "$P/content.json"
base64 -w0 "$P/content.json" > "$P/content.b64"
printf 'TestData' > "$P/content.raw"
python3 -c 'import json,base64; print(base64.b64encode(json.dumps({"cmd_id":"318","rows":[{"n":i,"card":"6222%012d"%i} for i in range(300)]}).encode()).decode(), end="")' > "$P/content-big.b64"

# sign NAME SIGNER [extra openssl cms options...]: attached SignedData over content.b64, DER.
sign() {
  local name=$1 signer=$2; shift 2
  openssl cms -sign -in "$P/content.b64" -signer "$C/$signer.pem" -inkey "$C/$signer.key" \
    -binary -nodetach -outform DER -out "$P/$name.p7b" "$@"
}

# Accepted (verify against root + oca, at 2030-01-01).
sign huifu-noattr huifu -noattr -nosmimecap -md sha256            # CFCA layout: no signed attributes
sign huifu-attr huifu -md sha256                                  # OpenSSL default: signed attributes
sign huifu-sha512 huifu -md sha512
sign huifu-chain huifu -md sha256 -certfile "$C/oca.pem"           # intermediate in the message
openssl cms -sign -in "$P/content.b64" -signer "$C/huifu.pem" -inkey "$C/huifu.key" -binary -nodetach \
  -md sha256 -stream -outform DER -out "$P/huifu-ber.p7b"          # BER: indefinite lengths, chunked eContent
openssl cms -sign -in "$P/content-big.b64" -signer "$C/huifu.pem" -inkey "$C/huifu.key" -binary -nodetach \
  -md sha256 -stream -outform DER -out "$P/huifu-ber-big.p7b"      # BER with several eContent chunks
openssl smime -sign -in "$P/content.b64" -signer "$C/huifu.pem" -inkey "$C/huifu.key" -binary -nodetach \
  -md sha256 -outform DER -out "$P/huifu-smime.p7b"                # PKCS#7 via `openssl smime`
openssl smime -sign -in "$P/content.b64" -signer "$C/huifu.pem" -inkey "$C/huifu.key" -binary -nodetach \
  -md sha256 -outform PEM -out "$P/huifu-smime.pem"
sign huifu-sha1 huifu -md sha1                                    # refused without the SHA-1 opt-in
sign huifu-sha1-noattr huifu -md sha1 -noattr -nosmimecap
openssl cms -sign -in "$P/content.b64" -signer "$C/huifu.pem" -inkey "$C/huifu.key" -binary \
  -md sha256 -outform DER -out "$P/huifu-detached.p7b"             # detached: verify with content.b64
sign huifu-raw huifu -noattr -nosmimecap -md sha256 -in "$P/content.raw"   # raw content, not base64
sign merchant-noattr merchant -noattr -nosmimecap -md sha256      # a merchant's request signature
for bits in 1024 3072 4096; do
  sign "merchant$bits" "merchant$bits" -noattr -nosmimecap -md sha256
done

# Rejected for one reason each.
sign other other -noattr -nosmimecap -md sha256                   # 051@1000011@...: fails the 100001 pin
sign expired expired -noattr -nosmimecap -md sha256
sign future future -noattr -nosmimecap -md sha256
sign wrongku wrongku -noattr -nosmimecap -md sha256
sign undernotca undernotca -noattr -nosmimecap -md sha256 -certfile "$C/notca.pem"
sign foreign foreign -noattr -nosmimecap -md sha256 -certfile "$C/foreignroot.pem"
sign huifu-nocerts huifu -noattr -nosmimecap -md sha256 -nocerts
openssl cms -sign -in "$P/content.b64" -signer "$C/huifu.pem" -inkey "$C/huifu.key" -binary -nodetach \
  -keyopt rsa_padding_mode:pss -md sha256 -outform DER -out "$P/huifu-pss.p7b"   # RSA-PSS: unsupported

# Signer identified by subjectKeyIdentifier (SignerInfo version 3) instead of issuer and serial.
sign huifu-keyid huifu -md sha256 -keyid
# Two signers (huifu and the merchant): refused by default (exactly one signer).
sign two-signers huifu -md sha256 -signer "$C/merchant.pem" -inkey "$C/merchant.key"
# An EC signer: ECDSA is not supported.
sign ec ec -md sha256

# Extra certificates for chain rules the chain/ PKI does not cover, issued here by the OCA (and
# kept in p7/ so that chain/ is never regenerated): an unknown critical extension, a CA under the
# OCA (whose pathlen is 0) with a leaf under it, and a 512-bit RSA key.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/ca.cnf" <<CNF
[ ca ]
default_ca = the_ca
[ the_ca ]
database = $work/index.txt
new_certs_dir = $work
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
[ v3_leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_leaf_critical ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
1.2.3.4.5 = critical, DER:0500
[ v3_subca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
: > "$work/index.txt"; echo 5002990001 > "$work/serial"
# extra NAME SUBJECT EXT ISSUER-PREFIX [BITS]
extra() {
  local name=$1 subj=$2 ext=$3 issuer=$4 bits=${5:-2048}
  openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$bits" -out "$P/$name.key" 2>/dev/null
  openssl req -new -key "$P/$name.key" -config "$work/ca.cnf" -subj "$subj" -out "$work/$name.csr"
  openssl ca -batch -config "$work/ca.cnf" -cert "$issuer.pem" -keyfile "$issuer.key" -in "$work/$name.csr" \
    -extensions "$ext" -startdate 20240101000000Z -enddate 20440101000000Z -notext -out "$P/$name.pem" 2>/dev/null
}
extra critical "/C=CN/O=CFCA TEST CA/OU=Local RA/CN=051@100001@CRITICAL@1" v3_leaf_critical "$C/oca"
extra subca "/C=CN/O=Huifu CFCA Vectors/CN=VECTORS SUB CA" v3_subca "$C/oca"
extra undersubca "/C=CN/O=CFCA TEST CA/OU=Local RA/CN=051@100001@UNDERSUBCA@1" v3_leaf "$P/subca"
extra small512 "/C=CN/O=CFCA TEST CA/OU=Local RA/CN=051@100001@SMALL512@1" v3_leaf "$C/oca" 512
# A T61String CN holding UTF-8 bytes above 0x7F (what CFCA does): without -utf8, OpenSSL takes the
# bytes as Latin-1 characters and string_mask=nombstr makes the CN a T61String of those raw bytes.
extra t61utf8 "/C=CN/O=CFCA TEST CA/OU=Local RA/CN=051@100001|汇付数据@T61UTF8@1" v3_leaf "$C/oca"
signp() {
  local name=$1 signer=$2; shift 2
  openssl cms -sign -in "$P/content.b64" -signer "$P/$signer.pem" -inkey "$P/$signer.key" \
    -binary -nodetach -outform DER -out "$P/$name.p7b" -noattr -nosmimecap -md sha256 "$@"
}
signp critical critical
signp undersubca undersubca -certfile "$P/subca.pem"
signp small512 small512
signp t61utf8 t61utf8
rm -f "$P"/*.key

# The check_value form of the CFCA-layout message (base64 twice).
base64 -w0 "$P/huifu-noattr.p7b" | base64 -w0 > "$P/huifu-noattr.check_value"

# Tampered variants of the good ones (offsets found by parsing, so they hit what they name).
python3 - "$P" <<'PY'
import sys, os
p = sys.argv[1]

def tlv(b, i):
    """(tag, header length, value length) at i; definite lengths only."""
    t = b[i]; l = b[i + 1]
    if l < 0x80:
        return t, 2, l
    n = l & 0x7f
    return t, 2 + n, int.from_bytes(b[i + 2:i + 2 + n], 'big')

def write(name, data):
    with open(os.path.join(p, name), 'wb') as f:
        f.write(data)

noattr = bytearray(open(os.path.join(p, 'huifu-noattr.p7b'), 'rb').read())
attr = bytearray(open(os.path.join(p, 'huifu-attr.p7b'), 'rb').read())
content = open(os.path.join(p, 'content.b64'), 'rb').read()

# content byte flipped: the content appears once in the message
i = bytes(noattr).index(content)
t = bytearray(noattr); t[i + 5] ^= 0x01; write('tampered-content.p7b', t)
# signature byte flipped: the signature is the last 256 bytes
t = bytearray(noattr); t[len(t) - 10] ^= 0x01; write('tampered-signature.p7b', t)
# a signed attribute byte flipped: inside the messageDigest value (OID 1.2.840.113549.1.9.4)
md_oid = bytes.fromhex('06092a864886f70d010904')
j = bytes(attr).index(md_oid) + len(md_oid)
# SET { OCTET STRING digest }: skip SET and OCTET STRING headers
t = bytearray(attr); t[j + 2 + 2 + 3] ^= 0x01; write('tampered-attr.p7b', t)
# a signing-time byte flipped (the attribute is not checked, but it is signed)
st_oid = bytes.fromhex('06092a864886f70d010905')
k = bytes(attr).index(st_oid) + len(st_oid)
t = bytearray(attr); t[k + 2 + 2 + 3] ^= 0x01; write('tampered-signingtime.p7b', t)
write('trailing.p7b', bytes(noattr) + b'\x00')
write('truncated.p7b', bytes(noattr[:len(noattr) - 1]))
PY
# Detached with the wrong content.
printf 'x%s' "$(cat "$P/content.b64")" > "$P/content-wrong.b64"

# Self-check with OpenSSL: the accepted ones verify, the tampered ones do not.
for f in huifu-noattr huifu-attr huifu-sha512 huifu-chain huifu-ber huifu-ber-big huifu-smime; do
  openssl cms -verify -inform DER -in "$P/$f.p7b" -CAfile "$C/ca-bundle.pem" -binary \
    -purpose any -out /dev/null 2>/dev/null || { echo "$f does not verify" >&2; exit 1; }
done
for f in tampered-content tampered-signature tampered-attr tampered-signingtime; do
  if openssl cms -verify -inform DER -in "$P/$f.p7b" -CAfile "$C/ca-bundle.pem" -binary \
    -purpose any -out /dev/null 2>/dev/null; then echo "$f verifies" >&2; exit 1; fi
done
echo "p7 vectors made"
