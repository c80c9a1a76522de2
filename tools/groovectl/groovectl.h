/* SPDX-License-Identifier: GPL-2.0 */
/*
 * groovectl: internal interfaces shared by the command files.
 *
 * One file per concept: groovectl.c (command line and dispatch), kmod.c
 * (load/unload through libkmod), device.c (opening the device and the raw
 * ioctls, with messages that say what to do), status.c (info/status/verify
 * reports), output.c (human-readable sizes and the JSON writer).
 */
#ifndef GROOVECTL_H
#define GROOVECTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/groove.h>

/*
 * Exit codes.  Documented in groovectl(8); scripts rely on them, so never
 * renumber.
 */
enum groovectl_exit {
	EXIT_OK = 0,
	EXIT_FAILED = 1,	/* the operation failed; the message says why */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_NO_DEVICE = 3,	/* device missing: module not loaded */
	EXIT_PERMISSION = 4,	/* permission denied (group or capability) */
	EXIT_CORRUPT = 5,	/* verify/fsck found corruption */
	EXIT_NO_SPACE = 6,	/* out of slots or over the memory limit */
	EXIT_BUSY = 7,		/* module in use, nothing removable, or fsck: groove in use */
	EXIT_NO_MODULE = 8,	/* groove.ko not found or not loadable */
};

#define GROOVECTL_DEFAULT_DEVICE	"/dev/groove"
#define GROOVECTL_MODULE_NAME		"groove"

struct groovectl_opts {
	const char *device;	/* --device, $GROOVE_DEVICE, or /dev/groove */
	const char *ko;		/* --ko FILE for load */
	const char *info;	/* --info TEXT for add */
	int node;		/* --node N for add, -1 for any */
	bool json;		/* --json on read commands and fsck */
	bool dry_run;		/* fsck --dry-run: check and report, write nothing */
	bool quiet;		/* --quiet: errors only */
};

/* Program name for messages. */
extern const char *groovectl_prog;

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

/* device.c */
int ctl_open_device(const char *path, int flags, int *fd);
int ctl_open_failed(const char *path);
int ctl_exit_for_errno(int err);
void ctl_explain_errno(const char *what, const char *path, int err);
bool ctl_is_char_device(const char *path);
int ctl_ioc_info(int fd, const char *path, struct groove_info *info);
int ctl_open_device_info(const char *path, int flags, int *fd,
			 struct groove_info *info);

/* output.c */
void fmt_size(char *buf, size_t len, uint64_t bytes);
int parse_size(const char *s, uint64_t *out);

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

#endif /* GROOVECTL_H */
