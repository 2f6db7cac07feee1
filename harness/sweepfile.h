/*
 * sweepfile — which grid to run: the sweep files of perfcfg/sweeps/, read
 * with libinih.
 *
 *     # the Part E grid
 *     impls    = two-copy one-copy zero-copy    # names or aliases (a1 a2 a3)
 *     sizes    = 256 1K 4K 16K 64K              # bytes; K = 1024, M = 1024 * 1024
 *     threads  = 1 2 4 8
 *     modes    = stream rr                      # default stream
 *     layouts  = scattered                      # scattered | contiguous; default scattered
 *     busy_poll = off                           # off | on | both; default off
 *     topologies = loopback                     # loopback | netns | remote; default loopback
 *     remote   = 192.0.2.7:7190                 # the server on that host, under copyscope
 *     key_file = agent.key                      # agent (remote.h); both keys or neither
 *     placement = same                          # free | same | spread (placement.h); default free
 *     reps     = 3                              # default 1; or auto (below)
 *     min_reps = 3                              # reps = auto: every point gets min_reps,
 *     max_reps = 10                             # then rounds of the points whose median's
 *     target   = 5%                             # 95% interval is wider than +-target, up
 *     budget   = 11m                            # to max_reps, while the budget lasts
 *     duration = 1.0                            # seconds of measured window ("s"/"ms"), >= 1ms
 *     warmup   = 0.2                            # seconds before it; default 0.2
 *     events   = parte.events                   # see below; default parte.events
 *     server_cpus = 0                           # optional CPU lists (pinning): CPUs
 *     client_cpus = 1                           # this process may run on (sched_getaffinity);
 *                                               # with placement = free only
 *     order    = shuffled                       # shuffled (default) | sequential
 *     seed     = 42                             # optional; else one is drawn and recorded
 *     sample   = on                             # where the CPU goes (sampler.h); default off
 *     categories = default                      # with sample = on: the category file
 *
 * Lists are separated by spaces and/or commas. Keys may sit before any
 * section or in a [sweep] section; '#' or ';' start a comment (at the start
 * of a line, or after a space). An indented line continues the list of the
 * key above it.
 *
 * events: a bare file name (no '/') is looked up in the event directory next
 * to the sweep directory (<dir of FILE.ini>/../events/), ".events" appended
 * when the name has no extension; a name with a '/' is a path relative to
 * the current directory (or absolute). categories: likewise, in the
 * categories/ folder (".cat" appended), default CATEGORY_DEFAULT.
 * key_file: a relative path is from the current folder (--resume reads the
 * sweep file's copy in the results folder). With remote, topologies
 * defaults to remote; topology remote takes placement free and no server_cpus
 * or sample (the agent counts its host, it does not place or sample there).
 *
 * Errors: sweepfile_load() returns -1 and writes one line into err:
 * "FILE:LINE: what was expected" for a bad line, "FILE: what" for a file that
 * cannot be read or a required key that is missing. Nothing is allocated on
 * error. A loaded sweep_config owns every string and array in it; release
 * them with sweepfile_free().
 */
#ifndef COPYSCOPE_SWEEPFILE_H
#define COPYSCOPE_SWEEPFILE_H

#include <stddef.h>
#include <stdint.h>

#include "bounds.h" /* the bounds the workloads share */

#define SWEEP_LIST_MAX	   64		      /* items per list */
#define SWEEP_REPS_MAX	   1000

/* reps = auto (autoreps.h): the bounds and defaults of its keys. */
#define SWEEP_REPS_AUTO		   "auto"
#define SWEEP_AUTO_MIN_REPS	   2 /* an interval needs two values */
#define SWEEP_AUTO_DEFAULT_MIN	   3
#define SWEEP_AUTO_DEFAULT_MAX	   10
#define SWEEP_AUTO_DEFAULT_TARGET  0.05
#define SWEEP_TARGET_MIN	   0.001
#define SWEEP_TARGET_MAX	   0.5
#define SWEEP_BUDGET_MAX_S	   (7 * 24 * 3600.0)

/* After a strategy in `impls`: the grid may do without it, where this build
 * left it out (uring-zc without liburing). Any other unknown name stays bad input. */
#define SWEEP_OPTIONAL_MARK '?'

/* `sample` when a sweep file does not say (docs/sampling.md says why). */
#define SWEEP_SAMPLE_DEFAULT 0

/* `events = auto`: the event set of this machine's PMU, else parte.events. */
#define SWEEP_EVENTS_AUTO "auto"

/*
 * Resolves a strategy name or alias to its canonical name (program_resolve_impl
 * has this shape). 0, or -1 with a message in err naming what is expected, or
 * 1 when this build left the strategy out (err says why and how to get it).
 */
typedef int (*sweep_impl_resolver)(const char *name, char *canonical, size_t len, char *err,
				   size_t errlen);

struct sweepfile_options {
	sweep_impl_resolver resolve_impl; /* NULL: impls are kept as written */
	const char *events_path;	  /* non-NULL: use this event file, ignoring `events` */
	/* `events = auto`: this file (the set of this machine's PMU, pmusets.h);
	 * NULL: parte's */
	const char *auto_events_path;
};

struct sweep_config {
	char *path; /* the file as given */
	char *name; /* its base name without ".ini": names the results folder */
	char *text; /* the file's bytes, NUL-terminated (copied into results) */
	size_t text_len;

	char **impls; /* canonical names */
	size_t n_impls;
	int impls_line;	 /* line of the impls key */
	char **left_out; /* optional strategies this build lacks: "NAME: why" each */
	size_t n_left_out;
	unsigned long *sizes;
	size_t n_sizes;
	unsigned long *threads;
	size_t n_threads;
	char **modes; /* "stream", "rr" */
	size_t n_modes;
	char **layouts; /* "scattered", "contiguous" */
	size_t n_layouts;
	int busy_poll[2]; /* values 0 and/or 1 */
	size_t n_busy_poll;
	char **topologies; /* "loopback", "netns", "remote" */
	size_t n_topologies;
	char **placements; /* "free", "same", "spread" */
	size_t n_placements;

	unsigned reps; /* reps = auto: min_reps */
	int reps_auto;	/* reps = auto: repeat until sure (autoreps.h) */
	unsigned min_reps, max_reps;
	double target;	 /* relative half-width of the median's 95% interval */
	double budget_s; /* 0: no budget, max_reps bounds the sweep */
	double duration_s;
	double warmup_s;
	char *events_path; /* resolved path of the event file */
	int events_line;   /* line of the events key; 0 when defaulted */
	int events_auto;   /* 1: `events = auto` chose events_path for this machine */
	char *server_cpus; /* NULL: not pinned */
	char *client_cpus;
	int sample;	       /* 1: sample = on: every run samples where the CPU goes */
	int sample_line;       /* line of the sample key; 0 when defaulted */
	char *categories_path; /* with sample: resolved path of the category file; else NULL */
	int categories_line;   /* line of the categories key; 0 when defaulted */
	char *remote;	       /* remote = HOST[:PORT] as written, NULL: none */
	char *key_file;	       /* key_file as written, NULL: none */
	int remote_line;       /* line of the remote key; 0 when absent */
	int shuffled; /* 1: order = shuffled */
	int seed_given;
	uint64_t seed;
};

/* Reads, parses and checks the sweep file at path; opts may be NULL. */
int sweepfile_load(const char *path, const struct sweepfile_options *opts, struct sweep_config *cfg,
		   char *err, size_t errlen);

/* Parses a sweep file's text (path names it in errors and anchors `events`). */
int sweepfile_parse(const char *text, const char *path, const struct sweepfile_options *opts,
		    struct sweep_config *cfg, char *err, size_t errlen);

/* Number of points (the grid without repetitions). */
size_t sweep_config_points(const struct sweep_config *cfg);

void sweepfile_free(struct sweep_config *cfg);

/*
 * Parses a message size as the workloads do (parse_size, common/units.h:
 * 16K, 16KiB, 1M). 0 and sets *bytes, or -1 for anything else (12Q, 0,
 * outside [MESSAGE_MIN_SIZE, MESSAGE_MAX_SIZE]).
 */
int sweep_parse_size(const char *s, unsigned long *bytes);

#endif
