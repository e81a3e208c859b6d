#!/usr/bin/env bash
# Makes the PKCS#12 matrix under vectors/pfx/ from the chain in vectors/chain/ (which it never
# regenerates) with the OpenSSL 3 command-line tool. Called by make.sh; can be run alone:
#
#   bash vectors/make-pfx.sh
#
# Every file is made by OpenSSL. Three kinds of file cannot be made by `openssl pkcs12` alone and are
# assembled by the small Python byte splicer at the end (python3, standard library only, no crypto):
#   - PBES2 with PBKDF2-HMAC-SHA1 / -SHA512: `openssl pkcs12` 3.0 always uses hmacWithSHA256 as PBKDF2
#     PRF (no option to choose), so the shrouded key comes from `openssl pkcs8 -topk8 -v2prf …`, the
#     MAC key from `openssl kdf … PKCS12KDF` and the MAC from `openssl mac … HMAC`;
#   - BER: `openssl pkcs12` always writes DER, so the outer layers of a DER file are rewritten with
#     indefinite lengths and a chunked (constructed) OCTET STRING. The MAC covers the OCTET STRING's
#     content, which does not change, so it stays valid.
# See pfx/README.md for the table of files and passwords.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
C=chain
[ -f "$C/merchant.key" ] || { echo "vectors/chain is missing: run make.sh" >&2; exit 1; }
rm -rf pfx.tmp && mkdir pfx.tmp
out=pfx.tmp
[ -f pfx/README.md ] && cp pfx/README.md "$out/README.md"

# p12 NAME PASSWORD ARGS...: merchant.key + merchant.pem, plus ARGS.
p12() {
  local name=$1 pass=$2; shift 2
  openssl pkcs12 -export -inkey "$C/merchant.key" -in "$C/merchant.pem" -passout "pass:$pass" \
    -out "$out/$name.p12" "$@"
}

# The CFCA form (AS0381.pfx): 3DES key bag, RC2-40 cert safe, HMAC-SHA1, 2000 iterations.
p12 cfca 888888 -legacy -macalg sha1 -iter 2000
# The Huifu demo form (key.pfx): 3DES both, HMAC-SHA1.
p12 3des 1111 -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1
p12 2des secret -legacy -keypbe PBE-SHA1-2DES -certpbe PBE-SHA1-2DES -macalg sha1
p12 rc2-128 secret -legacy -keypbe PBE-SHA1-RC2-128 -certpbe PBE-SHA1-RC2-128 -macalg sha1
# (-nomac alone leaves the certificates unencrypted in OpenSSL 3.0: name the cert PBE explicitly.)
p12 rc2-40-nomac secret -legacy -nomac -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-RC2-40
# OpenSSL 3 default: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), HMAC-SHA256, 2048 iterations.
p12 openssl3 secret
p12 aes128 secret -keypbe aes-128-cbc -certpbe aes-128-cbc
p12 aes192 secret -keypbe aes-192-cbc -certpbe aes-192-cbc
p12 pbes2-des3 secret -keypbe des-ede3-cbc -certpbe des-ede3-cbc
p12 mac-sha384 secret -macalg sha384
p12 mac-sha512 secret -macalg sha512
p12 mac-sha1-noiter secret -macalg sha1 -nomaciter
p12 nomac secret -nomac -certpbe aes-256-cbc
p12 nomac-plaincerts secret -nomac
p12 unencrypted secret -keypbe NONE -certpbe NONE
p12 unencrypted-nomac secret -keypbe NONE -certpbe NONE -nomac
p12 empty-password ''
p12 empty-password-legacy '' -legacy -macalg sha1
p12 nonascii '密码'
p12 nonascii-legacy '密码' -legacy -macalg sha1
p12 chain secret -certfile "$C/ca-bundle.pem" -name "AS0381 merchant" \
  -caname "VECTORS OCA31" -caname "VECTORS ROOT"
p12 chain-legacy secret -legacy -macalg sha1 -certfile "$C/ca-bundle.pem" -name "AS0381 merchant"
p12 keyex secret -keyex -legacy -macalg sha1
# The leaf last in the input, the chain first: matching must go by public key, not order.
cat "$C/root.pem" "$C/oca.pem" "$C/merchant.pem" > "$out/reversed.pem"
openssl pkcs12 -export -inkey "$C/merchant.key" -in "$out/reversed.pem" -passout pass:secret \
  -out "$out/chain-reversed.p12"
rm "$out/reversed.pem"
# Key only, certificate only (one and several). (mismatch.p12, a key with the certificate of another
# key, is assembled below: openssl pkcs12 -export refuses to make it.)
openssl pkcs12 -export -nocerts -inkey "$C/merchant.key" -passout pass:secret -out "$out/key-only.p12"
openssl pkcs12 -export -nokeys -in "$C/merchant.pem" -passout pass:secret -out "$out/cert-only.p12"
openssl pkcs12 -export -nokeys -in "$C/ca-bundle.pem" -passout pass:secret -out "$out/certs-only.p12"
# An EC key (refused) and a 4096-bit RSA key.
openssl pkcs12 -export -inkey "$C/ec.key" -in "$C/ec.pem" -passout pass:secret -out "$out/ec.p12"
openssl pkcs12 -export -inkey "$C/merchant4096.key" -in "$C/merchant4096.pem" -passout pass:secret \
  -out "$out/rsa4096.p12"

# ---- files assembled from OpenSSL-made parts ----------------------------------------------------
work=$(mktemp -d)
trap 'rm -rf "$work" "$here/pfx.tmp"' EXIT
openssl x509 -in "$C/merchant.pem" -outform DER -out "$work/cert.der"
for prf in hmacWithSHA1 hmacWithSHA512; do
  openssl pkcs8 -topk8 -in "$C/merchant.key" -v2 aes-128-cbc -v2prf "$prf" -iter 2048 \
    -passout pass:secret -outform DER -out "$work/key-$prf.der"
done
openssl pkcs8 -topk8 -nocrypt -in "$C/merchant.key" -outform DER -out "$work/key-plain.der"
openssl x509 -in "$C/other.pem" -outform DER -out "$work/other.der"

python3 - "$work" "$out" <<'PY'
import hashlib, os, subprocess, sys
work, out = sys.argv[1], sys.argv[2]

def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        ln = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        ln = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + ln + body

def oid(dotted):
    parts = [int(p) for p in dotted.split(".")]
    body = bytes([parts[0] * 40 + parts[1]])
    for p in parts[2:]:
        enc = [p & 0x7F]
        p >>= 7
        while p:
            enc.append(0x80 | (p & 0x7F))
            p >>= 7
        body += bytes(reversed(enc))
    return tlv(0x06, body)

seq = lambda *xs: tlv(0x30, b"".join(xs))
octets = lambda b: tlv(0x04, b)
explicit0 = lambda b: tlv(0xA0, b)
integer = lambda i: tlv(0x02, i.to_bytes((i.bit_length() + 8) // 8, "big"))
DATA = oid("1.2.840.113549.1.7.1")

def data_ci(body):
    return seq(DATA, explicit0(octets(body)))

def attrs(local_key_id):
    return tlv(0x31, seq(oid("1.2.840.113549.1.9.21"), tlv(0x31, octets(local_key_id))))

# The PKCS12KDF provider takes the password already as a NUL-terminated BMPString.
def hexkdf(password, salt, iterations, digest, length):
    r = subprocess.run(["openssl", "kdf", "-keylen", str(length), "-kdfopt", "digest:" + digest,
                        "-kdfopt", "hexpass:" + (password + "\0").encode("utf-16-be").hex(), "-kdfopt", "hexsalt:" + salt.hex(),
                        "-kdfopt", "iter:%d" % iterations, "-kdfopt", "id:3", "PKCS12KDF"],
                       check=True, capture_output=True, text=True)
    return r.stdout.strip().replace(":", "")

def hmac(hexkey, digest, data):
    path = os.path.join(work, "authsafe.bin")
    open(path, "wb").write(data)
    r = subprocess.run(["openssl", "mac", "-digest", digest, "-macopt", "hexkey:" + hexkey,
                        "-in", path, "HMAC"], check=True, capture_output=True, text=True)
    return bytes.fromhex(r.stdout.strip())

cert = open(os.path.join(work, "cert.der"), "rb").read()
lkid = hashlib.sha1(b"local key id").digest()
for prf, name in (("hmacWithSHA1", "pbkdf2-sha1"), ("hmacWithSHA512", "pbkdf2-sha512")):
    epki = open(os.path.join(work, "key-%s.der" % prf), "rb").read()
    key_bag = seq(oid("1.2.840.113549.1.12.10.1.2"), explicit0(epki), attrs(lkid))
    cert_bag = seq(oid("1.2.840.113549.1.12.10.1.3"),
                   explicit0(seq(oid("1.2.840.113549.1.9.22.1"), explicit0(octets(cert)))),
                   attrs(lkid))
    auth_safe = seq(data_ci(seq(cert_bag)), data_ci(seq(key_bag)))
    salt = hashlib.sha256(name.encode()).digest()[:8]
    mac = hmac(hexkdf("secret", salt, 2048, "SHA256", 32), "SHA256", auth_safe)
    mac_data = seq(seq(seq(oid("2.16.840.1.101.3.4.2.1"), tlv(0x05, b"")), octets(mac)),
                   octets(salt), integer(2048))
    pfx = seq(integer(3), data_ci(auth_safe), mac_data)
    open(os.path.join(out, name + ".p12"), "wb").write(pfx)

# mismatch.p12: merchant's key (plain keyBag) with other's certificate, no MAC.
plain = open(os.path.join(work, "key-plain.der"), "rb").read()
other = open(os.path.join(work, "other.der"), "rb").read()
key_bag = seq(oid("1.2.840.113549.1.12.10.1.1"), explicit0(plain))
cert_bag = seq(oid("1.2.840.113549.1.12.10.1.3"),
               explicit0(seq(oid("1.2.840.113549.1.9.22.1"), explicit0(octets(other)))))
open(os.path.join(out, "mismatch.p12"), "wb").write(seq(integer(3), data_ci(seq(data_ci(seq(key_bag, cert_bag))))))

# BER: rewrite the outer PFX / ContentInfo of a DER file with indefinite lengths and a constructed
# OCTET STRING in 100-byte chunks; the same for each inner `data` ContentInfo of the AuthenticatedSafe.
def read_tlv(b, i):
    tag = b[i]; n = b[i + 1]; i += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(b[i:i + k], "big"); i += k
    return tag, b[i:i + n], i + n

def children(b):
    i, res = 0, []
    while i < len(b):
        tag, body, j = read_tlv(b, i)
        res.append((tag, body, b[i:j])); i = j
    return res

def indef(tag, body):
    return bytes([tag, 0x80]) + body + b"\x00\x00"

def ber_octets(body):
    chunks = b"".join(tlv(0x04, body[k:k + 100]) for k in range(0, len(body), 100))
    return indef(0x24, chunks)

def ber_data_ci(content):
    return indef(0x30, DATA + indef(0xA0, ber_octets(content)))

def berify(der):
    _, pfx_body, _ = read_tlv(der, 0)
    version, auth_ci, *rest = children(pfx_body)
    _, ci_body, _ = read_tlv(auth_ci[2], 0)
    _, explicit, _ = read_tlv(ci_body, len(DATA))
    _, auth_safe, _ = read_tlv(explicit, 0)
    _, safes_body, _ = read_tlv(auth_safe, 0)
    safes = []
    for _, body, raw in children(safes_body):
        if body.startswith(DATA):
            _, ex, _ = read_tlv(body, len(DATA))
            _, inner, _ = read_tlv(ex, 0)
            safes.append(ber_data_ci(inner))
        else:
            safes.append(raw)
    new_auth_safe = indef(0x30, b"".join(safes))
    # The MAC covers the AuthenticatedSafe bytes: only files without a MAC may change them.
    if rest:
        new_auth_safe = auth_safe
    return indef(0x30, version[2] + ber_data_ci(new_auth_safe) + b"".join(r[2] for r in rest))

for src, dst in (("cfca", "ber-cfca"), ("nomac", "ber-nomac"), ("unencrypted-nomac", "ber-unencrypted")):
    der = open(os.path.join(out, src + ".p12"), "rb").read()
    open(os.path.join(out, dst + ".p12"), "wb").write(berify(der))
PY

# Every file must be readable by OpenSSL itself (except the BER ones: openssl reads those too).
for f in "$out"/*.p12; do
  n=$(basename "$f" .p12)
  case $n in
    cfca|3des) pass=$( [ $n = cfca ] && echo 888888 || echo 1111 ) ;;
    ber-cfca) pass=888888 ;;
    empty-password*) pass= ;;
    nonascii*) pass='密码' ;;
    *) pass=secret ;;
  esac
  openssl pkcs12 -in "$f" -passin "pass:$pass" -noout -legacy 2>/dev/null \
    || openssl pkcs12 -in "$f" -passin "pass:$pass" -noout -legacy -nomacver \
    || { echo "openssl cannot read $n" >&2; exit 1; }
done
rm -rf pfx && mv "$out" pfx
trap 'rm -rf "$work"' EXIT
echo "pfx vectors made"
