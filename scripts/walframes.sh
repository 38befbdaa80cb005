#!/bin/bash
# Which pages one ticket creation writes (docs/benchmarks.md, "Fifth pass").
# usage: scripts/walframes.sh DATA_DIR URL EMAIL TOKEN [N]
# against a running `kizuna serve --data DATA_DIR` (SQLite). Needs the
# sqlite3 command and python3. N times (default 3): empty the write-ahead
# log (PRAGMA wal_checkpoint(TRUNCATE)), create one ticket with a new
# requester through the API, then count the log's frames by the table or
# index each page belongs to. Another write landing in between (a
# background round) shows as extra commits.
set -euo pipefail
DATA=$1 URL=$2 EMAIL=$3 TOKEN=$4 N=${5:-3}
for i in $(seq "$N"); do
  sqlite3 "$DATA/kizuna.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
  n="$(date +%s%N)"
  curl -sf -o /dev/null -u "$EMAIL/token:$TOKEN" -H 'Content-Type: application/json' \
    -d "{\"ticket\":{\"subject\":\"配送状況の確認 $n\",\"priority\":\"normal\",\"tags\":[\"walframes\"],\"comment\":{\"body\":\"注文した商品がまだ届きません。確認をお願いします。\"},\"requester\":{\"name\":\"山田 $n\",\"email\":\"walframes-$n@example.jp\"}}}" \
    "$URL/api/v2/tickets.json"
  python3 - "$DATA/kizuna.db" <<'PY'
import collections, sqlite3, sys
db = sys.argv[1]
owner = {p: n for n, p in sqlite3.connect("file:%s?mode=ro" % db, uri=True).execute("SELECT name, pageno FROM dbstat")}
wal = open(db + "-wal", "rb").read()
size = int.from_bytes(wal[8:12], "big")  # page size, from the WAL header
pages, commits, off = [], 0, 32
while off + 24 + size <= len(wal):
    pages.append(int.from_bytes(wal[off:off + 4], "big"))
    commits += wal[off + 4:off + 8] != b"\0\0\0\0"  # a commit frame records the database size
    off += 24 + size
print("%d frames in %d commit(s): %s" % (len(pages), commits,
      ", ".join("%s %d" % kv for kv in collections.Counter(owner.get(p, "?") for p in pages).most_common())))
PY
done
