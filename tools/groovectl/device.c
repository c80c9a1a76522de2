// SPDX-License-Identifier: GPL-2.0
/*
 * groovectl device access: open /dev/groove (or a groove file), issue the
 * raw ioctls from uapi/linux/groove.h, and turn errno values into messages
 * that tell the user what to do next.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "groovectl.h"

void ctl_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", groovectl_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool ctl_is_char_device(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISCHR(st.st_mode);
}

static bool module_loaded(void)
{
	return !access("/sys/module/" GROOVECTL_MODULE_NAME, F_OK);
}

int ctl_exit_for_errno(int err)
{
	switch (err) {
	case 0:
		return EXIT_OK;
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return EXIT_NO_DEVICE;
	case EACCES:
	case EPERM:
	case EROFS:
		return EXIT_PERMISSION;
	case EUCLEAN:
		return EXIT_CORRUPT;
	case EBADMSG:
	case EPROTO:
	case ENOTTY:
	case EISDIR:
		return EXIT_NOT_GROOVE;
	case ENOSPC:
	case ENOMEM:
		return EXIT_NO_SPACE;
	case EBUSY:
		return EXIT_BUSY;
	default:
		return EXIT_FAILED;
	}
}

/* Who may open @path: "mode 0600, owner root, group root". */
static void describe_owner(const char *path, char *buf, size_t len)
{
	struct group *gr;
	struct passwd *pw;
	struct stat st;

	if (stat(path, &st)) {
		snprintf(buf, len, "unknown mode");
		return;
	}
	pw = getpwuid(st.st_uid);
	gr = getgrgid(st.st_gid);
	snprintf(buf, len, "mode %04o, owner %s, group %s",
		 st.st_mode & 07777, pw ? pw->pw_name : "?", gr ? gr->gr_name : "?");
}

/* A path in /dev that is missing: the device, whose absence means no module. */
static bool is_device_path(const char *path)
{
	return ctl_is_char_device(path) || !strncmp(path, "/dev/", 5);
}

/*
 * Print why @what on @path failed with @err and what to do about it, in
 * words that fit the backend: a device's absence means the module is not
 * loaded, a file's means no such file; a device's permissions come from the
 * udev rule, a file's from its owner.  @what is the action in the user's
 * words ("open", "add", "remove", ...).
 */
void ctl_explain_errno(const char *what, const char *path, int err)
{
	bool dev = is_device_path(path);
	char owner[160];

	switch (err) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		if (!dev)
			ctl_err("%s: %s does not exist: make a groove file with 'groovectl --device %s create'",
				what, path, path);
		else if (ctl_is_char_device(path))
			ctl_err("%s: %s: %s: is the groove module loaded? ('groovectl load')",
				what, path, strerror(err));
		else if (!strncmp(path, GROOVECTL_NAMED_DIR, strlen(GROOVECTL_NAMED_DIR)) &&
			 module_loaded())
			ctl_err("%s: no groove named '%s' ('groovectl list' shows them, 'groovectl create %s' makes it; a file in the current directory is ./%s)",
				what, path + strlen(GROOVECTL_NAMED_DIR), path + strlen(GROOVECTL_NAMED_DIR),
				path + strlen(GROOVECTL_NAMED_DIR));
		else if (module_loaded())
			ctl_err("%s: %s does not exist although the groove module is loaded: is devtmpfs mounted on /dev, or udev running? ('udevadm trigger' or 'mknod')",
				what, path);
		else
			ctl_err("%s: %s does not exist: the groove module is not loaded; run 'groovectl load' (as root) or 'modprobe groove'",
				what, path);
		break;
	case EACCES:
		describe_owner(path, owner, sizeof(owner));
		if (!strncmp(path, GROOVECTL_NAMED_DIR, strlen(GROOVECTL_NAMED_DIR)))
			ctl_err("%s: permission denied on %s (%s): a named groove has the owner, group and mode it was created with (create's owner=, group=, mode=, or /etc/groove.d): run as root, or join its group ('usermod -aG GROUP $USER', then log in again)",
				what, path, owner);
		else if (dev)
			ctl_err("%s: permission denied on %s (%s): run as root, or install the udev rule (60-groove.rules) and add yourself to its group: 'usermod -aG groove $USER', then log in again",
				what, path, owner);
		else
			ctl_err("%s: permission denied on %s (%s): %s needs %s access to the file; ask its owner (chmod, chgrp) or run as that user",
				what, path, owner, what,
				!strcmp(what, "info") ? "read" : "read and write");
		break;
	case EROFS:
		ctl_err("%s: %s is on a read-only filesystem: only 'groovectl info' works there",
			what, path);
		break;
	case EPERM:
		ctl_err("%s: operation not permitted: this needs CAP_SYS_ADMIN (run as root)",
			what);
		break;
	case EBADF:
		ctl_err("%s: %s is open read-only: adding and removing volumes needs write access to the device",
			what, path);
		break;
	case ENOTTY:
		ctl_err("%s: %s is not a groove device (or its ABI differs from this groovectl, built for ABI %u)",
			what, path, GROOVE_ABI_VERSION);
		break;
	case EUCLEAN:
	case EBADMSG:
		if (ctl_is_char_device(path))
			ctl_err("%s: the shared header of %s is corrupt (a process wrote over it); 'groovectl info' still works; stop every user, then unload and reload the module to start over",
				what, path);
		else
			ctl_err("%s: %s is not a groove (never formatted, or its header was overwritten): make one with 'groovectl --device FILE create'",
				what, path);
		break;
	case EBUSY:
		ctl_err("%s: %s is held exclusively (an offline rebuild or 'groovectl fsck' is running); try again when it has finished",
			what, path);
		break;
	case EPROTO:
		ctl_err("%s: %s uses another groove ABI than this groovectl (%u): install matching versions",
			what, path, GROOVE_ABI_VERSION);
		break;
	case ENOSPC:
		ctl_err("%s: %s: every join entry is taken (%u processes use the groove)",
			what, path, GROOVE_JOIN_MAX);
		break;
	default:
		ctl_err("%s: %s: %s", what, path, strerror(err));
		break;
	}
}

/* ctl_exit_for_errno(), but EBADMSG on a device is corruption, on a file "not a groove". */
static int exit_for_path(const char *path, int err)
{
	if ((err == EBADMSG || err == EUCLEAN) && ctl_is_char_device(path))
		return EXIT_CORRUPT;
	if (err == ENOSPC)
		return EXIT_BUSY;	/* every join taken: in use */
	return ctl_exit_for_errno(err);
}

/*
 * Before opening @path: is it something a groove can be?  A missing path,
 * a directory, a FIFO or a socket gets its own message (opening a FIFO
 * would block, and libgroove answers EINVAL for all of them).  Returns
 * EXIT_OK or an exit code after printing a message.
 */
int ctl_check_path(const char *what, const char *path)
{
	const char *kind = NULL;
	struct stat st;

	if (stat(path, &st)) {
		int err = errno;

		ctl_explain_errno(what, path, err);
		return exit_for_path(path, err);
	}
	if (S_ISDIR(st.st_mode))
		kind = "a directory";
	else if (S_ISFIFO(st.st_mode))
		kind = "a FIFO";
	else if (S_ISSOCK(st.st_mode))
		kind = "a socket";
	else if (S_ISBLK(st.st_mode))
		kind = "a block device";
	if (kind) {
		ctl_err("%s: %s is %s, not a groove: give /dev/groove or a groove file ('groovectl --device FILE create' makes one)",
			what, path, kind);
		return EXIT_NOT_GROOVE;
	}
	return EXIT_OK;
}

/* Join the groove at @path through libgroove, or explain why not. */
int ctl_join(const char *what, const char *path, groove_t **g)
{
	int ret = ctl_check_path(what, path), err;

	*g = NULL;
	if (ret)
		return ret;
	*g = groove_open(path, 0);
	if (*g)
		return EXIT_OK;
	err = errno;
	ctl_explain_errno(what, path, err);
	return exit_for_path(path, err);
}

/*
 * After a failed open: explain errno and map it to an exit code.  errno is
 * read first: the explanation itself calls stat() and getpwuid().
 */
int ctl_open_failed(const char *path)
{
	int err = errno;

	ctl_explain_errno(groovectl_cmd, path, err);
	return exit_for_path(path, err);
}

/*
 * Open @path with @flags, or explain why not.  Returns EXIT_OK and the fd in
 * *@fd, or an exit code after printing a message.
 */
int ctl_open_device(const char *path, int flags, int *fd)
{
	int ret = ctl_check_path(groovectl_cmd, path);

	if (ret)
		return ret;
	*fd = open(path, flags | O_CLOEXEC | O_NONBLOCK);
	if (*fd >= 0)
		return EXIT_OK;
	return ctl_open_failed(path);
}

int ctl_ioc_info(int fd, const char *path, struct groove_info *info)
{
	memset(info, 0, sizeof(*info));
	if (ioctl(fd, GROOVE_IOC_INFO, info)) {
		int err = errno;

		ctl_explain_errno("info", path, err);
		return exit_for_path(path, err);
	}
	if (info->abi_version != GROOVE_ABI_VERSION) {
		ctl_err("info: %s speaks groove ABI %u, this groovectl ABI %u: install matching versions",
			path, info->abi_version, GROOVE_ABI_VERSION);
		return EXIT_NOT_GROOVE;
	}
	return EXIT_OK;
}

/*
 * ctl_open_device() then ctl_ioc_info(): the start of every command that
 * talks to the device.  On failure nothing is left open.
 */
int ctl_open_device_info(const char *path, int flags, int *fd,
			 struct groove_info *info)
{
	int ret = ctl_open_device(path, flags, fd);

	if (ret)
		return ret;
	ret = ctl_ioc_info(*fd, path, info);
	if (ret)
		close(*fd);
	return ret;
}

/* The number in sysfs file @dir/@name; false when it is missing or not one. */
bool ctl_sysfs_u64(const char *dir, const char *name, uint64_t *v)
{
	char path[512], buf[64];
	bool ok;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = fgets(buf, sizeof(buf), f) && sscanf(buf, "%" SCNu64, v) == 1;
	fclose(f);
	return ok;
}
