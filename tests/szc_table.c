// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Print the size-class table for volume sizes given in MiB (default 2 and 1024). */
#include <stdio.h>
#include <stdlib.h>
#include <groove/groove.h>

int main(int argc, char **argv)
{
	static const char *const dflt[] = { "2", "1024" };
	int i, n = argc > 1 ? argc - 1 : 2;

	for (i = 0; i < n; i++) {
		uint64_t v = strtoull(argc > 1 ? argv[i + 1] : dflt[i], NULL, 0) << 20;
		struct groove_szc t[GROOVE_SZC_MAX];
		unsigned int k, cnt = groove_szc_table(v, t, GROOVE_SZC_MAX);

		printf("# volume size %llu MiB: %u classes\n", (unsigned long long)(v >> 20), cnt);
		printf("%3s %10s %10s %4s %7s %4s\n", "szc", "footprint", "max_obj", "cnt", "parent", "cgs");
		for (k = 0; k < cnt; k++) {
			char parent[16];

			if (t[k].parent == GROOVE_SZC_PARENT_VOLUME)
				snprintf(parent, sizeof(parent), "volume");
			else
				snprintf(parent, sizeof(parent), "%u", t[k].parent);
			printf("%3u %10llu %10llu %4u %7s %4u\n", k,
			       (unsigned long long)t[k].obj_footprint,
			       (unsigned long long)t[k].obj_max, t[k].obj_cnt, parent,
			       t[k].cgroup_cnt);
		}
	}
	return 0;
}
