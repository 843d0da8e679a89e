#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Seeds for fuzz_ike_sm: valid exchanges with the daemon, as the records
that fuzz_ike_sm.c reads (op, length, first payload type, plaintext chain).

    test/fuzz/gen_ike_sm_seeds.py [DIR]    (default test/fuzz/corpus/ike_sm)

Payloads are built byte by byte from RFC 7296 section 3; the harness fills
in the AUTH value (32 zero bytes here) and encrypts each chain.
"""
import os
import struct
import sys

# exchanges (op bits 0-1) and flags
AUTH, CHILD, INFO, SPECIAL = 0, 1, 2, 3
RESPONSE, TICK, PATCH_SPI, AUTH_AS_IS, FRAGMENTED = 4, 4, 8, 0x40, 0x80
EVENT, SOFT, HARD, SEQ, TERMINATE = 0x10, 0 << 5, 1 << 5, 2 << 5, 3 << 5
FAIL_ADD, FAIL_ALLOC = 0x80, 0x40
RAW_MID_NEXT, RAW_MID_LAST, RAW_MID_THEIRS = 1 << 5, 2 << 5, 3 << 5
MID_MINUS, MID_PLUS = 6 << 3, 7 << 3

# payload types
SA, KE, IDI, IDR, AUTHP, NONCE, NOTIFY, DELETE, TSI, TSR, CP = \
    33, 34, 35, 36, 39, 40, 41, 42, 44, 45, 47
PROTO_IKE, PROTO_ESP = 1, 3
ENCR, PRF, INTEG, DH, ESN = 1, 2, 3, 4, 5
N_REKEY_SA, N_USE_TRANSPORT_MODE = 16393, 16391

X25519_BASE = bytes([9]) + bytes(31)      # a valid Curve25519 public value


def chain(*plds):
    """(type, body[, critical]) payloads chained; returns (first, bytes)."""
    out = b''
    for i, p in enumerate(plds):
        t, body = p[0], p[1]
        crit = 0x80 if len(p) > 2 and p[2] else 0
        nxt = plds[i + 1][0] if i + 1 < len(plds) else 0
        out += struct.pack('!BBH', nxt, crit, 4 + len(body)) + body
    return (plds[0][0] if plds else 0), out


def record(op, first=0, body=b''):
    return struct.pack('!BHB', op, len(body), first) + body


def rec(op, c):
    return record(op, c[0], c[1])


def tick(seconds, flags=0):
    return record(SPECIAL | TICK | flags, int(seconds * 4))


def event(what, handle=1):
    return record(SPECIAL | EVENT | what, handle)


def xform(t, tid, keylen=0, last=False):
    attr = struct.pack('!HH', 0x800e, keylen) if keylen else b''
    return struct.pack('!BBHBBH', 0 if last else 3, 0, 8 + len(attr), t, 0, tid) + attr


def proposal(num, proto, spi, xforms, last=True):
    body = spi + b''.join(xform(*x, last=(i == len(xforms) - 1))
                          for i, x in enumerate(xforms))
    return struct.pack('!BBHBBBB', 0 if last else 2, 0, 8 + len(body), num, proto,
                       len(spi), len(xforms)) + body


def esp_sa(spi, pfs=False):
    x = [(ENCR, 20, 128)] + ([(DH, 31)] if pfs else []) + [(ESN, 0)]
    return (SA, proposal(1, PROTO_ESP, struct.pack('!I', spi), x))


def ike_sa(spi):
    return (SA, proposal(1, PROTO_IKE, struct.pack('!Q', spi),
                         [(ENCR, 20, 128), (PRF, 5), (DH, 31)]))


def ident(t, kind, data):
    return (t, struct.pack('!B3x', kind) + data)


def auth():
    return (AUTHP, struct.pack('!B3x', 2) + bytes(32))


def ts4(t, lo, hi, proto=0, ports=(0, 65535)):
    sel = struct.pack('!BBHHH', 7, proto, 16, *ports) + bytes(lo) + bytes(hi)
    return (t, struct.pack('!B3x', 1) + sel)


def ts6_any(t):
    sel = struct.pack('!BBHHH', 8, 0, 40, 0, 65535) + bytes(16) + b'\xff' * 16
    return (t, struct.pack('!B3x', 1) + sel)


def cp_request(*attrs):
    return (CP, struct.pack('!B3x', 1) + b''.join(struct.pack('!HH', a, 0) for a in attrs))


def nonce(b=0x5a):
    return (NONCE, bytes([b]) * 32)


def ke():
    return (KE, struct.pack('!HH', 31, 0) + X25519_BASE)


def notify(ntype, proto=0, spi=b'', data=b''):
    return (NOTIFY, struct.pack('!BBH', proto, len(spi), ntype) + spi + data)


def delete_esp(*spis):
    return (DELETE, struct.pack('!BBH', PROTO_ESP, 4, len(spis)) +
            b''.join(struct.pack('!I', s) for s in spis))


def delete_ike():
    return (DELETE, struct.pack('!BBH', PROTO_IKE, 0, 0))


ALICE = ident(IDI, 3, b'alice@example.net')
ANY4 = ts4(TSI, [0, 0, 0, 0], [255, 255, 255, 255])
NET = ts4(TSR, [10, 10, 0, 0], [10, 10, 0, 255])
OUR_SPI = 0x11110001
DAEMON_SPI = 0xc0000001


def ike_auth(*extra, child=True, cp=True):
    p = [ALICE, auth()]
    if cp:
        p.append(cp_request(1))
    if child:
        p += [esp_sa(OUR_SPI), ANY4, NET]
    return chain(*(p + list(extra)))


def child_rekey(new_spi, pfs=False):
    p = [notify(N_REKEY_SA, PROTO_ESP, struct.pack('!I', OUR_SPI)), esp_sa(new_spi, pfs),
         nonce(0x33)]
    if pfs:
        p.append(ke())
    return chain(*(p + [ANY4, ts4(TSR, [0] * 4, [255] * 4)]))


SEEDS = {
    'auth': rec(AUTH, ike_auth()),
    'auth-childless': rec(AUTH, ike_auth(child=False, cp=False)),
    'auth-fragmented': rec(AUTH | FRAGMENTED, ike_auth()),
    'auth-wrong': rec(AUTH | AUTH_AS_IS, ike_auth()),
    'auth-big-v6': rec(AUTH, chain(ALICE, auth(), cp_request(8), esp_sa(OUR_SPI),
                                   ts6_any(TSI), ts6_any(TSR))),
    'auth-retransmit': rec(AUTH, ike_auth()) + rec(AUTH | MID_MINUS, ike_auth()),
    'info': rec(AUTH, ike_auth()) + record(INFO) + record(INFO | MID_PLUS),
    'delete-child': rec(AUTH, ike_auth()) + rec(INFO, chain(delete_esp(OUR_SPI))),
    'delete-ike': rec(AUTH, ike_auth()) + rec(INFO, chain(delete_ike())) +
                  rec(AUTH, ike_auth()),
    'critical': rec(AUTH, ike_auth()) + rec(INFO, chain((200, b'abcd', True))),
    'child-rekey': rec(AUTH, ike_auth()) + rec(CHILD, child_rekey(0x22220001)) +
                   rec(INFO, chain(delete_esp(OUR_SPI))),
    'child-rekey-pfs': rec(AUTH, ike_auth()) + rec(CHILD, child_rekey(0x22220001, True)) +
                       tick(31) + tick(1),
    'child-new': rec(AUTH, ike_auth()) + rec(CHILD, chain(
        esp_sa(0x33330001), nonce(), ANY4, NET)),
    # another peer entry, picked by the identity: a transport mode child
    'auth-transport': rec(AUTH, chain(
        ident(IDI, 3, b'bob@tp.example'), auth(), notify(N_USE_TRANSPORT_MODE),
        esp_sa(0x33330001),
        ts4(TSI, [198, 51, 100, 7], [198, 51, 100, 7], 17, (1701, 1701)),
        ts4(TSR, [203, 0, 113, 1], [203, 0, 113, 1], 17, (1701, 1701)))),
    'ike-rekey': rec(AUTH, ike_auth()) + rec(CHILD, chain(ike_sa(0x0123456789abcdef),
                                                           nonce(), ke())) +
                 rec(INFO, chain(delete_ike())),
    'dpd': rec(AUTH, ike_auth()) + tick(30) + record(INFO | RESPONSE) + tick(30) +
           tick(2) + tick(4) + tick(8),
    # the daemon rekeys the child at 54-60 s; we answer, then its Delete
    'own-rekey': rec(AUTH, ike_auth()) + tick(60) +
                 rec(CHILD | RESPONSE, chain(esp_sa(0x44440001, True), nonce(), ke(),
                                             ts4(TSI, [10, 10, 0, 0], [10, 10, 0, 255]),
                                             ts4(TSR, [10, 10, 1, 1], [10, 10, 1, 1]))) +
                 rec(INFO | RESPONSE, chain(delete_esp(OUR_SPI))),
    # the dataplane's soft limit: the daemon rekeys; its answer installs
    # nothing (the host fails); then a hard limit retires the child
    'esp-events': rec(AUTH, ike_auth()) + tick(0, FAIL_ADD) + event(SOFT, 2) +
                  rec(CHILD | RESPONSE, chain(esp_sa(0x44440001, True), nonce(), ke(),
                                              ts4(TSI, [10, 10, 0, 0], [10, 10, 0, 255]),
                                              ts4(TSR, [10, 10, 1, 1], [10, 10, 1, 1]))) +
                  event(HARD, 1) + tick(31),
    # the daemon rekeys the IKE SA at 40-45 s; we answer, then its Delete
    'own-ike-rekey': rec(AUTH, ike_auth()) + tick(45) +
                     rec(CHILD | RESPONSE, chain(ike_sa(0x7777777777777777), nonce(), ke())) +
                     record(INFO | RESPONSE) + record(INFO),
    'terminate': rec(AUTH, ike_auth()) + event(TERMINATE) + record(INFO | RESPONSE),
    'auth-no-spi': tick(0, FAIL_ALLOC) + rec(AUTH, ike_auth()),
    # a bare header on the IKE SA, with the ID it expects
    'raw-header': rec(AUTH, ike_auth()) +
                  record(SPECIAL | PATCH_SPI | RAW_MID_NEXT, 0,
                         bytes(16) + bytes([0, 0x20, 37, 8]) + struct.pack('!II', 5, 28)),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), 'corpus', 'ike_sm')
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, 'seed-' + name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
