#!/usr/bin/env python3
"""Clients for tests/test_server.sh: Python's ssl module (OpenSSL) as an independent peer of
`tenon server`. Every wait is bounded; each subcommand prints what it saw and exits 0 only if
everything it checks held.

  many PORT CA N [PID [tls12]]  N connections opened at once and held; then each echoes a
                            line; with PID, the server's VmRSS before and after, per
                            connection, and SIGUSR1 to it while they are idle; tls12: TLS 1.2
  resume PORT CA N [pause]  one full handshake, then N connections resuming its session
                            (a new ticket each time): prints how many resumed; with pause,
                            prints "paused" after the first and waits for a line on stdin
  hold PORT CA              one connection, echoed once, then held: prints "held", then waits
                            for lines on stdin: "echo" echoes once more, "quit" closes (with
                            close_notify), "eof" expects the server's close_notify
  fingerprint PORT          the SHA-256 of the certificate the server sends
  stall PORT SECONDS        a TCP connection that sends half a record and waits: prints how
                            long the server kept it
  noread PORT CA            writes without reading: prints when the server drops it
"""
import asyncio
import hashlib
import os
import resource
import signal
import socket
import ssl
import sys
import time


def ctx_for(ca, tls12=False):
    ctx = ssl.create_default_context(cafile=ca)
    if tls12:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    else:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    return ctx


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def many(port, ca, n, pid, tls12=False):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, n + 300)), hard))
    ctx = ctx_for(ca, tls12)
    sem = asyncio.Semaphore(200)  # handshakes in flight at once (the backlog stays small)
    warm = []
    if pid:
        # Warm-up: as many handshakes in flight as below, so that what the server allocates
        # once (its pool's peak, stack pages) is in the baseline. These stay open (idle) until
        # the end: closed, they would leave free heap chunks that the next connections reuse,
        # and the growth would be less than what a connection costs.
        warm = await asyncio.gather(*(asyncio.open_connection(
            "127.0.0.1", port, ssl=ctx, server_hostname="localhost") for i in range(200)))
        await asyncio.sleep(1.0)
    before = rss_kb(pid) if pid else 0

    async def opener(i):
        async with sem:
            for attempt in range(3):
                try:
                    return await asyncio.wait_for(
                        asyncio.open_connection("127.0.0.1", port, ssl=ctx,
                                                server_hostname="localhost"), 30)
                except (OSError, asyncio.TimeoutError) as e:
                    err = e
                    await asyncio.sleep(0.2)
            raise err

    t0 = time.time()
    conns = await asyncio.gather(*(opener(i) for i in range(n)), return_exceptions=True)
    failed = [c for c in conns if isinstance(c, BaseException)]
    ok = [c for c in conns if not isinstance(c, BaseException)]
    print(f"opened {len(ok)} of {n} in {time.time() - t0:.1f} s, {len(failed)} failed"
          + (f" (first: {failed[0]!r})" if failed else ""))
    await asyncio.sleep(1.0)  # the server hands the buffers of idle connections back
    if pid:
        after = rss_kb(pid)
        os.kill(pid, signal.SIGUSR1)  # its counters at this point, in its log
        per = (after - before) * 1024 / max(1, len(ok))
        print(f"server VmRSS {before} kB -> {after} kB with {len(ok)} idle connections: "
              f"{per:.0f} bytes per idle connection")

    async def echo(i, rw):
        r, w = rw
        msg = f"hello {i}\n".encode()
        w.write(msg)
        await w.drain()
        line = await asyncio.wait_for(r.readline(), 30)
        return line == msg

    t0 = time.time()
    res = await asyncio.gather(*(echo(i, c) for i, c in enumerate(ok)), return_exceptions=True)
    good = sum(1 for x in res if x is True)
    print(f"echoed {good} of {len(ok)} in {time.time() - t0:.1f} s")
    for r, w in ok + warm:
        w.close()
    await asyncio.gather(*(w.wait_closed() for r, w in ok + warm), return_exceptions=True)
    return 0 if good == n and not failed else 1


def resume(port, ca, n, pause=False):
    ctx = ctx_for(ca)
    sess, resumed = None, 0
    for i in range(n + 1):
        if pause and i == 1:
            print("paused", flush=True)  # the caller changes the server, then says go
            sys.stdin.readline()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost", session=sess) as s:
                s.sendall(b"x\n")
                if s.recv(10) != b"x\n":
                    print(f"connection {i}: no echo")
                    return 1
                if i > 0 and s.session_reused:
                    resumed += 1
                sess = s.session  # the ticket of this connection (read with the echo)
    print(f"resumed {resumed} of {n}")
    return 0 if resumed == n else 1


def hold(port, ca):
    ctx = ctx_for(ca)
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    s = ctx.wrap_socket(raw, server_hostname="localhost", suppress_ragged_eofs=False)
    s.sendall(b"first\n")
    assert s.recv(100) == b"first\n"
    print("held", flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "echo":
            s.sendall(b"again\n")
            got = s.recv(100)
            print("echo ok" if got == b"again\n" else f"echo bad {got!r}", flush=True)
        elif cmd == "quit":
            try:
                s.unwrap()  # close_notify; the server answers with its own
            except OSError:
                pass
            s.close()
            return 0
        elif cmd == "eof":
            try:
                got = s.recv(100)
                print("close_notify" if got == b"" else f"data {got!r}", flush=True)
            except ssl.SSLEOFError:
                print("EOF without close_notify", flush=True)
            except OSError as e:
                print(f"error {e!r}", flush=True)
            return 0
    return 0


def fingerprint(port):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            print(hashlib.sha256(s.getpeercert(binary_form=True)).hexdigest())
    return 0


def stall(port, seconds):
    s = socket.create_connection(("127.0.0.1", port), timeout=seconds)
    s.sendall(bytes([22, 3, 1, 0, 200, 1]))  # a handshake record that never completes
    t0 = time.time()
    try:
        while s.recv(100):
            pass
        print(f"closed by the server after {time.time() - t0:.1f} s")
        return 0
    except socket.timeout:
        print(f"still open after {seconds} s")
        return 1


def noread(port, ca):
    ctx = ctx_for(ca)
    raw = socket.create_connection(("127.0.0.1", port), timeout=30)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s = ctx.wrap_socket(raw, server_hostname="localhost")
    s.setblocking(False)
    t0, sent = time.time(), 0
    chunk = b"z" * 16384
    while time.time() - t0 < 30:
        try:
            sent += s.send(chunk)
        except (ssl.SSLWantWriteError, BlockingIOError):
            time.sleep(0.05)
        except OSError:
            print(f"dropped by the server after {time.time() - t0:.1f} s ({sent} bytes sent)")
            return 0
    print("never dropped")
    return 1


def main():
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == "many":
        return asyncio.run(many(int(a[0]), a[1], int(a[2]), int(a[3]) if len(a) > 3 else 0,
                                len(a) > 4 and a[4] == "tls12"))
    if cmd == "resume":
        return resume(int(a[0]), a[1], int(a[2]), len(a) > 3 and a[3] == "pause")
    if cmd == "hold":
        return hold(int(a[0]), a[1])
    if cmd == "fingerprint":
        return fingerprint(int(a[0]))
    if cmd == "stall":
        return stall(int(a[0]), float(a[1]))
    if cmd == "noread":
        return noread(int(a[0]), a[1])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
