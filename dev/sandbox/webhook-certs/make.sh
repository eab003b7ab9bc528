#!/bin/sh
# Makes the sandbox's TEST certificate chains for signed Partner Center webhook callbacks (never Microsoft's):
#   test-root      -> test-intermediate -> signer-microsoft (O=Microsoft Corporation: what the bot accepts)
#                                        -> signer-contoso   (O=Contoso: refused, wrong organization)
#                                        -> signer-aia        (O=Microsoft Corporation, its issuer found through its
#                                                              Authority Information Access: the file holds the leaf only)
#                                        -> tls-localhost     (the https certificate host, 127.0.0.1 / localhost)
#   other-root     -> signer-other-root  (O=Microsoft Corporation, but from a root nobody trusts: refused)
# The test root is trusted only through WEBHOOK_EXTRA_ROOTS (tests, local runs); production never sees it.
# Run from this folder; the outputs are committed so tests need no openssl.
set -e
days=36500
ca() { # name subject [issuer]
  openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
  printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' > ext.cnf
  if [ -z "$3" ]; then openssl x509 -req -in "$1.csr" -signkey "$1.key" -days $days -extfile ext.cnf -out "$1.pem" 2>/dev/null
  else openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -days $days -extfile ext.cnf -out "$1.pem" 2>/dev/null; fi
}
leaf() { # name subject issuer [san] [aia]
  openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n%s\n%s\n' "${4:+subjectAltName=$4}" "${5:+authorityInfoAccess=caIssuers;URI:$5}" > ext.cnf
  openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -days $days -extfile ext.cnf -out "$1.pem" 2>/dev/null
}
ca test-root "/O=Partner Ops Test/CN=Partner Ops Test Root"
ca test-intermediate "/O=Partner Ops Test/CN=Partner Ops Test Issuing CA" test-root
leaf signer-microsoft "/C=US/ST=Washington/L=Redmond/O=Microsoft Corporation/CN=pcnotifications-dispatch.test" test-intermediate
leaf signer-aia "/C=US/O=Microsoft Corporation/CN=pcnotifications-dispatch.test" test-intermediate "" "http://pki.partnerops.test/test-intermediate.crt"
openssl x509 -in test-intermediate.pem -outform der -out test-intermediate.crt
leaf signer-contoso "/C=US/O=Contoso/CN=pcnotifications-dispatch.test" test-intermediate
leaf tls-localhost "/O=Partner Ops Test/CN=localhost" test-intermediate "DNS:localhost,IP:127.0.0.1"
ca other-root "/O=Microsoft Corporation/CN=Not A Trusted Root"
leaf signer-other-root "/C=US/O=Microsoft Corporation/CN=pcnotifications-dispatch.test" other-root
rm -f ./*.csr ./*.srl ext.cnf test-root.key other-root.key test-intermediate.key
