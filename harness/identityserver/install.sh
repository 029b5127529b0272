#!/usr/bin/env bash
# Installs, from Debian's packages, what start.sh needs to build and run the real ItsYou.online server:
# Go and go-bindata (the build), python3-mockupdb and python3-mongomock (mongo.py, the database stand-in),
# openssl (the test certificates and keys), git (to fetch the source when no tarball is given).
# Run it as root; it installs only what is missing.
set -euo pipefail
missing=()
have() { command -v "$1" >/dev/null 2>&1; }
have go || missing+=(golang-go)
have go-bindata || missing+=(go-bindata)
have openssl || missing+=(openssl)
have git || missing+=(git)
/usr/bin/python3 -c 'import mockupdb' 2>/dev/null || missing+=(python3-mockupdb)
/usr/bin/python3 -c 'import mongomock' 2>/dev/null || missing+=(python3-mongomock)
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "identityserver: everything start.sh needs is installed ($(go version | cut -d' ' -f3))"
