/*
 * eventfile — parser of the perfcfg/events files (see eventfile.h).
 */
#include "eventfile.h"
#include "perfcfg.h"
#include "errmsg.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static int valid_key(const char *s)
{
	if (!*s || strlen(s) > EVENT_KEY_MAX)
		return 0;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_'))
			return 0;
	return 1;
}

static int valid_level(const char *s)
{
	if (!strcmp(s, "-"))
		return 1;
	if (!*s || strlen(s) > EVENT_LEVEL_MAX)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s))
			return 0;
	return 1;
}

static int valid_name(const char *s)
{
	if (!*s || strlen(s) > EVENT_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!isgraph((unsigned char)*s))
			return 0;
	return 1;
}

static int append(struct event_set *set, const char *key, const char *level, const char *name,
		  int line, char *err, size_t errlen)
{
	if (event_set_find(set, key))
		return errmsg_set(err, errlen,
				  "%s:%d: key '%s' given twice (keys name CSV columns)",
				  set->source, line, key);
	if (set->n == EVENT_SET_MAX)
		return errmsg_set(err, errlen, "%s:%d: more than %d events", set->source, line,
				  EVENT_SET_MAX);
	struct event_spec *ev = realloc(set->ev, (set->n + 1) * sizeof(*ev));
	if (!ev)
		return errmsg_set(err, errlen, "%s: out of memory", set->source);
	set->ev = ev;
	ev = &set->ev[set->n++];
	memset(ev, 0, sizeof(*ev));
	snprintf(ev->key, sizeof(ev->key), "%s", key);
	snprintf(ev->level, sizeof(ev->level), "%s", level);
	snprintf(ev->name, sizeof(ev->name), "%s", name);
	ev->line = line;
	return 0;
}

void eventfile_sample_defaults(struct sample_spec *sample)
{
	memset(sample, 0, sizeof(*sample));
	sample->hz = SAMPLE_HZ_DEFAULT;
	char list[] = SAMPLE_EVENTS_DEFAULT;
	for (char *e = strtok(list, ","); e && sample->n < SAMPLE_ALT_MAX; e = strtok(NULL, ","))
		snprintf(sample->event[sample->n++], sizeof(sample->event[0]), "%s", e);
}

/* "event=a,b,c" of a sample line into sample (defaults already there). */
static int parse_sample_events(struct event_set *set, const char *list, int line, char *err,
			       size_t errlen)
{
	struct sample_spec *sm = &set->sample;
	sm->n = 0;
	const char *p = list;
	for (;;) {
		size_t len = strcspn(p, ",");
		char name[EVENT_NAME_MAX + 2];
		snprintf(name, sizeof(name), "%.*s", (int)(len > EVENT_NAME_MAX ? EVENT_NAME_MAX + 1
										  : len),
			 p);
		if (!valid_name(name))
			return errmsg_set(err, errlen,
					  "%s:%d: sample event=: expected event names separated by "
					  "commas, each at most %d printable characters",
					  set->source, line, EVENT_NAME_MAX);
		if (sm->n == SAMPLE_ALT_MAX)
			return errmsg_set(err, errlen, "%s:%d: sample event=: more than %d events",
					  set->source, line, SAMPLE_ALT_MAX);
		snprintf(sm->event[sm->n++], sizeof(sm->event[0]), "%.*s", EVENT_NAME_MAX, name);
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

/* The reserved key `sample`: what sampling samples on (eventfile.h). */
static int parse_sample(struct event_set *set, char *fields, int line, char *err, size_t errlen)
{
	if (set->sample.line)
		return errmsg_set(err, errlen, "%s:%d: a second sample line (the first is line %d)",
				  set->source, line, set->sample.line);
	set->sample.line = line;
	int seen_hz = 0, seen_event = 0;
	for (char *tok = strtok(fields, " \t\r"); tok; tok = strtok(NULL, " \t\r")) {
		if (!strncmp(tok, "hz=", 3) && !seen_hz++) {
			char *end;
			errno = 0;
			unsigned long hz = strtoul(tok + 3, &end, 10);
			if (errno || end == tok + 3 || *end || !isdigit((unsigned char)tok[3]) ||
			    hz < SAMPLE_HZ_MIN || hz > SAMPLE_HZ_MAX)
				return errmsg_set(err, errlen,
						  "%s:%d: sample %.40s: expected hz=N, N from %d to %d",
						  set->source, line, tok, SAMPLE_HZ_MIN, SAMPLE_HZ_MAX);
			set->sample.hz = (unsigned)hz;
		} else if (!strncmp(tok, "event=", 6) && !seen_event++) {
			if (parse_sample_events(set, tok + 6, line, err, errlen))
				return -1;
		} else {
			return errmsg_set(err, errlen,
					  "%s:%d: sample %.40s: expected hz=N and event=NAME[,NAME...], "
					  "each at most once",
					  set->source, line, tok);
		}
	}
	return 0;
}

/* Parses one line (NUL-terminated, comment already cut); an empty line adds nothing. */
static int parse_line(struct event_set *set, char *text, int line, char *err, size_t errlen)
{
	char *fields[4] = {0};
	int n = 0;
	size_t lead = strspn(text, " \t\r");
	if (!strncmp(text + lead, "sample", 6) && (!text[lead + 6] || strchr(" \t\r", text[lead + 6])))
		return parse_sample(set, text + lead + 6, line, err, errlen);
	for (char *tok = strtok(text, " \t\r"); tok; tok = strtok(NULL, " \t\r")) {
		if (n == 3)
			return errmsg_set(
			    err, errlen,
			    "%s:%d: expected 'key level event', found more than 3 fields",
			    set->source, line);
		fields[n++] = tok;
	}
	if (n == 0)
		return 0;
	if (n != 3)
		return errmsg_set(err, errlen,
				  "%s:%d: expected 'key level event', found %d field%s",
				  set->source, line, n, n == 1 ? "" : "s");
	if (!valid_key(fields[0]))
		return errmsg_set(err, errlen,
				  "%s:%d: key '%.60s': expected [a-z0-9_], at most %d chars",
				  set->source, line, fields[0], EVENT_KEY_MAX);
	if (!valid_level(fields[1]))
		return errmsg_set(
		    err, errlen,
		    "%s:%d: level '%.60s': expected '-' or a cache level such as L1, L2, LLC",
		    set->source, line, fields[1]);
	if (!valid_name(fields[2]))
		return errmsg_set(err, errlen,
				  "%s:%d: event name: expected at most %d printable characters",
				  set->source, line, EVENT_NAME_MAX);
	return append(set, fields[0], fields[1], fields[2], line, err, errlen);
}

int eventfile_parse(const char *text, size_t len, const char *source, struct event_set *set,
		    char *err, size_t errlen)
{
	memset(set, 0, sizeof(*set));
	snprintf(set->source, sizeof(set->source), "%s", source);
	eventfile_sample_defaults(&set->sample);
	int line = 0;
	size_t pos = 0;
	while (pos < len) {
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		line++;
		size_t n = end - pos;
		char *buf = malloc(n + 1);
		if (!buf) {
			eventfile_free(set);
			return errmsg_set(err, errlen, "%s: out of memory", source);
		}
		memcpy(buf, text + pos, n);
		buf[n] = '\0';
		int bad = memchr(buf, '\0', n) != NULL;
		char *hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		int rc =
		    bad ? errmsg_set(err, errlen, "%s:%d: NUL byte in an event file", source, line)
			: parse_line(set, buf, line, err, errlen);
		free(buf);
		if (rc) {
			eventfile_free(set);
			return -1;
		}
		pos = end + 1;
	}
	if (set->n == 0)
		return errmsg_set(err, errlen, "%s: no events (expected lines 'key level event')",
				  source);
	return 0;
}

int eventfile_load(const char *path, struct event_set *set, char *err, size_t errlen)
{
	memset(set, 0, sizeof(*set));
	FILE *f = fopen(path, "r");
	if (!f)
		return errmsg_set(err, errlen, "%s: %s (expected an event file)", path,
				  strerror(errno));
	char *text = NULL;
	size_t len = 0, cap = 0;
	char chunk[4096];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (len + got > (1u << 20)) {
			free(text);
			fclose(f);
			return errmsg_set(err, errlen,
					  "%s: larger than 1 MiB (expected an event file)", path);
		}
		if (len + got > cap) {
			cap = (len + got) * 2;
			char *t = realloc(text, cap);
			if (!t) {
				free(text);
				fclose(f);
				return errmsg_set(err, errlen, "%s: out of memory", path);
			}
			text = t;
		}
		memcpy(text + len, chunk, got);
		len += got;
	}
	int rderr = ferror(f) ? (errno ? errno : EIO) : 0; /* a folder: EISDIR */
	fclose(f);
	if (rderr) {
		free(text);
		return errmsg_set(err, errlen, "%s: %s (expected an event file)", path,
				  strerror(rderr));
	}
	int rc = eventfile_parse(text ? text : "", len, path, set, err, errlen);
	free(text);
	return rc;
}

int event_set_from_names(char *const *names, int n, struct event_set *set, char *err, size_t errlen)
{
	memset(set, 0, sizeof(*set));
	snprintf(set->source, sizeof(set->source), "command line");
	eventfile_sample_defaults(&set->sample);
	for (int i = 0; i < n; i++) {
		char key[EVENT_KEY_MAX + 1];
		size_t k = 0;
		const char *s = names[i];
		/* "perf::CYCLES:u" -> "cycles_u"; "tracepoint:skb:x" -> "skb_x" */
		if (!strncmp(s, "tracepoint:", 11))
			s += 11;
		else if (strstr(s, "::"))
			s = strstr(s, "::") + 2;
		for (; *s && k < EVENT_KEY_MAX; s++) {
			char c =
			    isalnum((unsigned char)*s) ? (char)tolower((unsigned char)*s) : '_';
			if (c == '_' && (k == 0 || key[k - 1] == '_'))
				continue;
			key[k++] = c;
		}
		while (k > 0 && key[k - 1] == '_')
			k--;
		key[k] = '\0';
		if (!k || !valid_name(names[i])) {
			eventfile_free(set);
			return errmsg_set(err, errlen, "%.80s: expected an event name", names[i]);
		}
		/* Two names may fold to one key: number the later ones. */
		char unique[EVENT_KEY_MAX + 1];
		snprintf(unique, sizeof(unique), "%s", key);
		for (int dup = 2; event_set_find(set, unique); dup++)
			snprintf(unique, sizeof(unique), "%.30s_%d", key, dup % 1000);
		if (append(set, unique, "-", names[i], 0, err, errlen)) {
			eventfile_free(set);
			return -1;
		}
	}
	return 0;
}

const struct event_spec *event_set_find(const struct event_set *set, const char *key)
{
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->ev[i].key, key))
			return &set->ev[i];
	return NULL;
}

const struct event_spec *event_set_find_level(const struct event_set *set, const char *level)
{
	for (size_t i = 0; level && i < set->n; i++)
		if (event_is_cache_level(&set->ev[i]) && !strcasecmp(set->ev[i].level, level))
			return &set->ev[i];
	return NULL;
}

int event_is_cache_level(const struct event_spec *ev)
{
	return strcmp(ev->level, "-") != 0;
}

void eventfile_free(struct event_set *set)
{
	free(set->ev);
	set->ev = NULL;
	set->n = 0;
}

void eventfile_find(const char *name, const char *near, char *path, size_t len)
{
	perfcfg_find("events", ".events", name, near, path, len);
}

size_t eventfile_format(const struct event_set *set, char *buf, size_t len)
{
	size_t used = 0;
	for (size_t i = 0; i < set->n; i++) {
		int n = snprintf(buf + (used < len ? used : len), used < len ? len - used : 0,
				 "%s %s %s\n", set->ev[i].key, set->ev[i].level, set->ev[i].name);
		used += n > 0 ? (size_t)n : 0;
	}
	if (len && used >= len)
		buf[len - 1] = '\0';
	return used;
}
