#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Writes the seed corpus of fuzz_esp (test/fuzz/corpus/esp/).

The seeds are checked in; run this again only when fuzz_esp.c's input
format or its SA table (sa_defs[], sa_key()) changes:
    test/fuzz/gen_esp_seeds.py test/fuzz/corpus/esp
Raw seeds are sealed here with the keys fuzz_esp derives, so that they
authenticate; sealed and round-trip seeds are plaintext the harness seals.
"""
import os
import struct
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6

RAW, RAW_SPI, SEALED, ROUND_TRIP = range(4)
V4, V6, V4_UDP, V6_UDP = range(4)
STEP_0, STEP_1, STEP_64, STEP_2_31 = range(4)

# fuzz_esp.c sa_defs[]: spi, key length, ESN
SA = [(0x1000, 16, False), (0x1001, 32, True), (0x1002, 16, True),
      (0x1003, 32, False), (0x1004, 16, True), (0x1005, 32, True),
      (0x1006, 16, False), (0x1007, 32, False), (0x1008, 16, True),
      (0x1009, 32, False)]


def ctl(mode, sa, outer=V4, more=0, opt_words=0, step=STEP_1):
    return bytes([mode | sa << 2 | outer << 6, more | opt_words << 3 | step << 6])


def key_salt(i):
    key = bytes((0x11 * (i + 1) + 7 * k) & 0xff for k in range(32))
    return key[:SA[i][1]], bytes([0xa0 + i, 0x5a, 0xc3, 0x3c])


def trailer(payload, nh):
    """RFC 4303 2.4: pad to 4 bytes with 1, 2, 3, then pad length and
    next header."""
    pad = (4 - (len(payload) + 2) % 4) % 4
    return payload + bytes(range(1, pad + 1)) + bytes([pad, nh])


def seal(i, seq, pt, iv=b"\x00\x00\x00\x00\x00\x00\x00\x01"):
    """ESP from SPI to ICV (RFC 4106), seq as the receiver will infer it."""
    spi, _, esn = SA[i]
    key, salt = key_salt(i)
    aad = struct.pack(">IQ", spi, seq) if esn else struct.pack(">II", spi, seq)
    ct = AESGCM(key).encrypt(salt + iv, pt, aad)
    return struct.pack(">II", spi, seq & 0xffffffff) + iv + ct


def inner4(data=b"hello"):
    return bytes(IP(src="10.1.0.1", dst="10.2.0.1", ttl=61) /
                 UDP(sport=1000, dport=2000) / data)


def inner6(data=b"hello"):
    return bytes(IPv6(src="2001:db8:1::1", dst="2001:db8:2::1", hlim=61) /
                 UDP(sport=1000, dport=2000) / data)


def udp_only(data=b"hello"):
    return bytes(UDP(sport=1000, dport=2000, chksum=0) / data)


def sealed(sa, seq, pt, outer=V4, more=0, step=STEP_1, opt_words=0):
    return (ctl(SEALED, sa, outer, more, opt_words, step) + struct.pack(">I", seq) +
            b"\x5e\xed\x00\x00\x00\x00\x00\x01" + pt)


def round_trip(sa, seq, ip, more=0):
    return ctl(ROUND_TRIP, sa, V4, more) + struct.pack(">Q", seq) + ip


SEEDS = {
    # raw ESP that authenticates: each SA variant, each outer header
    "raw_tunnel_v4_aes128": ctl(RAW, 0, V4) + seal(0, 1, trailer(inner4(), 4)),
    "raw_tunnel_v6udp_aes256_esn": ctl(RAW, 1, V6_UDP) + seal(1, 1, trailer(inner6(), 41)),
    "raw_transport_v4udp_esn": ctl(RAW, 2, V4_UDP, opt_words=2) +
        seal(2, 7, trailer(udp_only(), 17)),
    "raw_transport_v6_aes256": ctl(RAW, 3, V6) + seal(3, 1, trailer(udp_only(), 17)),
    "raw_replayed_twice": ctl(RAW, 0, V4, more=2, step=STEP_0) +
        seal(0, 5, trailer(inner4(), 4)),
    "raw_bad_icv": ctl(RAW, 0, V4) + seal(0, 1, trailer(inner4(), 4))[:-1] + b"\x00",
    "raw_truncated": ctl(RAW, 0, V4) + seal(0, 1, trailer(b"", 59))[:30],
    "raw_unknown_spi": ctl(RAW, 0, V6) + struct.pack(">II", 0x2000, 1) + bytes(40),
    "raw_spi_mode_garbage": ctl(RAW_SPI, 5, V4, opt_words=3) + bytes(range(64)),
    # sealed here from plaintext: the trailer rules
    "sealed_tunnel_v4": sealed(0, 1, trailer(inner4(), 4)),
    "sealed_tunnel_v6_esn_edge": sealed(4, 0xfffffff0, trailer(inner6(), 41), V6_UDP,
                                        more=3, step=STEP_2_31),
    "sealed_bad_pad_bytes": sealed(0, 1, inner4() + b"\x01\x03\x02\x04"),
    "sealed_pad_too_long": sealed(3, 1, b"\x00\x00\x09\x11"),
    "sealed_dummy_nh59": sealed(1, 1, trailer(b"\x00" * 12, 59), V6),
    "sealed_transport_only_trailer": sealed(2, 1, b"\x01\x02\x02\x11", V4_UDP),
    "sealed_tunnel_bad_nh": sealed(7, 0xffffff10, trailer(inner4(), 17), more=1),
    "sealed_lifetime": sealed(6, 1, trailer(udp_only(), 17), V4, more=5, step=STEP_1),
    "sealed_window0_replays": sealed(8, 3, trailer(inner4(), 4), V6_UDP, more=2,
                                     step=STEP_0),
    "sealed_window_slides": sealed(5, 0x10, trailer(inner6(), 41), more=4, step=STEP_64),
    # protected by sgw_esp_encap(), opened by sgw_esp_decap()
    "rt_tunnel_v4": round_trip(0, 1, inner4()),
    "rt_tunnel_v6udp_esn": round_trip(1, 1, inner6(), more=1),
    "rt_transport_v6": round_trip(3, 9, inner6(b"x" * 33)),
    "rt_transport_v4udp_esn": round_trip(2, 2, inner4()),
    "rt_tunnel_esn_next_subspace": round_trip(4, (1 << 32) + 5, inner4(), more=1),
    "rt_seq_exhausted": round_trip(7, 0xfffffffe, inner4(), more=3),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus", "esp")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
