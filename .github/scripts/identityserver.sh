#!/usr/bin/env bash
# Builds and starts the real ItsYou.online server (itsyouonline/identityserver, checked out in GOPATH mode
# at $GOPATH/src/github.com/itsyouonline/identityserver) against a real MongoDB, for the workflow's
# contract-suite job. It seeds what harness/identityserver/start.sh seeds on a developer's machine (the
# JWT key, organization testorg with a client-credentials API key, user alice) plus harness/real-seed.ts,
# and writes $OUT/server.json in start.sh's format, for ITSYOU_REAL_SERVER.
#
#   GOPATH=... identityserver.sh MONGO_HOST:PORT OUT_DIR
#
# Needs go, go-bindata, openssl, python3 with pymongo, and npm ci's Node (it reads harness/real-seed.ts).
set -euo pipefail
mongo=${1:?usage: identityserver.sh MONGO_HOST:PORT OUT_DIR}
out=${2:?usage: identityserver.sh MONGO_HOST:PORT OUT_DIR}
repo=$(cd "$(dirname "$0")/../.." && pwd)
src=$GOPATH/src/github.com/itsyouonline/identityserver
mkdir -p "$out"
out=$(cd "$out" && pwd)

# 1. Build: GOPATH mode with the vendored dependencies; go generate's go-bindata steps make the asset packages.
(
  cd "$src"
  grep '^//go:generate go-bindata' generate.go | sed 's#^//go:generate ##' | bash -e
  # The API console's assets are not in the repository: an empty placeholder keeps the package compiling.
  mkdir -p siteservice/apiconsole/dist && echo 'not packaged' >siteservice/apiconsole/dist/placeholder.txt
  (cd siteservice/apiconsole && go-bindata -pkg apiconsole -prefix dist -o apiconsole.go dist/...)
  GO111MODULE=off go build -o "$out/identityserver" .
)

# 2. A CA and a separate leaf for 127.0.0.1 (Deno's rustls refuses a self-signed certificate as its own CA).
tls=$out/tls
mkdir -p "$tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=identityserver-ci-ca \
  -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 \
  -keyout "$tls/key.pem" -out "$tls/leaf.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$tls/ext"
openssl x509 -req -in "$tls/leaf.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 2 \
  -extfile "$tls/ext" -out "$tls/cert.pem" 2>/dev/null

# 3. The JWT signing key (SEC1 PEM, as the server parses it), the organization's secret, and the seed.
openssl ecparam -name secp384r1 -genkey -noout -out "$out/jwt_key.pem" 2>/dev/null
openssl ec -in "$out/jwt_key.pem" -pubout -out "$out/jwt_pub.pem" 2>/dev/null
secret=$(openssl rand -base64 39 | tr '+/' '-_' | tr -d '=\n')
"$repo/node_modules/.bin/node" --input-type=module -e '
  import { SEED } from "'"$repo"'/harness/real-seed.ts";
  process.stdout.write(JSON.stringify(SEED));
' >"$out/test-seed.json"
python3 - "$mongo" "$out/jwt_key.pem" "$secret" "$out/test-seed.json" <<'PY'
import sys
from bson import json_util
from pymongo import MongoClient
mongo, key, secret, seed = sys.argv[1:]
db = MongoClient("mongodb://" + mongo)["itsyouonline-idserver-db"]
db.globalconfig.insert_one({"key": "jwtkey", "value": open(key).read()})
db.users.insert_one({"username": "alice", "firstname": "Alice", "lastname": "Test"})
db.organizations.insert_one({"globalid": "testorg", "dns": [], "members": [], "owners": ["alice"], "publickeys": [],
                             "secondsvalidity": 300, "orgowners": [], "orgmembers": [], "requiredscopes": [], "includesuborgsof": []})
db.oauth_clients.insert_one({"clientid": "testorg", "label": "ci", "secret": secret, "callbackurl": "",
                             "clientcredentialsgranttype": True})
for name, documents in json_util.loads(open(seed).read())["itsyouonline-idserver-db"].items():
    db[name].insert_many(documents)
PY

# 4. Start it, wait for its port, and describe it the way start.sh does.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$out" && exec ./identityserver -b "127.0.0.1:$port" -c "$mongo" -s "$tls/cert.pem" -k "$tls/key.pem" -i >"$out/server.log" 2>&1) &
server_pid=$!
for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
python3 - "$out" "$port" "$secret" "$server_pid" >"$out/server.json" <<'PY'
import json, sys
d, port, secret, server = sys.argv[1:]
print(json.dumps({"url": f"https://127.0.0.1:{port}", "caFile": f"{d}/tls/ca.pem", "publicKey": open(f"{d}/jwt_pub.pem").read(),
                  "org": {"clientId": "testorg", "clientSecret": secret}, "pids": {"server": int(server)}}, indent=2))
PY
cat "$out/server.json"
