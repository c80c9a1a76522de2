/* SPDX-License-Identifier: GPL-2.0 */
/*
 * groove.ko internals shared by the module's files: the device state, the
 * private slot table and the entry points each file provides.
 */
#ifndef _GROOVE_INTERNAL_H
#define _GROOVE_INTERNAL_H

#include <linux/atomic.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/memcontrol.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/numa.h>
#include <linux/srcu.h>
#include <linux/types.h>

#include "../uapi/linux/groove.h"

/**
 * struct groove_volume - one volume the module holds
 * @pfn:   first page frame; the volume is physically contiguous and its
 *         physical address is a multiple of its size
 * @order: buddy order when it came from alloc_pages(), or -1 when it came
 *         from alloc_contig_range()
 * @node:  NUMA node of the memory
 * @idx:   slot index
 */
struct groove_volume {
	unsigned long pfn;
	int order;
	int node;
	u32 idx;
};

/*
 * Slot states in the private slot table.  Only the ioctl paths change them,
 * under groove_dev.lock; the fault path never looks at them, it follows the
 * SRCU-published volume pointer instead.
 */
enum groove_slot_state {
	GROOVE_SLOT_FREE = 0,	/* no volume, free for ADD */
	GROOVE_SLOT_BUSY,	/* claimed by an ADD or REMOVE in progress */
	GROOVE_SLOT_PRESENT,	/* holds a volume that the kernel owns */
};

/**
 * struct groove_slot - the kernel's private record of one volume slot
 * @vol:   the volume, published for the fault path (SRCU); NULL when absent
 * @memcg: for a volume no memcg charge covers, the memcg it counts against
 *         (a reference), from ADD's claim until it is freed; under the lock
 * @state: enum groove_slot_state, under groove_dev.lock
 */
struct groove_slot {
	struct groove_volume __rcu *vol;
	struct mem_cgroup *memcg;
	u8 state;
};

/**
 * struct groove_params - what a groove is made from
 * @volume_size: bytes per volume
 * @volume_max:  slots, or 0: as many as @limit_bytes needs
 * @limit_bytes: most bytes of volume memory, or 0: the default
 */
struct groove_params {
	u64 volume_size;
	u32 volume_max;
	u64 limit_bytes;
};

/**
 * struct groove_dev - one groove: the default (/dev/groove) or a named one
 * @misc:            the default groove's /dev/groove (unused by named ones)
 * @cdev:            a named groove's char device (/dev/grooves/NAME)
 * @named_dev:       a named groove's device (/sys/class/groove/NAME); its
 *                   release frees the groove, so an open racing DESTROY
 *                   still finds the groove's memory
 * @dev:             the device either one registered, for messages
 * @name:            a named groove's name ("" for the default one)
 * @uid:             a named groove's node owner
 * @gid:             its group
 * @mode:            its permission bits
 * @named_node:      in groove_control.c's list of named grooves
 * @ledger_node:     in groove_ledger.c's list of every groove
 * @dying:           set under @lock by DESTROY: no open succeeds after it
 * @volume_size:     bytes per volume, a power of two
 * @volume_shift:    log2(@volume_size)
 * @volume_max:      number of slots
 * @hdr_size:        bytes of the header region
 * @join_off:        file offset of the join table
 * @vol0_off:        file offset of slot 0
 * @map_size:        end of the last volume window
 * @limit:           most volume bytes the module may hold
 * @hdr:             header region (vmalloc), shared with user space, so
 *                   untrusted once the device is open
 * @vol_table:       the volume table inside @hdr
 * @slots:           private slot table, @volume_max entries
 * @lock:            serialises ADD, REMOVE and the slot states
 * @srcu:            the fault path reads @slots under it; removal waits for it
 * @inode:           the groove's inode on the module's pseudo filesystem
 * @mapping:         its address_space, the one every open file uses
 * @zero_page:       what a read of an absent slot maps (read-only); the
 *                   module's own, so no write path can reach a shared one
 * @zero_pfn:        its page frame
 * @files:           every open file (struct groove_file), under @lock
 * @nr_files:        entries of @files
 * @exclusive:       the file holding GROOVE_IOC_EXCLUSIVE, or NULL; under @lock
 * @joins:           the join table (vmalloc), read-only to user space
 * @join_next:       where the next JOIN starts looking, under @lock
 * @joins_live:      live entries of @joins, under @lock
 * @reserved:        bytes of volume memory held or being allocated
 * @present:         volumes in PRESENT slots
 * @node_bytes:      bytes of volume memory per NUMA node
 * @faults:          faults served, per CPU (one shared counter would bounce
 *                   between every CPU that faults)
 * @volumes_added:   volumes added since load
 * @volumes_removed: volumes removed since load
 */
struct groove_dev {
	struct miscdevice misc;
	struct cdev cdev;
	struct device named_dev;
	struct device *dev;
	char name[GROOVE_NAME_MAX + 1];
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	struct list_head named_node;
	struct list_head ledger_node;
	bool dying;
	u64 volume_size;
	unsigned int volume_shift;
	u32 volume_max;
	u64 hdr_size;
	u64 join_off;
	u64 vol0_off;
	u64 map_size;
	u64 limit;
	void *hdr;
	struct groove_vol_entry *vol_table;
	struct groove_slot *slots;
	struct mutex lock; /* see above */
	struct srcu_struct srcu;
	struct inode *inode;
	struct address_space *mapping;
	struct page *zero_page;
	unsigned long zero_pfn;
	struct list_head files;
	u32 nr_files;
	struct groove_file *exclusive;
	struct groove_join_entry *joins;
	u32 join_next;
	u32 joins_live;
	u64 reserved;
	u32 present;
	atomic64_t node_bytes[MAX_NUMNODES];
	u64 __percpu *faults;
	atomic64_t volumes_added;
	atomic64_t volumes_removed;
};

extern const struct kernel_param_ops groove_param_bytes_ops;

/**
 * struct groove_file - what the module keeps per open file
 * @g:    the groove it opens
 * @node: in groove_dev.files, under groove_dev.lock
 * @tgid: the opener's thread-group id, to name it when it is in the way
 * @join_idx: its join's entry in the join table, or -1 before GROOVE_IOC_JOIN
 * @join_gen: that entry's generation
 */
struct groove_file {
	struct groove_dev *g;
	struct list_head node;
	pid_t tgid;
	int join_idx;
	u64 join_gen;
};

static inline struct groove_dev *groove_from_file(struct file *file)
{
	return ((struct groove_file *)file->private_data)->g;
}

static inline struct groove_shared_hdr *groove_shared(struct groove_dev *g)
{
	return g->hdr;
}

/* groove_dev.c */
int groove_fs_init(void);
void groove_fs_exit(void);
int groove_geometry(struct groove_dev *g, const struct groove_params *p,
		    const char *who);
int groove_dev_init(struct groove_dev *g);
void groove_dev_fini(struct groove_dev *g);
int groove_dev_open(struct groove_dev *g, struct file *file);
extern const struct file_operations groove_misc_fops;
extern const struct file_operations groove_cdev_fops;

/* groove_ledger.c */
u64 groove_ledger_cap(void);
int groove_ledger_check(void);
void groove_ledger_add(struct groove_dev *g);
void groove_ledger_del(struct groove_dev *g);
u64 groove_ledger_uncharged(struct mem_cgroup *m);
int groove_ledger_reserve(struct groove_dev *g, u32 count, const u32 *idxs,
			  struct mem_cgroup *memcg);
void groove_ledger_unreserve(struct groove_dev *g, u32 idx);
u64 groove_ledger_total(void);

/* groove_control.c */
int groove_control_init(void);
void groove_control_exit(void);
struct groove_dev *groove_from_device(struct device *dev);

/* groove_memcg.c */
struct mem_cgroup *groove_memcg_get(void);
struct mem_cgroup *groove_memcg_hold(struct mem_cgroup *memcg);
void groove_memcg_put(struct mem_cgroup *memcg);
int groove_memcg_may_reserve(struct mem_cgroup *memcg, u64 bytes);

/* groove_volume.c */
bool groove_volume_charged(struct groove_dev *g);
struct groove_volume *groove_volume_alloc(struct groove_dev *g, int node);
void groove_volume_free(struct groove_dev *g, struct groove_volume *vol);
struct groove_volume_hdr *groove_volume_hdr(struct groove_volume *vol);

/* groove_mmap.c */
int groove_mmap(struct file *file, struct vm_area_struct *vma);
unsigned long groove_get_unmapped_area(struct file *file, unsigned long addr,
				       unsigned long len, unsigned long pgoff,
				       unsigned long flags);

/* groove_ioctl.c */
long groove_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
void groove_remove_all(struct groove_dev *g);

/* groove_join.c */
int groove_join_init(struct groove_dev *g);
void groove_join_free(struct groove_dev *g);
unsigned long groove_join_pfn(struct groove_dev *g, u64 off);
void groove_join_release(struct groove_file *gf);
long groove_ioctl_join(struct file *file, struct groove_join __user *uarg);

/* groove_sysfs.c */
extern const struct attribute_group *groove_attr_groups[];
int groove_sysfs_init(void);
void groove_sysfs_exit(void);

#endif /* _GROOVE_INTERNAL_H */
