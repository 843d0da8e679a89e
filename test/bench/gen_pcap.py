#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Writes the pre-built traffic that scripts/bench-dataplane replays.

  out-SIZE.pcap  plaintext IPv4/UDP frames of exactly SIZE bytes (Ethernet
                 header included, no FCS), 198.51.100.10 -> 10.1.0.10: what
                 the inside port receives and the gateway must encrypt.
  in-SIZE.pcap   ESP in tunnel mode, outer IPv4 203.0.113.2 -> 203.0.113.1,
                 SPI 0x2001, AES-GCM-128 with the key and salt given, inner
                 IPv4/UDP 10.1.0.10 -> 198.51.100.10: what the outside port
                 receives and the gateway must decrypt. Encrypted by scapy,
                 independently of any code in this tree.

ESP frame sizes: 14 Ethernet + 20 outer IP + 8 ESP header + 8 IV + P + 16 ICV
= 66 + P, where P (inner packet + padding + 2 trailer bytes) is a multiple of
4, so an outer frame is always 2 mod 4 bytes long. For a nominal SIZE the
frame is the largest such length not above SIZE, and never smaller than the
smallest ESP frame there is (inner IPv4/UDP header and trailer, P = 32): 64
gives 98, 512 gives 510, 1420 gives 1418. The inner packet fills P exactly,
so no padding is added. test/bench/bench_gcm.c uses the same lengths.

Sequence numbers and replay: the ESP frames carry sequence numbers 1..COUNT
(the explicit IV is the sequence number too, as many senders do). The
benchmark loops each pcap (net_pcap infinite_rx), so after COUNT packets
sequence number 1 comes again. No finite pcap avoids that: a pcap long
enough never to loop during a 5 s window at several Mpps would be tens of
millions of packets, and net_pcap's infinite_rx holds the whole file in
mbufs. So the inbound SA under test runs with anti-replay checking
disabled, in ipsec-secgw (its default window of 0) and in sgwd alike;
COUNT only needs to be large enough that the flows and sequence numbers
look like traffic rather than one packet repeated, and small enough to fit
the mbuf pool with room to spare (4096 of 8191).
"""
import argparse
import os
import re
import struct
import sys

from scapy.layers.inet import IP, UDP
from scapy.layers.ipsec import ESP, SecurityAssociation
from scapy.layers.l2 import Ether
from scapy.utils import PcapWriter

ETH_HLEN, IP4_HLEN, UDP_HLEN = 14, 20, 8
# 20 outer IP + 8 ESP header + 8 explicit IV + 16 ICV (RFC 4303, RFC 4106).
TUN_OVERHEAD = ETH_HLEN + IP4_HLEN + 8 + 8 + 16
ESP_TRAILER = 2

INSIDE_HOST, REMOTE_HOST = "198.51.100.10", "10.1.0.10"
GW_OUTSIDE, PEER_OUTSIDE = "203.0.113.1", "203.0.113.2"
SRC_MAC = "02:00:00:00:0c:02"
SPI_IN = 0x2001


def esp_payload_len(size):
    """P for a nominal outer frame size (see the module comment)."""
    smallest = (IP4_HLEN + UDP_HLEN + ESP_TRAILER + 3) & ~3
    return max(smallest, (size - TUN_OVERHEAD) & ~3)


def udp_frame(dst_mac, src, dst, ip_len, i):
    """Ether/IPv4/UDP whose IP packet is ip_len bytes; i varies the flow."""
    payload = bytes((i + j) & 0xFF for j in range(ip_len - IP4_HLEN - UDP_HLEN))
    return (Ether(src=SRC_MAC, dst=dst_mac) /
            IP(src=src, dst=dst, ttl=64, id=i & 0xFFFF) /
            UDP(sport=1024 + i % 4096, dport=9) / payload)


def write_out(path, size, count, dst_mac):
    with PcapWriter(path, linktype=1, sync=False) as w:
        for i in range(count):
            f = udp_frame(dst_mac, INSIDE_HOST, REMOTE_HOST, size - ETH_HLEN, i)
            raw = bytes(f)
            if len(raw) != size:
                sys.exit("gen_pcap: outbound frame is %d bytes, not %d" % (len(raw), size))
            w.write(raw)
    return size


def write_in(path, size, count, dst_mac, keysalt):
    p = esp_payload_len(size)
    inner_len = p - ESP_TRAILER  # fills P exactly: no padding
    sa = SecurityAssociation(ESP, spi=SPI_IN, crypt_algo="AES-GCM", crypt_key=keysalt,
                             tunnel_header=IP(src=PEER_OUTSIDE, dst=GW_OUTSIDE))
    frame_len = None
    with PcapWriter(path, linktype=1, sync=False) as w:
        for seq in range(1, count + 1):
            inner = udp_frame(dst_mac, REMOTE_HOST, INSIDE_HOST, inner_len, seq)[IP]
            esp = sa.encrypt(inner, seq_num=seq, iv=struct.pack(">Q", seq))
            raw = bytes(Ether(src=SRC_MAC, dst=dst_mac) / esp)
            if seq == 1:
                # Round trip through scapy's own decryption: key, salt and
                # lengths are what the header comment promises.
                back = sa.decrypt(IP(raw[ETH_HLEN:]))
                if bytes(back) != bytes(inner):
                    sys.exit("gen_pcap: ESP round trip failed")
                frame_len = len(raw)
                if frame_len != TUN_OVERHEAD + p:
                    sys.exit("gen_pcap: ESP frame is %d bytes, expected %d"
                             % (frame_len, TUN_OVERHEAD + p))
            w.write(raw)
    return frame_len


def parse_key(text):
    """'0x' + 40 hex digits: 16-byte AES key then 4-byte salt (RFC 4106 8.1)."""
    m = re.fullmatch(r"(?:0x)?([0-9a-fA-F]{40})", text)
    if not m:
        raise argparse.ArgumentTypeError("need 0x followed by 40 hex digits (key + salt)")
    return bytes.fromhex(m.group(1))


def parse_sizes(text):
    sizes = [int(s) for s in text.split(",")]
    for s in sizes:
        if not ETH_HLEN + IP4_HLEN + UDP_HLEN <= s <= 1514:
            raise argparse.ArgumentTypeError("frame size %d out of range 42..1514" % s)
    return sizes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True, help="where to write the pcaps")
    ap.add_argument("--key", type=parse_key, required=True,
                    help="inbound SA key and salt, 0x + 40 hex digits")
    ap.add_argument("--count", type=int, default=4096, help="packets per pcap (default 4096)")
    ap.add_argument("--sizes", type=parse_sizes, default=[64, 512, 1420],
                    help="nominal frame sizes (default 64,512,1420)")
    ap.add_argument("--dst-mac", default="02:00:00:00:0c:01",
                    help="destination MAC of every frame (default 02:00:00:00:0c:01)")
    ap.add_argument("--direction", choices=["in", "out", "both"], default="both")
    a = ap.parse_args()
    if not 1 <= a.count <= 1 << 20:
        ap.error("--count must be 1..1048576")
    os.makedirs(a.dir, exist_ok=True)
    for size in a.sizes:
        if a.direction in ("out", "both"):
            path = os.path.join(a.dir, "out-%d.pcap" % size)
            n = write_out(path, size, a.count, a.dst_mac)
            print("pcap dir=out size=%d frame=%d packets=%d file=%s" % (size, n, a.count, path))
        if a.direction in ("in", "both"):
            path = os.path.join(a.dir, "in-%d.pcap" % size)
            n = write_in(path, size, a.count, a.dst_mac, a.key)
            print("pcap dir=in size=%d frame=%d packets=%d file=%s" % (size, n, a.count, path))


if __name__ == "__main__":
    main()
