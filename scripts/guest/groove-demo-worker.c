// SPDX-License-Identifier: GPL-2.0
/*
 * groove-demo-worker: the allocating process of `make demo`.
 *
 *   groove-demo-worker alloc NAME COUNT SIZE FILE   allocate COUNT objects of
 *       SIZE bytes, write "NAME #i" into each, save their offsets to FILE
 *   groove-demo-worker free FILE                    check and free the objects
 *       whose offsets FILE holds (a different process than the allocator)
 *
 * Objects belong to the groove, not to the process: they outlive it, and any
 * process that knows an offset can use and free the object.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <groove/groove.h>
#include <groove/data.h>

static const char *device = "/dev/groove";

static int do_alloc(groove_t *g, const char *name, unsigned long count,
		    unsigned long size, const char *file)
{
	uint64_t first = 0, last = 0;
	unsigned long i;
	FILE *f;
	int err;

	f = fopen(file, "w");
	if (!f) {
		perror(file);
		return 1;
	}
	for (i = 0; i < count; i++) {
		char *obj = groove_alloc(g, 0, size, i, &err);

		if (!obj) {
			fprintf(stderr, "worker %s: alloc #%lu of %lu B: %s\n",
				name, i, size, groove_strerror(err));
			fclose(f);
			return 1;
		}
		snprintf(obj, size, "%s #%lu", name, i);
		last = groove_off(g, obj);
		if (!i)
			first = last;
		fprintf(f, "%#" PRIx64 "\n", last);
	}
	fclose(f);
	printf("worker %s (pid %d): %lu objects of %lu B, first at offset %#" PRIx64
	       ", last at %#" PRIx64 " (mapped at %p here)\n", name, (int)getpid(),
	       count, size, first, last, groove_ptr(g, first));
	return 0;
}

static int do_free(groove_t *g, const char *file)
{
	unsigned long freed = 0, bad = 0;
	char first[64] = "";
	uint64_t off;
	FILE *f;

	f = fopen(file, "r");
	if (!f) {
		perror(file);
		return 1;
	}
	while (fscanf(f, "%" SCNx64, &off) == 1) {
		char *obj = groove_ptr(g, off);

		if (!freed)
			snprintf(first, sizeof(first), "%s", obj);
		if (groove_free(g, obj) == GROOVE_SUCCESS)
			freed++;
		else
			bad++;
	}
	fclose(f);
	printf("pid %d freed %lu objects by offset (the first one says \"%s\")%s\n",
	       (int)getpid(), freed, first, bad ? ", some frees FAILED" : "");
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	groove_t *g;
	int ret;

	if (getenv("GROOVE_DEVICE"))
		device = getenv("GROOVE_DEVICE");
	if (!(argc == 6 && !strcmp(argv[1], "alloc")) &&
	    !(argc == 3 && !strcmp(argv[1], "free"))) {
		fprintf(stderr, "usage: %s alloc NAME COUNT SIZE FILE | free FILE\n", argv[0]);
		return 2;
	}
	g = groove_open(device, 0);
	if (!g) {
		fprintf(stderr, "open %s: %s\n", device, strerror(errno));
		return 1;
	}
	if (argc == 6)
		ret = do_alloc(g, argv[2], strtoul(argv[3], NULL, 0),
			       strtoul(argv[4], NULL, 0), argv[5]);
	else
		ret = do_free(g, argv[2]);
	groove_close(g);
	return ret;
}
