#!/bin/sh
# gen-stores.sh DIR — the TLS matrix material (contract T1-T5) on top of gen-certs.sh.
#
# Runs `gen-certs.sh DIR` first (idempotent), then adds, signed by the same
# test CA (ca.pem) and generated at test time only:
#
#   Trust (T1)
#     cas.pem                      extra-ca.pem + ca.pem (one file, several CAs)
#     extra-ca.pem / extra-ca.key  a second, unrelated CA (EC P-256)
#     trust-keytool.p12            ca.pem, `keytool -importcert -storetype PKCS12`
#     trust-openssl.p12            ca.pem, `openssl pkcs12 -export -nokeys` (AES-256/PBES2)
#     trust-legacy.p12             ca.pem, same with `-legacy` (RC2/3DES, SHA-1 MAC)
#   Pinned self-signed server certificates (T4)
#     selfsigned-ca.pem / .key     self-signed leaf WITH basicConstraints CA:TRUE (openssl
#                                  req -x509 default), SAN DNS:localhost, IP:127.0.0.1
#   Server certificate with an EC key
#     server-ec.pem / .key         CN=localhost, SAN DNS:localhost, IP:127.0.0.1, EC P-256
#   Client identities (T2) — certificate files, then keys in every form
#     client.pem + client.key      (from gen-certs.sh: RSA, PKCS#8)
#     client-rsa-pkcs1.key         RSA PKCS#1 ("RSA PRIVATE KEY")
#     client-rsa-pkcs8-enc.key     encrypted PKCS#8, PBES2 AES-256-CBC
#     client-rsa-pkcs8-3des.key    encrypted PKCS#8, PBES2 DES-EDE3-CBC
#     client-rsa-pkcs12pbe.key     encrypted PKCS#8 with the PKCS#12 PBE PBE-SHA1-3DES
#                                  (OpenSSL 1.0's default; NOT supported: error test)
#     client-rsa-aes128.key        traditional "Proc-Type: 4,ENCRYPTED", AES-128-CBC
#     client-rsa-aes192.key        same, AES-192-CBC
#     client-rsa-aes256.key        same, AES-256-CBC
#     client-rsa-des3.key          same, DES-EDE3-CBC
#     client-ec.pem                CN=test-client-ec, EC P-256 key, signed by the CA
#     client-ec.key                SEC1 ("EC PRIVATE KEY")
#     client-ec-pkcs8.key          PKCS#8 ("PRIVATE KEY")
#     client-ec-pkcs8-enc.key      encrypted PKCS#8, PBES2 AES-256-CBC
#     client-ec-aes256.key         traditional encrypted SEC1, AES-256-CBC
#     client-ec-des3.key           traditional encrypted SEC1, DES-EDE3-CBC
#     client-chain.pem             client.pem followed by ca.pem (a chain file)
#     client-legacy.p12            client.pem + client.key + ca.pem, `openssl pkcs12 -export -legacy`
#     client-modern.p12            same, OpenSSL 3 default (PBES2/AES-256-CBC, SHA-256 MAC)
#     client-ec.p12                client-ec.pem + key, OpenSSL 3 default
#     client-keytool.p12           client-modern.p12 converted by `keytool -importkeystore`
#   Broken on purpose (T5)
#     corrupt.p12                  random bytes
#     corrupt.pem                  a CERTIFICATE block whose base64 is damaged
#     truncated-cert.pem           the first half of server.pem
#
# Passwords (test-only, known to the tests that scan errors for them):
#   every .p12 store:            Store-Pa55-7x   (STORE_PASSWORD)
#   every encrypted key:         Key-Pa55-9q     (KEY_PASSWORD)
#
# keytool is optional: without it trust-keytool.p12 and client-keytool.p12 are
# not made (tests that need them skip). Idempotent like gen-certs.sh: nothing
# is done when the set is complete and not older than ca.pem.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
DIR=$1
HERE=$(cd "$(dirname "$0")" && pwd)
sh "$HERE/gen-certs.sh" "$DIR"
DIR=$(cd "$DIR" && pwd)

STORE_PASSWORD=Store-Pa55-7x
KEY_PASSWORD=Key-Pa55-9q

FILES="cas.pem extra-ca.pem extra-ca.key trust-openssl.p12 trust-legacy.p12
selfsigned-ca.pem selfsigned-ca.key server-ec.pem server-ec.key
client-rsa-pkcs1.key client-rsa-pkcs8-enc.key client-rsa-pkcs8-3des.key client-rsa-pkcs12pbe.key
client-rsa-aes128.key client-rsa-aes192.key client-rsa-aes256.key client-rsa-des3.key
client-ec.pem client-ec.key client-ec-pkcs8.key client-ec-pkcs8-enc.key
client-ec-aes256.key client-ec-des3.key client-chain.pem
client-legacy.p12 client-modern.p12 client-ec.p12
corrupt.p12 corrupt.pem truncated-cert.pem"
KEYTOOL=${KEYTOOL:-$(command -v keytool || true)}
if [ -n "$KEYTOOL" ]; then
    FILES="$FILES trust-keytool.p12 client-keytool.p12"
fi

complete=1
for f in $FILES; do
    if [ ! -s "$DIR/$f" ] || [ "$DIR/ca.pem" -nt "$DIR/$f" ]; then
        complete=0
    fi
done
[ $complete = 1 ] && exit 0

WORK=$(mktemp -d "$DIR/.stores.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM
cd "$WORK"
cp "$DIR/ca.pem" "$DIR/ca.key" "$DIR/client.pem" "$DIR/client.key" "$DIR/server.pem" .

ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# ---- keys -------------------------------------------------------------------
ec_key extra-ca.key
ec_key server-ec.key
ec_key client-ec-pkcs8.key
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out selfsigned-ca.key 2>/dev/null

cat > server.ext <<'EXT'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EXT
cat > client.ext <<'EXT'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EXT

# sign NAME CN EXTFILE SERIAL
sign() {
    openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr" 2>/dev/null
    openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -set_serial "$4" \
        -sha256 -days 2 -extfile "$3" -out "$1.pem" 2>/dev/null
}

# ---- trust ------------------------------------------------------------------
openssl req -x509 -new -key extra-ca.key -sha256 -days 2 -subj "/CN=mqtt-fixture extra CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out extra-ca.pem 2>/dev/null
cat extra-ca.pem ca.pem > cas.pem
openssl pkcs12 -export -nokeys -in ca.pem -name test-ca \
    -passout "pass:$STORE_PASSWORD" -out trust-openssl.p12
openssl pkcs12 -export -legacy -nokeys -in ca.pem -name test-ca \
    -passout "pass:$STORE_PASSWORD" -out trust-legacy.p12
if [ -n "$KEYTOOL" ]; then
    "$KEYTOOL" -importcert -noprompt -storetype PKCS12 -keystore trust-keytool.p12 \
        -storepass "$STORE_PASSWORD" -alias test-ca -file ca.pem >/dev/null 2>&1
fi

# ---- pinned self-signed leaf with CA:TRUE ------------------------------------
openssl req -x509 -new -key selfsigned-ca.key -sha256 -days 2 -subj "/CN=localhost" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -out selfsigned-ca.pem 2>/dev/null

# ---- EC server ----------------------------------------------------------------
sign server-ec localhost server.ext 2001

# ---- client keys ----------------------------------------------------------------
openssl rsa -in client.key -traditional -out client-rsa-pkcs1.key 2>/dev/null
openssl pkcs8 -topk8 -in client.key -v2 aes-256-cbc -passout "pass:$KEY_PASSWORD" \
    -out client-rsa-pkcs8-enc.key
openssl pkcs8 -topk8 -in client.key -v2 des3 -passout "pass:$KEY_PASSWORD" \
    -out client-rsa-pkcs8-3des.key 2>/dev/null
openssl pkcs8 -topk8 -in client.key -v1 PBE-SHA1-3DES -passout "pass:$KEY_PASSWORD" \
    -out client-rsa-pkcs12pbe.key 2>/dev/null
for c in aes128 aes192 aes256 des3; do
    openssl rsa -in client.key -traditional "-$c" -passout "pass:$KEY_PASSWORD" \
        -out "client-rsa-$c.key" 2>/dev/null
done

# SEC1 form of the EC key (sign() reads client-ec.key).
openssl ec -in client-ec-pkcs8.key -out client-ec.key 2>/dev/null
sign client-ec test-client-ec client.ext 2002
openssl pkcs8 -topk8 -in client-ec-pkcs8.key -v2 aes-256-cbc -passout "pass:$KEY_PASSWORD" \
    -out client-ec-pkcs8-enc.key
openssl ec -in client-ec.key -aes256 -passout "pass:$KEY_PASSWORD" -out client-ec-aes256.key 2>/dev/null
openssl ec -in client-ec.key -des3 -passout "pass:$KEY_PASSWORD" -out client-ec-des3.key 2>/dev/null
cat client.pem ca.pem > client-chain.pem

# ---- key stores ---------------------------------------------------------------
openssl pkcs12 -export -legacy -in client.pem -inkey client.key -certfile ca.pem -name client \
    -passout "pass:$STORE_PASSWORD" -out client-legacy.p12
openssl pkcs12 -export -in client.pem -inkey client.key -certfile ca.pem -name client \
    -passout "pass:$STORE_PASSWORD" -out client-modern.p12
openssl pkcs12 -export -in client-ec.pem -inkey client-ec.key -name client-ec \
    -passout "pass:$STORE_PASSWORD" -out client-ec.p12
if [ -n "$KEYTOOL" ]; then
    "$KEYTOOL" -importkeystore -noprompt -srckeystore client-modern.p12 -srcstoretype PKCS12 \
        -srcstorepass "$STORE_PASSWORD" -destkeystore client-keytool.p12 -deststoretype PKCS12 \
        -deststorepass "$STORE_PASSWORD" >/dev/null 2>&1
fi

# ---- broken files ---------------------------------------------------------------
head -c 700 /dev/urandom > corrupt.p12
{
    echo "-----BEGIN CERTIFICATE-----"
    echo "MIIB!!this-is-not-base64!!AAAA"
    echo "-----END CERTIFICATE-----"
} > corrupt.pem
head -c 600 server.pem > truncated-cert.pem

# Sanity: the stores open with their password.
openssl pkcs12 -in client-modern.p12 -passin "pass:$STORE_PASSWORD" -noout
openssl pkcs12 -legacy -in client-legacy.p12 -passin "pass:$STORE_PASSWORD" -noout

chmod 644 ./*.pem ./*.key ./*.p12
for f in $FILES; do
    [ -s "$f" ] || { echo "gen-stores: $f was not made" >&2; exit 1; }
    mv -f "$f" "$DIR/$f"
done
