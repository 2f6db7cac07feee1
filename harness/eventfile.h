/*
 * eventfile — what to count: the event files of perfcfg/events/.
 *
 * One event a line, '#' starts a comment, blank lines are ignored:
 *
 *     # key          level  event
 *     cycles         -      PERF_COUNT_HW_CPU_CYCLES
 *     l1d_misses     L1     L1-DCACHE-LOAD-MISSES
 *     rx_copies      -      tracepoint:skb:skb_copy_datagram_iovec
 *
 * key   names the CSV columns (srv_<key>, cli_<key>): [a-z0-9_], unique, <= 40 chars.
 * level is "-" or the cache level the event measures (L1, L2, LLC, ...): it
 *       feeds the per-cache-level tables and figures.
 * event is a libpfm4 event string (modifiers allowed) or
 *       tracepoint:<system>:<name>. This module checks only the syntax; whether
 *       libpfm4 knows the name is the counters module's business.
 *
 * The key `sample` is reserved: a line that starts with it says what sampling
 * (copyscope run --sample, the sweep key sample = on; sampler.h) samples on,
 * not a counter:
 *
 *     sample  hz=999  event=cycles,task-clock
 *
 * hz    samples per second of a thread's CPU time, SAMPLE_HZ_MIN..SAMPLE_HZ_MAX;
 * event up to SAMPLE_ALT_MAX event names, comma-separated, tried in order:
 *       the first this machine can sample on is the one sampled.
 * Both are optional (the defaults below); at most one such line per file.
 *
 * Errors: functions return -1 and write one line "FILE:LINE: what was expected"
 * into err (FILE:LINE names the input). An event_set owns its array; free it
 * with eventfile_free().
 */
#ifndef COPYSCOPE_EVENTFILE_H
#define COPYSCOPE_EVENTFILE_H

#include <stddef.h>

#define EVENT_KEY_MAX	40
#define EVENT_LEVEL_MAX 16
#define EVENT_NAME_MAX	256
#define EVENT_SET_MAX	64

struct event_spec {
	char key[EVENT_KEY_MAX + 1];
	char level[EVENT_LEVEL_MAX + 1]; /* "-" when not a cache level */
	char name[EVENT_NAME_MAX + 1];
	int line; /* 1-based line in the file; 0 for events named on a command line */
};

#define SAMPLE_ALT_MAX	  4
#define SAMPLE_HZ_MIN	  1
#define SAMPLE_HZ_MAX	  10000
#define SAMPLE_HZ_DEFAULT 999 /* not 1000: never in step with a 1000 Hz or 250 Hz tick */
#define SAMPLE_EVENTS_DEFAULT "cycles,task-clock" /* cycles where a PMU is, else task-clock */

/* The `sample` line, or the defaults where the file has none. */
struct sample_spec {
	int line;    /* its line in the file; 0: the file has none */
	unsigned hz; /* SAMPLE_HZ_MIN..SAMPLE_HZ_MAX */
	size_t n;    /* alternatives, 1..SAMPLE_ALT_MAX, in the order they are tried */
	char event[SAMPLE_ALT_MAX][EVENT_NAME_MAX + 1];
};

struct event_set {
	char source[512]; /* the file it came from, for messages */
	size_t n;
	struct event_spec *ev;
	struct sample_spec sample; /* always filled: the file's `sample` line or the defaults */
};

/*
 * The events of set as event-file text ("KEY LEVEL NAME\n" each, in order; no
 * comments, no sample line), for an agent to count the same events in the same
 * order on its host (remote.h). The size it needs, as snprintf: at most
 * EVENT_SET_MAX lines of EVENT_KEY_MAX + EVENT_LEVEL_MAX + EVENT_NAME_MAX + 3.
 */
size_t eventfile_format(const struct event_set *set, char *buf, size_t len);

/* Reads and parses the file at path. */
int eventfile_load(const char *path, struct event_set *set, char *err, size_t errlen);

/* Parses len bytes of text (need not be NUL-terminated); source names it in errors. */
int eventfile_parse(const char *text, size_t len, const char *source, struct event_set *set,
		    char *err, size_t errlen);

/*
 * Builds a set from bare event names (copyscope events NAME...): the key is
 * derived from the name (lower case, non-alphanumerics folded to '_'), level "-".
 */
int event_set_from_names(char *const *names, int n, struct event_set *set, char *err,
			 size_t errlen);

/* The event with this key, or NULL. */
const struct event_spec *event_set_find(const struct event_set *set, const char *key);

/* The first event that counts this cache level (compared without case), or NULL. */
const struct event_spec *event_set_find_level(const struct event_set *set, const char *level);

/* True when the event counts a cache level (level is not "-"). */
int event_is_cache_level(const struct event_spec *ev);

void eventfile_free(struct event_set *set);

/* The defaults of a file without a `sample` line (line 0). */
void eventfile_sample_defaults(struct sample_spec *sample);

/* Where an event file named `name` is: perfcfg_find (perfcfg.h) in events/,
 * ".events" added to a bare name without an extension. */
void eventfile_find(const char *name, const char *near, char *path, size_t len);

#endif
