#!/usr/bin/env bash
# make-certs.sh DIR ID...: a cluster CA and one certificate per ID, for peer TLS and HTTPS.
#
# Writes DIR/ca.crt and DIR/ca.key (kept if they exist already, so members can be added later),
# then DIR/ID.crt and DIR/ID.key for each ID: signed by that CA, naming ID as its DNS
# subjectAltName and its CN, usable as a server and as a client certificate. A node's ID is its
# Raft id (the NAME in --peers NAME@HOST:PORT); any other name (e.g. "stranger") gives a
# certificate the CA signed that names no member. Optional environment:
#   CERT_DAYS   validity of the ID certificates in days (default 825; CERT_DAYS=-1 gives an
#               already expired certificate, for tests)
#   CA_DAYS     validity of a new CA (default 3650)
#   CERT_IPS    IP addresses the certificates also name, for HTTPS clients that check the address
#               they dial (default 127.0.0.1; e.g. CERT_IPS="127.0.0.1 10.0.0.2"). IP names are not
#               member names: a node's identity is only its DNS name (or CN).
# Keys are EC P-256, written with mode 600. Needs the openssl command line (1.1.1 or 3.x).
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 DIR ID [ID...]   (writes DIR/ca.crt, DIR/ca.key, DIR/ID.crt, DIR/ID.key)" >&2
  exit 2
fi
dir=$1
shift
cert_days=${CERT_DAYS:-825}
cert_ips=${CERT_IPS:-127.0.0.1}
ip_sans=""
for ip in $cert_ips; do ip_sans+=",IP:$ip"; done
ca_days=${CA_DAYS:-3650}
command -v openssl >/dev/null || { echo "$0: the openssl command is needed (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$dir"
umask 077

if [[ ! -f "$dir/ca.crt" || ! -f "$dir/ca.key" ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" -days "$ca_days" \
    -subj "/CN=raft cluster CA $(date -u +%Y%m%dT%H%M%SZ)-$$" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  echo "wrote $dir/ca.crt and $dir/ca.key" >&2
fi

for id in "$@"; do
  if [[ ! "$id" =~ ^[A-Za-z0-9._-]+$ ]]; then
    echo "$0: ID must be letters, digits, '.', '_' or '-', got \"$id\"" >&2
    exit 2
  fi
  ext=$(mktemp)
  csr=$(mktemp)
  trap 'rm -f "$ext" "$csr"' EXIT
  printf '%s\n' \
    "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth,clientAuth" \
    "subjectAltName=DNS:$id$ip_sans" >"$ext"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$dir/$id.key" -out "$csr" -subj "/CN=$id" 2>/dev/null
  openssl x509 -req -in "$csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days "$cert_days" -extfile "$ext" -out "$dir/$id.crt" 2>/dev/null
  rm -f "$ext" "$csr" "$dir/ca.srl"
  trap - EXIT
  echo "wrote $dir/$id.crt and $dir/$id.key (names \"$id\", valid $cert_days days)" >&2
done
