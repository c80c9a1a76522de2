// SPDX-License-Identifier: MIT
/* hello FILE: put a string in a groove, print its offset.
 * hello FILE OFFSET: in another process, read it back and free it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <groove/groove.h>
#include <groove/data.h>

int main(int argc, char **argv)
{
	groove_t *g;
	int err = 0;
	char *p;

	if (argc < 2 || argc > 3)
		return fprintf(stderr, "usage: hello FILE [OFFSET]\n"), 2;
	g = groove_open(argv[1], 0);          /* a groove file or /dev/groove */
	if (!g)
		return perror(argv[1]), 1;
	if (argc == 2) {                      /* put: any process may free it */
		p = groove_alloc(g, 0, 64, 0, &err);
		if (p) {
			strcpy(p, "hello, groove");
			printf("%#llx\n", (unsigned long long)groove_off(g, p));
		}
	} else {                              /* get: its own address here */
		p = groove_ptr(g, strtoull(argv[2], NULL, 0));
		err = groove_obj_info(g, p, NULL, NULL);  /* a live object? */
		if (!err) {
			printf("%s\n", p);
			err = groove_free(g, p);
		}
	}
	if (err)
		fprintf(stderr, "hello: %s\n", groove_strerror(err));
	groove_close(g);
	return err != 0;
}
