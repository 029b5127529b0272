#!/usr/bin/env bash
# Stops what start.sh DIR started (the server and the database stand-in, by the pids in DIR/server.json).
set -uo pipefail
dir=${1:?usage: stop.sh DIR}
[[ -f $dir/server.json ]] || exit 0
for pid in $(/usr/bin/python3 -c 'import json,sys; print(*json.load(open(sys.argv[1]))["pids"].values())' "$dir/server.json"); do
  kill "$pid" 2>/dev/null || true
done
