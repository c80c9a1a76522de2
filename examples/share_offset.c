// SPDX-License-Identifier: MIT
/*
 * share_offset: allocate an object in a groove, hand its offset to another
 * process through a pipe, and let that process read and free it.
 *
 *   share_offset [PATH]
 *
 * PATH is /dev/groove (load the module and add a volume first:
 * 'groovectl load volume_size=2M' and 'groovectl add 1') or a groove file;
 * a file that does not exist yet is created (create-only, so two starters
 * cannot both format it) with 2 MiB volumes and one volume.  Default: /dev/groove if it exists, else ./share_offset.groove.
 *
 * Build: cc share_offset.c $(pkg-config --cflags --libs groove)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <groove/groove.h>

static const char message[] = "hello from the parent";

/*
 * Open an existing groove, or create a small file-backed one, without a
 * race: a create-only open (GROOVE_OPEN_EXCL) formats the file where
 * nobody can see it and publishes it whole, so exactly one of several
 * starters creates it (and adds its volume), the others open theirs.
 */
static groove_t *open_groove(const char *path)
{
	struct groove_open_opts o = GROOVE_OPEN_OPTS_INIT;
	groove_t *g;
	int err;

	o.flags = GROOVE_OPEN_CREATE | GROOVE_OPEN_EXCL;
	o.mode = 0600;
	o.geometry.volume_size = 2u << 20;
	o.geometry.volume_max = 8;
	g = groove_open2(path, &o, &err);
	if (g) {
		if (groove_add_volumes(g, 1, -1, "share_offset", 12) != 1) {
			fprintf(stderr, "share_offset: cannot add a volume to %s\n", path);
			groove_close(g);
			return NULL;
		}
		return g;
	}
	if (err == GROOVE_ERR_EXISTS)	/* a device, or someone else's file */
		g = groove_open2(path, NULL, &err);
	if (!g)
		fprintf(stderr, "share_offset: open %s: %s (%s)\n", path, groove_strerror(err),
			strerror(errno));
	return g;
}

/* The child: its own join (its own addresses), read the object, free it. */
static int child(const char *path, int rfd)
{
	uint64_t off;
	groove_t *g;
	char *obj;
	int err;

	if (read(rfd, &off, sizeof(off)) != sizeof(off)) {
		fprintf(stderr, "child: no offset from the parent\n");
		return 1;
	}
	g = groove_open(path, 0);
	if (!g) {
		fprintf(stderr, "child: open %s: %s\n", path, strerror(errno));
		return 1;
	}
	obj = groove_ptr(g, off);
	printf("child:  offset %#llx is at %p here: \"%s\"\n",
	       (unsigned long long)off, (void *)obj, obj);
	err = strcmp(obj, message) ? 1 : 0;
	if (groove_free(g, obj) != GROOVE_SUCCESS) {
		fprintf(stderr, "child: free failed\n");
		err = 1;
	} else {
		printf("child:  freed it\n");
	}
	groove_close(g);
	return err;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] :
			   access("/dev/groove", F_OK) ? "share_offset.groove" : "/dev/groove";
	int fds[2], status, err;
	uint64_t off;
	groove_t *g;
	char *obj;
	pid_t pid;

	g = open_groove(path);
	if (!g)
		return 1;
	obj = groove_alloc(g, 0, sizeof(message), 0x5ea7, &err);
	if (!obj) {
		fprintf(stderr, "share_offset: alloc: %s%s\n", groove_strerror(err),
			err == GROOVE_ERR_FULL ? " (add a volume: groovectl add 1)" : "");
		groove_close(g);
		return 1;
	}
	memcpy(obj, message, sizeof(message));
	off = groove_off(g, obj);
	printf("parent: allocated %zu bytes at %p, offset %#llx\n",
	       sizeof(message), (void *)obj, (unsigned long long)off);

	if (pipe(fds))
		return 1;
	fflush(stdout);		/* or the child inherits and repeats our buffer */
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		close(fds[1]);
		err = child(path, fds[0]);
		fflush(stdout);
		_exit(err);
	}
	close(fds[0]);
	if (write(fds[1], &off, sizeof(off)) != sizeof(off))
		return 1;
	close(fds[1]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "share_offset: the child failed\n");
		groove_close(g);
		return 1;
	}

	/* The child freed the object: a second free is caught, not obeyed. */
	err = groove_free(g, obj);
	printf("parent: a second free %s (%s)\n",
	       err == GROOVE_ERR_INVAL ? "is refused" : "was NOT caught", groove_strerror(err));
	groove_close(g);
	return err == GROOVE_ERR_INVAL ? 0 : 1;
}
