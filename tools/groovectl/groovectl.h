/* SPDX-License-Identifier: GPL-2.0 */
/*
 * groovectl: internal interfaces shared by the command files.
 *
 * One file per concept: groovectl.c (command line and dispatch), kmod.c
 * (load/unload through libkmod), device.c (opening the device and the raw
 * ioctls, with messages that say what to do), status.c (info/status/verify
 * reports), volumes.c (add, remove, create), output.c (human-readable
 * sizes, the UTF-8 aware text and JSON escaping, the JSON writer).
 */
#ifndef GROOVECTL_H
#define GROOVECTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/groove.h>
#include <groove/groove.h>

/*
 * Exit codes.  Documented in groovectl(8); scripts rely on them, so never
 * renumber.
 */
enum groovectl_exit {
	EXIT_OK = 0,
	EXIT_FAILED = 1,	/* the operation failed; the message says why */
	EXIT_USAGE = 2,		/* bad command line or argument value */
	EXIT_NO_DEVICE = 3,	/* no groove there: device absent (module not loaded) or no such file */
	EXIT_PERMISSION = 4,	/* permission denied (file mode, group or capability) */
	EXIT_CORRUPT = 5,	/* the shared state is corrupt (verify, fsck, status) */
	EXIT_NO_SPACE = 6,	/* out of slots, over the memory limit, no contiguous memory */
	EXIT_BUSY = 7,		/* in use or already so: module in use or loaded, nothing removable, fsck: groove in use */
	EXIT_NO_MODULE = 8,	/* groove.ko not found or not loadable */
	EXIT_NOT_APPLICABLE = 9, /* an option or command that does not apply to this command or backend */
	EXIT_NOT_GROOVE = 10,	/* the path is not a groove (directory, FIFO, unformatted, other ABI) */
};

/* Options a command may accept besides the global ones (groovectl.c's table). */
enum groovectl_opt {
	OPT_KO = 1u << 0,
	OPT_NODE = 1u << 1,
	OPT_INFO = 1u << 2,
	OPT_DRY_RUN = 1u << 3,
	OPT_DEVICE = 1u << 4,	/* an explicit --device (not $GROOVE_DEVICE) */
	OPT_RECREATE = 1u << 5,	/* apply --recreate */
};

#define GROOVECTL_DEFAULT_DEVICE	"/dev/groove"
#define GROOVECTL_MODULE_NAME		"groove"

struct groovectl_opts {
	const char *device;	/* --device, $GROOVE_DEVICE, or /dev/groove */
	const char *ko;		/* --ko FILE for load */
	const char *info;	/* --info TEXT for add */
	int node;		/* --node N for add, -1 for any */
	bool json;		/* --json: one JSON object on stdout, for every command */
	bool dry_run;		/* fsck, apply --dry-run: check and report, write nothing */
	bool recreate;		/* apply --recreate: destroy and create a groove whose geometry differs */
	bool quiet;		/* --quiet: errors only */
	unsigned int given;	/* enum groovectl_opt bits given on the command line */
};

/* Program name for messages. */
extern const char *groovectl_prog;
/* The command being run, for messages ("status: ..."); "open" before one is known. */
extern const char *groovectl_cmd;

/* Print "groovectl: <msg>" to stderr. */
void ctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Commands; each returns an enum groovectl_exit value. */
int cmd_load(const struct groovectl_opts *o, int argc, char **argv);
int cmd_unload(const struct groovectl_opts *o);
int cmd_info(const struct groovectl_opts *o);
int cmd_status(const struct groovectl_opts *o);
int cmd_add(const struct groovectl_opts *o, unsigned long count);
int cmd_remove(const struct groovectl_opts *o, unsigned long count);
int cmd_verify(const struct groovectl_opts *o);
int cmd_fsck(const struct groovectl_opts *o);
int cmd_create(const struct groovectl_opts *o, int argc, char **argv);
int cmd_create_named(const struct groovectl_opts *o, const char *name, int argc, char **argv);
int cmd_destroy(const struct groovectl_opts *o, const char *name);
int cmd_list(const struct groovectl_opts *o);
int cmd_apply(const struct groovectl_opts *o, const char *dir);

/*
 * named.c: named grooves (/dev/grooves/NAME, /sys/class/groove/NAME/, made
 * through /dev/groove-control).  $GROOVECTL_ROOT, for tests only, is put in
 * front of the /sys and /dev paths list and apply read.
 */
#define GROOVECTL_NAMED_DIR	"/dev/grooves/"
#define GROOVECTL_CONTROL	"/dev/groove-control"
#define GROOVECTL_CONF_DIR	"/etc/groove.d"
/* 0, or EINVAL / ENAMETOOLONG as the kernel would answer for @name. */
int ctl_check_name(const char *name);
/* The one-line reason @name is refused ("'X' is not a groove name: ..."). */
void ctl_name_err(const char *what, const char *name, int err);
/* The sysfs directory of the groove device at @path (a char device), with a '/'. */
bool ctl_sysfs_dir(const char *path, char *buf, size_t len);

/* device.c */
/* The number in sysfs file @dir/@name; false when it is missing or not one. */
bool ctl_sysfs_u64(const char *dir, const char *name, uint64_t *v);
int ctl_check_path(const char *what, const char *path);
int ctl_join(const char *what, const char *path, groove_t **g);
int ctl_open_device(const char *path, int flags, int *fd);
int ctl_open_failed(const char *path);
int ctl_exit_for_errno(int err);
void ctl_explain_errno(const char *what, const char *path, int err);
bool ctl_is_char_device(const char *path);
int ctl_ioc_info(int fd, const char *path, struct groove_info *info);
int ctl_open_device_info(const char *path, int flags, int *fd,
			 struct groove_info *info);

/* status.c: the groove's state as JSON after a state-changing command. */
int ctl_print_state_json(const struct groovectl_opts *o, const char *key, int64_t n);

/* output.c */
void fmt_size(char *buf, size_t len, uint64_t bytes);
int parse_size(const char *s, uint64_t *out);
const char *ctl_groove_err(int err);

/*
 * Bytes that may hold UTF-8: length of the well-formed UTF-8 sequence at
 * @s (1..4), or 0 with *@bad set to the length of its maximal ill-formed
 * prefix (1..3, each such prefix becomes one U+FFFD, as Unicode 3.9 and
 * Python's "replace" count them).
 */
size_t utf8_seq(const unsigned char *s, size_t n, size_t *bad);
/* Text output: UTF-8 as is, control characters and bad bytes as \xNN, \ as \\. */
void text_escaped(FILE *f, const char *s, size_t n);

/*
 * A small streaming JSON writer: enough for nested objects and arrays of
 * numbers and strings.  Commas are placed automatically.
 */
struct json {
	FILE *f;
	int depth;
	bool need_comma[16];
};

void json_begin(struct json *j, FILE *f);
void json_end(struct json *j);
void json_obj_open(struct json *j, const char *key);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j, const char *key);
void json_arr_close(struct json *j);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
void json_str(struct json *j, const char *key, const char *s);
void json_strn(struct json *j, const char *key, const char *s, size_t n);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);

#endif /* GROOVECTL_H */
