// SPDX-License-Identifier: GPL-2.0
/*
 * groovectl output helpers: human-readable sizes, size parsing, escaping of
 * user bytes (a volume's info, a path) for text and JSON, and a tiny
 * streaming JSON writer (no dependency for a handful of objects;
 * tests/json_test.c and tests/host_test.sh check its output with Python's
 * json module: UTF-8 round trip, control characters, ill-formed UTF-8).
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

static void json_escaped(FILE *f, const char *str, size_t n);

static void json_sep(struct json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = true;
	fputc('\n', j->f);
	fprintf(j->f, "%*s", 2 * j->depth, "");
	if (key) {
		json_escaped(j->f, key, strlen(key));
		fputs(": ", j->f);
	}
}

/*
 * Well-formed UTF-8 (Unicode 3.9, table 3-7): the lead byte fixes the
 * length and the range of the second byte (no overlong forms, no
 * surrogates, nothing above U+10FFFF); later bytes are 80..BF.
 */
size_t utf8_seq(const unsigned char *s, size_t n, size_t *bad)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	*bad = 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else {
		*bad = 1;
		return 0;
	}
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	for (i = 1; i < len; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*bad = i;	/* the lead and the bytes that fitted */
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return len;
}

/* A C0 or C1 control character, or DEL: never printed raw to a terminal. */
static bool is_control(const unsigned char *s, size_t len)
{
	if (len == 1)
		return s[0] < 0x20 || s[0] == 0x7f;
	return len == 2 && s[0] == 0xc2 && s[1] < 0xa0;	/* U+0080..U+009F */
}

void text_escaped(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, len, bad;

	while (i < n) {
		len = utf8_seq(s + i, n - i, &bad);
		if (len && !is_control(s + i, len)) {
			if (s[i] == '\\')
				fputc('\\', f);
			fwrite(s + i, 1, len, f);
			i += len;
			continue;
		}
		if (!len)
			len = bad;
		for (size_t k = 0; k < len; k++)
			fprintf(f, "\\x%02x", s[i + k]);
		i += len;
	}
}

/*
 * A JSON string (RFC 8259): well-formed UTF-8 passes through, '"', '\\' and
 * control characters are escaped, and each ill-formed sequence becomes
 * U+FFFD, so the output is always valid UTF-8 and valid JSON.
 */
static void json_escaped(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, len, bad;

	fputc('"', f);
	while (i < n) {
		unsigned char c = s[i];

		len = utf8_seq(s + i, n - i, &bad);
		if (!len) {
			fputs("\\ufffd", f);
			i += bad;
			continue;
		}
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (is_control(s + i, len))
			fprintf(f, "\\u%04x", len == 1 ? c : s[i + 1]);
		else
			fwrite(s + i, 1, len, f);
		i += len;
	}
	fputc('"', f);
}

/* A GROOVE_ERR_* code as a clause for a message: "the shared allocator state is corrupt". */
const char *ctl_groove_err(int err)
{
	switch (err) {
	case GROOVE_ERR_CORRUPT:
		return "the shared allocator state is corrupt";
	case GROOVE_ERR_FULL:
		return "the groove is full (add volumes)";
	case GROOVE_ERR_BUSY:
		return "the groove is in use by another process or thread";
	case GROOVE_ERR_AGAIN:
		return "the groove stayed contended (retry)";
	case GROOVE_ERR_UNSUPPORTED:
		return "the groove cannot do this (old module, or a filesystem without OFD locks)";
	case GROOVE_ERR_INVAL:
		return "libgroove refused the request (bad input)";
	default:
		return groove_strerror(err);
	}
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

void json_null(struct json *j, const char *key)
{
	json_sep(j, key);
	fputs("null", j->f);
}
