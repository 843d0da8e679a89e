/* SPDX-License-Identifier: BSD-3-Clause */
/* Frame validation on arbitrary bytes: must never read out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = {0x02, 0, 0, 0, 0x0c, 0x01};
	struct sgw_pkt p;
	/* An exact-size copy so ASan sees any read past the end. */
	uint8_t *f = malloc(size ? size : 1);

	if (!f)
		return 0;
	memcpy(f, data, size);
	p = sgw_pkt_parse(f, (uint32_t)size, mac);
	if (p.cls == SGW_PKT_IP4 || p.cls == SGW_PKT_IP6)
		if (p.l3_len + 14u > size)
			abort();   /* a validated length must fit the frame */
	free(f);
	return 0;
}
