// SPDX-License-Identifier: GPL-2.0
/*
 * Harness shared by the bench_*.c programs: options, pinning, samples,
 * summaries, the table and the CSV.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

static struct bench_result results[BENCH_MAX_RESULTS];
static int nresults;

void bench_parse_opts(struct bench_opts *o, int argc, char **argv,
		      const char *usage_extra)
{
	static const struct option longopts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "batches", required_argument, NULL, 'b' },
		{ "quick", no_argument, NULL, 'q' },
		{ "only", required_argument, NULL, 'o' },
		{ "csv", required_argument, NULL, 'c' },
		{ "shm-dir", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	o->rounds = 7;
	o->batches = 10;
	o->quick = 0;
	o->only = getenv("BENCH_ONLY");
	o->csv = NULL;
	o->shm_dir = "/dev/shm";
	o->seed = 0;
	if (getenv("BENCH_QUICK") && *getenv("BENCH_QUICK") == '1')
		o->quick = 1;

	while ((c = getopt_long(argc, argv, "r:b:qo:c:s:S:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o->rounds = atoi(optarg);
			break;
		case 'b':
			o->batches = atoi(optarg);
			break;
		case 'q':
			o->quick = 1;
			break;
		case 'o':
			o->only = optarg;
			break;
		case 'c':
			o->csv = optarg;
			break;
		case 's':
			o->shm_dir = optarg;
			break;
		case 'S':
			o->seed = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr,
				"usage: %s [--rounds N (>=5)] [--batches N] [--quick]\n"
				"       [--only glibc,jemalloc,mimalloc,tcmalloc,boost,groove]\n"
				"       [--csv FILE] [--shm-dir DIR] [--seed N]%s\n",
				argv[0], usage_extra ? usage_extra : "");
			exit(c == 'h' ? 0 : 2);
		}
	}
	if (o->rounds < 5)
		o->rounds = 5;	/* a median of fewer rounds says little */
	if (o->batches < 1)
		o->batches = 1;
	if (o->quick)
		o->batches = o->batches > 3 ? 3 : o->batches;
}

int bench_pin(int cpu)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	if (ncpu < 1)
		ncpu = 1;
	cpu %= (int)ncpu;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("sched_setaffinity");
	return cpu;
}

uint64_t bench_rand_size(uint64_t *s, uint64_t lo, uint64_t hi)
{
	double u = (double)(bench_rand(s) >> 11) / (double)(1ULL << 53);
	uint64_t sz = (uint64_t)((double)lo * pow((double)hi / (double)lo, u));

	return sz < lo ? lo : sz > hi ? hi : sz;
}

struct bench_result *bench_result(const char *workload, const char *label,
				  uint64_t size, int threads,
				  const struct bench_alloc *a)
{
	struct bench_result *r;
	int i;

	for (i = 0; i < nresults; i++) {
		r = &results[i];
		if (!strcmp(r->workload, workload) && !strcmp(r->label, label) &&
		    !strcmp(r->alloc, a->name) && r->threads == threads)
			return r;
	}
	if (nresults == BENCH_MAX_RESULTS) {
		fprintf(stderr, "bench: too many result rows\n");
		exit(1);
	}
	r = &results[nresults++];
	memset(r, 0, sizeof(*r));
	snprintf(r->workload, sizeof(r->workload), "%s", workload);
	snprintf(r->label, sizeof(r->label), "%s", label);
	snprintf(r->alloc, sizeof(r->alloc), "%s", a->name);
	r->size = size;
	r->threads = threads;
	r->is_subject = a->subject;
	return r;
}

void bench_sample(struct bench_result *r, double ns_per_op)
{
	if (r->n < BENCH_MAX_SAMPLES)
		r->samples[r->n++] = ns_per_op;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted copy of the samples. */
static double percentile(const struct bench_result *r, double pct)
{
	static double sorted[BENCH_MAX_SAMPLES];
	int rank;

	if (!r->n)
		return NAN;
	memcpy(sorted, r->samples, sizeof(double) * (size_t)r->n);
	qsort(sorted, (size_t)r->n, sizeof(double), cmp_double);
	rank = (int)ceil(pct / 100.0 * r->n);
	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

double bench_median(const struct bench_result *r)
{
	return percentile(r, 50.0);
}

double bench_p99(const struct bench_result *r)
{
	return percentile(r, 99.0);
}

/* The fastest median among the peers (not the subject) of r's case. */
static const struct bench_result *best_peer(const struct bench_result *r)
{
	const struct bench_result *best = NULL;
	int i;

	for (i = 0; i < nresults; i++) {
		const struct bench_result *p = &results[i];

		if (p->is_subject || !p->n || strcmp(p->workload, r->workload) ||
		    strcmp(p->label, r->label) || p->threads != r->threads)
			continue;
		if (!best || bench_median(p) < bench_median(best))
			best = p;
	}
	return best;
}

void bench_report(const struct bench_opts *o, const char *title)
{
	FILE *csv = NULL;
	int i, new_file = 0;

	if (o->csv) {
		new_file = access(o->csv, F_OK) != 0;
		csv = fopen(o->csv, "a");
		if (!csv)
			perror(o->csv);
		else if (new_file)
			fprintf(csv, "workload,case,size_bytes,threads,allocator,"
				"median_ns,p99_ns,best_peer,ratio_to_best_peer,samples\n");
	}

	printf("\n== %s (ns per op; median and p99 over %d rounds x %d batches; "
	       "ratio = median / best peer's median) ==\n",
	       title, o->rounds, o->batches);
	printf("%-10s %-24s %3s %-9s %11s %11s %-9s %7s\n", "workload", "case",
	       "thr", "allocator", "median", "p99", "best peer", "ratio");
	for (i = 0; i < nresults; i++) {
		const struct bench_result *r = &results[i];
		const struct bench_result *b = best_peer(r);
		double med = bench_median(r), p99 = bench_p99(r);
		double ratio = b ? med / bench_median(b) : NAN;

		printf("%-10s %-24s %3d %-9s %11.1f %11.1f %-9s %7.2f%s\n",
		       r->workload, r->label, r->threads, r->alloc, med, p99,
		       b ? b->alloc : "-", ratio, r->is_subject ? "  <" : "");
		if (csv)
			fprintf(csv, "%s,%s,%llu,%d,%s,%.2f,%.2f,%s,%.3f,%d\n",
				r->workload, r->label, (unsigned long long)r->size,
				r->threads, r->alloc, med, p99,
				b ? b->alloc : "", ratio, r->n);
	}
	fflush(stdout);
	if (csv)
		fclose(csv);
}

const char *bench_size_str(uint64_t sz, char *buf, size_t len)
{
	if (sz >= (1ULL << 20) && !(sz & ((1ULL << 20) - 1)))
		snprintf(buf, len, "%llu MiB", (unsigned long long)(sz >> 20));
	else if (sz >= 1024 && !(sz & 1023))
		snprintf(buf, len, "%llu KiB", (unsigned long long)(sz >> 10));
	else
		snprintf(buf, len, "%llu B", (unsigned long long)sz);
	return buf;
}
