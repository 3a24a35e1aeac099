#!/bin/sh
# Generates the certificate corpus of test_x509_chain with the openssl CLI, into directory $1.
# Every chain has at most one flaw; the expected decisions are in tests/test_x509_chain.c.
set -eu
cd "$1"
exec 2>gen.log

cat > ext.cnf <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused

[ca]
default_ca = myca
[myca]
database = index.txt
new_certs_dir = .
serial = serial.txt
default_md = sha256
policy = pol
unique_subject = no
email_in_dn = no
[pol]
commonName = supplied

[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[int]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[int_pl0]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[int_notca]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyCertSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[int_noku]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[int_nc]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
nameConstraints = critical,permitted;DNS:example.com,permitted;IP:192.0.2.0/255.255.255.0,excluded;DNS:bad.example.com
[int_nc_dn]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
nameConstraints = critical,permitted;dirName:nc_dn
[nc_dn]
O = Tenon
[int_nc_email]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
nameConstraints = critical,permitted;email:example.com
[leaf_email]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:www.example.com,email:admin@example.com
[int_client]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:www.example.com,DNS:example.com
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf_wild]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:*.example.com
[leaf_wild2]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:*.*.example.com
[leaf_partial]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:f*o.example.com
[leaf_tld]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:*.com
[leaf_client]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:www.example.com
[leaf_crit]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:www.example.com
1.2.3.4 = critical,ASN1:NULL
[leaf_org]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:www.example.org
[leaf_excl]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:host.bad.example.com
[leaf_ip]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = IP:192.0.2.1,IP:2001:db8::1
[leaf_ip4]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:www.example.com,IP:192.0.2.9
[leaf_ip_out]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = IP:198.51.100.7
CNF
: > index.txt
echo 1000 > serial.txt

eckey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"; }
rsakey() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key"; }
# root NAME CN [extra req options]
root() {
    n=$1 cn=$2; shift 2
    openssl req -x509 -new -key "$n.key" -subj "/CN=$cn" -days 3650 -config ext.cnf \
        -extensions root -out "$n.pem" "$@"
}
csr() { openssl req -new -key "$1.key" -subj "/CN=$2" -config ext.cnf -out "$1.csr"; }
# sign NAME ISSUER SECTION [extra x509 options]
sign() {
    n=$1 iss=$2 sec=$3; shift 3
    openssl x509 -req -in "$n.csr" -CA "$iss.pem" -CAkey "$iss.key" -set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" \
        -days 825 -extfile ext.cnf -extensions "$sec" -out "$n.pem" "$@"
}
# dated NAME ISSUER SECTION START END (openssl ca can set both dates)
dated() {
    openssl ca -batch -config ext.cnf -cert "$2.pem" -keyfile "$2.key" -in "$1.csr" \
        -out "$1.pem" -startdate "$4" -enddate "$5" -extfile ext.cnf -extensions "$3" -notext
}

eckey root; root root "tenon test root"
eckey other; root other "other root"
eckey int; csr int "tenon int"; sign int root int
eckey intA; csr intA "tenon int A"; sign intA root int
eckey intB; csr intB "tenon int B"; sign intB intA int
eckey int_pl0; csr int_pl0 "int pathlen 0"; sign int_pl0 root int_pl0
eckey int_under_pl0; csr int_under_pl0 "int under pathlen 0"; sign int_under_pl0 int_pl0 int
eckey int_notca; csr int_notca "int not a CA"; sign int_notca root int_notca
eckey int_noku; csr int_noku "int without keyCertSign"; sign int_noku root int_noku
eckey int_nc; csr int_nc "int name constrained"; sign int_nc root int_nc
eckey int_nc_dn; csr int_nc_dn "int dirName constrained"; sign int_nc_dn root int_nc_dn
eckey int_nc_email; csr int_nc_email "int email constrained"; sign int_nc_email root int_nc_email
eckey int_client; csr int_client "int clientAuth only"; sign int_client root int_client
eckey int_other; csr int_other "int of other root"; sign int_other other int

eckey leaf
csr leaf "www.example.com"
sign leaf int leaf -out leaf.pem
for s in leaf_wild leaf_wild2 leaf_partial leaf_tld leaf_client leaf_crit leaf_org leaf_ip; do
    sign leaf int "$s" -out "$s.pem"
done
cp leaf.pem leaf_int.pem
sign leaf intB leaf -out leaf_intB.pem
sign leaf int_under_pl0 leaf -out leaf_pl.pem
sign leaf int_notca leaf -out leaf_notca.pem
sign leaf int_noku leaf -out leaf_noku.pem
sign leaf int_nc leaf -out leaf_nc_ok.pem
sign leaf int_nc leaf_org -out leaf_nc_bad.pem
sign leaf int_nc leaf_excl -out leaf_nc_excl.pem
sign leaf int_nc leaf_ip -out leaf_nc_ip.pem
sign leaf int_nc leaf_ip_out -out leaf_nc_ipbad.pem
sign leaf int_nc leaf_ip4 -out leaf_nc_ip4.pem
sign leaf int_client leaf -out leaf_under_client.pem
sign leaf int_nc_dn leaf -out leaf_nc_dn_bad.pem
sign leaf int_nc_email leaf_email -out leaf_nc_email.pem
openssl req -new -key leaf.key -subj "/O=Tenon/CN=www.example.com" -config ext.cnf -out leafo.csr
openssl x509 -req -in leafo.csr -CA int_nc_dn.pem -CAkey int_nc_dn.key -set_serial 77 -days 825 \
    -extfile ext.cnf -extensions leaf -out leaf_nc_dn_ok.pem
sign leaf int_other leaf -out leaf_other.pem
sign leaf int leaf -sha1 -out leaf_sha1.pem
dated leaf int leaf 20200101000000Z 20210101000000Z; mv leaf.pem leaf_expired.pem
dated leaf int leaf 20450101000000Z 20460101000000Z; mv leaf.pem leaf_future.pem
cp leaf_int.pem leaf.pem

# RSA: a root, a PKCS#1 v1.5 leaf and an RSA-PSS leaf.
rsakey rsaroot; root rsaroot "tenon rsa root" -sha256
rsakey rsaleaf; csr rsaleaf "www.example.com"
sign rsaleaf rsaroot leaf -sha384 -out rsaleaf.pem
sign rsaleaf rsaroot leaf -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
    -out rsaleaf_pss.pem
# A P-384 root signing with SHA-384.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out root384.key
root root384 "tenon p384 root" -sha384
sign leaf root384 leaf -sha384 -out leaf_384.pem
echo done > done.txt
