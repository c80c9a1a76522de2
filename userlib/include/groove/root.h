/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libgroove root objects: named objects for rendezvous.  One process
 * creates an object under a name, every other process finds it by that
 * name, without passing offsets out of band (Boost.Interprocess's
 * find_or_construct).  Include <groove/groove.h>.
 *
 * The name directory lives in the groove's shared allocator state (the last
 * page of it, GROOVE_ROOT_MAX offsets); each root object is an allocator
 * object whose first 128 bytes hold its name, size and tag, followed by the
 * caller's bytes.  Entries are only ever added: a root object lives as long
 * as the groove (groove_free() refuses its address, a rebuild keeps it).
 *
 * Limits: GROOVE_ROOT_MAX names per groove; a name is 1 to
 * GROOVE_ROOT_NAME_MAX bytes (any bytes but NUL, compared exactly); the
 * object's address is GROOVE_ROOT_ALIGN aligned.
 *
 * Shared memory is not trusted: every directory entry is checked (an
 * offset inside the volume windows that names a live object with the root
 * tag, a record whose size and name fit the object) before it is used, so
 * a process that scribbles on the directory or the records can hide names
 * or make the directory look full, but cannot make this library read out
 * of bounds or crash.  (Anyone who can write the groove can of course
 * change the caller's bytes in any object.)
 */
#ifndef GROOVE_ROOT_H
#define GROOVE_ROOT_H

#include <stddef.h>
#include <stdint.h>
#include <groove/data.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GROOVE_ROOT_MAX		512u	/* names per groove */
#define GROOVE_ROOT_NAME_MAX	63u	/* bytes of a name, without its NUL */
#define GROOVE_ROOT_ALIGN	64u	/* alignment of a root object's address */
#define GROOVE_ROOT_TAG		0x746f6f72766f6f67ULL	/* "goovroot": the allocator tag of root objects */

/*
 * Fills a new root object before anyone can see it: @obj, @sz bytes (zeroed
 * already), @arg as given.  Nonzero: give up (nothing is published; the
 * call returns NULL with *err set to that value).  When several processes
 * race to create one name, each may run it on its own object and only the
 * winner's object is published: it must only write @obj.
 */
typedef int (*groove_root_init_fn)(void *obj, size_t sz, void *arg);

/**
 * groove_root_find - the root object named @name
 * @g:    the join
 * @name: NUL-terminated, 1 .. GROOVE_ROOT_NAME_MAX bytes
 * @sz:   out: its size as created (may be NULL)
 * @tag:  out: its tag as created (may be NULL)
 * @err:  out: GROOVE_SUCCESS or the error (may be NULL)
 *
 * Lock-free; concurrent with creates (a name being created is either not
 * there yet or complete, initialised by its init function).
 *
 * Return: its address in this process, or NULL with *@err GROOVE_ERR_KEY
 * (no such name), GROOVE_ERR_INVAL (bad @g or @name).
 */
void *groove_root_find(groove_t *g, const char *name, size_t *sz, uint64_t *tag, int *err);

/**
 * groove_root_find_or_create - find the root object @name, or create it
 * @g:       the join
 * @name:    as groove_root_find()
 * @sz:      bytes of a new object (a found one keeps its own size: compare
 *           with groove_root_find()'s @sz if it matters)
 * @tag:     tag of a new object (any value; libgroove does not read it)
 * @init:    fills a new object before it is published (may be NULL: the
 *           object is zero)
 * @arg:     passed to @init
 * @created: out: 1 when this call created it, 0 when it found it (may be NULL)
 * @err:     out: GROOVE_SUCCESS or the error (may be NULL)
 *
 * Allocates the object (groove_alloc(), GROOVE_ROOT_ALIGN), writes its
 * record, runs @init, then publishes it with one CAS of the first free
 * directory entry of the name's probe sequence.  Of any number of threads
 * and processes racing for one name exactly one publishes; the others find
 * its object (already initialised) and free theirs.  Lock-free: no caller
 * waits for another, and a creator that dies half way leaves nothing
 * visible (its unpublished object is reclaimed like any a dead process held).
 *
 * Return: the object's address in this process, or NULL with *@err:
 * GROOVE_ERR_INVAL (bad @g or @name, @sz too large), GROOVE_ERR_FULL (no
 * memory for the object: add volumes; or all GROOVE_ROOT_MAX names used),
 * GROOVE_ERR_CORRUPT, or @init's nonzero value.
 */
void *groove_root_find_or_create(groove_t *g, const char *name, size_t sz, uint64_t tag,
				 groove_root_init_fn init, void *arg, int *created, int *err);

#ifdef __cplusplus
}
#endif

#endif /* GROOVE_ROOT_H */
