// SPDX-License-Identifier: GPL-2.0
/*
 * alloc_objects FILE N: allocate N objects of 1000 bytes in the groove at
 * FILE and leave them allocated (objects belong to the groove, not to the
 * process), so groovectl's host test can see "volumes hold objects".
 */
#include <stdio.h>
#include <stdlib.h>

#include <groove/groove.h>

int main(int argc, char **argv)
{
	groove_t *g;
	int i, n, err;

	if (argc != 3) {
		fprintf(stderr, "usage: alloc_objects FILE N\n");
		return 2;
	}
	g = groove_open(argv[1], 0);
	if (!g) {
		perror(argv[1]);
		return 1;
	}
	n = atoi(argv[2]);
	for (i = 0; i < n; i++) {
		if (!groove_alloc(g, 0, 1000, (uint64_t)i, &err)) {
			fprintf(stderr, "alloc %d: %s\n", i, groove_strerror(err));
			groove_close(g);
			return 1;
		}
	}
	groove_close(g);
	return 0;
}
