// SPDX-License-Identifier: GPL-2.0
/*
 * groovectl info / status / verify / fsck: read-only reports on a groove.
 *
 * info needs only GROOVE_IOC_INFO (and sysfs), so it works for anyone who
 * can open the device read-only, even when the shared header is damaged.
 * status and verify join the groove through libgroove (groove_stats(),
 * groove_verify()) and read the volume table and volume headers directly
 * from the mapping.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <groove/groove.h>

#include "groovectl.h"

/*
 * The sysfs directory of the groove being reported (/sys/dev/char/MAJ:MIN/,
 * i.e. /sys/class/misc/groove/ or /sys/class/groove/NAME/), set by
 * set_sysfs_dir() from the device path.
 */
static char sysfs_dir[64] = "/sys/class/misc/groove/";

static void set_sysfs_dir(const char *path)
{
	ctl_sysfs_dir(path, sysfs_dir, sizeof(sysfs_dir));
}

/* A counter of this groove's sysfs directory; false when it is missing. */
static bool sysfs_u64(const char *name, uint64_t *v)
{
	return ctl_sysfs_u64(sysfs_dir, name, v);
}

/*
 * Per-node bytes: node_bytes/node<N>, one file per node; a module of ABI 2
 * before that had one line "N0=123 N1=0".  Returns the number of nodes read.
 */
#define MAX_NODES	64
static int sysfs_node_bytes(int64_t *bytes, int max)
{
	char buf[4096], path[128], *p;
	int n = 0, node, used;
	long long b;
	FILE *f;

	for (node = 0; node < max; node++) {
		bytes[node] = -1;
		snprintf(path, sizeof(path), "%snode_bytes/node%d", sysfs_dir, node);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fscanf(f, "%lld", &b) == 1) {
			bytes[node] = b;
			n = node + 1;
		}
		fclose(f);
	}
	if (n)
		return n;
	snprintf(path, sizeof(path), "%snode_bytes", sysfs_dir);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return 0;
	}
	fclose(f);
	for (p = buf; sscanf(p, " N%d=%lld%n", &node, &b, &used) == 2; p += used) {
		if (node >= 0 && node < max) {
			bytes[node] = b;
			if (node + 1 > n)
				n = node + 1;
		}
	}
	return n;
}

/*
 * A groove file's header, read with a read-only open and pread(): info
 * needs no join (which writes the file) and so works on a file the user
 * may only read.  Checks what it relies on; the figures are a snapshot.
 */
static int read_file_info(const char *path, struct groove_info *info)
{
	struct groove_shared_hdr h;
	struct groove_vol_entry *t = NULL;
	struct stat st;
	int fd, ret, err = 0;
	ssize_t got;

	ret = ctl_open_device(path, O_RDONLY, &fd);
	if (ret)
		return ret;
	if (fstat(fd, &st)) {
		err = errno;
		goto out;
	}
	got = pread(fd, &h, sizeof(h), 0);
	if (got < 0) {
		err = errno;
		goto out;
	}
	if ((size_t)got < sizeof(h) || h.magic != GROOVE_SHARED_MAGIC) {
		err = EBADMSG;
		goto out;
	}
	if (h.abi_version != GROOVE_ABI_VERSION) {
		err = EPROTO;
		goto out;
	}
	if (!h.volume_max || h.volume_max > GROOVE_VOLUME_MAX_LIMIT ||
	    h.vol_table_off + (uint64_t)h.volume_max * sizeof(*t) > h.hdr_size ||
	    h.hdr_size > (uint64_t)st.st_size) {
		err = EBADMSG;
		goto out;
	}
	t = calloc(h.volume_max, sizeof(*t));
	if (!t) {
		err = ENOMEM;
		goto out;
	}
	got = pread(fd, t, h.volume_max * sizeof(*t), (off_t)h.vol_table_off);
	if (got != (ssize_t)(h.volume_max * sizeof(*t))) {
		err = got < 0 ? errno : EBADMSG;
		goto out;
	}
	memset(info, 0, sizeof(*info));
	info->abi_version = h.abi_version;
	info->volume_size = h.volume_size;
	info->volume_max = h.volume_max;
	info->hdr_size = h.hdr_size;
	info->vol0_off = h.vol0_off;
	info->map_size = h.vol0_off + (uint64_t)h.volume_max * h.volume_size;
	info->vol_table_off = h.vol_table_off;
	info->alloc_off = h.alloc_off;
	info->alloc_size = h.alloc_size;
	for (uint32_t i = 0; i < h.volume_max; i++)
		info->volumes_present += t[i].present == 1;
	info->bytes_reserved = (uint64_t)info->volumes_present * h.volume_size;
out:
	free(t);
	close(fd);
	if (err) {
		ctl_explain_errno("info", path, err);
		return err == EBADMSG || err == EPROTO ? EXIT_NOT_GROOVE : ctl_exit_for_errno(err);
	}
	return EXIT_OK;
}

/* The device's INFO, or for a groove file the same numbers from its header. */
static int read_info(const struct groovectl_opts *o, struct groove_info *info)
{
	int fd, ret;

	if (!ctl_is_char_device(o->device))
		return read_file_info(o->device, info);
	set_sysfs_dir(o->device);
	ret = ctl_open_device_info(o->device, O_RDONLY, &fd, info);
	if (!ret)
		close(fd);
	return ret;
}

static void print_info_json(struct json *j, const struct groove_info *in, bool device)
{
	uint64_t v;

	json_str(j, "device", device ? "char" : "file");
	json_u64(j, "abi_version", in->abi_version);
	json_u64(j, "volume_size", in->volume_size);
	json_u64(j, "volume_max", in->volume_max);
	json_u64(j, "volumes_present", in->volumes_present);
	json_u64(j, "hdr_size", in->hdr_size);
	json_u64(j, "vol0_off", in->vol0_off);
	json_u64(j, "map_size", in->map_size);
	json_u64(j, "vol_table_off", in->vol_table_off);
	json_u64(j, "alloc_off", in->alloc_off);
	json_u64(j, "alloc_size", in->alloc_size);
	json_u64(j, "bytes_reserved", in->bytes_reserved);
	if (device)
		json_u64(j, "bytes_limit", in->bytes_limit);
	if (device && sysfs_u64("faults", &v))
		json_u64(j, "faults", v);
	if (device && sysfs_u64("volumes_added", &v))
		json_u64(j, "volumes_added", v);
	if (device && sysfs_u64("volumes_removed", &v))
		json_u64(j, "volumes_removed", v);
}

static void print_info_text(const char *path, const struct groove_info *in, bool device)
{
	char a[32], b[32], c[32];
	uint64_t faults, added, removed;

	fmt_size(a, sizeof(a), in->volume_size);
	printf("%s: groove %s, ABI %u\n", path, device ? "device" : "file",
	       in->abi_version);
	printf("  volume size      %s\n", a);
	printf("  volume slots     %u (%u present, %u free)\n", in->volume_max,
	       in->volumes_present, in->volume_max - in->volumes_present);
	fmt_size(a, sizeof(a), in->bytes_reserved);
	if (device) {
		fmt_size(b, sizeof(b), in->bytes_limit);
		printf("  reserved         %s of %s limit\n", a, b);
	} else {
		printf("  reserved         %s of file space\n", a);
	}
	fmt_size(a, sizeof(a), in->hdr_size);
	fmt_size(b, sizeof(b), in->alloc_size);
	fmt_size(c, sizeof(c), in->map_size);
	printf("  header region    %s at 0 (volume table at %#" PRIx64 ", allocator state %s at %#" PRIx64 ")\n",
	       a, (uint64_t)in->vol_table_off, b, (uint64_t)in->alloc_off);
	printf("  volume windows   from %#" PRIx64 ", mapping size %s\n",
	       (uint64_t)in->vol0_off, c);
	if (device && sysfs_u64("faults", &faults) && sysfs_u64("volumes_added", &added) &&
	    sysfs_u64("volumes_removed", &removed))
		printf("  counters         %" PRIu64 " faults served, %" PRIu64 " volumes added, %" PRIu64 " removed\n",
		       faults, added, removed);
}

int cmd_info(const struct groovectl_opts *o)
{
	bool device = ctl_is_char_device(o->device);
	struct groove_info info;
	struct json j;
	int ret;

	ret = read_info(o, &info);
	if (ret)
		return ret;
	if (o->json) {
		json_begin(&j, stdout);
		json_str(&j, "path", o->device);
		print_info_json(&j, &info, device);
		json_end(&j);
	} else {
		print_info_text(o->device, &info, device);
	}
	return EXIT_OK;
}

/*
 * After add, remove or create with --json: what the command did (@key:
 * @n, e.g. "added": 3; @n < 0 prints @key: true, e.g. "created": true) and the groove's resulting state, as info reports
 * it (the way daxctl reconfigure-device prints the device it changed).
 */
int ctl_print_state_json(const struct groovectl_opts *o, const char *key, int64_t n)
{
	bool device = ctl_is_char_device(o->device);
	struct groove_info info;
	struct json j;
	int ret;

	ret = read_info(o, &info);
	if (ret)
		return ret;
	json_begin(&j, stdout);
	json_str(&j, "path", o->device);
	if (n < 0)
		json_bool(&j, key, true);
	else
		json_i64(&j, key, n);
	print_info_json(&j, &info, device);
	json_end(&j);
	return EXIT_OK;
}

/*
 * Reading a volume header can race with its removal, which unmaps it: the
 * touch then raises SIGBUS.  Catch that and report the slot as gone.
 */
static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

struct vol_row {
	uint32_t idx;
	uint64_t magic;
	int node;		/* -1 unknown */
	uint64_t info_sz;
	char info[GROOVE_VOLUME_INFO_MAX];
	bool gone;		/* removed while we looked */
};

static const char *magic_name(uint64_t magic)
{
	switch (magic) {
	case GROOVE_VOLUME_MAGIC_EMPTY:
		return "empty";
	case GROOVE_VOLUME_MAGIC_DATA:
		return "data";
	case 0:
		return "removed";
	default:
		return "corrupt";
	}
}

/* Copy the volume header of slot @idx (present) into @row. */
static void read_volume(groove_t *g, uint32_t idx, struct vol_row *row)
{
	const volatile struct groove_volume_hdr *vh;
	struct sigaction sa = { .sa_handler = on_sigbus }, old;

	memset(row, 0, sizeof(*row));
	row->idx = idx;
	row->node = -1;
	vh = (const void *)((const char *)groove_volume0(g) + (uint64_t)idx * groove_volume_size(g));
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(bus_jmp, 1) == 0) {
		row->magic = vh->magic;
		row->info_sz = vh->info_sz;
		if (row->info_sz > GROOVE_VOLUME_INFO_MAX)
			row->info_sz = GROOVE_VOLUME_INFO_MAX;
		for (uint64_t i = 0; i < row->info_sz; i++)
			row->info[i] = (char)vh->info[i];
	} else {
		row->gone = true;
	}
	sigaction(SIGBUS, &old, NULL);
}

/* Fill in each row's NUMA node (root only; silently skipped otherwise). */
static void read_volume_nodes(const char *path, struct vol_row *rows, uint32_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	for (uint32_t i = 0; i < n; i++) {
		struct groove_volume_phys vp = { .idx = rows[i].idx };

		if (ioctl(fd, GROOVE_IOC_VOLUME_PHYS, &vp))
			break;	/* EPERM for non-root: no per-volume nodes */
		rows[i].node = vp.node;
	}
	close(fd);
}

/* Open a groove through libgroove, or explain why not. */
static int join(const struct groovectl_opts *o, const char *what, groove_t **g)
{
	return ctl_join(what, o->device, g);
}

static const struct groove_vol_entry *vol_table(groove_t *g)
{
	const struct groove_shared_hdr *h = groove_shared_hdr(g);

	return (const void *)((const char *)h + h->vol_table_off);
}

/* Present slots' headers, in slot order.  *@rows is malloc'ed. */
static uint32_t read_volumes(const struct groovectl_opts *o, groove_t *g,
			     struct vol_row **rows)
{
	const struct groove_vol_entry *t = vol_table(g);
	uint32_t max = groove_volume_max(g), n = 0;

	*rows = calloc(max ? max : 1, sizeof(**rows));
	if (!*rows)
		return 0;
	for (uint32_t i = 0; i < max; i++)
		if (__atomic_load_n(&t[i].present, __ATOMIC_ACQUIRE) == 1)
			read_volume(g, i, &(*rows)[n++]);
	if (groove_is_device(g))
		read_volume_nodes(o->device, *rows, n);
	return n;
}

static void print_status_text(const struct groovectl_opts *o, const struct groove_info *in,
			      const struct groove_stats *st, const struct vol_row *rows,
			      uint32_t nrows, bool device)
{
	int64_t node_bytes[MAX_NODES];
	int nodes = device ? sysfs_node_bytes(node_bytes, MAX_NODES) : 0;
	char a[32], b[32], c[32];
	uint32_t i, used;

	print_info_text(o->device, in, device);
	fmt_size(a, sizeof(a), st->bytes_in_use);
	printf("  volumes          %u holding data, %u empty (removable)\n",
	       st->volumes_data, st->volumes_empty);
	printf("  in use           %s in %" PRIu64 " objects\n", a, st->objects);
	fmt_size(a, sizeof(a), st->largest_alloc);
	printf("  largest object   %s allocatable now (without adding volumes)\n", a);
	if (nodes) {
		printf("  per node        ");
		for (int n = 0; n < nodes; n++) {
			if (node_bytes[n] < 0)
				continue;
			fmt_size(a, sizeof(a), (uint64_t)node_bytes[n]);
			printf(" N%d %s", n, a);
		}
		printf("\n");
	}

	for (i = 0, used = 0; i < st->szc_cnt && i < GROOVE_SZC_MAX; i++)
		used += st->szc_stats[i].objects || st->szc_stats[i].superblocks;
	printf("\nsize classes: %u, %u in use%s\n", st->szc_cnt, used, used ? ":" : "");
	if (used)
		printf("  %5s %12s %6s %12s %10s %12s %10s\n", "class", "object max", "per sb",
		       "objects", "in use", "superblocks", "free objs");
	for (i = 0; i < st->szc_cnt && i < GROOVE_SZC_MAX; i++) {
		const struct groove_szc_stats *s = &st->szc_stats[i];

		if (!s->objects && !s->superblocks)
			continue;
		fmt_size(a, sizeof(a), st->szc[i].obj_max);
		fmt_size(b, sizeof(b), s->bytes);
		printf("  %5u %12s %6u %12" PRIu64 " %10s %12" PRIu64 " %10" PRIu64 "\n",
		       i, a, st->szc[i].obj_cnt, s->objects, b, s->superblocks, s->free_objs);
	}

	printf("\nvolumes (%u present):\n", nrows);
	if (nrows)
		printf("  %5s %-8s %4s  %s\n", "slot", "state", "node", "info");
	for (i = 0; i < nrows; i++) {
		const struct vol_row *r = &rows[i];

		snprintf(c, sizeof(c), "%d", r->node);
		printf("  %5u %-8s %4s  ", r->idx, r->gone ? "removed" : magic_name(r->magic),
		       r->node < 0 ? "-" : c);
		text_escaped(stdout, r->info, strnlen(r->info, r->info_sz));
		printf("\n");
	}
}

static void print_status_json(const struct groovectl_opts *o, const struct groove_info *in,
			      const struct groove_stats *st, const struct vol_row *rows,
			      uint32_t nrows, bool device)
{
	int64_t node_bytes[MAX_NODES];
	int nodes = device ? sysfs_node_bytes(node_bytes, MAX_NODES) : 0;
	struct json j;
	uint32_t i;

	json_begin(&j, stdout);
	json_str(&j, "path", o->device);
	print_info_json(&j, in, device);
	json_u64(&j, "volumes_data", st->volumes_data);
	json_u64(&j, "volumes_empty", st->volumes_empty);
	json_u64(&j, "objects", st->objects);
	json_u64(&j, "bytes_in_use", st->bytes_in_use);
	json_u64(&j, "largest_alloc", st->largest_alloc);
	json_arr_open(&j, "nodes");
	for (int n = 0; n < nodes; n++) {
		if (node_bytes[n] < 0)
			continue;
		json_obj_open(&j, NULL);
		json_i64(&j, "node", n);
		json_i64(&j, "bytes_reserved", node_bytes[n]);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_arr_open(&j, "size_classes");
	for (i = 0; i < st->szc_cnt && i < GROOVE_SZC_MAX; i++) {
		json_obj_open(&j, NULL);
		json_u64(&j, "class", i);
		json_u64(&j, "obj_footprint", st->szc[i].obj_footprint);
		json_u64(&j, "obj_max", st->szc[i].obj_max);
		json_u64(&j, "obj_per_superblock", st->szc[i].obj_cnt);
		json_u64(&j, "objects", st->szc_stats[i].objects);
		json_u64(&j, "bytes_in_use", st->szc_stats[i].bytes);
		json_u64(&j, "superblocks", st->szc_stats[i].superblocks);
		json_u64(&j, "free_objects", st->szc_stats[i].free_objs);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_arr_open(&j, "volumes");
	for (i = 0; i < nrows; i++) {
		json_obj_open(&j, NULL);
		json_u64(&j, "slot", rows[i].idx);
		json_str(&j, "state", rows[i].gone ? "removed" : magic_name(rows[i].magic));
		json_i64(&j, "node", rows[i].node);
		json_strn(&j, "info", rows[i].info, strnlen(rows[i].info, rows[i].info_sz));
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_end(&j);
}

int cmd_status(const struct groovectl_opts *o)
{
	bool device = ctl_is_char_device(o->device);
	struct groove_stats *st = NULL;
	struct vol_row *rows = NULL;
	struct groove_info info;
	groove_t *g = NULL;
	uint32_t nrows;
	int ret, err;

	ret = read_info(o, &info);
	if (ret)
		return ret;
	ret = join(o, "status", &g);
	if (ret)
		return ret;
	st = calloc(1, sizeof(*st));
	if (!st) {
		ctl_err("status: out of memory");
		ret = EXIT_FAILED;
		goto out;
	}
	err = groove_stats(g, st);
	if (err) {
		ctl_err("status: %s: %s: run 'groovectl verify' for details",
			o->device, ctl_groove_err(err));
		ret = err == GROOVE_ERR_CORRUPT ? EXIT_CORRUPT : EXIT_FAILED;
		goto out;
	}
	nrows = read_volumes(o, g, &rows);
	if (o->json)
		print_status_json(o, &info, st, rows, nrows, device);
	else
		print_status_text(o, &info, st, rows, nrows, device);
	ret = EXIT_OK;
out:
	free(rows);
	free(st);
	groove_close(g);
	return ret;
}

/*
 * groovectl verify: the whole state (groove_verify()), then each present
 * volume (groove_volume_verify()) to name the damaged ones.  Meant for a
 * quiet groove: concurrent allocations can make a consistent state look
 * inconsistent, so a failure on a busy groove is worth repeating.
 */
int cmd_verify(const struct groovectl_opts *o)
{
	const struct groove_vol_entry *t;
	uint32_t max, bad_cnt = 0, checked = 0;
	uint32_t *bad = NULL;
	groove_t *g;
	struct json j;
	int ret, err;

	ret = join(o, "verify", &g);
	if (ret)
		return ret;
	err = groove_verify(g);
	t = vol_table(g);
	max = groove_volume_max(g);
	bad = calloc(max ? max : 1, sizeof(*bad));
	for (uint32_t i = 0; bad && i < max; i++) {
		if (__atomic_load_n(&t[i].present, __ATOMIC_ACQUIRE) != 1)
			continue;
		checked++;
		if (groove_volume_verify(g, i) != GROOVE_SUCCESS)
			bad[bad_cnt++] = i;
	}
	if (o->json) {
		json_begin(&j, stdout);
		json_str(&j, "path", o->device);
		json_bool(&j, "consistent", err == GROOVE_SUCCESS && !bad_cnt);
		json_str(&j, "result", groove_strerror(err));
		json_u64(&j, "volumes_checked", checked);
		json_arr_open(&j, "bad_volumes");
		for (uint32_t i = 0; i < bad_cnt; i++)
			json_u64(&j, NULL, bad[i]);
		json_arr_close(&j);
		json_end(&j);
	} else if (err == GROOVE_SUCCESS && !bad_cnt) {
		if (!o->quiet)
			printf("ok: allocator state is consistent (%u volumes checked)\n", checked);
	} else {
		char slots[256] = "";
		size_t used = 0;

		for (uint32_t i = 0; i < bad_cnt && used < sizeof(slots) - 16; i++)
			used += (size_t)snprintf(slots + used, sizeof(slots) - used, "%s%u",
						 i ? " " : "", bad[i]);
		if (used >= sizeof(slots) - 16 && bad_cnt)
			snprintf(slots + used, sizeof(slots) - used, " ...");
		ctl_err("verify: %s: %s%s%s%s; if no process was allocating meanwhile, stop its users and %s",
			o->device,
			err ? ctl_groove_err(err) : "the allocator state is consistent but volumes are damaged",
			bad_cnt ? " (damaged volume slots: " : "", slots, bad_cnt ? ")" : "",
#ifdef HAVE_GROOVE_DATA_REBUILD
			"run 'groovectl fsck'"
#else
			"unload and reload the module (or recreate the file)"
#endif
			);
	}
	ret = err == GROOVE_SUCCESS && !bad_cnt ? EXIT_OK :
	      err == GROOVE_ERR_INVAL ? EXIT_FAILED : EXIT_CORRUPT;
	free(bad);
	groove_close(g);
	return ret;
}

#ifdef HAVE_GROOVE_DATA_REBUILD
/* "process 1234 (1 other user)", or "another process" when nobody is named. */
static void fsck_busy(const struct groovectl_opts *o, const struct groove_users *who)
{
	char holder[48];

	if (who->threads)
		snprintf(holder, sizeof(holder), "%u other thread%s of this process",
			 who->threads, who->threads == 1 ? "" : "s");
	else if (who->pid > 0)
		snprintf(holder, sizeof(holder), "process %d", (int)who->pid);
	else
		snprintf(holder, sizeof(holder), "another process");
	if (o->json) {
		struct json j;

		json_begin(&j, stdout);
		json_str(&j, "path", o->device);
		json_str(&j, "result", "busy");
		json_i64(&j, "holder_pid", who->pid);
		json_u64(&j, "others", who->others);
		json_end(&j);
	}
	if (who->others && !who->threads)
		ctl_err("fsck: %s is in use by %s (%u other user%s); stop it first",
			o->device, holder, who->others, who->others == 1 ? "" : "s");
	else
		ctl_err("fsck: %s is in use by %s; stop it first", o->device, holder);
}

static void fsck_report_json(const struct groovectl_opts *o, int verify_before,
			     const struct groove_rebuild_stats *st, int verify_after)
{
	struct json j;

	json_begin(&j, stdout);
	json_str(&j, "path", o->device);
	json_bool(&j, "dry_run", o->dry_run);
	json_str(&j, "verify_before", groove_strerror(verify_before));
	json_u64(&j, "stranded_bytes", st->stranded_bytes);
	json_u64(&j, "objects", st->objects);
	json_u64(&j, "bytes_live", st->bytes_live);
	json_u64(&j, "superblocks", st->superblocks);
	json_u64(&j, "superblocks_stranded", st->superblocks_stranded);
	json_u64(&j, "superblocks_released", st->superblocks_released);
	json_u64(&j, "superblocks_requeued", st->superblocks_requeued);
	json_u64(&j, "objects_reclaimed", st->objects_reclaimed);
	json_u64(&j, "volumes_data", st->volumes_data);
	json_u64(&j, "volumes_released", st->volumes_released);
	json_u64(&j, "volumes_unknown", st->volumes_unknown);
	if (!o->dry_run)
		json_str(&j, "verify_after", groove_strerror(verify_after));
	json_bool(&j, "consistent", o->dry_run ? !verify_before && !st->stranded_bytes
					       : !verify_after);
	json_end(&j);
}

static void fsck_report_text(const struct groovectl_opts *o, int verify_before,
			     const struct groove_rebuild_stats *st)
{
	char a[32], b[32];

	fmt_size(a, sizeof(a), st->stranded_bytes);
	fmt_size(b, sizeof(b), st->bytes_live);
	printf("%s: %s\n", o->device, o->dry_run ? "dry run, nothing written" : "rebuilt");
	printf("  before           verify: %s; %s stranded (%" PRIu64 " superblocks out of circulation, %" PRIu64 " objects cut short)\n",
	       groove_strerror(verify_before), a, st->superblocks_stranded, st->objects_reclaimed);
	if (o->dry_run)
		printf("  repair           would mark %" PRIu64 " objects free, give back %" PRIu64 " empty superblocks and %u volumes, put %" PRIu64 " superblocks on inactive stacks (%" PRIu64 " of them out of circulation now)\n",
		       st->objects_reclaimed, st->superblocks_released, st->volumes_released,
		       st->superblocks_requeued, st->superblocks_stranded);
	else
		printf("  repaired         marked %" PRIu64 " objects free, gave back %" PRIu64 " empty superblocks and %u volumes, put %" PRIu64 " superblocks on inactive stacks (%" PRIu64 " of them were out of circulation)\n",
		       st->objects_reclaimed, st->superblocks_released, st->volumes_released,
		       st->superblocks_requeued, st->superblocks_stranded);
	printf("  kept             %" PRIu64 " live objects (%s) in %u data volumes, %" PRIu64 " superblocks%s\n",
	       st->objects, b, st->volumes_data, st->superblocks,
	       st->volumes_unknown ? "; volumes of unknown kind left alone" : "");
}

/*
 * groovectl fsck [--dry-run]: become the groove's only user
 * (groove_exclusive_acquire(): refused with exit 7, naming a holder, while
 * any other process or handle is live; new joins get EBUSY meanwhile),
 * verify, measure with a dry run, then -- unless --dry-run -- rebuild and
 * verify again.  --dry-run writes nothing.
 */
int cmd_fsck(const struct groovectl_opts *o)
{
	struct groove_rebuild_stats st;
	struct groove_users who;
	int ret, err, before, after = GROOVE_SUCCESS;
	groove_t *g;

	ret = join(o, "fsck", &g);
	if (ret)
		return ret;
	err = groove_exclusive_acquire(g, &who);
	if (err == GROOVE_ERR_BUSY) {
		fsck_busy(o, &who);
		ret = EXIT_BUSY;
		goto out;
	}
	if (err == GROOVE_ERR_UNSUPPORTED) {
		ctl_err("fsck: %s cannot be held exclusively (%s: a groove module without GROOVE_IOC_EXCLUSIVE, or a filesystem without OFD locks); not rebuilding unguarded",
			o->device, groove_is_device(g) ? "update groove.ko" : "move the file to tmpfs or a local filesystem");
		ret = EXIT_FAILED;
		goto out;
	}
	if (err) {
		ctl_err("fsck: cannot hold %s exclusively: %s", o->device, ctl_groove_err(err));
		ret = err == GROOVE_ERR_CORRUPT ? EXIT_CORRUPT : EXIT_FAILED;
		goto out;
	}
	before = groove_verify(g);
	err = groove_data_rebuild_ex(g, GROOVE_REBUILD_DRY_RUN, &st, NULL, NULL);
	if (!err && !o->dry_run) {
		err = groove_data_rebuild_ex(g, 0, &st, NULL, NULL);
		if (!err)
			after = groove_verify(g);
	}
	if (err) {
		ctl_err("fsck: %s: %s failed: %s", o->device, o->dry_run ? "dry run" : "rebuild",
			ctl_groove_err(err));
		ret = EXIT_CORRUPT;
		goto out;
	}
	if (o->json)
		fsck_report_json(o, before, &st, after);
	else if (!o->quiet)
		fsck_report_text(o, before, &st);
	if (o->dry_run) {
		ret = !before && !st.stranded_bytes ? EXIT_OK : EXIT_CORRUPT;
		if (ret)
			ctl_err("fsck --dry-run: %s needs a repair ('groovectl fsck' with every user stopped)",
				o->device);
		else if (!o->quiet && !o->json)
			printf("ok: nothing stranded, allocator state consistent\n");
	} else if (after) {
		ctl_err("fsck: %s: rebuilt, but verify still finds that %s", o->device,
			ctl_groove_err(after));
		ret = EXIT_CORRUPT;
	} else {
		if (!o->quiet && !o->json)
			printf("ok: allocator state rebuilt and consistent\n");
		ret = EXIT_OK;
	}
out:
	groove_close(g);
	return ret;
}
#else
int cmd_fsck(const struct groovectl_opts *o)
{
	(void)o;
	ctl_err("fsck: this libgroove has no recovery (groove_data_rebuild); 'groovectl verify' checks, unload and reload to start over");
	return EXIT_FAILED;
}
#endif
