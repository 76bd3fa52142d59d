"""redis-py against a Volley RESP server, with the client's default settings (RESP3 in
redis-py 8) and with protocol=2: python3 redis_py.py PORT PROTOCOL (PROTOCOL: default or 2).

Each check raises AssertionError naming what differed; the script prints "ok" at the end.
"""

import sys

import redis


def expect(got, wanted, what):
    assert got == wanted, f"{what}: got {got!r}, wanted {wanted!r}"


def main():
    port = int(sys.argv[1])
    protocol = sys.argv[2]
    options = {} if protocol == "default" else {"protocol": int(protocol)}
    r = redis.Redis(port=port, **options)
    r.flushall()

    # Connection: the protocol negotiated, the library announced, the name set.
    hello = r.execute_command("HELLO")
    proto = hello[b"proto"] if isinstance(hello, dict) else hello[hello.index(b"proto") + 1]
    wanted_proto = 2 if protocol == "2" else 3
    if protocol == "default" and redis.__version__.split(".")[0] in ("5", "6", "7"):
        wanted_proto = 2  # before redis-py 8 the default was RESP2
    expect(proto, wanted_proto, "HELLO proto")
    expect(r.ping(), True, "PING")
    expect(r.echo("hi"), b"hi", "ECHO")
    expect(r.client_setname("tester"), True, "CLIENT SETNAME")
    name = r.client_getname()
    expect(name.decode() if isinstance(name, bytes) else name, "tester", "CLIENT GETNAME")
    me = r.client_id()
    assert isinstance(me, int) and me > 0, f"CLIENT ID {me!r}"
    info = r.client_info()
    expect(info["name"], "tester", "CLIENT INFO name")
    expect(int(info["id"]), me, "CLIENT INFO id")
    listed = r.client_list()
    assert any(int(c["id"]) == me for c in listed), f"CLIENT LIST {listed!r}"

    # Strings.
    expect(r.set("k", "v"), True, "SET")
    expect(r.get("k"), b"v", "GET")
    expect(r.get("missing"), None, "GET missing")
    expect(r.set("k", "w", nx=True), None, "SET NX on an existing key")
    expect(r.incr("n"), 1, "INCR")
    expect(r.incrby("n", 41), 42, "INCRBY")
    expect(r.mset({"a": "1", "b": "2"}), True, "MSET")
    expect(r.mget("a", "b", "missing"), [b"1", b"2", None], "MGET")
    expect(r.expire("a", 100), True, "EXPIRE")
    ttl = r.ttl("a")
    assert 0 < ttl <= 100, f"TTL {ttl!r}"
    expect(r.delete("a", "b", "missing"), 2, "DEL")
    expect(r.exists("k", "n"), 2, "EXISTS")

    # Hashes.
    expect(r.hset("h", mapping={"f1": "v1", "f2": "v2"}), 2, "HSET")
    expect(r.hget("h", "f1"), b"v1", "HGET")
    expect(r.hget("h", "nope"), None, "HGET missing field")

    # Sets.
    expect(r.sadd("s", "x", "y", "x"), 2, "SADD")
    expect(r.scard("s"), 2, "SCARD")

    # Sorted sets.
    expect(r.zadd("z", {"a": 1, "b": 2}), 2, "ZADD")
    popped = r.zpopmin("z")
    expect(len(popped), 1, "ZPOPMIN count")
    expect(popped[0][0], b"a", "ZPOPMIN member")

    # Lists.
    expect(r.rpush("l", "a", "b", "c"), 3, "RPUSH")
    expect(r.lrange("l", 0, -1), [b"a", b"b", b"c"], "LRANGE")
    expect(r.lpop("l"), b"a", "LPOP")

    # Pipelines: many commands, one round trip, replies in order.
    pipe = r.pipeline(transaction=False)
    for i in range(100):
        pipe.set(f"p{i}", i)
    for i in range(100):
        pipe.get(f"p{i}")
    replies = pipe.execute()
    expect(replies[:100], [True] * 100, "pipelined SETs")
    expect(replies[100:], [str(i).encode() for i in range(100)], "pipelined GETs")

    # Errors come back as exceptions, and the connection stays usable.
    try:
        r.incr("k")
        raise AssertionError("INCR on a non-integer did not fail")
    except redis.ResponseError as error:
        expect(str(error), "value is not an integer or out of range", "INCR error")
    expect(r.get("k"), b"v", "GET after an error")

    # Databases.
    other = redis.Redis(port=port, db=3, **options)
    expect(other.get("k"), None, "GET in database 3")
    expect(other.set("k", "three"), True, "SET in database 3")
    expect(r.get("k"), b"v", "database 0 untouched")
    expect(other.dbsize(), 1, "DBSIZE of database 3")

    # INFO and CONFIG.
    server = r.info("server")
    expect(server["redis_version"], "7.0.15", "INFO redis_version")
    everything = r.info()
    assert "connected_clients" in everything and "used_memory" in everything, "INFO default"
    expect(everything["db0"]["keys"], r.dbsize(), "INFO keyspace")
    expect(r.config_get("maxmemory"), {"maxmemory": "0"}, "CONFIG GET")
    expect(r.config_set("maxmemory-policy", "allkeys-lru"), True, "CONFIG SET")
    expect(r.config_get("maxmemory-policy"), {"maxmemory-policy": "allkeys-lru"}, "CONFIG GET after SET")

    expect(r.flushdb(), True, "FLUSHDB")
    expect(r.dbsize(), 0, "DBSIZE after FLUSHDB")
    print("ok")


if __name__ == "__main__":
    main()
