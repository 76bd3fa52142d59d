"""redis-py against the volley-resp server: transactions, WATCH, blocking pops and pub/sub.

Usage: python3 redis_py_waits.py PORT default|2
"""

import sys
import threading
import time

import redis


def expect(got, want, what):
    if got != want:
        raise AssertionError(f"{what}: got {got!r}, want {want!r}")


def wait_blocked(client, count):
    """Polls INFO until `count` clients are blocked (a condition, bounded at 10 s)."""
    deadline = time.monotonic() + 10
    while client.info("clients")["blocked_clients"] != count:
        if time.monotonic() > deadline:
            raise AssertionError(f"never {count} blocked clients")
        time.sleep(0.005)


def next_message(pubsub, what):
    message = pubsub.get_message(timeout=10)
    if message is None:
        raise AssertionError(f"{what}: no message")
    return message


def main():
    port = int(sys.argv[1])
    options = {} if sys.argv[2] == "default" else {"protocol": 2}
    r = redis.Redis(port=port, **options)
    other = redis.Redis(port=port, **options)
    r.flushdb()

    # Transactions: a MULTI/EXEC pipeline, and a queueing error that aborts it.
    pipe = r.pipeline(transaction=True)
    pipe.set("a", 1)
    pipe.incr("a")
    pipe.get("a")
    expect(pipe.execute(), [True, 2, b"2"], "MULTI/EXEC")
    pipe = r.pipeline(transaction=True)
    pipe.set("b", 1)
    pipe.execute_command("NOSUCHCOMMAND")
    try:
        pipe.execute()
        raise AssertionError("EXEC after a queueing error did not abort")
    except redis.ResponseError as error:
        assert "EXECABORT" in str(error) or "unknown command" in str(error), str(error)
    expect(r.exists("b"), 0, "nothing of the aborted transaction ran")

    # WATCH: another client's write makes EXEC fail; the transaction helper retries.
    with r.pipeline() as pipe:
        pipe.watch("w")
        other.set("w", "theirs")
        pipe.multi()
        pipe.set("w", "mine")
        try:
            pipe.execute()
            raise AssertionError("EXEC ran although a watched key changed")
        except redis.WatchError:
            pass
    expect(r.get("w"), b"theirs", "the watched key kept the other write")

    def increment(pipe):
        current = int(pipe.get("n") or 0)
        pipe.multi()
        pipe.set("n", current + 1)

    r.transaction(increment, "n")
    r.transaction(increment, "n")
    expect(r.get("n"), b"2", "WATCH-based increments")

    # Blocking pops: served when another client pushes, null on timeout.
    def push_when_blocked():
        wait_blocked(other, 1)
        other.rpush("queue", "job")

    pusher = threading.Thread(target=push_when_blocked)
    pusher.start()
    got = r.blpop(["empty", "queue"], timeout=10)
    pusher.join()
    expect(tuple(got), (b"queue", b"job"), "BLPOP served by a push")
    expect(r.blpop(["queue"], timeout=0.05), None, "BLPOP timeout")

    def add_when_blocked():
        wait_blocked(other, 1)
        other.zadd("scores", {"low": 1, "high": 2})

    adder = threading.Thread(target=add_when_blocked)
    adder.start()
    got = r.bzpopmin("scores", timeout=10)
    adder.join()
    expect(tuple(got), (b"scores", b"low", 1.0), "BZPOPMIN served by a ZADD")

    # Pub/sub: channel and pattern subscriptions.
    pubsub = r.pubsub()
    pubsub.subscribe("news")
    first = next_message(pubsub, "subscribe confirmation")
    expect((first["type"], first["channel"], first["data"]), ("subscribe", b"news", 1), "SUBSCRIBE")
    expect(other.publish("news", "hello"), 1, "PUBLISH to one subscriber")
    message = next_message(pubsub, "message")
    expect((message["type"], message["channel"], message["data"]), ("message", b"news", b"hello"), "message")
    pubsub.psubscribe("n*")
    next_message(pubsub, "psubscribe confirmation")
    expect(other.publish("news", "again"), 2, "PUBLISH to a channel and a pattern subscriber")
    kinds = sorted(next_message(pubsub, "delivery")["type"] for _ in range(2))
    expect(kinds, ["message", "pmessage"], "both deliveries")
    expect(other.pubsub_numsub("news"), [(b"news", 1)], "PUBSUB NUMSUB")
    expect(other.pubsub_numpat(), 1, "PUBSUB NUMPAT")
    pubsub.unsubscribe()
    pubsub.punsubscribe()
    pubsub.close()
    print("ok")


if __name__ == "__main__":
    main()
