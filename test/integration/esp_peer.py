#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The road-warrior end of test/integration/esp.sh, run in the client
namespace: scapy's own ESP (scapy.layers.ipsec), independent of sgwd's code,
encrypts what goes to the gateway and decrypts what comes back.

  esp_peer.py ping  --pair P --inner 4|6 [--count N] [--esn-cross]
                    [--expect N] [--encap raw|udp]
      ESP-protected ICMP echo requests from the pair's inner address to the
      server (tunnel mode), or from the client's own address to the
      gateway's (transport mode); sniffs veth0 for the gateway's ESP replies,
      decrypts them with the pair's other SA and checks every header on the
      way.
  esp_peer.py craft --pair P --case CASE [--count N]
      malformed or unwelcome packets (see CASES); none may be answered.
  esp_peer.py tun   --pair P --ready FILE [--dev NAME]
      a userspace ESP endpoint: a TUN device whose packets go out as
      ESP-in-UDP/4500 and whose ESP from the gateway comes back in; runs
      until SIGTERM.
  esp_peer.py get   --pair P KEY
      a value from the pair's state (see State).

The pairs file (--pairs, written by esp.sh) has one SA pair a line:
  name outer encap esn out_spi out_key in_spi in_key inner4 inner6 out_seq mode
"out" is the gateway's outbound SA (we decrypt with it), "in" its inbound SA
(we encrypt with it); keys are hex, AES-GCM key then 4-byte salt; out_seq is
the first sequence number the gateway sends; mode is tunnel or transport (a
transport pair protects the client's own address, inner4 or inner6, talking
to the gateway's: the other family's is "-"). The state file (--state) keeps,
per pair, our next sequence number and what the gateway should have counted,
so that successive runs continue where the last one stopped.
"""
import argparse
import fcntl
import json
import os
import select
import signal
import socket
import struct
import sys
import threading
import time

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from scapy.config import conf
from scapy.layers.inet import ICMP, IP, UDP, in4_chksum
from scapy.layers.inet6 import ICMPv6EchoReply, ICMPv6EchoRequest, IPv6, in6_chksum
from scapy.layers.ipsec import ESP, IPSecIntegrityError, SecurityAssociation, _ESPPlain
from scapy.layers.l2 import Ether
from scapy.packet import Raw
from scapy.sendrecv import AsyncSniffer, sendp
from scapy.utils import checksum

conf.verb = 0

IFACE = "veth0"
GW_MAC, CL_MAC = "02:00:00:00:0c:01", "02:00:00:00:0c:02"
OUTER = {4: ("198.51.100.2", "198.51.100.1"), 6: ("2001:db8:c::2", "2001:db8:c::1")}
SERVER = {4: "203.0.113.2", 6: "2001:db8:5::2"}
NATT = 4500
ICV = 16
NH_IPV4, NH_IPV6, NH_DUMMY = 4, 41, 59
NH_ICMP, NH_ICMPV6 = 1, 58
# Inner source addresses no policy of any pair selects (esp_policy_mismatch).
STRANGER = {4: "10.10.0.99", 6: "2001:db8:10::99"}
UNKNOWN_SPI = 0x5EE00001


def die(msg):
    print("esp_peer: " + msg, file=sys.stderr)
    sys.exit(2)


class Pair:
    """One SA pair of the gateway, seen from the peer."""

    def __init__(self, line):
        f = line.split()
        if len(f) not in (11, 12):
            die("bad pairs line: " + line)
        self.name = f[0]
        self.outer = int(f[1])
        self.udp = f[2] == "udp"
        self.esn = f[3] == "true"
        self.out_spi, self.out_key = int(f[4], 0), bytes.fromhex(f[5])
        self.in_spi, self.in_key = int(f[6], 0), bytes.fromhex(f[7])
        self.inner = {4: f[8], 6: f[9]}
        self.out_seq = int(f[10])
        self.transport = len(f) > 11 and f[11] == "transport"
        self.peer, self.gw = OUTER[self.outer]
        hdr = IP if self.outer == 4 else IPv6
        if self.transport:
            if self.inner.get(self.outer) != self.peer:
                die("transport pair %s: inner address %s, expected %s" %
                    (self.name, self.inner.get(self.outer), self.peer))
            # The echo goes to the gateway itself, which answers it.
            self.dest = {self.outer: self.gw}
            tun = lambda src, dst: {}       # noqa: E731
        else:
            self.dest = SERVER
            tun = lambda src, dst: {"tunnel_header": hdr(src=src, dst=dst)}  # noqa: E731
        # What we send: the gateway's inbound SA.
        self.tx = SecurityAssociation(ESP, spi=self.in_spi, crypt_algo="AES-GCM",
                                      crypt_key=self.in_key, esn_en=self.esn, esn=0,
                                      **tun(self.peer, self.gw))
        # The same, with scapy's own UDP encapsulation (transport mode only).
        self.tx_natt = SecurityAssociation(ESP, spi=self.in_spi, crypt_algo="AES-GCM",
                                           crypt_key=self.in_key, esn_en=self.esn, esn=0,
                                           nat_t_header=UDP(sport=NATT, dport=NATT))
        # What the gateway sends: its outbound SA.
        self.rx = SecurityAssociation(ESP, spi=self.out_spi, crypt_algo="AES-GCM",
                                      crypt_key=self.out_key, esn_en=self.esn, esn=0,
                                      **tun(self.gw, self.peer))

    # -- sending ---------------------------------------------------------

    def encrypt(self, inner, seq):
        """ESP bytes (header to ICV) of inner with 64-bit sequence number seq,
        through SecurityAssociation.encrypt (tunnel mode)."""
        if not self.esn and seq >> 32:
            die("sequence number %#x needs ESN" % seq)
        # scapy takes "seq_num or self.seq_num" and "esn or self.esn", so a
        # zero argument would be ignored: set the SA's own fields instead.
        self.tx.seq_num, self.tx.esn = seq & 0xFFFFFFFF, seq >> 32
        return bytes(self.tx.encrypt(inner)[ESP])

    def transport_frame(self, pkt, seq, encap=None):
        """The Ethernet frame of pkt (from our address to the gateway's) in
        transport-mode ESP with sequence number seq, built entirely by
        SecurityAssociation.encrypt: the ESP header goes between pkt's IP
        header and its payload, and with UDP encapsulation scapy's
        nat_t_header goes in front of it."""
        udp = self.udp if encap is None else encap == "udp"
        sa = self.tx_natt if udp else self.tx
        sa.seq_num, sa.esn = seq & 0xFFFFFFFF, seq >> 32
        out = sa.encrypt(pkt)
        if udp:
            # scapy 2.5 serialises the IPv4 header before the ESP is
            # attached (UDP length 8) and leaves the UDP checksum 0, which
            # IPv6 does not allow (RFC 8200 8.1): recompute both.
            del out[UDP].len
            del out[UDP].chksum
        return bytes(Ether(dst=GW_MAC, src=CL_MAC) / out)

    def seal(self, seq, payload, nh, padding=None):
        """ESP bytes for an arbitrary payload and next header, and optionally
        wrong padding, through scapy's AES-GCM ESP transform."""
        algo = self.tx.crypt_algo
        esp = _ESPPlain(spi=self.in_spi, seq=seq & 0xFFFFFFFF, iv=algo.generate_iv(),
                        data=payload, nh=nh)
        if padding is None:
            esp = algo.pad(esp)
        else:
            esp.padding, esp.padlen = padding, len(padding)
        return bytes(algo.encrypt(self.tx, esp, self.tx.crypt_key, ICV,
                                  esn_en=self.esn, esn=seq >> 32))

    def frame(self, esp, encap=None):
        """The Ethernet frame carrying ESP bytes to the gateway."""
        udp = self.udp if encap is None else encap == "udp"
        if self.outer == 4:
            ip = IP(src=self.peer, dst=self.gw, proto=17 if udp else 50)
        else:
            ip = IPv6(src=self.peer, dst=self.gw, nh=17 if udp else 50)
        # Not SecurityAssociation(nat_t_header=...): scapy 2.5 writes a UDP
        # length of 8 for IPv4 there.
        pkt = ip / UDP(sport=NATT, dport=NATT) / Raw(esp) if udp else ip / Raw(esp)
        return bytes(Ether(dst=GW_MAC, src=CL_MAC) / pkt)

    # -- receiving -------------------------------------------------------

    def infer_seq(self, low, top):
        """The 64-bit sequence number nearest top with this low half."""
        if not self.esn:
            return low
        cand = (top & ~0xFFFFFFFF) | low
        if cand + (1 << 31) < top:
            cand += 1 << 32
        elif cand > top + (1 << 31) and cand >= 1 << 32:
            cand -= 1 << 32
        return cand

    def decrypt(self, esp, seq):
        """The inner packet of ESP bytes from the gateway, through
        SecurityAssociation.decrypt; raises IPSecIntegrityError."""
        self.rx.esn = seq >> 32
        hdr = IP(src=self.gw, dst=self.peer, proto=50) if self.outer == 4 else \
            IPv6(src=self.gw, dst=self.peer, nh=50)
        return self.rx.decrypt(hdr / ESP(esp))

    def plaintext(self, esp, seq):
        """The decrypted ESP payload with its trailer, by the cryptography
        library directly, to check what scapy does not: the padding bytes."""
        aad = esp[:4] + (struct.pack("!II", seq >> 32, seq & 0xFFFFFFFF)
                         if self.esn else esp[4:8])
        return AESGCM(self.out_key[:-4]).decrypt(self.out_key[-4:] + esp[8:16],
                                                 esp[16:], aad)


def load_pair(args):
    with open(args.pairs) as f:
        for line in f:
            if line.split() and line.split()[0] == args.pair:
                return Pair(line)
    die("no pair %s in %s" % (args.pair, args.pairs))


def load_state(args, pair):
    try:
        with open(args.state) as f:
            all_ = json.load(f)
    except FileNotFoundError:
        all_ = {}
    st = all_.get(pair.name) or {
        "next_seq": 1,           # our next sequence number
        "sent_max": 0,           # highest we sent that the gateway accepted
        "accepted": 0,           # our packets the gateway must have accepted
        "rx_top": pair.out_seq - 1,   # highest gateway sequence number seen
        "replies": 0,            # ESP packets from the gateway, decrypted
        "rx_seqs": [],           # their sequence numbers, in arrival order
    }
    return all_, st


def save_state(args, pair, all_, st):
    all_[pair.name] = st
    tmp = args.state + ".tmp"
    with open(tmp, "w") as f:
        json.dump(all_, f)
    os.replace(tmp, args.state)


class Absorber:
    """Sockets that take the gateway's ESP and ESP-in-UDP so that the client
    kernel stays silent (no port or protocol unreachable back to sgwd); the
    test reads the packets from the sniffer instead."""

    def __init__(self):
        self.socks = []
        for fam, addr in ((socket.AF_INET, OUTER[4][0]), (socket.AF_INET6, OUTER[6][0])):
            u = socket.socket(fam, socket.SOCK_DGRAM)
            u.bind((addr, NATT))
            self.socks.append(u)
            self.socks.append(socket.socket(fam, socket.SOCK_RAW, 50))

    def close(self):
        for s in self.socks:
            s.close()


# --- probes: frames sent, and the replies they must (or must not) get --------

class Probe:
    def __init__(self, what, frame, reply=None, seq=None, accepted=False):
        self.what = what          # for messages
        self.frame = frame
        self.reply = reply        # (family, icmp id, icmp seq, payload) or None
        self.seq = seq            # our ESP sequence number, if any
        self.accepted = accepted  # the gateway must accept it
        self.got = []             # replies matched to it


def echo(pair, fam, ident, iseq, src=None):
    """An ICMP or ICMPv6 echo request from the pair's inner address to the
    server (tunnel mode) or to the gateway (transport mode)."""
    data = ("sgw-esp %s %d/%d " % (pair.name, ident, iseq)).encode().ljust(56, b".")
    src = src or pair.inner[fam]
    if fam not in pair.dest:
        die("pair %s carries no IPv%d" % (pair.name, fam))
    dst = pair.dest[fam]
    if fam == 4:
        return IP(src=src, dst=dst) / ICMP(type=8, id=ident, seq=iseq) / Raw(data), data
    return IPv6(src=src, dst=dst) / ICMPv6EchoRequest(id=ident, seq=iseq, data=data), data


def esp_of(pkt, gw):
    """(udp?, ESP bytes) if pkt is ESP from gw, else None."""
    if IP in pkt and pkt[IP].src == gw:
        ip, proto = pkt[IP], pkt[IP].proto
    elif IPv6 in pkt and pkt[IPv6].src == gw:
        ip, proto = pkt[IPv6], pkt[IPv6].nh
    else:
        return None
    if proto == 50:
        return False, bytes(ip.payload)
    if proto == 17 and UDP in ip and NATT in (ip[UDP].sport, ip[UDP].dport):
        return True, bytes(ip[UDP].payload)
    return None


def icmp_sum_ok(fam, ip, ic):
    """Whether the ICMP or ICMPv6 checksum of a decrypted packet verifies
    (in transport mode the gateway computed it before it added ESP)."""
    raw_ic = bytes(ic)
    if fam == 4:
        return checksum(raw_ic) == 0
    zeroed = raw_ic[:2] + b"\0\0" + raw_ic[4:]
    return (in6_chksum(58, ic, zeroed) or 0xFFFF) == ic.cksum


def check_outer(pair, pkt, udp):
    """Problems with the outer headers of an ESP packet from the gateway."""
    bad = []
    # In transport mode the outer header is the gateway's own echo reply's,
    # sent with TTL/hop limit 64. (Frames this long have no Ethernet padding.)
    wire = len(bytes(pkt[Ether].payload)) if Ether in pkt else None
    if pair.outer == 4:
        ip = pkt[IP]
        if checksum(bytes(ip)[:ip.ihl * 4]) != 0:
            bad.append("outer IPv4 header checksum %#06x is wrong" % ip.chksum)
        if ip.dst != pair.peer:
            bad.append("outer destination %s, expected %s" % (ip.dst, pair.peer))
        if ip.ttl < 2 or (pair.transport and ip.ttl != 64):
            bad.append("outer TTL %d" % ip.ttl)
        if wire is not None and ip.len != wire:
            bad.append("IPv4 total length %d, the frame carries %d bytes" % (ip.len, wire))
        if ip.flags.MF or ip.frag:
            bad.append("a fragment (flags %s, offset %d)" % (ip.flags, ip.frag))
    else:
        ip = pkt[IPv6]
        if ip.dst != pair.peer:
            bad.append("outer destination %s, expected %s" % (ip.dst, pair.peer))
        if ip.hlim < 2 or (pair.transport and ip.hlim != 64):
            bad.append("outer hop limit %d" % ip.hlim)
        if wire is not None and ip.plen + 40 != wire:
            bad.append("IPv6 payload length %d, the frame carries %d bytes" % (ip.plen, wire - 40))
    if udp != pair.udp:
        bad.append("came %s, the SA says encap %s" % ("in UDP" if udp else "as raw ESP",
                                                      "udp" if pair.udp else "none"))
    if udp:
        u = ip[UDP]
        if (u.sport, u.dport) != (NATT, NATT):
            bad.append("UDP ports %d -> %d, expected 4500 -> 4500" % (u.sport, u.dport))
        seg = bytes(u)[:u.len]
        if u.len != len(bytes(ip.payload)):
            bad.append("UDP length %d, datagram is %d bytes" % (u.len, len(bytes(ip.payload))))
        zeroed = seg[:6] + b"\0\0" + seg[8:]
        # A sum of zero goes on the wire as 0xffff (RFC 768).
        if pair.outer == 4:
            ok = u.chksum == 0 or (in4_chksum(17, ip, zeroed) or 0xFFFF) == u.chksum
        else:
            # RFC 8200 8.1: IPv6 has no "no checksum".
            ok = u.chksum != 0 and (in6_chksum(17, u, zeroed) or 0xFFFF) == u.chksum
        if not ok:
            bad.append("UDP checksum %#06x is wrong" % u.chksum)
    return bad


class Exchange:
    """Sends probes and matches what the gateway sends back."""

    def __init__(self, pair, st):
        self.pair, self.st = pair, st
        self.errors, self.notes = [], []
        self.replies = 0
        self.lock = threading.Lock()
        self.started = threading.Event()
        self.probes = []

    def on_packet(self, pkt):
        with self.lock:
            try:
                self.classify(pkt)
            except Exception as e:  # a test bug must not vanish in a thread
                self.errors.append("while reading %s: %r" % (pkt.summary(), e))

    def classify(self, pkt):
        pair = self.pair
        if Ether in pkt and pkt[Ether].src == CL_MAC:
            return
        e = esp_of(pkt, pair.gw)
        if e is None:
            # Plaintext from the server to an inner address: a tunnel leak.
            for fam, cls in ((4, IP), (6, IPv6)):
                if cls in pkt and pkt[cls].src == SERVER[fam] and \
                        pkt[cls].dst.startswith(("10.10.0.", "2001:db8:10::")):
                    self.errors.append("plaintext from the server reached the client: " +
                                       pkt.summary())
            # The gateway's own echo reply in clear: the outbound transport
            # policy was not applied.
            if pair.transport:
                reply = pkt[ICMP] if ICMP in pkt and pkt[ICMP].type == 0 else \
                    pkt[ICMPv6EchoReply] if ICMPv6EchoReply in pkt else None
                ours = reply is not None and any(
                    (p.reply and p.reply[1:3] == (reply.id, reply.seq)) or
                    p.what.endswith(" id=%d seq=%d" % (reply.id, reply.seq))
                    for p in self.probes)
                if ours:
                    self.errors.append("the gateway answered in plaintext: " + pkt.summary())
            if ICMP in pkt and pkt[ICMP].type in (3, 11, 12):
                self.notes.append("ICMP error from the gateway: " + pkt.summary())
            return
        udp, esp = e
        if len(esp) < 8 + 8 + ICV:
            self.errors.append("short ESP from the gateway (%d bytes)" % len(esp))
            return
        spi, low = struct.unpack("!II", esp[:8])
        if spi != pair.out_spi:
            self.errors.append("ESP with SPI %#x from the gateway, expected %#x" %
                               (spi, pair.out_spi))
            return
        seq = pair.infer_seq(low, self.st["rx_top"])
        where = "ESP spi=%#x seq=%#x" % (spi, seq)
        bad = check_outer(pair, pkt, udp)
        if esp[8:16] != struct.pack("!Q", seq):
            bad.append("IV %s is not the 64-bit sequence number" % esp[8:16].hex())
        if (len(esp) - 8 - 8 - ICV) % 4:
            bad.append("ciphertext of %d bytes is not a multiple of 4" % (len(esp) - 32))
        try:
            inner = pair.decrypt(esp, seq)
        except IPSecIntegrityError:
            self.errors.append("%s: scapy rejects the ICV (ESN high half %d)" %
                               (where, seq >> 32))
            return
        pt = pair.plaintext(esp, seq)
        padlen, nh = pt[-2], pt[-1]
        if pt[-2 - padlen:-2] != bytes(range(1, padlen + 1)):
            bad.append("padding %s is not 1, 2, 3, ..." % pt[-2 - padlen:-2].hex())
        if pair.transport:
            want_nh = NH_ICMP if pair.outer == 4 else NH_ICMPV6
            if nh != want_nh:
                bad.append("next header %d in transport mode, expected %d" % (nh, want_nh))
        elif nh not in (NH_IPV4, NH_IPV6):
            bad.append("next header %d in tunnel mode" % nh)
        if seq <= self.st["rx_top"]:
            bad.append("sequence number %#x not above the last one, %#x" %
                       (seq, self.st["rx_top"]))
        self.st["rx_top"] = max(self.st["rx_top"], seq)
        self.st["rx_seqs"].append(seq)
        self.st["replies"] += 1
        self.replies += 1
        probe, what = self.match(inner)
        if bad or probe is None:
            self.errors.append("%s (%s): %s" % (where, what, "; ".join(bad) or
                                                 "answers none of our requests"))
            return
        probe.got.append(seq)
        print("  reply to %s: %s, %s%s, inner %s" %
              (probe.what, where, "UDP 4500" if udp else "raw ESP",
               "" if pair.outer == 4 else " over IPv6", what))

    def match(self, inner):
        """The probe an inner echo reply answers, and a description."""
        if IP in inner and ICMP in inner and inner[ICMP].type == 0:
            fam, ip, ic, ttl = 4, inner[IP], inner[ICMP], inner[IP].ttl
            data = bytes(ic.payload)
        elif IPv6 in inner and ICMPv6EchoReply in inner:
            fam, ip, ic, ttl = 6, inner[IPv6], inner[ICMPv6EchoReply], inner[IPv6].hlim
            data = ic.data
        else:
            return None, "not an echo reply: " + inner.summary()
        what = "%s -> %s echo reply id=%d seq=%d ttl=%d" % (ip.src, ip.dst, ic.id, ic.seq, ttl)
        pair = self.pair
        for p in self.probes:
            if p.reply and p.reply[:3] == (fam, ic.id, ic.seq):
                if data != p.reply[3]:
                    return None, what + " with the wrong payload"
                if ip.src != pair.dest[fam] or ip.dst != pair.inner[fam]:
                    return None, what + " between the wrong addresses"
                # Tunnel: the server sent it with 64 and the gateway routed
                # it once. Transport: the gateway's own reply, sent with 64.
                if ttl != (64 if pair.transport else 63):
                    return None, what + ", expected TTL/hop limit %d" % \
                        (64 if pair.transport else 63)
                if not icmp_sum_ok(fam, ip, ic):
                    return None, what + " with a wrong ICMP checksum"
                return p, what
        for p in self.probes:
            if p.reply is None and p.what.endswith(" id=%d seq=%d" % (ic.id, ic.seq)):
                return None, what + " to a packet the gateway should have dropped (%s)" % p.what
        return None, what

    def run(self, probes, gap=0.02, wait=3.0, linger=0.4):
        self.probes = probes
        absorb = Absorber()
        sn = AsyncSniffer(iface=IFACE, prn=self.on_packet, store=False,
                          filter="not ether src %s and (ip or ip6)" % CL_MAC,
                          started_callback=self.started.set)
        sn.start()
        if not self.started.wait(5):
            die("sniffer did not start")
        time.sleep(0.1)
        try:
            for p in probes:
                if p.frame:
                    sendp(p.frame, iface=IFACE)
                time.sleep(gap)
            end = time.time() + wait
            while time.time() < end:
                with self.lock:
                    if all(p.got for p in probes if p.reply):
                        break
                time.sleep(0.05)
            time.sleep(linger)    # late or unwanted replies
        finally:
            sn.stop()
            absorb.close()
        for p in probes:
            if p.reply and not p.got:
                self.errors.append("no reply to %s" % p.what)
            elif len(p.got) > 1:
                self.errors.append("%d replies to %s" % (len(p.got), p.what))
            if p.accepted:
                self.st["accepted"] += 1
                self.st["sent_max"] = max(self.st["sent_max"], p.seq)
        return self.report()

    def report(self):
        for n in self.notes:
            print("  note: " + n)
        for e in self.errors:
            print("  ERROR: " + e)
        return 1 if self.errors else 0


def take_seq(st, seq=None):
    if seq is None:
        seq = st["next_seq"]
    st["next_seq"] = max(st["next_seq"], seq + 1)
    return seq


# --- commands ----------------------------------------------------------------

def cmd_ping(args):
    pair = load_pair(args)
    all_, st = load_state(args, pair)
    seqs = [take_seq(st) for _ in range(args.count)]
    if args.esn_cross:
        if not pair.esn:
            die("--esn-cross needs an ESN pair")
        # Far right first (RFC 4303 A.2 still places it in the current
        # 2^32 block), then across the 2^32 boundary one by one.
        seqs = [take_seq(st, s) for s in (0xFFFFFF00, 0xFFFFFFFE, 0xFFFFFFFF,
                                          1 << 32, (1 << 32) + 1, (1 << 32) + 2)]
    expect = len(seqs) if args.expect is None else args.expect
    ident = args.ident or (os.getpid() & 0xFFFF)
    probes = []
    for i, seq in enumerate(seqs):
        inner, data = echo(pair, args.inner, ident, i + 1)
        what = "echo id=%d seq=%d (ESP seq %#x, inner IPv%d)" % (ident, i + 1, seq, args.inner)
        answered = i < expect
        frame = pair.transport_frame(inner, seq, args.encap) if pair.transport else \
            pair.frame(pair.encrypt(inner, seq), args.encap)
        probes.append(Probe(what, frame,
                            (args.inner, ident, i + 1, data) if answered else None,
                            seq, accepted=answered))
    print("%s: %d ESP-protected echo requests %s -> %s over %s%s, %s%s; %d replies expected" %
          (pair.name, len(seqs), pair.inner[args.inner], pair.dest[args.inner],
           "UDP 4500" if (args.encap or ("udp" if pair.udp else "raw")) == "udp" else "raw ESP",
           "" if pair.outer == 4 else " (IPv6 outer)",
           "ESN" if pair.esn else "no ESN", ", transport mode" if pair.transport else "",
           expect))
    ex = Exchange(pair, st)
    rc = ex.run(probes, gap=0.05)
    save_state(args, pair, all_, st)
    print("%s: %d replies decrypted" % (pair.name, ex.replies))
    return rc


def flip(b, off, bit=0):
    b = bytearray(b)
    b[off] ^= 1 << bit
    return bytes(b)


def cmd_craft(args):
    pair = load_pair(args)
    all_, st = load_state(args, pair)
    ident = os.getpid() & 0xFFFF
    n = args.count
    probes = []
    k = [0]

    def valid(fam=4, src=None, seq=None):
        """A fresh, valid echo request: (ESP bytes, seq, data, icmp seq)."""
        k[0] += 1
        inner, data = echo(pair, fam, ident, k[0], src)
        seq = take_seq(st, seq)
        return pair.encrypt(inner, seq), seq, data, k[0]

    def bad(what, frame, iseq=None):
        tag = " id=%d seq=%d" % (ident, iseq) if iseq else ""
        probes.append(Probe(what + tag, frame))

    c = args.case
    if c in ("icv-ct", "icv-tag"):
        for _ in range(n):
            esp, seq, _, i = valid()
            # Ciphertext starts after SPI, sequence number and IV.
            off = 16 + (len(esp) - 32) // 2 if c == "icv-ct" else len(esp) - 5
            bad("ESP seq %#x with one bit flipped in the %s" %
                (seq, "ciphertext" if c == "icv-ct" else "ICV"),
                pair.frame(flip(esp, off, 3)), i)
    elif c == "spi-flip":
        for _ in range(n):
            esp, seq, _, i = valid()
            bad("ESP seq %#x with SPI bit 23 flipped (%#x)" % (seq, pair.in_spi ^ 1 << 23),
                pair.frame(flip(esp, 1, 7)), i)
    elif c == "replay":
        esp, seq, data, i = valid()
        f = pair.frame(esp)
        probes.append(Probe("echo id=%d seq=%d (ESP seq %#x, first copy)" % (ident, i, seq),
                            f, (4, ident, i, data), seq, accepted=True))
        bad("the same ESP seq %#x again" % seq, f)
    elif c == "window":
        top = max(st["next_seq"], 200)
        esp, seq, data, i = valid(seq=top)
        probes.append(Probe("echo id=%d seq=%d (ESP seq %d)" % (ident, i, seq),
                            pair.frame(esp), (4, ident, i, data), seq, accepted=True))
        esp, old, _, i = valid(seq=top - 100)
        bad("ESP seq %d after %d (window 64)" % (old, top), pair.frame(esp), i)
    elif c == "unknown-spi":
        for j in range(n):
            esp, seq, _, i = valid()
            esp = struct.pack("!I", UNKNOWN_SPI) + esp[4:]
            enc = "udp" if j % 2 == 0 else "raw"
            bad("ESP with unknown SPI %#x (%s)" % (UNKNOWN_SPI, enc), pair.frame(esp, enc), i)
    elif c == "keepalive":
        ip = IP(src=pair.peer, dst=pair.gw) if pair.outer == 4 else IPv6(src=pair.peer, dst=pair.gw)
        for _ in range(n):
            bad("NAT-T keepalive (UDP 4500, one byte 0xff)",
                bytes(Ether(dst=GW_MAC, src=CL_MAC) / ip / UDP(sport=NATT, dport=NATT) /
                      Raw(b"\xff")))
    elif c == "plain":
        # Tunnel: to the server, from the inner addresses. Transport: to
        # the gateway itself, which applies its inbound SPD to that too.
        for fam in sorted(pair.dest):
            k[0] += 1
            inner, _ = echo(pair, fam, ident, k[0])
            bad("plaintext echo %s -> %s" % (pair.inner[fam], pair.dest[fam]),
                bytes(Ether(dst=GW_MAC, src=CL_MAC) / inner), k[0])
    elif c == "mismatch":
        for fam in (4, 6):
            esp, seq, _, i = valid(fam, STRANGER[fam])
            bad("ESP seq %#x with inner source %s (not in the SA's selectors)" %
                (seq, STRANGER[fam]), pair.frame(esp), i)
    elif c == "dummy":
        for _ in range(n):
            seq = take_seq(st)
            bad("ESP seq %#x with next header 59 (dummy)" % seq,
                pair.frame(pair.seal(seq, os.urandom(40), NH_DUMMY)))
    elif c == "badpad":
        for _ in range(n):
            k[0] += 1
            inner, _ = echo(pair, 4, ident, k[0])
            seq = take_seq(st)
            body = bytes(inner)
            need = -(len(body) + 2) % 4 or 4
            padding = bytes(range(1, need)) + b"\x00"    # last byte wrong
            bad("ESP seq %#x with padding %s" % (seq, padding.hex()),
                pair.frame(pair.seal(seq, body, NH_IPV4, padding)), k[0])
    elif c == "trunc":
        for _ in range(n):
            seq = take_seq(st)
            bad("ESP seq %#x cut to 20 bytes" % seq,
                pair.frame(struct.pack("!II", pair.in_spi, seq) + os.urandom(12)))
    else:
        die("unknown case " + c)
    print("%s: %s: %d packet(s)" % (pair.name, c, len(probes)))
    for p in probes:
        print("  sending " + p.what)
    ex = Exchange(pair, st)
    rc = ex.run(probes, wait=1.0 if any(p.reply for p in probes) else 0.0)
    save_state(args, pair, all_, st)
    return rc


# --- the TUN endpoint ------------------------------------------------------

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000


def cmd_tun(args):
    pair = load_pair(args)
    if pair.outer != 4 or not pair.udp or pair.esn:
        die("tun wants an IPv4 outer, UDP-encapsulated pair without ESN")
    all_, st = load_state(args, pair)
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", args.dev.encode(), IFF_TUN | IFF_NO_PI))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((pair.peer, NATT))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    stats = dict(out=0, inb=0, bad=0, keepalive=0, skipped=0)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with open(args.ready, "w") as f:
        f.write("%s\n" % args.dev)
    top = pair.out_seq - 1
    while not stop:
        try:
            r, _, _ = select.select([fd, sock], [], [], 0.5)
        except InterruptedError:
            continue
        if fd in r:
            pkt = os.read(fd, 65535)
            inner = IP(pkt) if pkt[0] >> 4 == 4 else IPv6(pkt)
            # Our own SPD: only the inner addresses go into the tunnel (not,
            # say, the kernel's MLD reports from a link-local address).
            if inner.src != pair.inner[4 if IP in inner else 6]:
                stats["skipped"] += 1
                continue
            sock.sendto(pair.encrypt(inner, take_seq(st)), (pair.gw, NATT))
            stats["out"] += 1
        if sock in r:
            data, _ = sock.recvfrom(65535)
            if data == b"\xff":
                stats["keepalive"] += 1
                continue
            try:
                spi, low = struct.unpack("!II", data[:8])
                if spi != pair.out_spi:
                    raise ValueError("SPI %#x" % spi)
                seq = pair.infer_seq(low, top)
                if data[8:16] != struct.pack("!Q", seq):
                    raise ValueError("IV is not the sequence number")
                inner = pair.decrypt(data, seq)
                top = max(top, seq)
                st["rx_seqs"].append(seq)
                st["replies"] += 1
                os.write(fd, bytes(inner))
                stats["inb"] += 1
            except (IPSecIntegrityError, ValueError, struct.error) as e:
                stats["bad"] += 1
                if stats["bad"] <= 5:
                    print("esp_peer tun: bad ESP from %s: %r" % (pair.gw, e), file=sys.stderr)
    st["rx_top"] = max(st["rx_top"], top)
    st["sent_max"] = st["next_seq"] - 1
    st["accepted"] += stats["out"]
    save_state(args, pair, all_, st)
    print("esp_peer tun: %d packets encrypted out, %d decrypted in, %d bad, %d keepalives, "
          "%d not ours (not sent)" % (stats["out"], stats["inb"], stats["bad"],
                                       stats["keepalive"], stats["skipped"]))
    return 1 if stats["bad"] else 0


def cmd_get(args):
    pair = load_pair(args)
    _, st = load_state(args, pair)
    v = st[args.key]
    print(json.dumps(v) if isinstance(v, list) else v)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", default=os.environ.get("SGW_ESP_PAIRS"))
    ap.add_argument("--state", default=os.environ.get("SGW_ESP_STATE"))
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("ping")
    p.add_argument("--pair", required=True)
    p.add_argument("--inner", type=int, choices=(4, 6), default=4)
    p.add_argument("--count", type=int, default=3)
    p.add_argument("--esn-cross", action="store_true")
    p.add_argument("--expect", type=int)
    p.add_argument("--encap", choices=("raw", "udp"))
    p.add_argument("--ident", type=int)
    p = sub.add_parser("craft")
    p.add_argument("--pair", required=True)
    p.add_argument("--case", required=True)
    p.add_argument("--count", type=int, default=3)
    p = sub.add_parser("tun")
    p.add_argument("--pair", required=True)
    p.add_argument("--ready", required=True)
    p.add_argument("--dev", default="esptun0")
    p = sub.add_parser("get")
    p.add_argument("--pair", required=True)
    p.add_argument("key")
    args = ap.parse_args()
    if not args.pairs or not args.state:
        die("--pairs and --state (or SGW_ESP_PAIRS, SGW_ESP_STATE) are required")
    return {"ping": cmd_ping, "craft": cmd_craft, "tun": cmd_tun, "get": cmd_get}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
