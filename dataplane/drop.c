/* SPDX-License-Identifier: BSD-3-Clause */
#include "drop.h"

const char *const sgw_drop_names[SGW_DROP_MAX] = {
#define SGW_DROP_NAME(id, name) [SGW_DROP_##id] = name,
	SGW_DROP_REASONS(SGW_DROP_NAME)
#undef SGW_DROP_NAME
};
