/*
 * units.h — one reading of the numbers a user types: sizes, seconds and
 * plain integers, for the client, the server, `copyscope run` and sweep files
 * alike (CPU lists: cpulist.h).
 *
 * Each parser accepts the whole string or nothing: it returns 0 and stores
 * the value, or -1 leaving *out untouched; the caller names the input and
 * what it expects in its one-line error (exit status 2).
 */
#ifndef COPYSCOPE_UNITS_H
#define COPYSCOPE_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Decimal integer in [min, max], no suffix. */
int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Bytes in [min, max]: digits with an optional binary suffix K, M or G (also
 * KiB, MiB, GiB; any case) that multiplies by 1024^n: 256, 16K, 16KiB, 1M. */
int parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Seconds in [min, max]: a decimal number, digits or '.' first, with an
 * optional "s", "ms" or "m" (minutes): 0.5, 2s, 300ms, 11m. */
int parse_seconds(const char *s, double min, double max, double *out);
/* bytes in the largest binary unit that divides it exactly: SIZE_SHORT as
 * sizes are typed and axes labelled ("256", "16K", "1M"), SIZE_LONG as
 * tables and the report write them ("256 B", "16 KiB", "2896 B"). */
enum size_style { SIZE_SHORT, SIZE_LONG };
void format_size(char *buf, size_t len, double bytes, enum size_style style);

/* Leading decimal digits of s into *out, *end past them; -1 when s does not
 * start with a digit or the number overflows. For parsers of lists. */
int parse_digits(const char *s, const char **end, uint64_t *out);

#endif
