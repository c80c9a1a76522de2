// SPDX-License-Identifier: GPL-2.0
/*
 * groovectl create NAME / destroy / list / apply: named grooves.
 *
 * A named groove is made and destroyed through /dev/groove-control
 * (GROOVE_CTL_CREATE, GROOVE_CTL_DESTROY, CAP_SYS_ADMIN); it is
 * /dev/grooves/NAME with its attributes in /sys/class/groove/NAME/, the
 * same ones as the default groove's in /sys/class/misc/groove/.  list and
 * apply read those; apply creates what /etc/groove.d/\*.conf declares.
 *
 * $GROOVECTL_ROOT (tests only) is put in front of every /sys and /dev path
 * list and apply read, so that host tests can run them on a fake tree.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "groovectl.h"

#define DEFAULT_VOLUME_SIZE	(2ull << 20)
#define VOLUME_SIZE_MIN		(2ull << 20)
#define VOLUME_SIZE_MAX		(1ull << 30)

static const char *root(void)
{
	const char *r = getenv("GROOVECTL_ROOT");

	return r ? r : "";
}

/* @buf = $GROOVECTL_ROOT + the formatted path */
static void rpath(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void rpath(char *buf, size_t len, const char *fmt, ...)
{
	size_t r = (size_t)snprintf(buf, len, "%s", root());
	va_list ap;

	if (r >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + r, len - r, fmt, ap);
	va_end(ap);
}

int ctl_check_name(const char *name)
{
	size_t len = strlen(name);

	if (len > GROOVE_NAME_MAX)
		return ENAMETOOLONG;
	if (!len || !(isdigit((unsigned char)name[0]) || islower((unsigned char)name[0])))
		return EINVAL;
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)name[i]) && !islower((unsigned char)name[i]) &&
		    name[i] != '_' && name[i] != '-')
			return EINVAL;
	return 0;
}

void ctl_name_err(const char *what, const char *name, int err)
{
	if (err == ENAMETOOLONG)
		ctl_err("%s: '%.40s%s' is not a groove name: at most %u characters", what, name,
			strlen(name) > 40 ? "..." : "", GROOVE_NAME_MAX);
	else
		ctl_err("%s: '%s' is not a groove name: 1 to %u of a-z, 0-9, '_' and '-', the first a letter or digit (e.g. 'analytics')",
			what, name, GROOVE_NAME_MAX);
}

bool ctl_sysfs_dir(const char *path, char *buf, size_t len)
{
	struct stat st;

	if (stat(path, &st) || !S_ISCHR(st.st_mode))
		return false;
	snprintf(buf, len, "/sys/dev/char/%u:%u/", major(st.st_rdev), minor(st.st_rdev));
	return true;
}

/* ---- what a groove is: declared (spec) and live ------------------------- */

enum {
	SET_VOLUME_SIZE = 1u << 0,
	SET_VOLUME_MAX = 1u << 1,
	SET_LIMIT = 1u << 2,
	SET_MODE = 1u << 3,
	SET_OWNER = 1u << 4,
	SET_GROUP = 1u << 5,
};

struct spec {
	char name[GROOVE_NAME_MAX + 1];
	uint64_t volume_size;
	uint64_t limit_bytes;	/* 0: the kernel's default */
	uint32_t volume_max;	/* 0: enough to reach the limit */
	uint32_t mode;
	uint32_t uid, gid;
	unsigned int set;	/* SET_* given */
	char file[512];		/* where apply found it */
	int line;
};

static void spec_init(struct spec *s)
{
	memset(s, 0, sizeof(*s));
	s->volume_size = DEFAULT_VOLUME_SIZE;
	s->mode = 0600;
}

static bool parse_u64(const char *v, int base, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)*v))
		return false;
	errno = 0;
	*out = strtoull(v, &end, base);
	return !errno && !*end;
}

/* A user or group: a name from the passwd/group database, or a number. */
static bool parse_id(const char *v, bool group, uint32_t *out)
{
	uint64_t n;

	if (parse_u64(v, 10, &n) && n < UINT32_MAX) {
		*out = (uint32_t)n;
		return true;
	}
	if (group) {
		struct group *gr = getgrnam(v);

		if (gr)
			*out = gr->gr_gid;
		return gr;
	} else {
		struct passwd *pw = getpwnam(v);

		if (pw)
			*out = pw->pw_uid;
		return pw;
	}
}

#define KEYS "volume_size, volume_max, limit_bytes, mode, owner, group"

/*
 * Set @key to @val in @s.  Returns 0, or an exit code with the reason in
 * @why (without the "create: " prefix).
 */
static int spec_set(struct spec *s, const char *key, const char *val, char *why, size_t len)
{
	uint64_t v;
	unsigned int bit;

	if (!strcmp(key, "volume_size")) {
		bit = SET_VOLUME_SIZE;
		if (parse_size(val, &v) || v < VOLUME_SIZE_MIN || v > VOLUME_SIZE_MAX || (v & (v - 1))) {
			snprintf(why, len, "volume_size=%s: not a power of two from 2M to 1G (e.g. volume_size=2M)", val);
			return EXIT_USAGE;
		}
		s->volume_size = v;
	} else if (!strcmp(key, "volume_max")) {
		bit = SET_VOLUME_MAX;
		if (parse_size(val, &v) || v > GROOVE_VOLUME_MAX_LIMIT) {
			snprintf(why, len, "volume_max=%s: not a slot count (0..%u; 0: enough to reach limit_bytes)",
				 val, GROOVE_VOLUME_MAX_LIMIT);
			return EXIT_USAGE;
		}
		s->volume_max = (uint32_t)v;
	} else if (!strcmp(key, "limit_bytes")) {
		bit = SET_LIMIT;
		if (parse_size(val, &v)) {
			snprintf(why, len, "limit_bytes=%s: not a size (e.g. limit_bytes=8G)", val);
			return EXIT_USAGE;
		}
		s->limit_bytes = v;
	} else if (!strcmp(key, "mode")) {
		bit = SET_MODE;
		if (!parse_u64(val, 8, &v) || (v & ~0666ull)) {
			snprintf(why, len, "mode=%s: not an octal mode of at most 0666 (e.g. mode=0660)", val);
			return EXIT_USAGE;
		}
		s->mode = v ? (uint32_t)v : 0600;
	} else if (!strcmp(key, "owner")) {
		bit = SET_OWNER;
		if (!parse_id(val, false, &s->uid)) {
			snprintf(why, len, "owner=%s: no such user (a user name or a uid)", val);
			return EXIT_USAGE;
		}
	} else if (!strcmp(key, "group")) {
		bit = SET_GROUP;
		if (!parse_id(val, true, &s->gid)) {
			snprintf(why, len, "group=%s: no such group (a group name or a gid; 'groupadd --system %s' makes it)",
				 val, val);
			return EXIT_USAGE;
		}
	} else {
		snprintf(why, len, "unknown key '%s' (the keys are " KEYS ")", key);
		return EXIT_USAGE;
	}
	if (s->set & bit) {
		snprintf(why, len, "%s given twice", key);
		return EXIT_USAGE;
	}
	s->set |= bit;
	return EXIT_OK;
}

/* What only the whole set of keys can tell. */
static int spec_check(const struct spec *s, char *why, size_t len)
{
	if ((s->set & SET_LIMIT) && s->limit_bytes && s->limit_bytes < s->volume_size) {
		snprintf(why, len, "limit_bytes=%" PRIu64 " is below volume_size=%" PRIu64 ": no volume could ever be added",
			 s->limit_bytes, s->volume_size);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

struct live {
	bool is_default;
	char name[GROOVE_NAME_MAX + 1];
	char path[96];
	uint64_t volume_size, volume_max, volumes_present, bytes_reserved, bytes_limit,
		 joins_live;
	bool have_joins;
	bool have_node;		/* stat of the node worked: mode, uid, gid */
	uint32_t mode, uid, gid;
};

/* The live groove @name (NULL: the default one); false when there is none. */
static bool live_read(const char *name, struct live *l)
{
	char dir[400], node[400];
	struct stat st;

	memset(l, 0, sizeof(*l));
	l->is_default = !name;
	if (name) {
		snprintf(l->name, sizeof(l->name), "%s", name);
		rpath(dir, sizeof(dir), "/sys/class/groove/%s", name);
		snprintf(l->path, sizeof(l->path), GROOVECTL_NAMED_DIR "%s", name);
	} else {
		rpath(dir, sizeof(dir), "/sys/class/misc/groove");
		snprintf(l->path, sizeof(l->path), GROOVECTL_DEFAULT_DEVICE);
	}
	if (!ctl_sysfs_u64(dir, "volume_size", &l->volume_size))
		return false;
	ctl_sysfs_u64(dir, "volume_max", &l->volume_max);
	ctl_sysfs_u64(dir, "volumes_present", &l->volumes_present);
	ctl_sysfs_u64(dir, "bytes_reserved", &l->bytes_reserved);
	ctl_sysfs_u64(dir, "bytes_limit", &l->bytes_limit);
	l->have_joins = ctl_sysfs_u64(dir, "joins_live", &l->joins_live);
	rpath(node, sizeof(node), "%s", l->path);
	if (!stat(node, &st)) {
		l->have_node = true;
		l->mode = st.st_mode & 07777;
		l->uid = st.st_uid;
		l->gid = st.st_gid;
	}
	return true;
}

static bool module_loaded(void)
{
	char p[300];

	rpath(p, sizeof(p), "/sys/module/" GROOVECTL_MODULE_NAME);
	return !access(p, F_OK);
}

static int not_loaded(const char *what)
{
	ctl_err("%s: the groove module is not loaded: run 'groovectl load' (as root) or 'modprobe groove'",
		what);
	return EXIT_NO_DEVICE;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of the live named grooves, sorted; *n of them.  NULL when none. */
static char **live_names(size_t *n)
{
	char dir[300], **v = NULL;
	struct dirent *e;
	size_t cap = 0;
	DIR *d;

	*n = 0;
	rpath(dir, sizeof(dir), "/sys/class/groove");
	d = opendir(dir);
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || ctl_check_name(e->d_name))
			continue;
		if (*n == cap) {
			char **nv = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));

			if (!nv)
				break;
			v = nv;
		}
		v[(*n)++] = strdup(e->d_name);
		if (!v[*n - 1])
			(*n)--;
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_str);
	return v;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static const char *user_name(uint32_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		return pw->pw_name;
	snprintf(buf, len, "%u", uid);
	return buf;
}

static const char *group_name(uint32_t gid, char *buf, size_t len)
{
	struct group *gr = getgrgid(gid);

	if (gr)
		return gr->gr_name;
	snprintf(buf, len, "%u", gid);
	return buf;
}

static void live_json(struct json *j, const struct live *l)
{
	char u[16], g[16];

	if (l->is_default)
		json_null(j, "name");
	else
		json_str(j, "name", l->name);
	json_bool(j, "default", l->is_default);
	json_str(j, "path", l->path);
	json_u64(j, "volume_size", l->volume_size);
	json_u64(j, "volume_max", l->volume_max);
	json_u64(j, "volumes_present", l->volumes_present);
	json_u64(j, "bytes_reserved", l->bytes_reserved);
	json_u64(j, "bytes_limit", l->bytes_limit);
	if (l->have_joins)
		json_u64(j, "joins_live", l->joins_live);
	if (l->have_node) {
		char m[8];

		snprintf(m, sizeof(m), "%04o", l->mode);
		json_str(j, "mode", m);
		json_str(j, "owner", user_name(l->uid, u, sizeof(u)));
		json_str(j, "group", group_name(l->gid, g, sizeof(g)));
		json_u64(j, "uid", l->uid);
		json_u64(j, "gid", l->gid);
	}
}

/* ---- the control device ------------------------------------------------ */

static int open_control(const char *what, int *fd)
{
	char p[300];
	int err;

	rpath(p, sizeof(p), GROOVECTL_CONTROL);
	*fd = open(p, O_RDWR | O_CLOEXEC);
	if (*fd >= 0)
		return EXIT_OK;
	err = errno;
	if (err == ENOENT && !module_loaded())
		return not_loaded(what);
	if (err == ENOENT) {
		ctl_err("%s: %s does not exist although the groove module is loaded: a groove.ko without named grooves (update it), or no devtmpfs on /dev",
			what, p);
		return EXIT_NO_DEVICE;
	}
	if (err == EACCES || err == EPERM) {
		ctl_err("%s: permission denied on %s: named grooves are made and destroyed by root (CAP_SYS_ADMIN)",
			what, p);
		return EXIT_PERMISSION;
	}
	ctl_err("%s: %s: %s", what, p, strerror(err));
	return ctl_exit_for_errno(err);
}

static void fmt_mode(char *buf, size_t len, uint32_t mode)
{
	snprintf(buf, len, "%04o", mode);
}

/* GROOVE_CTL_CREATE for @s on @fd; an exit code after a message. */
static int ctl_create(const char *what, int fd, const struct spec *s)
{
	struct groove_create c;
	char lim[32];
	int err;

	memset(&c, 0, sizeof(c));
	memcpy(c.name, s->name, strlen(s->name));
	c.volume_size = s->volume_size;
	c.limit_bytes = s->limit_bytes;
	c.volume_max = s->volume_max;
	c.mode = s->mode;
	c.uid = s->uid;
	c.gid = s->gid;
	if (!ioctl(fd, GROOVE_CTL_CREATE, &c))
		return EXIT_OK;
	err = errno;
	fmt_size(lim, sizeof(lim), s->limit_bytes);
	switch (err) {
	case EPERM:
		ctl_err("%s: %s: operation not permitted: creating a groove needs CAP_SYS_ADMIN (run as root)",
			what, s->name);
		return EXIT_PERMISSION;
	case EEXIST:
		ctl_err("%s: a groove named '%s' exists already ('groovectl list' shows it; 'groovectl destroy %s' removes it)",
			what, s->name, s->name);
		return EXIT_BUSY;
	case ERANGE:
		ctl_err("%s: %s: limit_bytes=%s is above the module's cap_bytes (%s/sys/module/groove/parameters/cap_bytes, which bounds all grooves together): ask for less, or reload the module with a larger cap_bytes",
			what, s->name, lim, root());
		return EXIT_NO_SPACE;
	case ENOSPC:
		ctl_err("%s: %s: there are %u named grooves already, the most the module holds: destroy one first",
			what, s->name, GROOVE_NAMED_MAX);
		return EXIT_NO_SPACE;
	case ENAMETOOLONG:
	case EINVAL:
		if (ctl_check_name(s->name)) {
			ctl_name_err(what, s->name, ctl_check_name(s->name));
			return EXIT_USAGE;
		}
		ctl_err("%s: %s: the kernel refused the geometry or owner (limit_bytes above RAM or below volume_size, or an owner/group without a mapping): 'dmesg | tail' names the value",
			what, s->name);
		return EXIT_USAGE;
	case ENOMEM:
		ctl_err("%s: %s: the kernel is out of memory", what, s->name);
		return EXIT_NO_SPACE;
	case ENOTTY:
		ctl_err("%s: %s" GROOVECTL_CONTROL " does not know GROOVE_CTL_CREATE: groove.ko and groovectl differ in version",
			what, root());
		return EXIT_NOT_GROOVE;
	default:
		ctl_err("%s: %s: %s", what, s->name, strerror(err));
		return ctl_exit_for_errno(err);
	}
}

static int ctl_destroy(const char *what, int fd, const char *name)
{
	struct groove_destroy d;
	int err;

	memset(&d, 0, sizeof(d));
	memcpy(d.name, name, strlen(name));
	if (!ioctl(fd, GROOVE_CTL_DESTROY, &d))
		return EXIT_OK;
	err = errno;
	switch (err) {
	case EPERM:
		ctl_err("%s: %s: operation not permitted: destroying a groove needs CAP_SYS_ADMIN (run as root)",
			what, name);
		return EXIT_PERMISSION;
	case ENOENT:
		ctl_err("%s: no groove named '%s' ('groovectl list' shows the grooves there are)",
			what, name);
		return EXIT_NO_DEVICE;
	case EBUSY:
		ctl_err("%s: %s is in use: a process has " GROOVECTL_NAMED_DIR "%s open or mapped ('fuser -v " GROOVECTL_NAMED_DIR "%s' shows which); close it, then destroy",
			what, name, name, name);
		return EXIT_BUSY;
	case EINVAL:
	case ENAMETOOLONG:
		ctl_name_err(what, name, err);
		return EXIT_USAGE;
	default:
		ctl_err("%s: %s: %s", what, name, strerror(err));
		return ctl_exit_for_errno(err);
	}
}

/* ---- create NAME, destroy NAME, list ------------------------------------ */

static void print_live_line(const struct live *l)
{
	char vs[32], res[32], lim[32], u[16], g[16], m[8];

	fmt_size(vs, sizeof(vs), l->volume_size);
	fmt_size(res, sizeof(res), l->bytes_reserved);
	fmt_size(lim, sizeof(lim), l->bytes_limit);
	printf("%s: %" PRIu64 " slots of %s, %" PRIu64 " present, %s of %s limit reserved",
	       l->path, l->volume_max, vs, l->volumes_present, res, lim);
	if (l->have_node) {
		fmt_mode(m, sizeof(m), l->mode);
		printf(", mode %s, owner %s, group %s", m, user_name(l->uid, u, sizeof(u)),
		       group_name(l->gid, g, sizeof(g)));
	}
	putchar('\n');
}

int cmd_create_named(const struct groovectl_opts *o, const char *name, int argc, char **argv)
{
	struct live l;
	struct spec s;
	char why[300];
	int fd, ret, err;

	err = ctl_check_name(name);
	if (err) {
		ctl_name_err("create", name, err);
		return EXIT_USAGE;
	}
	spec_init(&s);
	snprintf(s.name, sizeof(s.name), "%s", name);
	for (int i = 0; i < argc; i++) {
		char key[32];
		const char *eq = strchr(argv[i], '=');

		if (!eq || (size_t)(eq - argv[i]) >= sizeof(key)) {
			ctl_err("create: '%s' is not key=value (the keys are " KEYS ")", argv[i]);
			return EXIT_USAGE;
		}
		memcpy(key, argv[i], (size_t)(eq - argv[i]));
		key[eq - argv[i]] = '\0';
		ret = spec_set(&s, key, eq + 1, why, sizeof(why));
		if (ret) {
			ctl_err("create: %s", why);
			return ret;
		}
	}
	ret = spec_check(&s, why, sizeof(why));
	if (ret) {
		ctl_err("create: %s", why);
		return ret;
	}
	ret = open_control("create", &fd);
	if (ret)
		return ret;
	ret = ctl_create("create", fd, &s);
	close(fd);
	if (ret)
		return ret;
	if (!live_read(name, &l)) {
		/* made, but sysfs does not show it (yet): report what was asked */
		memset(&l, 0, sizeof(l));
		snprintf(l.name, sizeof(l.name), "%s", name);
		snprintf(l.path, sizeof(l.path), GROOVECTL_NAMED_DIR "%s", name);
		l.volume_size = s.volume_size;
	}
	if (o->json) {
		struct json j;

		json_begin(&j, stdout);
		json_bool(&j, "created", true);
		live_json(&j, &l);
		json_end(&j);
	} else if (!o->quiet) {
		printf("created ");
		print_live_line(&l);
	}
	return EXIT_OK;
}

int cmd_destroy(const struct groovectl_opts *o, const char *name)
{
	int fd, ret, err = ctl_check_name(name);

	if (err) {
		ctl_name_err("destroy", name, err);
		return EXIT_USAGE;
	}
	ret = open_control("destroy", &fd);
	if (ret)
		return ret;
	ret = ctl_destroy("destroy", fd, name);
	close(fd);
	if (ret)
		return ret;
	if (o->json) {
		struct json j;

		json_begin(&j, stdout);
		json_bool(&j, "destroyed", true);
		json_str(&j, "name", name);
		json_end(&j);
	} else if (!o->quiet) {
		printf("destroyed %s (its volumes are freed)\n", name);
	}
	return EXIT_OK;
}

int cmd_list(const struct groovectl_opts *o)
{
	struct live l;
	struct json j;
	size_t n;
	char **names;
	bool have_default;

	if (!module_loaded())
		return not_loaded("list");
	have_default = live_read(NULL, &l);
	names = live_names(&n);
	if (o->json) {
		json_begin(&j, stdout);
		json_arr_open(&j, "grooves");
		if (have_default) {
			json_obj_open(&j, NULL);
			live_json(&j, &l);
			json_obj_close(&j);
		}
		for (size_t i = 0; i < n; i++) {
			if (!live_read(names[i], &l))
				continue;	/* destroyed meanwhile */
			json_obj_open(&j, NULL);
			live_json(&j, &l);
			json_obj_close(&j);
		}
		json_arr_close(&j);
		json_end(&j);
	} else {
		printf("%-20s %-8s %6s %7s %10s %10s %5s %4s %s\n", "NAME", "VOLSIZE", "SLOTS",
		       "PRESENT", "RESERVED", "LIMIT", "JOINS", "MODE", "OWNER:GROUP");
		for (size_t i = 0; i <= n; i++) {
			char vs[32], res[32], lim[32], u[16], g[16], m[8], joins[24];

			if (i == 0 && !have_default)
				continue;
			if (i > 0 && !live_read(names[i - 1], &l))
				continue;
			fmt_size(vs, sizeof(vs), l.volume_size);
			fmt_size(res, sizeof(res), l.bytes_reserved);
			fmt_size(lim, sizeof(lim), l.bytes_limit);
			snprintf(joins, sizeof(joins), "%" PRIu64, l.joins_live);
			if (l.have_node)
				fmt_mode(m, sizeof(m), l.mode);
			printf("%-20s %-8s %6" PRIu64 " %7" PRIu64 " %10s %10s %5s %4s %s%s%s\n",
			       l.is_default ? "(default)" : l.name, vs, l.volume_max,
			       l.volumes_present, res, lim, l.have_joins ? joins : "-",
			       l.have_node ? m : "-",
			       l.have_node ? user_name(l.uid, u, sizeof(u)) : "-",
			       l.have_node ? ":" : "",
			       l.have_node ? group_name(l.gid, g, sizeof(g)) : "");
		}
	}
	free_names(names, n);
	return EXIT_OK;
}

/* ---- apply: /etc/groove.d/\*.conf ---------------------------------------- */

/*
 * The format (groovectl(8), packaging/groove.d-example.conf): sections
 * "[NAME]", each followed by key = value lines (the keys of create NAME);
 * blank lines and lines starting with '#' or ';' are ignored, and so is
 * everything from a '#' in a key = value line.  A name may be declared once
 * in the whole directory.
 */
struct specs {
	struct spec *v;
	size_t n, cap;
};

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int conf_err(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int conf_err(const char *file, int line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctl_err("apply: %s:%d: %s; nothing was changed", file, line, msg);
	return EXIT_USAGE;
}

static struct spec *find_spec(struct specs *ss, const char *name)
{
	for (size_t i = 0; i < ss->n; i++)
		if (!strcmp(ss->v[i].name, name))
			return &ss->v[i];
	return NULL;
}

static int conf_parse(const char *path, struct specs *ss)
{
	struct spec *cur = NULL;
	char buf[1024], why[300];
	int line = 0, ret = EXIT_OK;
	FILE *f = fopen(path, "re");

	if (!f) {
		ctl_err("apply: cannot read %s: %s", path, strerror(errno));
		return errno == EACCES ? EXIT_PERMISSION : EXIT_FAILED;
	}
	while (fgets(buf, sizeof(buf), f)) {
		char *s, *eq, *hash;

		line++;
		if (!strchr(buf, '\n') && !feof(f)) {
			ret = conf_err(path, line, "line longer than %zu bytes", sizeof(buf) - 2);
			break;
		}
		s = trim(buf);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');
			struct spec *dup;
			int err;

			if (!close || *trim(close + 1)) {
				ret = conf_err(path, line, "'%s': a section is [NAME] alone on its line", s);
				break;
			}
			*close = '\0';
			s = trim(s + 1);
			err = ctl_check_name(s);
			if (err) {
				ret = conf_err(path, line, err == ENAMETOOLONG ?
					       "[%s]: a groove name has at most 31 characters" :
					       "[%s]: a groove name is a-z, 0-9, '_' and '-', the first a letter or digit", s);
				break;
			}
			dup = find_spec(ss, s);
			if (dup) {
				ret = conf_err(path, line, "[%s] is declared already at %s:%d", s,
					       dup->file, dup->line);
				break;
			}
			if (ss->n == ss->cap) {
				struct spec *nv = realloc(ss->v, (ss->cap = ss->cap ? 2 * ss->cap : 8) *
							  sizeof(*nv));

				if (!nv) {
					ret = conf_err(path, line, "out of memory");
					break;
				}
				ss->v = nv;
			}
			cur = &ss->v[ss->n++];
			spec_init(cur);
			snprintf(cur->name, sizeof(cur->name), "%s", s);
			snprintf(cur->file, sizeof(cur->file), "%s", path);
			cur->line = line;
			continue;
		}
		hash = strchr(s, '#');
		if (hash)
			*hash = '\0';
		eq = strchr(s, '=');
		if (!eq) {
			ret = conf_err(path, line, "'%s' is neither [NAME] nor key = value", s);
			break;
		}
		if (!cur) {
			ret = conf_err(path, line, "'%s' comes before any [NAME] section", s);
			break;
		}
		*eq = '\0';
		if (spec_set(cur, trim(s), trim(eq + 1), why, sizeof(why))) {
			ret = conf_err(path, line, "[%s] %s", cur->name, why);
			break;
		}
	}
	fclose(f);
	for (size_t i = 0; !ret && i < ss->n; i++)
		if (!strcmp(ss->v[i].file, path) && spec_check(&ss->v[i], why, sizeof(why)))
			ret = conf_err(path, ss->v[i].line, "[%s] %s", ss->v[i].name, why);
	return ret;
}

static int conf_filter(const struct dirent *e)
{
	size_t len = strlen(e->d_name);

	return e->d_name[0] != '.' && len > 5 && !strcmp(e->d_name + len - 5, ".conf");
}

/* Read every DIR/\*.conf in name order; *nfiles of them. */
static int conf_read_dir(const char *dir, bool given, struct specs *ss, int *nfiles)
{
	struct dirent **ents;
	int n, ret = EXIT_OK;

	*nfiles = 0;
	n = scandir(dir, &ents, conf_filter, alphasort);
	if (n < 0) {
		int err = errno;

		if (err == ENOENT && !given)
			return EXIT_OK;	/* no /etc/groove.d: nothing declared */
		ctl_err("apply: cannot read the directory %s: %s%s", dir, strerror(err),
			err == ENOENT ? " (give the directory of the *.conf files, default " GROOVECTL_CONF_DIR ")" : "");
		return err == ENOENT ? EXIT_NO_DEVICE : err == EACCES ? EXIT_PERMISSION :
		       EXIT_FAILED;
	}
	for (int i = 0; i < n; i++) {
		char path[512];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (!ret && !stat(path, &st) && S_ISREG(st.st_mode)) {
			ret = conf_parse(path, ss);
			(*nfiles)++;
		}
		free(ents[i]);
	}
	free(ents);
	return ret;
}

enum action {
	ACT_CREATE,
	ACT_UNCHANGED,
	ACT_UPDATE,	/* mode, owner or group of the node */
	ACT_RECREATE,
	ACT_REFUSED,	/* geometry differs and no --recreate */
	ACT_FAILED,
	ACT_NR
};

static const char *const act_done[ACT_NR] = {
	"created", "unchanged", "updated", "recreated", "refused", "failed"
};
static const char *const act_dry[ACT_NR] = {
	"would create", "unchanged", "would update", "would recreate", "refused", "failed"
};

/* What differs between @s and @l's geometry, as "volume_size 2M (declared 4M)". */
static bool geometry_differs(const struct spec *s, const struct live *l, char *buf, size_t len)
{
	char a[32], b[32];
	size_t off = 0;

	buf[0] = '\0';
#define ADD(...) (off += (size_t)snprintf(buf + off, off < len ? len - off : 0, __VA_ARGS__))
	if (s->volume_size != l->volume_size) {
		fmt_size(a, sizeof(a), l->volume_size);
		fmt_size(b, sizeof(b), s->volume_size);
		ADD("%svolume_size is %s, declared %s", off ? ", " : "", a, b);
	}
	if ((s->set & SET_VOLUME_MAX) && s->volume_max && s->volume_max != l->volume_max)
		ADD("%svolume_max is %" PRIu64 ", declared %u", off ? ", " : "", l->volume_max,
		    s->volume_max);
	if ((s->set & SET_LIMIT) && s->limit_bytes && s->limit_bytes != l->bytes_limit) {
		fmt_size(a, sizeof(a), l->bytes_limit);
		fmt_size(b, sizeof(b), s->limit_bytes);
		ADD("%slimit_bytes is %s, declared %s", off ? ", " : "", a, b);
	}
#undef ADD
	return off;
}

static bool perms_differ(const struct spec *s, const struct live *l, char *buf, size_t len)
{
	char u[16], g[16];
	size_t off = 0;

	buf[0] = '\0';
	if (!l->have_node)
		return false;
	if (s->mode != l->mode)
		off += (size_t)snprintf(buf + off, len - off, "mode %04o -> %04o", l->mode, s->mode);
	if (off < len && s->uid != l->uid)
		off += (size_t)snprintf(buf + off, len - off, "%sowner %s -> %u", off ? ", " : "",
					user_name(l->uid, u, sizeof(u)), s->uid);
	if (off < len && s->gid != l->gid)
		off += (size_t)snprintf(buf + off, len - off, "%sgroup %s -> %u", off ? ", " : "",
					group_name(l->gid, g, sizeof(g)), s->gid);
	return off;
}

struct result {
	const struct spec *s;
	enum action act;
	int exit;
	char detail[300];
};

static int set_perms(const struct spec *s)
{
	char node[300];

	rpath(node, sizeof(node), GROOVECTL_NAMED_DIR "%s", s->name);
	if (chown(node, s->uid, s->gid) || chmod(node, s->mode))
		return errno;
	return 0;
}

int cmd_apply(const struct groovectl_opts *o, const char *dir)
{
	struct specs ss = { 0 };
	struct result *res = NULL;
	size_t nlive = 0, count[ACT_NR] = { 0 };
	char **live = NULL;
	bool given = dir, changed = false;
	int fd = -1, nfiles, ret, first_fail = EXIT_OK;
	const char *const *words = o->dry_run ? act_dry : act_done;

	if (!dir)
		dir = GROOVECTL_CONF_DIR;
	ret = conf_read_dir(dir, given, &ss, &nfiles);
	if (ret)
		goto out;
	res = calloc(ss.n ? ss.n : 1, sizeof(*res));
	if (!res) {
		ctl_err("apply: out of memory");
		ret = EXIT_FAILED;
		goto out;
	}
	for (size_t i = 0; i < ss.n; i++) {
		const struct spec *s = &ss.v[i];
		struct result *r = &res[i];
		struct live l;
		int err;

		r->s = s;
		if (!live_read(s->name, &l)) {
			r->act = ACT_CREATE;
		} else if (geometry_differs(s, &l, r->detail, sizeof(r->detail))) {
			if (!o->recreate) {
				r->act = ACT_REFUSED;
				r->exit = EXIT_FAILED;
				ctl_err("apply: %s: %s: refused (destroying it would drop its volumes); 'groovectl apply --recreate' destroys and creates it again",
					s->name, r->detail);
			} else {
				r->act = ACT_RECREATE;
			}
		} else if (perms_differ(s, &l, r->detail, sizeof(r->detail))) {
			r->act = ACT_UPDATE;
			if (!o->dry_run && (err = set_perms(s))) {
				ctl_err("apply: %s: cannot set %s: %s", s->name, r->detail, strerror(err));
				r->exit = ctl_exit_for_errno(err);
			}
		} else {
			r->act = ACT_UNCHANGED;
		}
		/* the control device only when something is to be made */
		if (!o->dry_run && (r->act == ACT_CREATE || r->act == ACT_RECREATE)) {
			if (fd < 0) {
				ret = module_loaded() ? open_control("apply", &fd) : not_loaded("apply");
				if (ret)
					goto out;
			}
			if (r->act == ACT_RECREATE)
				r->exit = ctl_destroy("apply", fd, s->name);
			if (!r->exit)
				r->exit = ctl_create("apply", fd, s);
		}
		if (r->exit && r->act != ACT_REFUSED)
			r->act = ACT_FAILED;
		if (r->exit && !first_fail)
			first_fail = r->exit;
		if (r->act != ACT_UNCHANGED && r->act != ACT_REFUSED && r->act != ACT_FAILED)
			changed = true;
		count[r->act]++;
	}
	live = live_names(&nlive);

	if (o->json) {
		struct json j;

		json_begin(&j, stdout);
		json_str(&j, "dir", dir);
		json_u64(&j, "files", (uint64_t)nfiles);
		json_bool(&j, "dry_run", o->dry_run);
		json_bool(&j, "changed", changed && !o->dry_run);
		json_bool(&j, "would_change", changed && o->dry_run);
		json_u64(&j, "created", o->dry_run ? 0 : count[ACT_CREATE]);
		json_u64(&j, "updated", o->dry_run ? 0 : count[ACT_UPDATE]);
		json_u64(&j, "recreated", o->dry_run ? 0 : count[ACT_RECREATE]);
		json_u64(&j, "unchanged", count[ACT_UNCHANGED]);
		json_u64(&j, "refused", count[ACT_REFUSED]);
		json_u64(&j, "failed", count[ACT_FAILED]);
		json_arr_open(&j, "grooves");
		for (size_t i = 0; i < ss.n; i++) {
			static const char *const key[ACT_NR] = {
				"create", "unchanged", "update", "recreate", "refused", "failed"
			};

			json_obj_open(&j, NULL);
			json_str(&j, "name", res[i].s->name);
			json_str(&j, "file", res[i].s->file);
			json_u64(&j, "line", (uint64_t)res[i].s->line);
			json_str(&j, "action", key[res[i].act]);
			json_bool(&j, "done", !o->dry_run && !res[i].exit &&
				  res[i].act != ACT_UNCHANGED);
			if (res[i].detail[0])
				json_str(&j, "detail", res[i].detail);
			json_obj_close(&j);
		}
		json_arr_close(&j);
		json_arr_open(&j, "undeclared");
		for (size_t i = 0; i < nlive; i++)
			if (!find_spec(&ss, live[i]))
				json_str(&j, NULL, live[i]);
		json_arr_close(&j);
		json_end(&j);
	} else if (!o->quiet) {
		for (size_t i = 0; i < ss.n; i++)
			printf("%-15s %s%s%s%s\n", words[res[i].act], res[i].s->name,
			       res[i].detail[0] ? " (" : "", res[i].detail,
			       res[i].detail[0] ? ")" : "");
		for (size_t i = 0; i < nlive; i++)
			if (!find_spec(&ss, live[i]))
				printf("%-15s %s (not declared in %s: left alone)\n", "undeclared",
				       live[i], dir);
		if (!ss.n)
			printf("%s: no grooves declared (%d .conf files)\n", dir, nfiles);
		else if (!changed && !first_fail)
			printf("nothing to change: %zu groove%s as declared in %s\n", ss.n,
			       ss.n == 1 ? "" : "s", dir);
		else if (o->dry_run)
			printf("dry run, nothing changed: would create %zu, update %zu, recreate %zu; %zu unchanged, %zu refused\n",
			       count[ACT_CREATE], count[ACT_UPDATE], count[ACT_RECREATE],
			       count[ACT_UNCHANGED], count[ACT_REFUSED]);
		else
			printf("created %zu, updated %zu, recreated %zu; %zu unchanged, %zu refused, %zu failed\n",
			       count[ACT_CREATE], count[ACT_UPDATE], count[ACT_RECREATE],
			       count[ACT_UNCHANGED], count[ACT_REFUSED], count[ACT_FAILED]);
	}
	ret = first_fail;
out:
	if (fd >= 0)
		close(fd);
	free_names(live, nlive);
	free(res);
	free(ss.v);
	return ret;
}
