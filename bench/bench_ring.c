// SPDX-License-Identifier: GPL-2.0
/*
 * Question 3: producer/consumer across two processes.  The producer
 * allocates an object, writes a sequence number into it and passes its
 * offset through a single-producer single-consumer ring in shared memory;
 * the consumer, a forked process that mapped the arena again at its own
 * address, checks the number and frees the object.  Only the allocators
 * whose objects other processes can reach take part: groove and
 * boost.interprocess.  Figures are ns per message, producer's wall clock,
 * from the first allocation until the consumer has freed the last object.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define RING_SLOTS	256	/* power of two */
#define RING_STOP	UINT64_MAX

struct ring {
	_Alignas(64) _Atomic uint64_t head;	/* written by the producer */
	_Alignas(64) _Atomic uint64_t tail;	/* written by the consumer */
	_Alignas(64) _Atomic uint64_t bad;	/* objects whose number was wrong */
	_Alignas(64) uint64_t slot[RING_SLOTS];
};

static const size_t sizes[] = { 512, 65536, 1 << 20 };
#define NSIZES	(sizeof(sizes) / sizeof(sizes[0]))

/* Spin politely: the box may have fewer free CPUs than we have processes. */
static void relax(unsigned int *spins)
{
	if (++*spins & 1023)
		__builtin_ia32_pause();
	else
		sched_yield();
}

static void consume(struct ring *q, const struct bench_alloc *a)
{
	uint64_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
	uint64_t expect = 0;

	for (;;) {
		unsigned int spins = 0;
		uint64_t off;
		uint64_t *p;

		while (atomic_load_explicit(&q->head, memory_order_acquire) == tail)
			relax(&spins);
		off = q->slot[tail & (RING_SLOTS - 1)];
		if (off == RING_STOP)
			break;
		p = a->from_off(off);
		/* The producer numbers objects 0, 1, 2, ... across batches. */
		if (*p != expect)
			atomic_fetch_add(&q->bad, 1);
		expect = *p + 1;
		a->free(p);
		atomic_store_explicit(&q->tail, ++tail, memory_order_release);
	}
	atomic_store_explicit(&q->tail, ++tail, memory_order_release);
}

static void push(struct ring *q, uint64_t *head, uint64_t off)
{
	unsigned int spins = 0;

	while (*head - atomic_load_explicit(&q->tail, memory_order_acquire) >= RING_SLOTS)
		relax(&spins);
	q->slot[*head & (RING_SLOTS - 1)] = off;
	atomic_store_explicit(&q->head, ++*head, memory_order_release);
}

static void wait_drained(struct ring *q, uint64_t head)
{
	unsigned int spins = 0;

	while (atomic_load_explicit(&q->tail, memory_order_acquire) != head)
		relax(&spins);
}

/* One batch: n messages of sz bytes; returns ns per message or -1. */
static double produce(struct ring *q, const struct bench_alloc *a, size_t sz,
		      long n, uint64_t *head, uint64_t *seq)
{
	uint64_t t0 = bench_now_ns();
	long i;

	for (i = 0; i < n; i++) {
		uint64_t *p = a->alloc(sz, 16);

		if (!p)
			return -1;
		*p = (*seq)++;
		push(q, head, a->to_off(p));
	}
	wait_drained(q, *head);
	return (double)(bench_now_ns() - t0) / (double)n;
}

static long msgs_for(size_t sz, int quick)
{
	long n = sz <= 4096 ? 20000 : sz <= 65536 ? 8192 : 2048;

	return quick ? n / 8 : n;
}

int main(int argc, char **argv)
{
	struct bench_alloc *allocs[BENCH_MAX_ALLOCS], *shared[BENCH_MAX_ALLOCS];
	struct bench_opts o;
	struct ring *q;
	int n, ns = 0, r, i, b, status;
	size_t s;

	bench_parse_opts(&o, argc, argv, NULL);
	n = bench_allocs_open(o.only, o.shm_dir, BENCH_ARENA_BYTES, allocs, BENCH_MAX_ALLOCS);
	for (i = 0; i < n; i++)
		if (allocs[i]->shared && allocs[i]->attach)
			shared[ns++] = allocs[i];
	if (!ns) {
		fprintf(stderr, "bench_ring: no shared-memory allocator available\n");
		return 1;
	}
	q = mmap(NULL, sizeof(*q), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (q == MAP_FAILED) {
		perror("mmap");
		return 1;
	}

	for (r = 0; r < o.rounds; r++) {
		for (i = 0; i < ns; i++) {
			struct bench_alloc *a = shared[bench_rotated(i, r, ns)];
			uint64_t head = 0, seq = 0;
			pid_t pid;

			memset(q, 0, sizeof(*q));
			pid = fork();
			if (pid < 0) {
				perror("fork");
				return 1;
			}
			if (!pid) {
				bench_pin(1);
				if (a->attach())
					_exit(1);
				if (a->thread_init)
					a->thread_init(1);
				consume(q, a);
				if (a->thread_fini)
					a->thread_fini();
				_exit(0);
			}
			bench_pin(0);
			if (a->thread_init)
				a->thread_init(0);
			for (s = 0; s < NSIZES; s++) {
				long msgs = msgs_for(sizes[s], o.quick);
				char label[40], sz[16];
				struct bench_result *res;

				snprintf(label, sizeof(label), "2 procs %s",
					 bench_size_str(sizes[s], sz, sizeof(sz)));
				res = bench_result("ring", label, sizes[s], 2, a);
				/* Untimed first batch: both sides warm. */
				produce(q, a, sizes[s], msgs / 4, &head, &seq);
				for (b = 0; b < o.batches; b++) {
					double v = produce(q, a, sizes[s], msgs, &head, &seq);

					if (v < 0) {
						printf("# %s: allocation of %zu failed\n",
						       a->name, sizes[s]);
						break;
					}
					bench_sample(res, v);
				}
			}
			push(q, &head, RING_STOP);
			waitpid(pid, &status, 0);
			if (!WIFEXITED(status) || WEXITSTATUS(status))
				printf("# %s: consumer failed (status %#x)\n", a->name, status);
			if (atomic_load(&q->bad))
				printf("# %s: %llu objects arrived with a wrong number\n",
				       a->name, (unsigned long long)atomic_load(&q->bad));
		}
	}
	bench_report(&o, "3. producer/consumer across two processes (ns per message)");
	bench_allocs_close();
	return 0;
}
