// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Error names (groove_strerror()). */
#include "groove_internal.h"

G_API const char *groove_strerror(int err)
{
	switch (err) {
	case GROOVE_SUCCESS:
		return "success";
	case GROOVE_ERR_INVAL:
		return "bad input";
	case GROOVE_ERR_AGAIN:
		return "try again";
	case GROOVE_ERR_CORRUPT:
		return "corruption detected";
	case GROOVE_ERR_EMPTY:
		return "empty";
	case GROOVE_ERR_FULL:
		return "full";
	case GROOVE_ERR_KEY:
		return "key not found";
	case GROOVE_ERR_BUSY:
		return "in use by another process or thread";
	case GROOVE_ERR_UNSUPPORTED:
		return "not supported by this groove";
	case GROOVE_ERR_FORKED:
		return "join belongs to the parent process (call groove_open in the child)";
	case GROOVE_ERR_EXISTS:
		return "exists";
	case GROOVE_ERR_SYSTEM:
		return "system error (see errno)";
	default:
		return "unknown";
	}
}
