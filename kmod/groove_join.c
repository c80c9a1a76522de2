// SPDX-License-Identifier: GPL-2.0
/*
 * groove.ko: joins, the liveness the kernel vouches for.
 *
 * Every process that uses a groove holds a join, tied to an open file of
 * the device.  The join table (uapi/linux/groove.h) is kernel memory that
 * user space maps read-only: entry i reads GROOVE_JOIN_WORD(gen, 1) while
 * join (i, gen) lives and GROOVE_JOIN_WORD(gen, 0) once the file holding it
 * is gone, whether its process exited, was killed or closed it.  Survivors
 * read it to tell a dead member's holdings from a live one's; no member can
 * write it, so none can fake another's death or life.
 *
 * State of an entry (only the kernel writes, under groove_dev.lock):
 *   free (word 0, or gen with live clear) --JOIN--> live (gen + 1, live)
 *   live --last fput of the file--> dead (same gen, live clear) == free
 * A dead entry is taken again only by a later JOIN, with a new generation,
 * so a record that names (i, old gen) stays recognisably dead.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "groove_internal.h"

/**
 * groove_join_init() - allocate the join table
 * @g: the device
 *
 * Return: 0 or -ENOMEM.
 */
int groove_join_init(struct groove_dev *g)
{
	g->joins = vzalloc(GROOVE_JOIN_TABLE_SIZE);
	return g->joins ? 0 : -ENOMEM;
}

/**
 * groove_join_free() - free the join table at unload
 * @g: the device, which no file or mapping reaches any more
 */
void groove_join_free(struct groove_dev *g)
{
	vfree(g->joins);
}

/**
 * groove_join_pfn() - page frame behind an offset of the join table
 * @g:   the device
 * @off: byte offset into the join table, below GROOVE_JOIN_TABLE_SIZE
 *
 * Return: the page frame.
 */
unsigned long groove_join_pfn(struct groove_dev *g, u64 off)
{
	return vmalloc_to_pfn((void *)g->joins + off);
}

/*
 * Take a free entry for @gf, starting after the last one taken so that a
 * dead entry is reused as late as possible.  Under g->lock.
 */
static int groove_join_take(struct groove_dev *g, struct groove_file *gf)
{
	u32 n, idx;
	u64 word;

	for (n = 0; n < GROOVE_JOIN_MAX; n++) {
		idx = (g->join_next + n) % GROOVE_JOIN_MAX;
		word = g->joins[idx].word;
		if (word & GROOVE_JOIN_LIVE)
			continue;
		gf->join_idx = idx;
		gf->join_gen = GROOVE_JOIN_GEN(word) + 1;
		WRITE_ONCE(g->joins[idx].word, GROOVE_JOIN_WORD(gf->join_gen, 1));
		g->join_next = idx + 1;
		g->joins_live++;
		return 0;
	}
	return -ENOSPC;
}

/**
 * groove_join_release() - end the join of a file whose last reference went
 * @gf: the file's record; groove_dev.lock held
 */
void groove_join_release(struct groove_file *gf)
{
	struct groove_dev *g = gf->g;

	lockdep_assert_held(&g->lock);
	if (gf->join_idx < 0)
		return;
	WRITE_ONCE(g->joins[gf->join_idx].word, GROOVE_JOIN_WORD(gf->join_gen, 0));
	g->joins_live--;
	gf->join_idx = -1;
}

/**
 * groove_ioctl_join() - GROOVE_IOC_JOIN: join the groove through this file
 * @file: the open device; must be open for writing (a join takes part in
 *        allocation, which writes shared memory)
 * @uarg: user struct groove_join
 *
 * Return: 0 with @uarg->idx and @uarg->generation set (the same on every
 * call on the same file); -EBADF for a read-only file; -EFAULT; -EINVAL for
 * non-zero flags or reserved fields; -ENOSPC when every entry is live.
 */
long groove_ioctl_join(struct file *file, struct groove_join __user *uarg)
{
	struct groove_file *gf = file->private_data;
	struct groove_dev *g = gf->g;
	struct groove_join j;
	int err = 0;

	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (copy_from_user(&j, uarg, sizeof(j)))
		return -EFAULT;
	if (j.flags || memchr_inv(j.reserved, 0, sizeof(j.reserved)))
		return -EINVAL;

	mutex_lock(&g->lock);
	if (gf->join_idx < 0)
		err = groove_join_take(g, gf);
	j.idx = gf->join_idx;
	j.generation = gf->join_gen;
	mutex_unlock(&g->lock);
	if (err)
		return err;
	/*
	 * A join the caller cannot learn of is useless to it, but harmless:
	 * it ends with the file.
	 */
	return copy_to_user(uarg, &j, sizeof(j)) ? -EFAULT : 0;
}
