/*
 * errmsg — how the harness's library modules report an error.
 *
 * A function that can fail takes (char *err, size_t errlen), writes one line
 * into err that names the input and says what was expected, and returns -1;
 * only main() and the commands print it. errmsg_set() is that line's printf.
 */
#ifndef COPYSCOPE_ERRMSG_H
#define COPYSCOPE_ERRMSG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static inline __attribute__((format(printf, 3, 4))) int errmsg_set(char *err, size_t errlen,
								   const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

#endif
