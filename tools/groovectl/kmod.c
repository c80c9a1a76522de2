// SPDX-License-Identifier: GPL-2.0
/*
 * groovectl load / unload through libkmod.
 *
 * load looks groove up in the module index like modprobe (so modprobe.d
 * options and blacklists apply); when the index does not know it yet (a
 * fresh "make install" without depmod) it searches the module directory and
 * says so; --ko FILE loads one file directly.  Parameters are checked against
 * the module's own "parm" list first, because the kernel only warns about an
 * unknown parameter and loads anyway.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libkmod.h>

#include "groovectl.h"

/* Parameters that hold a byte count; "2M" style values are converted. */
static const char *const size_params[] = { "volume_size", "limit_bytes" };

static bool is_size_param(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(size_params) / sizeof(size_params[0]); i++)
		if (strlen(size_params[i]) == len && !strncmp(size_params[i], name, len))
			return true;
	return false;
}

/*
 * Join "a=1 b=2M" into one option string, converting size suffixes.
 * Returns NULL (after a message) on a malformed argument.
 */
static char *build_options(int argc, char **argv)
{
	size_t cap = 1, used = 0;
	char *opts;
	int i;

	for (i = 0; i < argc; i++)
		cap += strlen(argv[i]) + 32;
	opts = calloc(1, cap);
	if (!opts)
		return NULL;
	for (i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t klen;
		uint64_t bytes;

		if (!eq || eq == argv[i]) {
			ctl_err("load: '%s' is not param=value (try: groovectl load volume_size=2M volume_max=64)",
				argv[i]);
			free(opts);
			return NULL;
		}
		klen = (size_t)(eq - argv[i]);
		if (is_size_param(argv[i], klen) && !parse_size(eq + 1, &bytes))
			used += (size_t)snprintf(opts + used, cap - used, "%s%.*s=%" PRIu64,
						 used ? " " : "", (int)klen, argv[i], bytes);
		else
			used += (size_t)snprintf(opts + used, cap - used, "%s%s",
						 used ? " " : "", argv[i]);
	}
	return opts;
}

/* Is every name=value in @argv a parameter @mod declares?  Reports the first that is not. */
static int check_params(struct kmod_module *mod, int argc, char **argv)
{
	struct kmod_list *info = NULL, *l;
	char known[512] = "";
	size_t used = 0;
	int i, ret = EXIT_OK;

	if (argc == 0 || kmod_module_get_info(mod, &info) < 0)
		return EXIT_OK;	/* cannot tell: let the kernel decide */
	kmod_list_foreach(l, info) {
		const char *v = kmod_module_info_get_value(l);
		const char *colon;

		if (strcmp(kmod_module_info_get_key(l), "parm") || !v)
			continue;
		colon = strchr(v, ':');
		if (colon && used + (size_t)(colon - v) + 2 < sizeof(known))
			used += (size_t)snprintf(known + used, sizeof(known) - used, "%s%.*s",
						 used ? " " : "", (int)(colon - v), v);
	}
	kmod_module_info_free_list(info);
	if (!used)
		return EXIT_OK;
	for (i = 0; i < argc; i++) {
		size_t klen = strcspn(argv[i], "=");
		const char *p = known;
		bool found = false;

		while (*p) {
			size_t n = strcspn(p, " ");

			if (n == klen && !strncmp(p, argv[i], klen))
				found = true;
			p += n;
			p += *p == ' ';
		}
		if (!found) {
			ctl_err("load: groove has no parameter '%.*s' (it has: %s)",
				(int)klen, argv[i], known);
			ret = EXIT_USAGE;
			break;
		}
	}
	return ret;
}

/*
 * Find groove.ko[.xz|.zst|.gz] under @dir, at most a few levels deep
 * (kernel/..., extra/, updates/dkms/).  Writes the path to @out.
 */
static bool find_module_file(const char *dir, int depth, char *out, size_t len)
{
	struct dirent *de;
	bool found = false;
	DIR *d;

	if (depth > 6)
		return false;
	d = opendir(dir);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		char path[4096];
		struct stat st;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "build") ||
		    !strcmp(de->d_name, "source"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			found = find_module_file(path, depth + 1, out, len);
		} else if (!strcmp(de->d_name, GROOVECTL_MODULE_NAME ".ko") ||
			   !strcmp(de->d_name, GROOVECTL_MODULE_NAME ".ko.xz") ||
			   !strcmp(de->d_name, GROOVECTL_MODULE_NAME ".ko.zst") ||
			   !strcmp(de->d_name, GROOVECTL_MODULE_NAME ".ko.gz")) {
			snprintf(out, len, "%s", path);
			found = true;
		}
	}
	closedir(d);
	return found;
}

static void explain_insert_error(int err, const char *what)
{
	switch (err) {
	case EEXIST:
		ctl_err("load: groove is already loaded; 'groovectl unload' first to change parameters");
		break;
	case EPERM:
	case EACCES:
		ctl_err("load: permission denied: loading a module needs CAP_SYS_MODULE (run as root), and is impossible once kernel.modules_disabled=1");
		break;
	case EINVAL:
		ctl_err("load: the module refused its parameters (see 'dmesg | tail'): volume_size is a power of two from 2M to 1G, volume_max at most %u",
			GROOVE_VOLUME_MAX_LIMIT);
		break;
	case ENOEXEC:
		ctl_err("load: %s is not a module for this kernel (wrong architecture or corrupt); rebuild it against /lib/modules/$(uname -r)/build",
			what);
		break;
	case ENOKEY:
	case EKEYREJECTED:
		ctl_err("load: %s is not signed with a trusted key and module signature enforcement is on (sign it, or enrol the DKMS MOK key)",
			what);
		break;
	case ENOMEM:
	case ENOSPC:
		ctl_err("load: the kernel could not reserve memory for groove's header; lower volume_max");
		break;
	case ENOENT:
		ctl_err("load: %s: not found, or it needs a symbol this kernel lacks (see 'dmesg | tail'); rebuild it for $(uname -r)",
			what);
		break;
	default:
		ctl_err("load: %s: %s (see 'dmesg | tail')", what, strerror(err));
		break;
	}
}

/* load / unload --json: the module's resulting state. */
static void print_module_json(bool loaded, const char *path, const char *opts)
{
	struct json j;

	json_begin(&j, stdout);
	json_str(&j, "module", GROOVECTL_MODULE_NAME);
	json_bool(&j, "loaded", loaded);
	if (loaded) {
		json_str(&j, "module_file", path);
		json_str(&j, "parameters", opts);
		json_str(&j, "device", GROOVECTL_DEFAULT_DEVICE);
	}
	json_end(&j);
}

static struct kmod_ctx *ctl_kmod_new(void)
{
	struct kmod_ctx *ctx = kmod_new(NULL, NULL);

	if (!ctx) {
		ctl_err("libkmod could not start (out of memory?)");
		return NULL;
	}
	kmod_load_resources(ctx);	/* without indexes lookups still work */
	return ctx;
}

/*
 * groovectl load [param=value...]: insert groove.ko.  Returns EXIT_OK when
 * the kernel accepted it (its init formatted the header and registered
 * /dev/groove; devtmpfs creates the node at once, udev may adjust its mode
 * and group a moment later).
 */
int cmd_load(const struct groovectl_opts *o, int argc, char **argv)
{
	struct kmod_module *mod = NULL;
	struct kmod_list *list = NULL;
	struct kmod_ctx *ctx;
	char path[4096] = "";
	char *opts = NULL;
	int ret = EXIT_FAILED, err;

	opts = build_options(argc, argv);
	if (!opts)
		return EXIT_USAGE;
	ctx = ctl_kmod_new();
	if (!ctx)
		goto out;

	if (o->ko) {
		if (access(o->ko, R_OK)) {
			ctl_err("load: cannot read module file %s: %s", o->ko, strerror(errno));
			ret = EXIT_NO_MODULE;
			goto out;
		}
		err = kmod_module_new_from_path(ctx, o->ko, &mod);
		if (err < 0) {
			ctl_err("load: %s is not a kernel module: %s", o->ko, strerror(-err));
			ret = EXIT_NO_MODULE;
			goto out;
		}
		snprintf(path, sizeof(path), "%s", o->ko);
	} else {
		err = kmod_module_new_from_lookup(ctx, GROOVECTL_MODULE_NAME, &list);
		if (err >= 0 && list) {
			mod = kmod_module_get_module(list);
			snprintf(path, sizeof(path), "%s",
				 kmod_module_get_path(mod) ?: GROOVECTL_MODULE_NAME);
		} else if (find_module_file(kmod_get_dirname(ctx), 0, path, sizeof(path))) {
			if (!o->quiet)
				fprintf(stderr, "%s: note: modules.dep does not list groove yet; loading %s (run 'depmod -a' to index it)\n",
					groovectl_prog, path);
			err = kmod_module_new_from_path(ctx, path, &mod);
			if (err < 0) {
				ctl_err("load: %s: %s", path, strerror(-err));
				ret = EXIT_NO_MODULE;
				goto out;
			}
		} else {
			ctl_err("load: no groove module under %s: install it ('make install' or 'dkms install groove/<version>') or give the file with --ko FILE",
				kmod_get_dirname(ctx));
			ret = EXIT_NO_MODULE;
			goto out;
		}
	}

	ret = check_params(mod, argc, argv);
	if (ret != EXIT_OK)
		goto out;

	if (kmod_module_get_initstate(mod) == KMOD_MODULE_LIVE) {
		explain_insert_error(EEXIST, path);
		ret = EXIT_BUSY;
		goto out;
	}

	if (o->ko)
		err = kmod_module_insert_module(mod, 0, opts);
	else
		err = kmod_module_probe_insert_module(mod, KMOD_PROBE_FAIL_ON_LOADED,
						      opts, NULL, NULL, NULL);
	if (err > 0) {
		/* a positive value is a probe refusal: blacklisted */
		ctl_err("load: groove is blacklisted by modprobe.d; remove the blacklist line or use --ko FILE");
		ret = EXIT_FAILED;
		goto out;
	}
	if (err < 0) {
		explain_insert_error(-err, path);
		ret = -err == EEXIST ? EXIT_BUSY :
		      (-err == EPERM || -err == EACCES) ? EXIT_PERMISSION :
		      -err == EINVAL ? EXIT_USAGE : EXIT_FAILED;
		goto out;
	}
	if (o->json)
		print_module_json(true, path, opts);
	else if (!o->quiet)
		printf("loaded %s%s%s\n", path, *opts ? " with " : "", opts);
	ret = EXIT_OK;
out:
	if (list)
		kmod_module_unref_list(list);
	if (mod)
		kmod_module_unref(mod);
	if (ctx)
		kmod_unref(ctx);
	free(opts);
	return ret;
}

/* groovectl unload: remove groove; refused by the kernel while in use. */
int cmd_unload(const struct groovectl_opts *o)
{
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	int ret = EXIT_FAILED, err, state;

	ctx = ctl_kmod_new();
	if (!ctx)
		return EXIT_FAILED;
	err = kmod_module_new_from_name(ctx, GROOVECTL_MODULE_NAME, &mod);
	if (err < 0) {
		ctl_err("unload: %s", strerror(-err));
		goto out;
	}
	state = kmod_module_get_initstate(mod);
	if (state < 0) {
		ctl_err("unload: groove is not loaded");
		ret = EXIT_NO_DEVICE;
		goto out;
	}
	if (state == KMOD_MODULE_BUILTIN) {
		ctl_err("unload: groove is built into this kernel and cannot be unloaded");
		goto out;
	}
	err = kmod_module_remove_module(mod, 0);
	if (err < 0) {
		switch (-err) {
		case EBUSY:
		case EAGAIN:
			ctl_err("unload: groove is in use (%d users): close every program that has %s open or mapped (try 'fuser -v %s'), then retry",
				kmod_module_get_refcnt(mod), GROOVECTL_DEFAULT_DEVICE,
				GROOVECTL_DEFAULT_DEVICE);
			ret = EXIT_BUSY;
			break;
		case EPERM:
		case EACCES:
			ctl_err("unload: permission denied: removing a module needs CAP_SYS_MODULE (run as root)");
			ret = EXIT_PERMISSION;
			break;
		case ENOENT:
			ctl_err("unload: groove is not loaded");
			ret = EXIT_NO_DEVICE;
			break;
		default:
			ctl_err("unload: %s (see 'dmesg | tail')", strerror(-err));
			break;
		}
		goto out;
	}
	if (o->json)
		print_module_json(false, NULL, NULL);
	else if (!o->quiet)
		printf("unloaded groove\n");
	ret = EXIT_OK;
out:
	if (mod)
		kmod_module_unref(mod);
	kmod_unref(ctx);
	return ret;
}
