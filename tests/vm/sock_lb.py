#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Servers and clients for tests/vm/cases/90-sock-lb.sh (standard library).

serve SPEC...        SPEC = tcp|udp,ADDR,PORT,NAME: answer every TCP
                     connection / UDP datagram with NAME; runs until killed
tcp HOST PORT N      N connections, one at a time; JSON {counts, peer_bad,
                     errors}: which backend answered each, how many
                     getpeername() differed from (HOST, PORT)
udp HOST PORT N [FIFO]
                     one unconnected socket, N datagrams with sendto();
                     JSON {counts, src_bad, first, last}: backends that
                     answered, replies whose recvfrom() source was not
                     (HOST, PORT). With FIFO: after N/2 datagrams print
                     "half NAME" and wait for a line on FIFO.
hold HOST PORT FIFO  one TCP connection: print JSON {name, peer} (peer from
                     getpeername()), wait for a line on FIFO, print it again
refused tcp|udp HOST PORT
                     connect()/sendto() once; JSON {errno, seconds}
HOST "::ffff:a.b.c.d" uses an IPv6 socket (an IPv4-mapped address).
"""
import errno
import json
import selectors
import socket
import sys
import time


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def serve(specs):
    sel = selectors.DefaultSelector()
    for spec in specs:
        proto, addr, port, name = spec.split(",")
        typ = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
        s = socket.socket(family(addr), typ)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, int(port)))
        if proto == "tcp":
            s.listen(128)
        sel.register(s, selectors.EVENT_READ, (proto, name.encode()))
    print("ready", flush=True)
    while True:
        for key, _ in sel.select():
            proto, name = key.data
            s = key.fileobj
            if proto == "tcp":
                c, _ = s.accept()
                c.sendall(name + b"\n")
                c.close()
            else:
                _, src = s.recvfrom(2048)
                s.sendto(name, src)


def same(peer, host, port):
    return peer[0] == host and peer[1] == port


def tcp(host, port, n):
    counts, errors, peer_bad = {}, {}, 0
    for _ in range(n):
        s = socket.socket(family(host), socket.SOCK_STREAM)
        s.settimeout(10)
        try:
            s.connect((host, port))
            if not same(s.getpeername(), host, port):
                peer_bad += 1
            name = s.recv(64).decode().strip()
            counts[name] = counts.get(name, 0) + 1
        except OSError as e:
            k = errno.errorcode.get(e.errno, str(e))
            errors[k] = errors.get(k, 0) + 1
        finally:
            s.close()
    print(json.dumps({"counts": counts, "peer_bad": peer_bad,
                      "errors": errors}))


def udp(host, port, n, fifo=None):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.settimeout(5)
    counts, src_bad, names = {}, 0, []
    for i in range(n):
        if fifo and i == n // 2:
            print("half", names[-1] if names else "-", flush=True)
            with open(fifo) as f:
                f.readline()
        s.sendto(b"ping", (host, port))
        data, src = s.recvfrom(2048)
        name = data.decode()
        names.append(name)
        counts[name] = counts.get(name, 0) + 1
        if not same(src, host, port):
            src_bad += 1
            sys.stderr.write("recvfrom source %s\n" % (src,))
    print(json.dumps({"counts": counts, "src_bad": src_bad,
                      "first": names[0], "last": names[-1]}))


def hold(host, port, fifo):
    s = socket.socket(family(host), socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect((host, port))
    name = s.recv(64).decode().strip()
    print(json.dumps({"name": name, "peer": s.getpeername()[:2]}), flush=True)
    with open(fifo) as f:
        f.readline()
    print(json.dumps({"name": name, "peer": s.getpeername()[:2]}), flush=True)


def refused(proto, host, port):
    typ = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(family(host), typ)
    s.settimeout(10)
    t0 = time.monotonic()
    err = "none"
    try:
        if proto == "tcp":
            s.connect((host, port))
        else:
            s.sendto(b"ping", (host, port))
    except OSError as e:
        err = errno.errorcode.get(e.errno, str(e))
    print(json.dumps({"errno": err, "seconds": time.monotonic() - t0}))


def main(argv):
    cmd = argv[1]
    if cmd == "serve":
        serve(argv[2:])
    elif cmd == "tcp":
        tcp(argv[2], int(argv[3]), int(argv[4]))
    elif cmd == "udp":
        udp(argv[2], int(argv[3]), int(argv[4]),
            argv[5] if len(argv) > 5 else None)
    elif cmd == "hold":
        hold(argv[2], int(argv[3]), argv[4])
    elif cmd == "refused":
        refused(argv[2], argv[3], int(argv[4]))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
