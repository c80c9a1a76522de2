// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target: an input is a sequence of operations on one
 * file-backed groove: alloc (size, alignment), free, bad frees (offsets
 * from live objects, wild offsets), double frees, and bit flips in object
 * and superblock headers (undone after their checks).  Oracle: every call
 * returns a clean error or success, a bad free changes nothing, verify
 * passes (or says CORRUPT while a flip is in place), and after freeing
 * everything the groove is empty again.
 */
#include <stdlib.h>
#include <string.h>
#include "groove_internal.h"
#include "test_util.h"

#define LIVE_MAX 64

static groove_t *g;

struct obj {
	uint8_t *p;
	size_t sz;
};

static struct obj live[LIVE_MAX];
static int nlive;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	g = test_groove_new(2ULL << 20, 8, 6, NULL, 0);
	if (!g)
		abort();
	return 0;
}

static void must(int cond)
{
	if (!cond)
		abort();
}

static void bad_free(uint8_t *p)
{
	struct groove_stats a, b;
	int r;

	groove_stats(g, &a);
	r = groove_free(g, p);
	must(r == GROOVE_ERR_INVAL);
	groove_stats(g, &b);
	must(!memcmp(&a, &b, sizeof(a)));
}

static int is_live(const uint8_t *p)
{
	int i;

	for (i = 0; i < nlive; i++)
		if (live[i].p == p)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i = 0;

	while (i + 4 <= size) {
		uint8_t op = data[i] % 6, a = data[i + 1];
		uint16_t b = (uint16_t)(data[i + 2] | data[i + 3] << 8);
		int err, k;

		i += 4;
		switch (op) {
		case 0:		/* alloc */
		case 1: {
			size_t sz = (size_t)b << (a % 6);
			size_t align = a & 0x80 ? 1u << ((a >> 3) % 13) : 0;
			uint8_t *p;

			if (nlive == LIVE_MAX)
				break;
			p = groove_alloc(g, align, sz, b, &err);
			if (!p) {
				must(err == GROOVE_ERR_FULL || err == GROOVE_ERR_INVAL);
				break;
			}
			must(!align || !((uintptr_t)p % align));
			memset(p, a, sz);
			live[nlive].p = p;
			live[nlive++].sz = sz;
			break;
		}
		case 2:		/* free, then free again */
			if (!nlive)
				break;
			k = b % nlive;
			must(groove_free(g, live[k].p) == GROOVE_SUCCESS);
			{
				uint8_t *p = live[k].p;

				live[k] = live[--nlive];
				if (!is_live(p))	/* a size-0 object may share p */
					bad_free(p);
			}
			break;
		case 3: {	/* a pointer near a live object, or anywhere */
			uint8_t *p;

			if (nlive && (a & 1)) {
				k = b % nlive;
				p = live[k].p + (int16_t)b;
			} else {
				p = (uint8_t *)groove_volume0(g) + ((uint64_t)b << (a % 12));
			}
			if (!is_live(p))
				bad_free(p);
			break;
		}
		case 4: {	/* flip a bit in an object header */
			uint64_t *h;

			if (!nlive)
				break;
			k = b % nlive;
			h = (uint64_t *)(live[k].p - GROOVE_OBJ_HDR_SIZE);
			*h ^= 1ULL << (a % 64);
			must(groove_free(g, live[k].p) == GROOVE_ERR_INVAL);
			err = groove_verify(g);
			must(err == GROOVE_SUCCESS || err == GROOVE_ERR_CORRUPT);
			*h ^= 1ULL << (a % 64);
			must(groove_verify(g) == GROOVE_SUCCESS);
			break;
		}
		case 5: {	/* flip a bit in a superblock header word */
			uint64_t off, *w;

			if (!nlive)
				break;
			k = b % nlive;
			off = groove_off(g, live[k].p);
			/* the object's superblock: walk back to its header */
			{
				uint64_t bits = ((uint64_t *)(live[k].p - GROOVE_OBJ_HDR_SIZE))[0];
				uint64_t obj = off - G_F_PAD(bits);
				uint64_t fp = g->szc[G_F_SZC(bits)].fp;

				w = (uint64_t *)((uint8_t *)groove_volume0(g) + obj - G_BLK -
						 G_F_IDX(bits) * fp);
			}
			w += (a >> 6) % 2;	/* bits or free bitmap */
			*w ^= 1ULL << (a % 64);
			err = groove_verify(g);
			must(err == GROOVE_SUCCESS || err == GROOVE_ERR_CORRUPT);
			if ((a >> 6) % 2 == 0)
				must(groove_obj_info(g, live[k].p, NULL, NULL) == GROOVE_ERR_INVAL);
			*w ^= 1ULL << (a % 64);
			must(groove_verify(g) == GROOVE_SUCCESS);
			break;
		}
		}
	}
	must(groove_verify(g) == GROOVE_SUCCESS);
	while (nlive) {
		nlive--;
		must(groove_free(g, live[nlive].p) == GROOVE_SUCCESS);
	}
	must(groove_verify(g) == GROOVE_SUCCESS);
	{
		struct groove_stats st;

		must(groove_trim(g) == GROOVE_SUCCESS);
		must(groove_stats(g, &st) == GROOVE_SUCCESS);
		must(st.objects == 0 && st.volumes_data == 0 && st.volumes_empty == 6);
	}
	return 0;
}
