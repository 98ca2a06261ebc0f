#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Backends and clients for tests/vm/cases/91-nodeport.sh (standard library).

serve NAME TCPPORT UDPPORT
                     on every address: a TCP connection gets, for every
                     line it sends, "NAME PEER LEN\\n" (PEER the client
                     address the backend saw, LEN the line's length); a
                     UDP datagram gets "NAME PEER LEN"; until killed
tcp HOST PORT N M    N connections, one at a time, each sending M lines
                     of 1..3000 bytes and reading every answer; JSON
                     {counts, split, bad, peers, errors}: the backend of
                     each connection, connections answered by more than
                     one backend, answers of the wrong length
udp HOST PORT N BASE N connected UDP sockets bound to ports BASE,
                     BASE + 1, ... (each its own flow: a random port could
                     repeat one), 3 datagrams each; JSON as tcp. A connected socket only
                     takes datagrams from (HOST, PORT): a reply with
                     another source is never read (a timeout)
hold HOST PORT FIFO  one TCP connection: a line, print its backend, wait
                     for a line on FIFO, another line; JSON {first, second}
"""
import errno
import json
import random
import socket
import sys
import threading


def serve(name, tport, uport):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("0.0.0.0", tport))
    t.listen(128)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("0.0.0.0", uport))

    def answer(c, peer):
        f = c.makefile("rb")
        try:
            for line in f:
                c.sendall(("%s %s %d\n" % (name, peer, len(line))).encode())
        except OSError:
            pass
        c.close()

    def udp_loop():
        while True:
            data, src = u.recvfrom(4096)
            u.sendto(("%s %s %d" % (name, src[0], len(data))).encode(), src)

    threading.Thread(target=udp_loop, daemon=True).start()
    print("ready", flush=True)
    while True:
        c, peer = t.accept()
        threading.Thread(target=answer, args=(c, peer[0]),
                         daemon=True).start()


def flows(n, typ, timeout, exchange):
    """n flows on new sockets: exchange(i, s) yields (sent, answer)."""
    res = {"counts": {}, "split": 0, "bad": 0, "peers": {}, "errors": {}}
    for i in range(n):
        names = []
        s = socket.socket(socket.AF_INET, typ)
        s.settimeout(timeout)
        try:
            for sent, answer in exchange(i, s):
                name, peer, size = answer.decode().split()
                names.append(name)
                res["peers"][peer] = res["peers"].get(peer, 0) + 1
                if int(size) != len(sent):
                    res["bad"] += 1
        except (OSError, ValueError) as e:
            k = errno.errorcode.get(getattr(e, "errno", None) or 0, str(e))
            res["errors"][k] = res["errors"].get(k, 0) + 1
        finally:
            s.close()
        if names:
            res["counts"][names[0]] = res["counts"].get(names[0], 0) + 1
            res["split"] += len(set(names)) > 1
    print(json.dumps(res))


def tcp(host, port, n, m):
    def exchange(_, s):
        s.connect((host, port))
        f = s.makefile("rb")
        for _ in range(m):
            k = random.randint(0, 2999)
            line = (b"0123456789abcdef" * 188)[:k] + b"\n"
            s.sendall(line)
            yield line, f.readline()
    flows(n, socket.SOCK_STREAM, 10, exchange)


def udp(host, port, n, base):
    def exchange(i, s):
        s.bind(("0.0.0.0", base + i))
        s.connect((host, port))
        for j in range(3):
            data = b"x" * (100 + 300 * j)
            s.send(data)
            yield data, s.recv(4096)
    flows(n, socket.SOCK_DGRAM, 5, exchange)


def hold(host, port, fifo):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect((host, port))
    f = s.makefile("rb")
    s.sendall(b"one\n")
    first = f.readline().decode().split()[0]
    print(first, flush=True)
    with open(fifo) as ff:
        ff.readline()
    second = "-"
    try:
        s.sendall(b"two\n")
        second = f.readline().decode().split()[0]
    except (OSError, IndexError) as e:
        second = "error: %s" % e
    print(json.dumps({"first": first, "second": second}), flush=True)


def main(argv):
    cmd = argv[1]
    if cmd == "serve":
        serve(argv[2], int(argv[3]), int(argv[4]))
    elif cmd == "tcp":
        tcp(argv[2], int(argv[3]), int(argv[4]), int(argv[5]))
    elif cmd == "udp":
        udp(argv[2], int(argv[3]), int(argv[4]), int(argv[5]))
    elif cmd == "hold":
        hold(argv[2], int(argv[3]), argv[4])
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
