#!/usr/bin/env bash
# Rebuilds the seed corpora from vectors/ (run from anywhere; then `cargo +nightly fuzz cmin <t>`).
# The real CFCA material in ../shared is never copied here.
set -euo pipefail
cd "$(dirname "$0")/.."
c=fuzz/corpus
mkdir -p $c/check_value $c/pfx $c/pfx_differential $c/chain $c/sign_verify

for f in vectors/p7/*.p7b; do
  n=$(basename "$f" .p7b)
  cp "$f" $c/check_value/$n.der
done
cp vectors/p7/huifu-noattr.check_value $c/check_value/huifu-noattr.cv
cp vectors/p7/huifu-smime.pem $c/check_value/huifu-smime.pem
for n in huifu-attr huifu-ber merchant-noattr huifu-keyid two-signers; do
  base64 -w0 vectors/p7/$n.p7b > $c/check_value/$n.b64
  base64 -w0 vectors/p7/$n.p7b | base64 -w0 > $c/check_value/$n.cv
  { echo "-----BEGIN PKCS7-----"; base64 -w64 vectors/p7/$n.p7b; echo "-----END PKCS7-----"; } > $c/check_value/$n.pem
done

for f in vectors/pfx/*.p12; do
  cp "$f" $c/pfx/; cp "$f" $c/pfx_differential/
done

for f in vectors/chain/*.cer; do cp "$f" $c/chain/; done
cat vectors/chain/merchant.cer vectors/chain/oca.cer > $c/chain/merchant+oca.der
cat vectors/chain/huifu.cer vectors/chain/oca.cer vectors/chain/root.cer > $c/chain/huifu+oca+root.der
cat vectors/chain/undernotca.cer vectors/chain/notca.cer vectors/chain/oca.cer > $c/chain/undernotca+notca+oca.der
cp vectors/chain/ca-bundle.pem $c/chain/ca-bundle.pem
for f in vectors/p7/small512.pem vectors/p7/critical.pem vectors/p7/t61utf8.pem; do
  cp "$f" $c/chain/
done

cp vectors/p7/content.json $c/sign_verify/content.json
cp vectors/p7/content.raw $c/sign_verify/content.raw
printf 'TestData' > $c/sign_verify/testdata
printf '' > $c/sign_verify/empty
printf '\xff\xfe\x00\x01' > $c/sign_verify/binary
