#!/usr/bin/env bash
# Builds (once) and starts the real ItsYou.online server, itsyouonline/identityserver at commit 333d788, on
# 127.0.0.1 over HTTPS, with mongo.py as its database. install.sh installs what it needs.
#
#   start.sh DIR [SEED.json ...]
#
# The source: the tarball in IDENTITYSERVER_TARBALL, else the offline copy beside a clone of this repository
# (../shared/identityserver/identityserver-333d788.tar.gz), else the public repository at 333d788 (git).
# The build is kept in IDENTITYSERVER_BUILD_DIR (default DIR/../identityserver-build) and reused.
# It writes DIR/server.json: url, caFile (the CA to trust), publicKey (the JWT signing key's PEM),
# org (testorg's client credentials) and pids (for stop.sh). SEED files (MongoDB extended JSON,
# {"itsyouonline-idserver-db": {"collection": [documents]}}) are loaded after the base seed: user alice,
# organization testorg owned by her, and testorg's API key with the client credentials flow enabled.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
dir=${1:?usage: start.sh DIR [SEED.json ...]}
shift
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
build=${IDENTITYSERVER_BUILD_DIR:-$(dirname "$dir")/identityserver-build}
commit=333d788
mkdir -p "$build"

# 1. The binary: GOPATH mode with the source's vendored packages, nothing downloaded. One build at a time.
exec 8>"$build/.lock"
flock -w 600 8
if [[ ! -x $build/identityserver ]]; then
  gopath=$build/gopath
  src=$gopath/src/github.com/itsyouonline/identityserver
  rm -rf "$gopath"
  mkdir -p "$src"
  tarball=${IDENTITYSERVER_TARBALL:-$repo/../shared/identityserver/identityserver-333d788.tar.gz}
  if [[ -f $tarball ]]; then
    tar -xzf "$tarball" -C "$src"
  else
    git clone -q https://github.com/itsyouonline/identityserver "$src"
    git -C "$src" checkout -q --detach "$commit"
  fi
  (
    cd "$src"
    # go generate would also regenerate API clients; only its go-bindata lines are needed for the build.
    sed -n 's#^//go:generate \(go-bindata .*\)#\1#p' generate.go | while read -r line; do eval "$line"; done
    # The API console's files are not in the source: an empty stand-in lets its package compile.
    mkdir -p siteservice/apiconsole/dist
    echo "not included" >siteservice/apiconsole/dist/README.txt
    (cd siteservice/apiconsole && go-bindata -pkg apiconsole -prefix dist -o apiconsole.go dist/...)
    GOPATH=$gopath GO111MODULE=off GOFLAGS= GOPROXY=off GOCACHE=$build/gocache go build -o "$build/identityserver.new" .
  ) >"$build/build.log" 2>&1 || { echo "start.sh: the build failed; see $build/build.log" >&2; tail -n 15 "$build/build.log" >&2; exit 1; }
  mv "$build/identityserver.new" "$build/identityserver"
fi
flock -u 8

# 2. TLS: a CA and a leaf for 127.0.0.1 signed by it (Deno's TLS refuses a CA certificate as the server's own).
tls=$dir/tls
mkdir -p "$tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj "/CN=itsyou test CA" \
  -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 \
  -keyout "$tls/key.pem" -out "$tls/server.csr" 2>/dev/null
printf 'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$tls/leaf.ext"
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 30 \
  -extfile "$tls/leaf.ext" -out "$tls/cert.pem" 2>/dev/null

# 3. A fresh P-384 JWT key (SEC1 PEM, read from globalconfig's "jwtkey"), testorg's secret, and the base seed.
openssl ecparam -name secp384r1 -genkey -noout -out "$dir/jwt_key.pem" 2>/dev/null
openssl ec -in "$dir/jwt_key.pem" -pubout -out "$dir/jwt_pub.pem" 2>/dev/null
secret=$(openssl rand -hex 26)
/usr/bin/python3 - "$dir/jwt_key.pem" "$secret" >"$dir/base-seed.json" <<'PY'
import json, sys
key, secret = open(sys.argv[1]).read(), sys.argv[2]
organization = {"globalid": "testorg", "owners": ["alice"], "members": [], "orgowners": [], "orgmembers": [],
                "dns": [], "publickeys": [], "requiredscopes": [], "includesuborgsof": [], "secondsvalidity": 300}
print(json.dumps({"itsyouonline-idserver-db": {
    "globalconfig": [{"key": "jwtkey", "value": key}],
    "users": [{"username": "alice", "firstname": "Alice", "lastname": "Test"}],
    "organizations": [organization],
    "oauth_clients": [{"clientid": "testorg", "label": "ci", "secret": secret, "callbackurl": "",
                       "clientcredentialsgranttype": True}],
}}))
PY

# 4. The database stand-in, then the server, each on a free loopback port.
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
listening() { for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
mongo_port=$(free_port)
/usr/bin/python3 "$here/mongo.py" "$mongo_port" "$dir/mongo.log" "$dir/base-seed.json" "$@" >"$dir/mongo.out" 2>&1 &
mongo_pid=$!
listening "$mongo_port" || { echo "start.sh: the database stand-in did not start; see $dir/mongo.out" >&2; exit 1; }
port=$(free_port)
(cd "$dir" && exec "$build/identityserver" -b "127.0.0.1:$port" -c "127.0.0.1:$mongo_port" -s "$tls/cert.pem" \
  -k "$tls/key.pem" -i >"$dir/server.log" 2>&1) &
server_pid=$!
listening "$port" || {
  echo "start.sh: the server did not start; see $dir/server.log" >&2
  kill "$mongo_pid" "$server_pid" 2>/dev/null
  exit 1
}
/usr/bin/python3 - "$dir" "$port" "$secret" "$server_pid" "$mongo_pid" <<'PY' | tee "$dir/server.json"
import json, sys
folder, port, secret, server, mongo = sys.argv[1:]
print(json.dumps({"url": "https://127.0.0.1:%s" % port, "caFile": folder + "/tls/ca.pem",
                  "publicKey": open(folder + "/jwt_pub.pem").read(), "org": {"clientId": "testorg", "clientSecret": secret},
                  "pids": {"server": int(server), "mongo": int(mongo)}}, indent=2))
PY
