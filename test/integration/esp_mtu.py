#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Helper of test/integration/esp_mtu.sh (packets too big for a tunnel).
Uses esp_peer.py's Pair (scapy's ESP) read-only to decrypt the gateway's ESP.

  esp_mtu.py absorb --ready FILE
      in the client namespace: sockets that take the gateway's ESP and
      ESP-in-UDP so that the client kernel stays silent; runs until SIGTERM.
  esp_mtu.py send-udp --dst ADDR --size N --out FILE
      in the server namespace: one IPv4/UDP packet of N bytes, DF clear,
      203.0.113.2 -> ADDR, random payload, sent to the gateway's MAC; its
      bytes (hex) go to FILE.
  esp_mtu.py check-icmp --pcap FILE --expect DST=MTU...
      the server's capture: exactly one ICMP "fragmentation needed" (type 3
      code 4) from 203.0.113.1, or ICMPv6 Packet Too Big from 2001:db8:5::1,
      per quoted destination DST, carrying MTU; nothing else of the kind.
  esp_mtu.py check-esp --pcap FILE --pairs FILE --expect PAIR:KIND:ARG...
      the client's capture: every ESP packet from the gateway, outer
      fragments reassembled (scapy's defragment/defragment6), decrypted with
      the pair's outbound SA, in sequence-number order, against the expected
      list per pair. KIND: echo4:LEN / echo6:LEN (an echo request of LEN
      bytes from the server, ping -p 5a, DF or IPv6, sent unfragmented as
      one outer packet of exactly 1500 bytes), udp:HEXFILE (the packet
      send-udp wrote, TTL one less, sent as outer fragments).
"""
import argparse
import collections
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import esp_peer  # noqa: E402  (read-only: Pair, Absorber, helpers)
from scapy.layers.inet import ICMP, IP, UDP, IPerror, defragment  # noqa: E402
from scapy.layers.inet6 import (ICMPv6EchoRequest, ICMPv6PacketTooBig, IPv6,  # noqa: E402
                                IPerror6, IPv6ExtHdrFragment, defragment6)
from scapy.layers.l2 import Ether  # noqa: E402
from scapy.packet import Raw  # noqa: E402
from scapy.sendrecv import sendp  # noqa: E402
from scapy.utils import checksum, rdpcap  # noqa: E402

GW_S_MAC, SV_MAC = "02:00:00:00:05:01", "02:00:00:00:05:02"
PORT_MTU = 1500
PATTERN = 0x5A


def cmd_absorb(args):
    a = esp_peer.Absorber()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with open(args.ready, "w") as f:
        f.write("ready\n")
    while not stop:
        time.sleep(0.1)
    a.close()
    return 0


def cmd_send_udp(args):
    payload = os.urandom(args.size - 28)
    pkt = IP(src="203.0.113.2", dst=args.dst, flags=0, ttl=64, id=0x4d54) / \
        UDP(sport=40000, dport=9) / Raw(payload)
    raw = bytes(pkt)
    assert len(raw) == args.size
    with open(args.out, "w") as f:
        f.write(raw.hex() + "\n")
    sendp(Ether(dst=GW_S_MAC, src=SV_MAC) / IP(raw), iface="veth0", verbose=0)
    return 0


def cmd_check_icmp(args):
    want = {}
    for e in args.expect:
        d, m = e.rsplit("=", 1)
        want[d] = int(m)
    got = collections.defaultdict(list)
    errors = []
    for p in rdpcap(args.pcap):
        if ICMP in p and p[ICMP].type == 3:
            ic = p[ICMP]
            q = p[IPerror] if IPerror in p else None
            dst = q.dst if q is not None else "?"
            got[dst].append(("v4", p[IP].src, ic.code, ic.nexthopmtu, len(bytes(ic))))
            print("  ICMP type 3 code %d from %s to %s, next-hop MTU %d, quoting %s -> %s (%d bytes quoted)"
                  % (ic.code, p[IP].src, p[IP].dst, ic.nexthopmtu,
                     q.src if q is not None else "?", dst, len(bytes(ic)) - 8))
            if checksum(bytes(ic)) != 0:
                errors.append("ICMP error about %s: bad checksum" % dst)
        elif ICMPv6PacketTooBig in p:
            ic = p[ICMPv6PacketTooBig]
            q = p[IPerror6] if IPerror6 in p else None
            dst = q.dst if q is not None else "?"
            got[dst].append(("v6", p[IPv6].src, ic.code, ic.mtu, len(bytes(ic))))
            print("  ICMPv6 Packet Too Big from %s to %s, MTU %d, quoting %s -> %s" %
                  (p[IPv6].src, p[IPv6].dst, ic.mtu, q.src if q is not None else "?", dst))
            raw = bytes(ic)
            zeroed = raw[:2] + b"\0\0" + raw[4:]
            if (esp_peer.in6_chksum(58, p[IPv6], zeroed) or 0xFFFF) != ic.cksum:
                errors.append("Packet Too Big about %s: bad checksum" % dst)
    for dst, mtu in want.items():
        g = got.pop(dst, [])
        v6 = ":" in dst
        src = "2001:db8:5::1" if v6 else "203.0.113.1"
        what = "ICMPv6 Packet Too Big" if v6 else "ICMP fragmentation needed"
        if len(g) != 1:
            errors.append("%d %s(s) about %s, expected 1" % (len(g), what, dst))
        for fam, s, code, m, _ in g:
            if s != src:
                errors.append("%s about %s from %s, expected %s" % (what, dst, s, src))
            if not v6 and code != 4:
                errors.append("ICMP type 3 code %d about %s, expected code 4" % (code, dst))
            if m != mtu:
                errors.append("%s about %s carries MTU %d, expected the tunnel MTU %d" %
                              (what, dst, m, mtu))
    for dst, g in got.items():
        errors.append("unexpected ICMP error(s) about %s: %s" % (dst, g))
    for e in errors:
        print("  ERROR: " + e)
    return 1 if errors else 0


def load_pairs(path):
    pairs = {}
    with open(path) as f:
        for line in f:
            if line.split():
                p = esp_peer.Pair(line)
                pairs[p.out_spi] = p
    return pairs


def frag_info_v4(p):
    ip = p[IP]
    return "%dB%s%s off=%d" % (ip.len, " DF" if ip.flags.DF else "",
                               " MF" if ip.flags.MF else "", ip.frag * 8)


def frag_span(f):
    """(offset, payload bytes, more?) of an IPv4 or IPv6 fragment."""
    if IP in f:
        ip = f[IP]
        return ip.frag * 8, ip.len - ip.ihl * 4, bool(ip.flags.MF)
    fh = f[IPv6ExtHdrFragment]
    return fh.offset * 8, f[IPv6].plen - 8, bool(fh.m)


def frags_complete(fl):
    """Whether fragments cover one packet without holes or overlaps."""
    spans = sorted(frag_span(f) for f in fl)
    at = 0
    for off, n, _ in spans:
        if off != at:
            return False
        at = off + n
    return spans[0][0] == 0 and not spans[-1][2]


def collect(pcap, pairs):
    """ESP from the gateway: ({spi: [(seq, esp, udp?, packet, fragments,
    frame descriptions, problems)]}, unassembled fragments, other traffic,
    reused fragment identifications). Fragments are reassembled in arrival
    order, as a receiver does: a packet is complete when its fragments
    cover it; a later packet with the same identification starts anew."""
    by_gw = {p.gw for p in pairs.values()}
    groups, pending, other = [], collections.OrderedDict(), []
    ids_used = collections.Counter()
    for p in rdpcap(pcap):
        if Ether in p and p[Ether].src == esp_peer.CL_MAC:
            continue
        key = None
        if IP in p and p[IP].src in by_gw:
            ip = p[IP]
            if ip.flags.MF or ip.frag:
                key = (4, ip.src, ip.dst, ip.proto, ip.id)
        elif IPv6 in p and p[IPv6].src in by_gw:
            if IPv6ExtHdrFragment in p:
                key = (6, p[IPv6].src, p[IPv6].dst, p[IPv6ExtHdrFragment].id)
        elif IP in p or IPv6 in p:
            other.append(p.summary())
            continue
        else:
            continue
        if key is None:
            groups.append((p, [p], []))
            continue
        fl = pending.setdefault(key, [])
        fl.append(p)
        if not frags_complete(fl):
            continue
        del pending[key]
        ids_used[key] += 1
        if key[0] == 4:
            d = defragment([f.copy() for f in fl])       # scapy's
            if len(d) != 1:
                groups.append((None, fl, ["scapy's defragment() gives %d packets" % len(d)]))
                continue
            groups.append((Ether(bytes(d[0])), fl, []))
        else:
            try:
                d = defragment6([IPv6(bytes(f[IPv6])) for f in fl])   # scapy's
            except Exception as e:  # noqa: BLE001 -- report, do not crash
                groups.append((None, fl, ["scapy's defragment6() fails: %r" % e]))
                continue
            if d is None or IPv6ExtHdrFragment in d:
                groups.append((None, fl, ["scapy's defragment6() does not reassemble them"]))
                continue
            groups.append((IPv6(bytes(d)), fl, []))
    for key, fl in pending.items():
        groups.append((None, fl, ["fragments that never complete a packet (id %#x)" % key[-1]]))
    reused = {k: n for k, n in ids_used.items() if n > 1}
    out = collections.defaultdict(list)
    loose = []
    for pkt, fl, probs in groups:
        descr = []
        for f in fl:
            if IP in f:
                descr.append(frag_info_v4(f))
                wire = len(bytes(f[Ether].payload))
            else:
                fh = f[IPv6ExtHdrFragment] if IPv6ExtHdrFragment in f else None
                descr.append("%dB%s" % (f[IPv6].plen + 40, "" if fh is None else
                                         " frag off=%d%s" % (fh.offset * 8, " M" if fh.m else "")))
                wire = f[IPv6].plen + 40
            if wire > PORT_MTU:
                probs.append("a frame of %d bytes of IP on a %d-byte MTU link" % (wire, PORT_MTU))
        if pkt is None:
            loose.append((descr, probs))
            continue
        e = esp_peer.esp_of(pkt, pkt[IP].src if IP in pkt else pkt[IPv6].src)
        if e is None:
            if len(fl) == 1:
                other.append(pkt.summary())     # ARP, ND, ...: not ours to judge
            else:
                loose.append((descr, probs + ["not ESP: " + pkt.summary()]))
            continue
        udp, esp = e
        spi = int.from_bytes(esp[:4], "big")
        seq = int.from_bytes(esp[4:8], "big")
        out[spi].append((seq, esp, udp, pkt, fl, descr, probs))
    return out, loose, other, reused


def check_inner(pair, kind, arg, inner_bytes, nfl, fl, pkt):
    """Problems with one decrypted packet against its expectation."""
    bad = []
    outer4 = pair.outer == 4
    if kind in ("echo4", "echo6"):
        n = int(arg)
        if len(inner_bytes) != n:
            bad.append("inner packet of %d bytes, expected %d" % (len(inner_bytes), n))
        if nfl != 1:
            bad.append("sent in %d outer fragments, expected one unfragmented packet" % nfl)
        else:
            wire = len(bytes(fl[0][Ether].payload))
            if wire != PORT_MTU:
                bad.append("outer packet of %d bytes, expected exactly %d" % (wire, PORT_MTU))
            if outer4 and not fl[0][IP].flags.DF:
                bad.append("outer IPv4 without DF (the inner packet had DF / is IPv6)")
        if kind == "echo4":
            ip = IP(inner_bytes)
            if ICMP not in ip or ip[ICMP].type != 8:
                return bad + ["not an ICMP echo request: " + ip.summary()], "?"
            if not ip.flags.DF:
                bad.append("inner IPv4 lost DF")
            if ip.ttl != 63:
                bad.append("inner TTL %d, expected 63" % ip.ttl)
            if checksum(bytes(ip)[:20]) != 0:
                bad.append("inner IPv4 header checksum wrong")
            if checksum(bytes(ip[ICMP])) != 0:
                bad.append("ICMP checksum wrong: the payload was damaged")
            data = bytes(ip[ICMP].payload)
        else:
            ip = IPv6(inner_bytes)
            if ICMPv6EchoRequest not in ip:
                return bad + ["not an ICMPv6 echo request: " + ip.summary()], "?"
            if ip.hlim != 63:
                bad.append("inner hop limit %d, expected 63" % ip.hlim)
            if not esp_peer.icmp_sum_ok(6, ip, ip[ICMPv6EchoRequest]):
                bad.append("ICMPv6 checksum wrong: the payload was damaged")
            data = ip[ICMPv6EchoRequest].data
        if data[16:] != bytes([PATTERN]) * (len(data) - 16):
            bad.append("echo payload after the timestamp is not ping -p 5a's pattern")
        desc = "%s echo request %s -> %s, %d bytes" % ("IPv4" if kind == "echo4" else "IPv6",
                                                       ip.src, ip.dst, len(inner_bytes))
    elif kind == "udp":
        with open(arg) as f:
            sent = IP(bytes.fromhex(f.read().strip()))
        sent.ttl -= 1
        del sent.chksum
        want = bytes(IP(bytes(sent)))
        desc = "IPv4 UDP %d bytes (DF clear)" % len(inner_bytes)
        if inner_bytes != want:
            if len(inner_bytes) != len(want):
                bad.append("inner packet of %d bytes, sent %d" % (len(inner_bytes), len(want)))
            diff = [i for i in range(min(len(want), len(inner_bytes)))
                    if want[i] != inner_bytes[i]]
            if diff:
                bad.append("inner packet differs from what the server sent (TTL-1) at %d "
                           "byte(s), first at offset %d" % (len(diff), diff[0]))
        if nfl < 2:
            bad.append("sent as %d outer packet(s), expected outer fragments" % nfl)
        if outer4 and any(f[IP].flags.DF for f in fl):
            bad.append("outer IPv4 fragment with DF set")
        # Outer UDP (NAT-T) checked once reassembled: length, ports, checksum.
        for b in esp_peer.check_outer(pair, pkt, pair.udp):
            if not b.startswith(("outer TTL", "a fragment")):
                bad.append("reassembled: " + b)
    else:
        bad.append("unknown expectation " + kind)
        desc = "?"
    return bad, desc


def cmd_check_esp(args):
    pairs = load_pairs(args.pairs)
    by_name = {p.name: p for p in pairs.values()}
    expect = collections.defaultdict(list)
    for e in args.expect:
        name, kind, arg = e.split(":", 2)
        expect[by_name[name].out_spi].append((kind, arg))
    got, loose, other, reused = collect(args.pcap, pairs)
    errors = []
    for (fam, src, dst, *_, ident), n in reused.items():
        errors.append("%d fragmented IPv%d packets %s -> %s share the fragment Identification %#x "
                      "(RFC %s: unique per packet)" % (n, fam, src, dst, ident,
                                                      "791" if fam == 4 else "8200 4.5"))
    for descr, probs in loose:
        errors.append("outer packet(s) %s: %s" % (", ".join(descr), "; ".join(probs)))
    for o in other[:5]:
        print("  note: other traffic from the gateway: " + o)
    for spi in sorted(set(expect) | set(got)):
        pair = pairs.get(spi)
        if pair is None:
            errors.append("ESP with SPI %#x from the gateway (no such pair)" % spi)
            continue
        pkts = sorted(got.get(spi, []), key=lambda t: t[0])
        want = expect.get(spi, [])
        label = "%s (SPI %#x, IPv%d outer%s)" % (pair.name, spi, pair.outer,
                                                 ", UDP" if pair.udp else "")
        if len(pkts) != len(want):
            errors.append("%s: %d ESP packets from the gateway, expected %d" %
                          (label, len(pkts), len(want)))
        for i, (seq, esp, udp, pkt, fl, descr, probs) in enumerate(pkts):
            where = "%s seq %d [%s]" % (label, seq, ", ".join(descr))
            try:
                pair.decrypt(esp, seq)       # scapy's ESP: ICV verified
                pt = pair.plaintext(esp, seq)
            except Exception as e:  # noqa: BLE001
                errors.append("%s: does not decrypt: %r" % (where, e))
                continue
            padlen = pt[-2]
            inner = pt[:len(pt) - 2 - padlen]
            bad = list(probs)
            if udp != pair.udp:
                bad.append("encapsulation differs from the SA's")
            if i < len(want):
                b, desc = check_inner(pair, want[i][0], want[i][1], inner, len(fl), fl, pkt)
                bad += b
            else:
                desc = "unexpected: %d-byte inner packet %s" % (len(inner), (
                    IP(inner) if inner[0] >> 4 == 4 else IPv6(inner)).summary())
                bad.append("not expected")
            print("  %s: %s%s" % (where, desc, "" if not bad else "  <-- " + "; ".join(bad)))
            if bad:
                errors.append("%s: %s" % (where, "; ".join(bad)))
    for e in errors:
        print("  ERROR: " + e)
    return 1 if errors else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("absorb")
    p.add_argument("--ready", required=True)
    p = sub.add_parser("send-udp")
    p.add_argument("--dst", required=True)
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("check-icmp")
    p.add_argument("--pcap", required=True)
    p.add_argument("--expect", nargs="*", default=[])
    p = sub.add_parser("check-esp")
    p.add_argument("--pcap", required=True)
    p.add_argument("--pairs", required=True)
    p.add_argument("--expect", nargs="*", default=[])
    args = ap.parse_args()
    return {"absorb": cmd_absorb, "send-udp": cmd_send_udp, "check-icmp": cmd_check_icmp,
            "check-esp": cmd_check_esp}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
