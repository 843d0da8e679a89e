#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Traffic whose bursts mix destinations (forward.sh).

The worker routes a burst at once and looks up a run of packets to one
destination once (dataplane/worker.c route_stage): a mistake there sends a
packet where its neighbour in the burst was going. This sends UDP to three
destinations in an irregular interleaving, in back-to-back batches so that
the gateway's worker (which naps when idle) finds several in one burst:
  A   the server's IPv4 address      (forwarded out the server port)
  A6  the server's IPv6 address      (the same, IPv6: its own bulk lookup)
  G   the gateway's own IPv4 address (local: punted, never forwarded)
and, on the server's side, sniffs what arrives. Every A and A6 packet must
arrive, exactly once, and no G packet may.

  burst_mix.py sniff IFACE SECONDS OUT READY
                                         (server namespace; touches READY
                                         once capturing, then writes OUT)
  burst_mix.py send A A6 G N             (client namespace; prints counts)
  burst_mix.py check OUT NA NA6          (exit 1 on a mismatch)
"""
import json
import random
import socket
import sys
import time

PORT = 9999


def plan(n):
    """A fixed, irregular sequence of destinations with runs of 1..5."""
    rng = random.Random(1)
    out = []
    while len(out) < n:
        out += [rng.choice("A6G")] * rng.randint(1, 5)
    return out[:n]


def send(a, a6, g, n):
    s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    counts = {"A": 0, "6": 0, "G": 0}
    for i, d in enumerate(plan(n)):
        msg = b"burst-mix %d %s" % (i, d.encode())
        if d == "6":
            s6.sendto(msg, (a6, PORT))
        else:
            s4.sendto(msg, (a if d == "A" else g, PORT))
        counts[d] += 1
        if i % 24 == 23:            # batches of 24, then a breath
            time.sleep(0.003)
    print(counts["A"], counts["6"], counts["G"])


def sniff(iface, seconds, out, ready):
    """Every UDP datagram to PORT on the wire of iface (a packet socket,
    not scapy: it is capturing before `ready` is written)."""
    eth_p_all = 0x0003
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(eth_p_all))
    s.bind((iface, 0))
    s.settimeout(0.2)
    open(ready, "w").close()
    got = []
    end = time.monotonic() + float(seconds)
    while time.monotonic() < end:
        try:
            f = s.recv(4096)
        except socket.timeout:
            continue
        etype = int.from_bytes(f[12:14], "big")
        ip = f[14:]
        if etype == 0x0800 and len(ip) >= 20 and ip[9] == 17:
            hl = (ip[0] & 15) * 4
            dst = socket.inet_ntop(socket.AF_INET, ip[16:20])
        elif etype == 0x86DD and len(ip) >= 40 and ip[6] == 17:
            hl = 40
            dst = socket.inet_ntop(socket.AF_INET6, ip[24:40])
        else:
            continue
        udp = ip[hl:]
        if len(udp) >= 8 and int.from_bytes(udp[2:4], "big") == PORT:
            got.append([dst, udp[8:].decode(errors="replace")])
    with open(out, "w") as f:
        json.dump(got, f)


def check(path, na, na6):
    got = json.load(open(path))
    bad = [g for g in got if not g[1].startswith("burst-mix ") or
           g[1].split()[2] == "G"]
    by = {"A": set(), "6": set()}
    dup = 0
    for _, msg in got:
        _, i, d = msg.split()
        if d in by:
            dup += int(i) in by[d]
            by[d].add(int(i))
    ok = not bad and not dup and len(by["A"]) == na and len(by["6"]) == na6
    print("arrived: %d IPv4, %d IPv6 (sent %d, %d); duplicates %d; "
          "packets for the gateway that came out: %d" %
          (len(by["A"]), len(by["6"]), na, na6, dup, len(bad)))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "send":
        send(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    elif cmd == "sniff":
        sniff(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        check(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
