#!/bin/sh
# gen-certs.sh DIR — create the TLS material the broker fixture and the tests use.
#
# Generated at test time, never committed (keys in git would be trusted by
# someone sooner or later). Language-neutral on purpose: the Rust fixture
# (tests/fixture) and the Java fixture both run this script.
#
# Output in DIR (all RSA 2048, PEM, unencrypted keys):
#   ca.pem / ca.key                      test CA (valid 2 days)
#   server.pem / server.key              CN=localhost, SAN DNS:localhost, IP:127.0.0.1, signed by the CA
#   client.pem / client.key              CN=test-client, clientAuth, signed by the CA
#   server-expired.pem / .key            like server.pem but notAfter is in the past
#   server-wronghost.pem / .key          signed by the CA, SAN DNS:wrong.example only
#   selfsigned.pem / selfsigned.key      self-signed leaf, SAN DNS:localhost, IP:127.0.0.1
#
# Idempotent: if DIR already holds a complete set whose CA is valid for at
# least another hour, nothing is done. Otherwise everything is regenerated in a
# scratch directory and moved into DIR, so a reader never sees half a set.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
DIR=$1
FILES="ca.pem ca.key server.pem server.key client.pem client.key
server-expired.pem server-expired.key server-wronghost.pem server-wronghost.key
selfsigned.pem selfsigned.key"

mkdir -p "$DIR"

complete=1
for f in $FILES; do
    [ -s "$DIR/$f" ] || complete=0
done
if [ $complete = 1 ] && openssl x509 -in "$DIR/ca.pem" -noout -checkend 3600 >/dev/null 2>&1; then
    exit 0
fi

WORK=$(mktemp -d "$DIR/.gen.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM
cd "$WORK"

# Keys are the slow part (~0.1 s each); make them in parallel.
for name in ca server client server-expired server-wronghost selfsigned; do
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$name.key" 2>/dev/null &
done
wait
for name in ca server client server-expired server-wronghost selfsigned; do
    [ -s "$name.key" ] || { echo "gen-certs: key generation failed for $name" >&2; exit 1; }
done

cat > server.ext <<'EXT'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EXT
cat > wronghost.ext <<'EXT'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EXT
cat > client.ext <<'EXT'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EXT

# CA
openssl req -x509 -new -key ca.key -sha256 -days 2 -subj "/CN=mqtt-fixture test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out ca.pem 2>/dev/null

# sign NAME CN EXTFILE SERIAL — CSR for NAME.key, signed by the CA for 2 days.
sign() {
    openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr" 2>/dev/null
    openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -set_serial "$4" \
        -sha256 -days 2 -extfile "$3" -out "$1.pem" 2>/dev/null
}
sign server localhost server.ext 1001
sign client test-client client.ext 1002
sign server-wronghost wrong.example wronghost.ext 1003

# Expired: `x509 -days` refuses negative values in OpenSSL 3.0, so use
# `openssl ca`, which takes explicit start and end dates.
mkdir ca-db
: > ca-db/index.txt
cat > ca.cnf <<'CNF'
[ ca ]
default_ca = test_ca
[ test_ca ]
database = ca-db/index.txt
new_certs_dir = ca-db
serial = ca-db/serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
commonName = supplied
CNF
echo 1004 > ca-db/serial
openssl req -new -key server-expired.key -subj "/CN=localhost" -out server-expired.csr 2>/dev/null
openssl ca -batch -notext -config ca.cnf -cert ca.pem -keyfile ca.key \
    -startdate 20200101000000Z -enddate 20200102000000Z \
    -extfile server.ext -in server-expired.csr -out server-expired.pem 2>/dev/null

# Self-signed leaf (a pinned certificate, contract T4): no CA involved.
openssl req -x509 -new -key selfsigned.key -sha256 -days 2 -subj "/CN=localhost" \
    -addext "basicConstraints=critical,CA:FALSE" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -addext "extendedKeyUsage=serverAuth" \
    -out selfsigned.pem 2>/dev/null

# Readable by whoever runs the broker (mosquitto may drop to another user).
chmod 644 ./*.pem ./*.key
for f in $FILES; do
    mv -f "$f" "$DIR/$f"
done
