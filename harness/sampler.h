/*
 * sampler — where a workload's CPU time goes: its call chains sampled with
 * perf_event_open over the same window as its counters, then named and put
 * into categories once the window has closed.
 *
 * Plan (once per command or sweep): the event file's `sample` line
 * (eventfile.h) names the events to sample on, in order; each is resolved
 * like a counter (libpfm4, counters.h: an unknown name is FILE:LINE, bad
 * input) and the first that this machine lets a process sample on is the one
 * sampled: cycles where a hardware PMU is exposed, else task-clock (a
 * software clock: no PMU needed). None: sampling is "not measured", with a
 * reason, never an error. The category file (categories.h) is loaded too.
 * Where perf_event_paranoid refuses kernel sampling, only user space is
 * sampled, and the plan's note says so.
 *
 * Sampling one workload: one event per CPU this process may use (pid = the
 * workload, cpu = c, inherit = 1, so every thread it creates is sampled: the
 * kernel refuses to map the buffer of an inherited event with cpu = -1),
 * opened disabled before it execs, each with its ring buffer (1 + 2^k
 * pages), at a fixed frequency (sample_freq, the plan's hz), taking IP,
 * TID and the kernel and user call chain. Enabled and disabled with the
 * counters. While the window runs the harness drains the buffers (their
 * descriptors poll readable at half full, and on every wake-up of its poll
 * loop) into a table of raw chains: no symbol is looked up then. What the
 * kernel could not write (PERF_RECORD_LOST, PERF_RECORD_LOST_SAMPLES) and
 * chains the table could not keep are counted as lost.
 *
 * After the window: its memory map, read right after the window closed,
 * names its addresses (symbols.h), the chains are folded (stacks.h), written
 * to a folded file, and counted per category.
 *
 * Test hook: COPYSCOPE_KALLSYMS names another kallsyms file.
 * Memory: a plan owns its categories and kernel symbols; a sampler its
 * descriptors, mappings and tables. Errors: -1 with one line in err.
 */
#ifndef COPYSCOPE_SAMPLER_H
#define COPYSCOPE_SAMPLER_H

#include <linux/perf_event.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "categories.h"
#include "eventfile.h"
#include "stacks.h"

#define SAMPLER_CPUS_MAX 256
#define SAMPLER_PAGES	 32 /* data pages per CPU: 128 KiB, about 400 chains */

struct sample_plan;
struct sampler;

/*
 * Resolves spec's events (source names the event file, for FILE:LINE) and
 * loads the category file at categories_path. 0, or -1: bad input.
 */
int sample_plan_build(const struct sample_spec *spec, const char *source,
		      const char *categories_path, struct sample_plan **out, char *err,
		      size_t errlen);
void sample_plan_free(struct sample_plan *plan);

unsigned sample_plan_hz(const struct sample_plan *plan);
/* The event sampled (as the event file names it), or NULL: none can be here. */
const char *sample_plan_event(const struct sample_plan *plan);
/* Why none can be sampled, or what is left out (kernel frames); "" when all is well. */
const char *sample_plan_note(const struct sample_plan *plan);
/* 1 when samples measure CPU time (task-clock, cpu-clock, cycles): a share
 * of them is a share of CPU time, and times CPU ns per byte gives ns per byte. */
int sample_plan_time_based(const struct sample_plan *plan);
const struct category_set *sample_plan_categories(const struct sample_plan *plan);

/* The kernel's symbols, read the first time they are asked for; NULL when
 * they cannot be read (note says why). */
const struct ksyms *sample_plan_ksyms(struct sample_plan *plan, const char **note);

/* Opens the per-CPU events on pid (disabled). NULL only when out of memory;
 * events that cannot be opened leave the sampler empty, with a reason. */
struct sampler *sampler_open(const struct sample_plan *plan, pid_t pid);
void sampler_close(struct sampler *s);

/* Its descriptors, to poll for readable (at most max): how many. */
size_t sampler_fds(const struct sampler *s, int *fds, size_t max);

/* Window edges: ioctls on every per-CPU event. 0, or -1 with errno. */
int sampler_enable(struct sampler *s);
int sampler_disable(struct sampler *s);

/* Moves what the ring buffers hold into the table of raw chains. */
void sampler_drain(struct sampler *s);

/* Reads the workload's memory map (call it right after the window closes,
 * while it still runs). 0, or -1: its user frames will read "[unknown]". */
int sampler_keep_maps(struct sampler *s, pid_t pid);

/* What sampling one workload gave. */
struct sample_result {
	int measured;	  /* 0: nothing was sampled (reason); its cells stay empty */
	uint64_t samples; /* chains counted */
	uint64_t lost;	  /* samples the kernel or the table lost */
	uint64_t per_category[CATEGORY_MAX]; /* samples, in the plan's category order */
	uint64_t unmatched;		     /* of them, other because no rule decided */
	double after_s; /* seconds spent after the window: naming, folding, writing */
	char reason[256];
};

/*
 * After the window: a last drain, the chains named, folded, written to
 * folded_path (NULL: not written) and counted per category into r. 0, or -1
 * with err (the folded file could not be written; r is filled anyway).
 */
int sampler_finish(struct sampler *s, struct sample_plan *plan, const char *folded_path,
		   struct sample_result *r, char *err, size_t errlen);

/* --- the ring buffer, exposed for tests ----------------------------------- */

/* What the records of a ring buffer said. */
struct ring_counts {
	uint64_t samples;   /* PERF_RECORD_SAMPLE records counted into the table */
	uint64_t lost;	    /* PERF_RECORD_LOST(_SAMPLES), and samples the table dropped */
	uint64_t throttled; /* PERF_RECORD_THROTTLE: the kernel slowed sampling down */
	uint64_t malformed; /* records shorter than they say */
};

/*
 * Reads every record between meta->data_tail and meta->data_head of the data
 * area (data_size bytes, a power of two; a record may wrap around its end),
 * as the kernel writes them for sample_type IP | TID | CALLCHAIN, adds the
 * samples' chains to t and counts into c, and moves data_tail to the head.
 */
void sampler_ring_read(struct perf_event_mmap_page *meta, const unsigned char *data,
		       size_t data_size, struct stack_table *t, struct ring_counts *c);

#endif
