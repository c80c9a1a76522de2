// SPDX-License-Identifier: GPL-2.0
/*
 * groovectl output helpers: human-readable sizes, size parsing, and a tiny
 * streaming JSON writer (no dependency for a handful of objects).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "groovectl.h"

/* 1536 -> "1.5 KiB", 1073741824 -> "1 GiB", 512 -> "512 B". */
void fmt_size(char *buf, size_t len, uint64_t bytes)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	unsigned int u = 0;
	uint64_t whole = bytes, rem = 0;

	while (whole >= 1024 && u < sizeof(unit) / sizeof(unit[0]) - 1) {
		rem = whole % 1024;
		whole /= 1024;
		u++;
	}
	if (u == 0 || rem == 0) {
		snprintf(buf, len, "%" PRIu64 " %s", whole, unit[u]);
	} else {
		/* two decimals, truncated: 2096112 B is "1.99 MiB", not "2.0" */
		unsigned int hundredths = (unsigned int)(rem * 100 / 1024);

		if (hundredths % 10 == 0)
			snprintf(buf, len, "%" PRIu64 ".%u %s", whole, hundredths / 10, unit[u]);
		else
			snprintf(buf, len, "%" PRIu64 ".%02u %s", whole, hundredths, unit[u]);
	}
}

/*
 * "2097152", "2M", "2MiB", "1G", "64k" -> bytes.  Binary multiples, as the
 * kernel's memparse() reads them.  Returns 0 or -EINVAL / -ERANGE.
 */
int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return -ERANGE;
	switch (toupper((unsigned char)*end)) {
	case '\0':
		break;
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	case 'T':
		shift = 40;
		break;
	default:
		return -EINVAL;
	}
	if (*end) {
		end++;
		if (!strcmp(end, "iB") || !strcmp(end, "B") || !strcmp(end, "ib"))
			end += strlen(end);
		if (*end)
			return -EINVAL;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

static void json_sep(struct json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = true;
	fputc('\n', j->f);
	fprintf(j->f, "%*s", 2 * j->depth, "");
	if (key)
		fprintf(j->f, "\"%s\": ", key);
}

static void json_escaped(FILE *f, const char *s, size_t n)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);	/* info is bytes, not UTF-8 */
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void json_begin(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	fputc('{', f);
	j->depth = 1;
}

void json_end(struct json *j)
{
	fputs("\n}\n", j->f);
	fflush(j->f);
}

static void json_open(struct json *j, const char *key, char c)
{
	json_sep(j, key);
	fputc(c, j->f);
	if (j->depth < (int)(sizeof(j->need_comma) - 1))
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void json_close(struct json *j, char c)
{
	bool had_items = j->need_comma[j->depth];

	j->depth--;
	if (had_items)
		fprintf(j->f, "\n%*s", 2 * j->depth, "");
	fputc(c, j->f);
}

void json_obj_open(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_obj_close(struct json *j)
{
	json_close(j, '}');
}

void json_arr_open(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_arr_close(struct json *j)
{
	json_close(j, ']');
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	json_sep(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void json_i64(struct json *j, const char *key, int64_t v)
{
	json_sep(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void json_strn(struct json *j, const char *key, const char *s, size_t n)
{
	json_sep(j, key);
	json_escaped(j->f, s, n);
}

void json_str(struct json *j, const char *key, const char *s)
{
	if (!s) {
		json_sep(j, key);
		fputs("null", j->f);
		return;
	}
	json_strn(j, key, s, strlen(s));
}

void json_bool(struct json *j, const char *key, bool v)
{
	json_sep(j, key);
	fputs(v ? "true" : "false", j->f);
}
