#!/usr/bin/env bash
# Makes the TLS test PKI for tests/client_tls.rs with the OpenSSL command-line tool: a CA and a
# server certificate for 127.0.0.1 / localhost, valid twenty years from the day it is run. Tests never run this script.
#
#   bash tests/tls/make.sh
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/ca.key" -out ca.pem -days 7300 \
  -subj "/O=huifu-cfca tests/CN=huifu-cfca test TLS CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl req -newkey rsa:2048 -nodes -keyout server.key -out "$work/server.csr" \
  -subj "/O=huifu-cfca tests/CN=localhost"
cat > "$work/ext.cnf" <<CNF
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
CNF
openssl x509 -req -in "$work/server.csr" -CA ca.pem -CAkey "$work/ca.key" -CAcreateserial \
  -CAserial "$work/ca.srl" -out server.pem -days 7300 -sha256 -extfile "$work/ext.cnf"
# A second, unrelated CA: a client trusting only it must refuse the server.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/other.key" -out other-ca.pem -days 7300 \
  -subj "/O=huifu-cfca tests/CN=unrelated TLS CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
