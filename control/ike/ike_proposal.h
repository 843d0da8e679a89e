/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Proposals (RFC 7296 2.7, 3.3): choosing one of a peer's proposals against
 * ours, checking the one a responder chose from ours, and building SA
 * payloads. Pure functions; no EAL.
 */
#ifndef SGW_IKE_PROPOSAL_H
#define SGW_IKE_PROPOSAL_H

#include <stdbool.h>
#include <stdint.h>

#include "ike_payload.h"

#define SGW_IKE_OFFER_ALTS 8

/* One proposal of ours: acceptable alternatives per transform type, in our
 * order of preference (the configuration's "aes128gcm16-prfsha256-x25519"). */
struct sgw_ike_offer {
	uint8_t n_encr, n_integ, n_prf, n_dh, n_esn;
	struct {
		uint16_t id;
		uint16_t key_bits;      /* Key Length attribute; 0 for none */
	} encr[SGW_IKE_OFFER_ALTS];
	uint16_t integ[SGW_IKE_OFFER_ALTS];
	uint16_t prf[SGW_IKE_OFFER_ALTS];
	uint16_t dh[SGW_IKE_OFFER_ALTS];
	uint16_t esn[2];                /* IKEV2_ESN_*; none given = no ESN */
};

/* What was agreed: one transform per type (0 = the type is absent). */
struct sgw_ike_choice {
	uint8_t num;                    /* the chosen proposal's number */
	uint8_t proto;
	uint64_t spi;                   /* the peer's SPI from that proposal */
	uint16_t encr, key_bits, integ, prf, dh;
	bool esn;
};

/* Proposal flags */
#define SGW_IKE_PROP_IGNORE_DH 1u   /* Child SA in IKE_AUTH: KE groups do not apply */

/* Responder: the first of our offers (our preference) that one of the
 * peer's proposals for proto satisfies, and in it each type's first
 * alternative of ours that the peer lists. With a KE payload, ke_group is
 * its group: it wins when acceptable, else our first common group is
 * chosen and the caller answers INVALID_KE_PAYLOAD with it (2.7). 0, or
 * -ENOENT: NO_PROPOSAL_CHOSEN. */
int sgw_ike_choose(const struct sgw_ike_sa_pld *peer, uint8_t proto,
		   const struct sgw_ike_offer *offers, unsigned n_offers,
		   uint16_t ke_group, unsigned flags, struct sgw_ike_choice *out);

/* Initiator: the responder's SA payload must hold one proposal with one
 * transform of each type, all taken from our offers. 0 or -EINVAL. */
int sgw_ike_accept_reply(const struct sgw_ike_sa_pld *reply, uint8_t proto,
			 const struct sgw_ike_offer *offers, unsigned n_offers,
			 unsigned flags, struct sgw_ike_choice *out);

/* Our offers as an SA payload (proposal numbers 1..n), each with spi of
 * spi_size bytes (0, 4 or 8). -E2BIG if they do not fit the codec's bounds. */
int sgw_ike_offer_payload(const struct sgw_ike_offer *offers, unsigned n_offers,
			  uint8_t proto, uint64_t spi, uint8_t spi_size,
			  unsigned flags, struct sgw_ike_sa_pld *out);

/* The responder's answer: one proposal (c->num) with c's transforms. */
void sgw_ike_choice_payload(const struct sgw_ike_choice *c, uint64_t spi,
			    uint8_t spi_size, struct sgw_ike_sa_pld *out);

/* "AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519" for logs and show. */
const char *sgw_ike_choice_str(const struct sgw_ike_choice *c, char *buf, unsigned size);

#endif
