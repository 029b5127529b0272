#!/usr/bin/python3
"""A MongoDB stand-in for the real identityserver in the contract suite.

The server's vendored driver (mgo) needs a MongoDB; no MongoDB server package exists on these
machines. This one answers what mgo sends for the flows the suite runs: Debian's python3-mockupdb
decodes and encodes the wire protocol, Debian's python3-mongomock keeps the data and applies
queries and updates. It reports wire version 3 (MongoDB 3.0), so mgo writes through the insert,
update and delete commands and reads through OP_QUERY. Documents never expire (TTL indexes are
kept, not enforced): the server's own checks of ages still apply.

    /usr/bin/python3 mongo.py PORT LOG [SEED.json ...]

A SEED file is MongoDB extended JSON, {"database": {"collection": [document, ...]}}. Anything this
stand-in does not know is answered with an error and written to LOG as UNKNOWN.
"""
import datetime
import sys
import threading
import traceback

import mockupdb
import mongomock
from bson import json_util
from pymongo import ReturnDocument

port, log_path, seeds = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
store = mongomock.MongoClient()
log_file = open(log_path, "a", buffering=1)


def log(*parts):
    log_file.write(" ".join(str(part) for part in parts) + "\n")


def is_operator_update(update):
    return any(key.startswith("$") for key in update)


def write_error(index, error):
    code = 11000 if isinstance(error, mongomock.DuplicateKeyError) else (getattr(error, "code", None) or 1)
    return {"index": index, "code": code, "errmsg": str(error)}


def run_writes(items, ordered, write):
    """Applies `write(item)` to each item; returns (count, errors), stopping at the first error if ordered."""
    count, errors = 0, []
    for index, item in enumerate(items):
        try:
            count += write(index, item)
        except Exception as error:  # a write error is the client's to see, as MongoDB reports it
            errors.append(write_error(index, error))
            if ordered:
                break
    return count, errors


def with_errors(reply, errors):
    if errors:
        reply["writeErrors"] = errors
    return reply


def cmd_insert(db, body):
    collection = db[body["insert"]]
    count, errors = run_writes(body.get("documents", []), body.get("ordered", True),
                               lambda _, document: collection.insert_one(document) and 1)
    return with_errors({"n": count}, errors)


def cmd_update(db, body):
    collection = db[body["update"]]
    upserted, modified = [], [0]

    def write(index, item):
        query, update = item.get("q", {}), item.get("u", {})
        upsert = item.get("upsert", False)
        if is_operator_update(update):
            result = (collection.update_many if item.get("multi") else collection.update_one)(query, update, upsert=upsert)
        else:
            result = collection.replace_one(query, update, upsert=upsert)
        if result.upserted_id is not None:
            upserted.append({"index": index, "_id": result.upserted_id})
            return 1
        modified[0] += result.modified_count
        return result.matched_count

    count, errors = run_writes(body.get("updates", []), body.get("ordered", True), write)
    reply = {"n": count, "nModified": modified[0]}
    if upserted:
        reply["upserted"] = upserted
    return with_errors(reply, errors)


def cmd_delete(db, body):
    collection = db[body["delete"]]

    def write(_, item):
        remove = collection.delete_one if item.get("limit", 0) == 1 else collection.delete_many
        return remove(item.get("q", {})).deleted_count

    count, errors = run_writes(body.get("deletes", []), body.get("ordered", True), write)
    return with_errors({"n": count}, errors)


def cmd_count(db, body):
    options = {}
    if body.get("skip"):
        options["skip"] = int(body["skip"])
    if body.get("limit"):
        options["limit"] = abs(int(body["limit"]))
    return {"n": db[body["count"]].count_documents(body.get("query") or {}, **options)}


def cmd_create_indexes(db, body):
    collection = db[body["createIndexes"]]
    for index in body.get("indexes", []):
        options = {key: index[key] for key in ("name", "unique", "sparse", "background", "expireAfterSeconds") if key in index}
        try:
            collection.create_index(list(index["key"].items()), **options)
        except Exception as error:  # an index mongomock cannot build changes no answer the suite reads
            log("index not built:", index, error)
    return {"createdCollectionAutomatically": False, "numIndexesBefore": 1, "numIndexesAfter": 2}


def cmd_find_and_modify(db, body, name):
    collection = db[body[name]]
    query, fields = body.get("query") or {}, body.get("fields") or None
    sort = list(body["sort"].items()) if body.get("sort") else None
    if body.get("remove"):
        removed = collection.find_one_and_delete(query, projection=fields, sort=sort)
        return {"value": removed, "lastErrorObject": {"n": int(removed is not None)}}
    update = body.get("update") or {}
    existed = collection.find_one(query) is not None
    change = collection.find_one_and_update if is_operator_update(update) else collection.find_one_and_replace
    value = change(query, update, projection=fields, sort=sort, upsert=bool(body.get("upsert")),
                   return_document=ReturnDocument.AFTER if body.get("new") else ReturnDocument.BEFORE)
    return {"value": value, "lastErrorObject": {"n": int(existed or bool(body.get("upsert"))), "updatedExisting": existed}}


def cmd_aggregate(db, body):
    documents = list(db[body["aggregate"]].aggregate(body.get("pipeline", [])))
    if "cursor" in body:
        return {"cursor": {"id": 0, "ns": "%s.%s" % (db.name, body["aggregate"]), "firstBatch": documents}}
    return {"result": documents}


HELLO = {"ismaster": True, "maxBsonObjectSize": 16 << 20, "maxMessageSizeBytes": 48000000, "maxWriteBatchSize": 1000,
         "minWireVersion": 0, "maxWireVersion": 3}

COMMANDS = {
    "ismaster": lambda db, body: dict(HELLO, localTime=datetime.datetime.utcnow()),
    "hello": lambda db, body: dict(HELLO, localTime=datetime.datetime.utcnow()),
    "ping": lambda db, body: {},
    "logout": lambda db, body: {},
    "endsessions": lambda db, body: {},
    "getlasterror": lambda db, body: {"n": 0, "err": None},
    "getnonce": lambda db, body: {"nonce": "0000000000000000"},
    "buildinfo": lambda db, body: {"version": "3.0.15", "versionArray": [3, 0, 15, 0], "bits": 64},
    "insert": cmd_insert,
    "update": cmd_update,
    "delete": cmd_delete,
    "count": cmd_count,
    "createindexes": cmd_create_indexes,
    "aggregate": cmd_aggregate,
    "distinct": lambda db, body: {"values": db[body["distinct"]].distinct(body["key"], body.get("query") or {})},
    "drop": lambda db, body: (db[body["drop"]].drop(), {})[1],
    "dropdatabase": lambda db, body: (store.drop_database(db.name), {})[1],
}

QUERY_MODIFIERS = {"$orderby", "$hint", "$explain", "$snapshot", "$comment", "$maxScan", "$maxTimeMS",
                   "$readPreference", "$returnKey", "$showDiskLoc", "$min", "$max"}


def answer_command(request):
    name = next(iter(request.doc))
    db = store[request.namespace]
    if name.lower() == "findandmodify":
        reply = cmd_find_and_modify(db, request.doc, name)
    elif name.lower() in COMMANDS:
        reply = COMMANDS[name.lower()](db, request.doc)
    else:
        log("UNKNOWN command", request.namespace, dict(request.doc))
        return request.replies({"ok": 0, "errmsg": "no such command: %s" % name, "code": 59})
    reply.setdefault("ok", 1)
    request.replies(reply)


def answer_query(request):
    database, _, name = request.namespace.partition(".")
    if name == "system.indexes":
        return request.replies()
    query, order = dict(request.doc), None
    if "$query" in query or QUERY_MODIFIERS & set(query):
        order, query = query.get("$orderby"), query.get("$query", {})
    cursor = store[database][name].find(query, projection=request.fields or None)
    if order:
        cursor = cursor.sort(list(order.items()))
    if request.num_to_skip:
        cursor = cursor.skip(request.num_to_skip)
    if request.num_to_return:
        cursor = cursor.limit(abs(request.num_to_return))
    request.replies(*list(cursor))


lock = threading.Lock()


def answer(request):
    with lock:
        try:
            if isinstance(request, mockupdb.Command):
                answer_command(request)
            elif isinstance(request, mockupdb.OpQuery):
                answer_query(request)
            elif isinstance(request, mockupdb.OpGetMore):
                request.replies()  # every query answers in one batch
            elif isinstance(request, mockupdb.OpKillCursors):
                pass
            else:
                log("UNKNOWN operation", type(request).__name__, request.namespace)
                request.fail("not supported by this stand-in")
        except Exception:
            log("ERROR", traceback.format_exc())
            try:
                request.replies({"ok": 0, "errmsg": "stand-in error"}) if isinstance(request, mockupdb.Command) \
                    else request.fail("stand-in error")
            except Exception:
                pass
        return True


for seed in seeds:
    for database, collections in json_util.loads(open(seed).read()).items():
        for name, documents in collections.items():
            if documents:
                store[database][name].insert_many(documents)

server = mockupdb.MockupDB(port=port, request_timeout=10 ** 6)
server._address = ("127.0.0.1", port)
server.autoresponds(answer)
server.run()
print("MongoDB stand-in on 127.0.0.1:%d" % port, flush=True)
threading.Event().wait()
