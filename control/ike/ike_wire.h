/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv2 on the wire: the packed layouts of RFC 7296 section 3 (and RFC 7383
 * for the Encrypted Fragment payload) and the IANA "IKEv2 Parameters" the
 * gateway needs. Multi-byte fields are big-endian; read them with be16toh()
 * and friends. Only ike_payload.c reads or writes these structs; everyone
 * else uses the decoded forms of ike_payload.h and the constants.
 */
#ifndef SGW_IKE_WIRE_H
#define SGW_IKE_WIRE_H

#include <stdint.h>

#define IKEV2_PACKED __attribute__((packed))

/* ------------------------------------------------------- header (RFC 7296 3.1) */

struct ikev2_hdr {
	uint64_t ispi;          /* IKE SA Initiator's SPI */
	uint64_t rspi;          /* IKE SA Responder's SPI; zero in the first message */
	uint8_t next;           /* type of the first payload (IKEV2_PLD_*) */
	uint8_t version;        /* major version in the high nibble, minor in the low */
	uint8_t exchange;       /* IKEV2_EXCH_* */
	uint8_t flags;          /* IKEV2_FLAG_*; other bits reserved, ignored on receipt */
	uint32_t msgid;         /* Message ID */
	uint32_t length;        /* whole message, header included */
} IKEV2_PACKED;
_Static_assert(sizeof(struct ikev2_hdr) == 28, "RFC 7296 3.1 layout");

#define IKEV2_VERSION        0x20  /* 2.0; RFC 7296 3.1: minor version is sent as zero */
#define IKEV2_MAJOR(v)       ((v) >> 4)

/* Exchange types (RFC 7296 3.1) */
enum {
	IKEV2_EXCH_IKE_SA_INIT     = 34,
	IKEV2_EXCH_IKE_AUTH        = 35,
	IKEV2_EXCH_CREATE_CHILD_SA = 36,
	IKEV2_EXCH_INFORMATIONAL   = 37,
};

/* Header flags (RFC 7296 3.1) */
#define IKEV2_FLAG_INITIATOR 0x08  /* sent by the original initiator of the IKE SA */
#define IKEV2_FLAG_VERSION   0x10  /* sender can speak a higher major version */
#define IKEV2_FLAG_RESPONSE  0x20  /* message is a response */

/* ---------------------------------------- generic payload header (RFC 7296 3.2) */

struct ikev2_pld_hdr {
	uint8_t next;           /* type of the next payload, 0 for the last one; for
	                         * SK/SKF, the type of the first inner payload */
	uint8_t critical;       /* IKEV2_CRITICAL; the other 7 bits reserved */
	uint16_t length;        /* payload length, this header included */
} IKEV2_PACKED;
_Static_assert(sizeof(struct ikev2_pld_hdr) == 4, "RFC 7296 3.2 layout");

#define IKEV2_CRITICAL 0x80  /* RFC 7296 3.2: reject the message if the type is unknown */

/* Payload types (RFC 7296 3.2; SKF: RFC 7383 2.5) */
enum {
	IKEV2_PLD_NONE    = 0,   /* no next payload */
	IKEV2_PLD_SA      = 33,  /* Security Association, 3.3 */
	IKEV2_PLD_KE      = 34,  /* Key Exchange, 3.4 */
	IKEV2_PLD_IDI     = 35,  /* Identification - Initiator, 3.5 */
	IKEV2_PLD_IDR     = 36,  /* Identification - Responder, 3.5 */
	IKEV2_PLD_CERT    = 37,  /* Certificate, 3.6 */
	IKEV2_PLD_CERTREQ = 38,  /* Certificate Request, 3.7 */
	IKEV2_PLD_AUTH    = 39,  /* Authentication, 3.8 */
	IKEV2_PLD_NONCE   = 40,  /* Nonce, 3.9 */
	IKEV2_PLD_NOTIFY  = 41,  /* Notify, 3.10 */
	IKEV2_PLD_DELETE  = 42,  /* Delete, 3.11 */
	IKEV2_PLD_VENDOR  = 43,  /* Vendor ID, 3.12 */
	IKEV2_PLD_TSI     = 44,  /* Traffic Selector - Initiator, 3.13 */
	IKEV2_PLD_TSR     = 45,  /* Traffic Selector - Responder, 3.13 */
	IKEV2_PLD_SK      = 46,  /* Encrypted and Authenticated, 3.14 */
	IKEV2_PLD_CP      = 47,  /* Configuration, 3.15 */
	IKEV2_PLD_EAP     = 48,  /* Extensible Authentication, 3.16 */
	IKEV2_PLD_SKF     = 53,  /* Encrypted and Authenticated Fragment, RFC 7383 2.5 */
};

/* ------------------------------------------------------------ SA (RFC 7296 3.3) */

struct ikev2_prop {
	uint8_t last;           /* IKEV2_PROP_LAST or IKEV2_PROP_MORE */
	uint8_t reserved;
	uint16_t length;        /* proposal length: this header, SPI and transforms */
	uint8_t num;            /* Proposal Num: 1, 2, ... (3.3.1) */
	uint8_t proto;          /* IKEV2_PROTO_* */
	uint8_t spi_size;       /* 0 or 8 for IKE, 4 for AH and ESP */
	uint8_t n_xform;        /* number of transforms that follow the SPI */
} IKEV2_PACKED;
_Static_assert(sizeof(struct ikev2_prop) == 8, "RFC 7296 3.3.1 layout");

#define IKEV2_PROP_LAST 0  /* RFC 7296 3.3.1: last proposal */
#define IKEV2_PROP_MORE 2  /* RFC 7296 3.3.1: more proposals follow */

/* Security Protocol Identifiers (RFC 7296 3.3.1) */
enum {
	IKEV2_PROTO_IKE = 1,
	IKEV2_PROTO_AH  = 2,
	IKEV2_PROTO_ESP = 3,
};

struct ikev2_xform {
	uint8_t last;           /* IKEV2_XFORM_LAST or IKEV2_XFORM_MORE */
	uint8_t reserved;
	uint16_t length;        /* transform length, attributes included */
	uint8_t type;           /* IKEV2_XFORM_* */
	uint8_t reserved2;
	uint16_t id;            /* Transform ID, meaning depends on the type */
} IKEV2_PACKED;
_Static_assert(sizeof(struct ikev2_xform) == 8, "RFC 7296 3.3.2 layout");

#define IKEV2_XFORM_LAST 0  /* RFC 7296 3.3.2: last transform */
#define IKEV2_XFORM_MORE 3  /* RFC 7296 3.3.2: more transforms follow */

/* Transform types (RFC 7296 3.3.2) */
enum {
	IKEV2_XFORM_ENCR  = 1,  /* Encryption Algorithm */
	IKEV2_XFORM_PRF   = 2,  /* Pseudorandom Function */
	IKEV2_XFORM_INTEG = 3,  /* Integrity Algorithm */
	IKEV2_XFORM_DH    = 4,  /* Diffie-Hellman Group */
	IKEV2_XFORM_ESN   = 5,  /* Extended Sequence Numbers */
};

/* Transform type 1, encryption (RFC 7296 3.3.2 and the RFCs named) */
enum {
	IKEV2_ENCR_3DES              = 3,   /* RFC 2451 */
	IKEV2_ENCR_NULL              = 11,  /* RFC 2410, ESP only */
	IKEV2_ENCR_AES_CBC           = 12,  /* RFC 3602 */
	IKEV2_ENCR_AES_CTR           = 13,  /* RFC 3686 */
	IKEV2_ENCR_AES_CCM_8         = 14,  /* RFC 4309 */
	IKEV2_ENCR_AES_CCM_12        = 15,  /* RFC 4309 */
	IKEV2_ENCR_AES_CCM_16        = 16,  /* RFC 4309 */
	IKEV2_ENCR_AES_GCM_8         = 18,  /* RFC 4106 */
	IKEV2_ENCR_AES_GCM_12        = 19,  /* RFC 4106 */
	IKEV2_ENCR_AES_GCM_16        = 20,  /* RFC 4106 */
	IKEV2_ENCR_NULL_AUTH_AES_GMAC = 21, /* RFC 4543 */
	IKEV2_ENCR_CHACHA20_POLY1305 = 28,  /* RFC 7634 */
};

/* Transform type 2, pseudorandom function (RFC 7296 3.3.2, RFC 4868) */
enum {
	IKEV2_PRF_HMAC_MD5      = 1,  /* RFC 2104 */
	IKEV2_PRF_HMAC_SHA1     = 2,  /* RFC 2104 */
	IKEV2_PRF_AES128_XCBC   = 4,  /* RFC 4434 */
	IKEV2_PRF_HMAC_SHA2_256 = 5,  /* RFC 4868 */
	IKEV2_PRF_HMAC_SHA2_384 = 6,  /* RFC 4868 */
	IKEV2_PRF_HMAC_SHA2_512 = 7,  /* RFC 4868 */
	IKEV2_PRF_AES128_CMAC   = 8,  /* RFC 4615 */
};

/* Transform type 3, integrity (RFC 7296 3.3.2, RFC 4868) */
enum {
	IKEV2_INTEG_NONE              = 0,   /* with AEAD ciphers */
	IKEV2_INTEG_HMAC_MD5_96       = 1,   /* RFC 2403 */
	IKEV2_INTEG_HMAC_SHA1_96      = 2,   /* RFC 2404 */
	IKEV2_INTEG_AES_XCBC_96       = 5,   /* RFC 3566 */
	IKEV2_INTEG_AES_CMAC_96       = 8,   /* RFC 4494 */
	IKEV2_INTEG_HMAC_SHA2_256_128 = 12,  /* RFC 4868 */
	IKEV2_INTEG_HMAC_SHA2_384_192 = 13,  /* RFC 4868 */
	IKEV2_INTEG_HMAC_SHA2_512_256 = 14,  /* RFC 4868 */
};

/* Transform type 4, Diffie-Hellman group (RFC 7296 3.3.2 and the RFCs named) */
enum {
	IKEV2_DH_NONE       = 0,
	IKEV2_DH_MODP_1024  = 2,   /* RFC 7296 B.2 */
	IKEV2_DH_MODP_1536  = 5,   /* RFC 3526 */
	IKEV2_DH_MODP_2048  = 14,  /* RFC 3526 */
	IKEV2_DH_MODP_3072  = 15,  /* RFC 3526 */
	IKEV2_DH_MODP_4096  = 16,  /* RFC 3526 */
	IKEV2_DH_MODP_6144  = 17,  /* RFC 3526 */
	IKEV2_DH_MODP_8192  = 18,  /* RFC 3526 */
	IKEV2_DH_ECP_256    = 19,  /* RFC 5903 */
	IKEV2_DH_ECP_384    = 20,  /* RFC 5903 */
	IKEV2_DH_ECP_521    = 21,  /* RFC 5903 */
	IKEV2_DH_CURVE25519 = 31,  /* RFC 8031 */
	IKEV2_DH_CURVE448   = 32,  /* RFC 8031 */
};

/* Transform type 5, extended sequence numbers (RFC 7296 3.3.2) */
enum {
	IKEV2_ESN_NONE = 0,
	IKEV2_ESN_ESN  = 1,
};

struct ikev2_attr {
	uint16_t type;          /* IKEV2_ATTR_TV bit and a 15-bit attribute type */
	uint16_t value;         /* TV form: the value; TLV form: the value's length */
} IKEV2_PACKED;
_Static_assert(sizeof(struct ikev2_attr) == 4, "RFC 7296 3.3.5 layout");

#define IKEV2_ATTR_TV         0x8000  /* RFC 7296 3.3.5: Attribute Format bit, TV form */
#define IKEV2_ATTR_KEY_LENGTH 14      /* RFC 7296 3.3.5: Key Length in bits, TV only */

/* ------------------------------------------------------------ KE (RFC 7296 3.4) */

struct ikev2_ke {
	uint16_t group;         /* Diffie-Hellman Group Num (IKEV2_DH_*) */
	uint16_t reserved;
	/* followed by the key exchange data */
} IKEV2_PACKED;
_Static_assert(sizeof(struct ikev2_ke) == 4, "RFC 7296 3.4 layout");

/* ------------------------------------------------------------ ID (RFC 7296 3.5) */

struct ikev2_id {
	uint8_t type;           /* IKEV2_ID_* */
	uint8_t reserved[3];
	/* followed by the identification data */
} IKEV2_PACKED;
_Static_assert(sizeof(struct ikev2_id) == 4, "RFC 7296 3.5 layout");

/* ID types (RFC 7296 3.5; ID_NULL: RFC 7619) */
enum {
	IKEV2_ID_IPV4_ADDR   = 1,   /* four octets */
	IKEV2_ID_FQDN        = 2,   /* a fully qualified domain name, no NUL */
	IKEV2_ID_RFC822_ADDR = 3,   /* an email address, no NUL */
	IKEV2_ID_IPV6_ADDR   = 5,   /* sixteen octets */
	IKEV2_ID_DER_ASN1_DN = 9,   /* a DER X.500 Distinguished Name */
	IKEV2_ID_DER_ASN1_GN = 10,  /* a DER X.509 GeneralName */
	IKEV2_ID_KEY_ID      = 11,  /* opaque octets */
	IKEV2_ID_NULL        = 13,  /* RFC 7619: no identity */
};

/* ---------------------------------------------- CERT, CERTREQ (RFC 7296 3.6, 3.7) */

struct ikev2_cert {
	uint8_t encoding;       /* IKEV2_CERT_*; followed by the data */
} IKEV2_PACKED;
_Static_assert(sizeof(struct ikev2_cert) == 1, "RFC 7296 3.6 layout");

/* Certificate encodings (RFC 7296 3.6; raw public key: RFC 7670) */
enum {
	IKEV2_CERT_PKCS7_X509      = 1,
	IKEV2_CERT_PGP             = 2,
	IKEV2_CERT_DNS_SIGNED_KEY  = 3,
	IKEV2_CERT_X509_SIG        = 4,   /* a DER certificate; in CERTREQ, SHA-1 CA key hashes */
	IKEV2_CERT_KERBEROS        = 6,
	IKEV2_CERT_CRL             = 7,
	IKEV2_CERT_ARL             = 8,
	IKEV2_CERT_SPKI            = 9,
	IKEV2_CERT_X509_ATTR       = 10,
	IKEV2_CERT_RAW_RSA_KEY     = 11,
	IKEV2_CERT_HASH_URL_X509   = 12,
	IKEV2_CERT_HASH_URL_BUNDLE = 13,
	IKEV2_CERT_RAW_PUBLIC_KEY  = 15,  /* RFC 7670 */
};

/* ---------------------------------------------------------- AUTH (RFC 7296 3.8) */

struct ikev2_auth {
	uint8_t method;         /* IKEV2_AUTH_* */
	uint8_t reserved[3];
	/* followed by the authentication data */
} IKEV2_PACKED;
_Static_assert(sizeof(struct ikev2_auth) == 4, "RFC 7296 3.8 layout");

/* Authentication methods (RFC 7296 3.8; ECDSA: RFC 4754; 14: RFC 7427) */
enum {
	IKEV2_AUTH_RSA_SIG           = 1,
	IKEV2_AUTH_SHARED_KEY_MIC    = 2,
	IKEV2_AUTH_DSS_SIG           = 3,
	IKEV2_AUTH_ECDSA_SHA256_P256 = 9,
	IKEV2_AUTH_ECDSA_SHA384_P384 = 10,
	IKEV2_AUTH_ECDSA_SHA512_P521 = 11,
	IKEV2_AUTH_DIGITAL_SIGNATURE = 14,  /* RFC 7427 3: ASN.1 length, AlgorithmIdentifier, signature */
};

/* Hash algorithms in SIGNATURE_HASH_ALGORITHMS (RFC 7427 4; identity: RFC 8420) */
enum {
	IKEV2_HASH_SHA1     = 1,
	IKEV2_HASH_SHA2_256 = 2,
	IKEV2_HASH_SHA2_384 = 3,
	IKEV2_HASH_SHA2_512 = 4,
	IKEV2_HASH_IDENTITY = 5,
};

/* --------------------------------------------------------- Nonce (RFC 7296 3.9) */

#define IKEV2_NONCE_MIN 16   /* RFC 7296 3.9: at least 128 bits */
#define IKEV2_NONCE_MAX 256  /* RFC 7296 3.9: at most 2048 bits */

/* -------------------------------------------------------- Notify (RFC 7296 3.10) */

struct ikev2_notify {
	uint8_t proto;          /* IKEV2_PROTO_* of the SPI; ignored when spi_size is 0 */
	uint8_t spi_size;       /* 0 (IKE SA), 4 (AH/ESP) or 8 */
	uint16_t type;          /* Notify Message Type (IKEV2_N_*) */
	/* followed by the SPI and the notification data */
} IKEV2_PACKED;
_Static_assert(sizeof(struct ikev2_notify) == 4, "RFC 7296 3.10 layout");

/* Notify message types: errors below 16384, status from 16384 (RFC 7296
 * 3.10.1; MOBIKE: RFC 4555; CHILDLESS: RFC 6023; fragmentation: RFC 7383;
 * signature hashes: RFC 7427) */
enum {
	IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD  = 1,
	IKEV2_N_INVALID_IKE_SPI               = 4,
	IKEV2_N_INVALID_MAJOR_VERSION         = 5,
	IKEV2_N_INVALID_SYNTAX                = 7,
	IKEV2_N_INVALID_MESSAGE_ID            = 9,
	IKEV2_N_INVALID_SPI                   = 11,
	IKEV2_N_NO_PROPOSAL_CHOSEN            = 14,
	IKEV2_N_INVALID_KE_PAYLOAD            = 17,
	IKEV2_N_AUTHENTICATION_FAILED         = 24,
	IKEV2_N_SINGLE_PAIR_REQUIRED          = 34,
	IKEV2_N_NO_ADDITIONAL_SAS             = 35,
	IKEV2_N_INTERNAL_ADDRESS_FAILURE      = 36,
	IKEV2_N_FAILED_CP_REQUIRED            = 37,
	IKEV2_N_TS_UNACCEPTABLE               = 38,
	IKEV2_N_INVALID_SELECTORS             = 39,
	IKEV2_N_UNACCEPTABLE_ADDRESSES        = 40,     /* RFC 4555 */
	IKEV2_N_UNEXPECTED_NAT_DETECTED       = 41,     /* RFC 4555 */
	IKEV2_N_TEMPORARY_FAILURE             = 43,
	IKEV2_N_CHILD_SA_NOT_FOUND            = 44,
	IKEV2_N_ERROR_MAX                     = 16383,  /* last error type */
	IKEV2_N_INITIAL_CONTACT               = 16384,
	IKEV2_N_SET_WINDOW_SIZE               = 16385,
	IKEV2_N_ADDITIONAL_TS_POSSIBLE        = 16386,
	IKEV2_N_IPCOMP_SUPPORTED              = 16387,
	IKEV2_N_NAT_DETECTION_SOURCE_IP       = 16388,
	IKEV2_N_NAT_DETECTION_DESTINATION_IP  = 16389,
	IKEV2_N_COOKIE                        = 16390,
	IKEV2_N_USE_TRANSPORT_MODE            = 16391,
	IKEV2_N_HTTP_CERT_LOOKUP_SUPPORTED    = 16392,
	IKEV2_N_REKEY_SA                      = 16393,
	IKEV2_N_ESP_TFC_PADDING_NOT_SUPPORTED = 16394,
	IKEV2_N_NON_FIRST_FRAGMENTS_ALSO      = 16395,
	IKEV2_N_MOBIKE_SUPPORTED              = 16396,  /* RFC 4555 */
	IKEV2_N_ADDITIONAL_IP4_ADDRESS        = 16397,  /* RFC 4555 */
	IKEV2_N_ADDITIONAL_IP6_ADDRESS        = 16398,  /* RFC 4555 */
	IKEV2_N_NO_ADDITIONAL_ADDRESSES       = 16399,  /* RFC 4555 */
	IKEV2_N_UPDATE_SA_ADDRESSES           = 16400,  /* RFC 4555 */
	IKEV2_N_COOKIE2                       = 16401,  /* RFC 4555 */
	IKEV2_N_NO_NATS_ALLOWED               = 16402,  /* RFC 4555 */
	IKEV2_N_CHILDLESS_IKEV2_SUPPORTED     = 16418,  /* RFC 6023 */
	IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED = 16430,  /* RFC 7383 */
	IKEV2_N_SIGNATURE_HASH_ALGORITHMS     = 16431,  /* RFC 7427 */
};

/* -------------------------------------------------------- Delete (RFC 7296 3.11) */

struct ikev2_delete {
	uint8_t proto;          /* IKEV2_PROTO_* */
	uint8_t spi_size;       /* 0 for IKE, 4 for AH and ESP */
	uint16_t n_spi;         /* number of SPIs that follow; 0 for IKE */
} IKEV2_PACKED;
_Static_assert(sizeof(struct ikev2_delete) == 4, "RFC 7296 3.11 layout");

/* -------------------------------------------- Traffic Selector (RFC 7296 3.13) */

struct ikev2_ts_hdr {
	uint8_t n_ts;           /* number of traffic selectors that follow */
	uint8_t reserved[3];
} IKEV2_PACKED;
_Static_assert(sizeof(struct ikev2_ts_hdr) == 4, "RFC 7296 3.13 layout");

struct ikev2_ts {
	uint8_t type;           /* IKEV2_TS_* */
	uint8_t proto;          /* IP protocol, 0 for any */
	uint16_t length;        /* selector length, this header included */
	uint16_t start_port;    /* 0 for any; OPAQUE is start 65535, end 0 */
	uint16_t end_port;      /* 65535 for any */
	/* followed by the starting and the ending address */
} IKEV2_PACKED;
_Static_assert(sizeof(struct ikev2_ts) == 8, "RFC 7296 3.13.1 layout");

/* Traffic selector types (RFC 7296 3.13.1) */
enum {
	IKEV2_TS_IPV4_ADDR_RANGE = 7,   /* 16 octets in all */
	IKEV2_TS_IPV6_ADDR_RANGE = 8,   /* 40 octets in all */
};

/* ------------------------------------------------ Configuration (RFC 7296 3.15) */

struct ikev2_cp {
	uint8_t type;           /* IKEV2_CFG_* */
	uint8_t reserved[3];
	/* followed by the configuration attributes */
} IKEV2_PACKED;
_Static_assert(sizeof(struct ikev2_cp) == 4, "RFC 7296 3.15 layout");

/* Configuration types (RFC 7296 3.15) */
enum {
	IKEV2_CFG_REQUEST = 1,
	IKEV2_CFG_REPLY   = 2,
	IKEV2_CFG_SET     = 3,
	IKEV2_CFG_ACK     = 4,
};

struct ikev2_cp_attr {
	uint16_t type;          /* reserved bit, then the 15-bit attribute type */
	uint16_t length;        /* length of the value that follows */
} IKEV2_PACKED;
_Static_assert(sizeof(struct ikev2_cp_attr) == 4, "RFC 7296 3.15.1 layout");

#define IKEV2_CP_ATTR_TYPE 0x7fff  /* RFC 7296 3.15.1: the top bit is reserved */

/* Configuration attribute types with their lengths (RFC 7296 3.15.1) */
enum {
	IKEV2_CFG_INTERNAL_IP4_ADDRESS = 1,   /* 0 or 4 */
	IKEV2_CFG_INTERNAL_IP4_NETMASK = 2,   /* 0 or 4 */
	IKEV2_CFG_INTERNAL_IP4_DNS     = 3,   /* 0 or 4 */
	IKEV2_CFG_INTERNAL_IP4_NBNS    = 4,   /* 0 or 4 */
	IKEV2_CFG_INTERNAL_IP4_DHCP    = 6,   /* 0 or 4 */
	IKEV2_CFG_APPLICATION_VERSION  = 7,   /* 0 or more */
	IKEV2_CFG_INTERNAL_IP6_ADDRESS = 8,   /* 0 or 17: address and prefix length */
	IKEV2_CFG_INTERNAL_IP6_DNS     = 10,  /* 0 or 16 */
	IKEV2_CFG_INTERNAL_IP6_DHCP    = 12,  /* 0 or 16 */
	IKEV2_CFG_INTERNAL_IP4_SUBNET  = 13,  /* 0 or 8: address and netmask */
	IKEV2_CFG_SUPPORTED_ATTRIBUTES = 14,  /* a multiple of 2 */
	IKEV2_CFG_INTERNAL_IP6_SUBNET  = 15,  /* 17 (0 accepted in requests) */
};

/* ----------------------------------------- Encrypted Fragment (RFC 7383 2.5) */

struct ikev2_skf {
	uint16_t num;           /* Fragment Number, from 1 */
	uint16_t total;         /* Total Fragments */
	/* followed by IV, encrypted fragment and ICV, as in SK */
} IKEV2_PACKED;
_Static_assert(sizeof(struct ikev2_skf) == 4, "RFC 7383 2.5 layout");

#endif
