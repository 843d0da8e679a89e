#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Writes the seed corpus of fuzz_ike (test/fuzz/corpus/ike/).

The seeds are checked in; run this again only when fuzz_ike.c's input
format changes:
    test/fuzz/gen_ike_seeds.py test/fuzz/corpus/ike
Files named msg_* are IKE datagrams (RFC 7296 3.1 onwards); inner_* are a
first payload type octet followed by a payload chain, the way fuzz_ike.c
reads the plaintext of an SK payload. Inputs the fuzzer found are kept
beside these under names of their own (found_*); this script leaves them.
"""
import hashlib
import os
import struct
import sys

# RFC 7296 3.2 payload types; SKF: RFC 7383
SA, KE, IDI, IDR, CERT, CERTREQ, AUTH, NONCE, N, D, V, TSI, TSR, SK, CP = range(33, 48)
SKF = 53
IKE_SA_INIT, IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL = 34, 35, 36, 37
F_I, F_R = 0x08, 0x20
P_IKE, P_ESP = 1, 3
ENCR, PRF, INTEG, DH, ESN = 1, 2, 3, 4, 5


def rnd(tag, n):
    """n fixed pseudo-random octets (reproducible seeds)."""
    out = b""
    while len(out) < n:
        out += hashlib.sha256(tag.encode() + bytes([len(out) & 0xff])).digest()
    return out[:n]


CRITICAL = 0x80


def chain(*plds):
    """(type, body[, flags]) to (first type, bytes) with next fields linked.
    An SK/SKF body is given as (inner first type, body)."""
    out = b""
    for i, (t, body, *flags) in enumerate(plds):
        if t in (SK, SKF):
            nxt, body = body
        else:
            nxt = plds[i + 1][0] if i + 1 < len(plds) else 0
        out += struct.pack(">BBH", nxt, sum(flags), 4 + len(body)) + body
    return (plds[0][0] if plds else 0), out


def msg(ispi, rspi, exch, flags, mid, *plds, version=0x20):
    first, body = chain(*plds)
    return struct.pack(">QQBBBBII", ispi, rspi, first, version, exch, flags, mid,
                       28 + len(body)) + body


def inner(*plds):
    first, body = chain(*plds)
    return bytes([first]) + body


def xform(t, tid, keylen=0, last=False):
    attr = struct.pack(">HH", 0x8000 | 14, keylen) if keylen else b""
    return struct.pack(">BBHBBH", 0 if last else 3, 0, 8 + len(attr), t, 0, tid) + attr


def prop(num, proto, spi, xforms, last):
    body = b"".join(xform(*x, last=(i + 1 == len(xforms))) for i, x in enumerate(xforms))
    return struct.pack(">BBHBBBB", 0 if last else 2, 0, 8 + len(spi) + len(body), num,
                       proto, len(spi), len(xforms)) + spi + body


def sa(*props):
    return b"".join(prop(*p, last=(i + 1 == len(props))) for i, p in enumerate(props))


def ke(group, n):
    return struct.pack(">HH", group, 0) + rnd("ke%d" % group, n)


def notify(ntype, data=b"", proto=0, spi=b""):
    return struct.pack(">BBH", proto, len(spi), ntype) + spi + data


def ident(t, data):
    return struct.pack(">B3x", t) + data


def ts4(start, end, proto=0, sport=0, eport=65535):
    return struct.pack(">BBHHH", 7, proto, 16, sport, eport) + bytes(start) + bytes(end)


def ts6(start, end, proto=0, sport=0, eport=65535):
    return struct.pack(">BBHHH", 8, proto, 40, sport, eport) + bytes(start) + bytes(end)


def ts(*sels):
    return struct.pack(">B3x", len(sels)) + b"".join(sels)


def cp(cfg, *attrs):
    return struct.pack(">B3x", cfg) + b"".join(struct.pack(">HH", t, len(v)) + v
                                              for t, v in attrs)


IKE_PROPS = sa((1, P_IKE, b"", [(ENCR, 12, 256), (ENCR, 12, 128), (INTEG, 12), (PRF, 5),
                                (DH, 31), (DH, 19)]),
               (2, P_IKE, b"", [(ENCR, 20, 256), (PRF, 5), (DH, 31)]),
               (3, P_IKE, b"", [(ENCR, 28), (PRF, 7), (DH, 31)]))
ESP_PROP = sa((1, P_ESP, b"\xc1\x00\x00\x01", [(ENCR, 20, 128), (ENCR, 20, 256), (ESN, 0)]))
ISPI, RSPI = 0x1a2b3c4d5e6f7081, 0x1122334455667788
NATD = [(N, notify(16388, rnd("nat-src", 20))), (N, notify(16389, rnd("nat-dst", 20)))]
ANY4 = ts(ts4([0, 0, 0, 0], [255] * 4))
SIG = bytes([15, 0x30, 13, 6, 9, 0x2a, 0x86, 0x48, 0x86, 0xf7, 13, 1, 1, 11, 5, 0])

SEEDS = {
    "msg_sa_init_request": msg(ISPI, 0, IKE_SA_INIT, F_I, 0,
        (SA, IKE_PROPS), (KE, ke(31, 32)), (NONCE, rnd("ni", 32)), *NATD,
        (N, notify(16430)), (N, notify(16431, b"\x00\x02\x00\x03\x00\x04\x00\x05")),
        (N, notify(16406))),
    "msg_sa_init_response": msg(ISPI, RSPI, IKE_SA_INIT, F_R, 0,
        (SA, sa((2, P_IKE, b"", [(ENCR, 20, 256), (PRF, 5), (DH, 31)]))),
        (KE, ke(31, 32)), (NONCE, rnd("nr", 32)), *NATD,
        (CERTREQ, bytes([4]) + rnd("ca", 20)), (N, notify(16430)),
        (V, rnd("vid", 16))),
    "msg_cookie_response": msg(ISPI, 0, IKE_SA_INIT, F_R, 0,
        (N, notify(16390, rnd("cookie", 24)))),
    "msg_invalid_ke_response": msg(ISPI, 0, IKE_SA_INIT, F_R, 0,
        (N, notify(17, b"\x00\x13"))),
    "msg_ike_auth_sk": msg(ISPI, RSPI, IKE_AUTH, F_I, 1,
        (SK, (IDI, rnd("sk", 96)))),
    "msg_ike_auth_skf_1of2": msg(ISPI, RSPI, IKE_AUTH, F_I, 1,
        (SKF, (IDI, b"\x00\x01\x00\x02" + rnd("skf1", 48)))),
    "msg_ike_auth_skf_2of2": msg(ISPI, RSPI, IKE_AUTH, F_I, 1,
        (SKF, (0, b"\x00\x02\x00\x02" + rnd("skf2", 32)))),
    "msg_major_version_3": msg(ISPI, 0, IKE_SA_INIT, F_I, 0, version=0x30),
    "msg_unknown_critical": msg(ISPI, RSPI, INFORMATIONAL, F_I, 2,
        (N, notify(16384)), (60, b"??", CRITICAL)),
    "inner_ike_auth_request": inner(
        (IDI, ident(2, b"client.example")), (CERT, bytes([4]) + rnd("cert", 40)),
        (N, notify(16384)), (IDR, ident(2, b"vpn.example")),
        (AUTH, struct.pack(">B3x", 14) + SIG + rnd("sig", 32)),
        (CP, cp(1, (1, b""), (3, b""), (8, b""), (10, b""), (14, b""))),
        (N, notify(16396)), (SA, ESP_PROP), (TSI, ANY4),
        (TSR, ts(ts4([198, 51, 100, 0], [198, 51, 100, 255]),
                 ts6([0x20, 1, 0x0d, 0xb8] + [0] * 12, [0x20, 1, 0x0d, 0xb8] + [255] * 12)))),
    "inner_ike_auth_response": inner(
        (IDR, ident(1, bytes([203, 0, 113, 1]))),
        (AUTH, struct.pack(">B3x", 2) + rnd("psk", 32)),
        (CP, cp(2, (1, bytes([10, 9, 0, 2])), (2, bytes([255, 255, 255, 0])),
                (3, bytes([10, 9, 0, 1])), (8, bytes([0xfd] + [0] * 14 + [2, 64])),
                (7, b"sgw"))),
        (SA, ESP_PROP), (TSI, ts(ts4([10, 9, 0, 2], [10, 9, 0, 2]))),
        (TSR, ts(ts4([198, 51, 100, 0], [198, 51, 100, 255], 6, 443, 443),
                 ts4([0, 0, 0, 0], [255] * 4, 1, 65535, 0))),
        (N, notify(16394))),
    "inner_create_child_sa": inner(
        (N, notify(16393, proto=P_ESP, spi=b"\xc1\x00\x00\x01")), (SA, ESP_PROP),
        (NONCE, rnd("nonce", 32)), (KE, ke(19, 64)), (TSI, ANY4), (TSR, ANY4),
        (N, notify(16391))),
    "inner_rekey_ike_sa": inner(
        (SA, sa((1, P_IKE, rnd("spi", 8), [(ENCR, 20, 256), (PRF, 5), (DH, 31)]))),
        (NONCE, rnd("ni2", 16)), (KE, ke(31, 32))),
    "inner_informational_delete": inner(
        (D, struct.pack(">BBH", P_ESP, 4, 2) + b"\xc1\x00\x00\x01\xc1\x00\x00\x02"),
        (D, struct.pack(">BBH", P_IKE, 0, 0))),
    "inner_mobike_update": inner(
        (N, notify(16400)), (N, notify(16388, rnd("nat-src2", 20))),
        (N, notify(16389, rnd("nat-dst2", 20))), (N, notify(16401, rnd("cookie2", 16)))),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus", "ike")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
