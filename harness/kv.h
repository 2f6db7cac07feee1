/*
 * kv — reading the key=value lines a workload prints (common/wire.h names
 * the keys). A key printed twice counts once: the first line wins.
 */
#ifndef COPYSCOPE_KV_H
#define COPYSCOPE_KV_H

#include <stddef.h>

/* The value of "key=" on a line of out, or NULL; copied into buf. */
const char *kv_get(const char *out, const char *key, char *buf, size_t len);

/* The numeric value of key, or NAN when absent, empty or not a number. out may be NULL. */
double kv_num(const char *out, const char *key);

#endif
