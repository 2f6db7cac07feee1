/*
 * Sampling (sampler.h): the ring-buffer reader fed synthetic records as the
 * kernel writes them (samples, lost records, throttling, a record wrapping
 * the ring's end, a malformed one), the plan's choice of event, and one real
 * sampler on this process, opened and read as on a workload.
 */
#include <criterion/criterion.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "counters.h"
#include "sampler.h"

#define RING_SIZE 4096
#define KCTX	  ((uint64_t)PERF_CONTEXT_KERNEL)
#define UCTX	  ((uint64_t)PERF_CONTEXT_USER)

static char err[1024];

/* A ring buffer as mmap gives it: the control page, then the data. */
struct fake_ring {
	struct perf_event_mmap_page meta;
	unsigned char data[RING_SIZE];
};

static void ring_put(struct fake_ring *r, const void *rec, size_t len)
{
	const unsigned char *p = rec;
	for (size_t i = 0; i < len; i++)
		r->data[(r->meta.data_head + i) % RING_SIZE] = p[i];
	r->meta.data_head += len;
}

/* A PERF_RECORD_SAMPLE of sample_type IP | TID | CALLCHAIN. */
static void put_sample(struct fake_ring *r, uint16_t misc, uint64_t ip, const uint64_t *chain,
		       uint64_t nr)
{
	uint64_t rec[64] = {0};
	struct perf_event_header h = {PERF_RECORD_SAMPLE, misc, (uint16_t)(32 + 8 * nr)};
	memcpy(&rec[0], &h, sizeof(h));
	rec[1] = ip;
	rec[2] = (uint64_t)4242 << 32 | 4243; /* tid, pid */
	rec[3] = nr;
	if (nr)
		memcpy(&rec[4], chain, nr * sizeof(*chain));
	ring_put(r, rec, h.size);
}

static void put_lost(struct fake_ring *r, uint64_t lost)
{
	uint64_t rec[3];
	struct perf_event_header h = {PERF_RECORD_LOST, 0, sizeof(rec)};
	memcpy(&rec[0], &h, sizeof(h));
	rec[1] = 7; /* id */
	rec[2] = lost;
	ring_put(r, rec, sizeof(rec));
}

static void put_plain(struct fake_ring *r, uint32_t type, uint64_t value, size_t words)
{
	uint64_t rec[4] = {0, value, value, value};
	struct perf_event_header h = {type, 0, (uint16_t)(8 * words)};
	memcpy(&rec[0], &h, sizeof(h));
	ring_put(r, rec, 8 * words);
}

static const uint64_t kchain[] = {KCTX, 0xffffffff81001010ull, 0xffffffff81002010ull, UCTX,
				  0x401000};

Test(sampler, samples_lost_and_throttle_records_are_counted)
{
	struct fake_ring *r = calloc(1, sizeof(*r));
	struct stack_table *t = stack_table_new();
	struct ring_counts c = {0};
	put_sample(r, PERF_RECORD_MISC_KERNEL, kchain[1], kchain, 5);
	put_lost(r, 17);
	put_sample(r, PERF_RECORD_MISC_KERNEL, kchain[1], kchain, 5);
	put_plain(r, PERF_RECORD_LOST_SAMPLES, 3, 2);
	put_plain(r, PERF_RECORD_THROTTLE, 1, 4);
	put_plain(r, PERF_RECORD_COMM, 0, 3); /* not ours: skipped */
	sampler_ring_read(&r->meta, r->data, RING_SIZE, t, &c);
	cr_assert_eq(c.samples, 2);
	cr_assert_eq(c.lost, 20);
	cr_assert_eq(c.throttled, 1);
	cr_assert_eq(c.malformed, 0);
	cr_assert_eq(stack_table_unique(t), 1);
	cr_assert_eq(r->meta.data_tail, r->meta.data_head, "the kernel may write again");
	stack_table_free(t);
	free(r);
}

Test(sampler, a_record_that_wraps_the_ring_end_is_read_whole)
{
	struct fake_ring *r = calloc(1, sizeof(*r));
	struct stack_table *t = stack_table_new();
	struct ring_counts c = {0};
	r->meta.data_head = r->meta.data_tail = RING_SIZE - 24; /* a sample is 72 bytes */
	put_sample(r, PERF_RECORD_MISC_KERNEL, kchain[1], kchain, 5);
	sampler_ring_read(&r->meta, r->data, RING_SIZE, t, &c);
	cr_assert_eq(c.samples, 1);
	cr_assert_eq(c.malformed, 0);
	/* and it is the chain as written: adding it again adds to its count */
	cr_assert_eq(stack_table_add(t, kchain, 5), 0);
	cr_assert_eq(stack_table_unique(t), 1);
	stack_table_free(t);
	free(r);
}

Test(sampler, reading_twice_reads_only_what_came_since)
{
	struct fake_ring *r = calloc(1, sizeof(*r));
	struct stack_table *t = stack_table_new();
	struct ring_counts c = {0};
	for (int round = 0; round < 200; round++) { /* wraps the ring several times */
		put_sample(r, PERF_RECORD_MISC_USER, 0x401000, kchain + 3, 2);
		sampler_ring_read(&r->meta, r->data, RING_SIZE, t, &c);
	}
	cr_assert_eq(c.samples, 200);
	cr_assert_eq(stack_table_samples(t), 200);
	stack_table_free(t);
	free(r);
}

Test(sampler, a_sample_without_a_chain_keeps_its_ip_in_its_context)
{
	struct fake_ring *r = calloc(1, sizeof(*r));
	struct stack_table *t = stack_table_new();
	struct ring_counts c = {0};
	put_sample(r, PERF_RECORD_MISC_KERNEL, 0xffffffff81004010ull, NULL, 0);
	sampler_ring_read(&r->meta, r->data, RING_SIZE, t, &c);
	cr_assert_eq(c.samples, 1);
	struct ksyms *k = NULL;
	cr_assert_eq(ksyms_load("tests/fixtures/sampling/kallsyms", &k, err, sizeof(err)), 0);
	struct folded *f = NULL;
	cr_assert_eq(stacks_fold(t, k, NULL, &f, err, sizeof(err)), 0, "%s", err);
	const struct chain_frame *frames;
	size_t n;
	uint64_t count;
	folded_entry(f, 0, &frames, &n, &count);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(frames[0].name, "gup_fast_fallback");
	cr_assert(frames[0].kernel);
	folded_free(f);
	ksyms_free(k);
	stack_table_free(t);
	free(r);
}

Test(sampler, a_malformed_record_ends_the_read_and_is_counted)
{
	struct fake_ring *r = calloc(1, sizeof(*r));
	struct stack_table *t = stack_table_new();
	struct ring_counts c = {0};
	put_sample(r, PERF_RECORD_MISC_KERNEL, kchain[1], kchain, 5);
	put_plain(r, PERF_RECORD_SAMPLE, 0, 2); /* 16 bytes: no room for ip, tid, nr */
	put_sample(r, PERF_RECORD_MISC_KERNEL, kchain[1], kchain, 5);
	uint64_t bad[1];
	struct perf_event_header h = {PERF_RECORD_SAMPLE, 0, 4}; /* shorter than a header */
	memcpy(bad, &h, sizeof(h));
	ring_put(r, bad, 8);
	put_sample(r, PERF_RECORD_MISC_KERNEL, kchain[1], kchain, 5);
	sampler_ring_read(&r->meta, r->data, RING_SIZE, t, &c);
	cr_assert_eq(c.samples, 2, "the two before the broken header");
	cr_assert_eq(c.malformed, 2);
	cr_assert_eq(r->meta.data_tail, r->meta.data_head);
	stack_table_free(t);
	free(r);
}

Test(sampler, a_chain_longer_than_its_record_is_malformed)
{
	struct fake_ring *r = calloc(1, sizeof(*r));
	struct stack_table *t = stack_table_new();
	struct ring_counts c = {0};
	uint64_t rec[5] = {0, 0x1, 0x2, 1000, UCTX}; /* nr 1000 in a 40-byte record */
	struct perf_event_header h = {PERF_RECORD_SAMPLE, 0, sizeof(rec)};
	memcpy(rec, &h, sizeof(h));
	ring_put(r, rec, sizeof(rec));
	sampler_ring_read(&r->meta, r->data, RING_SIZE, t, &c);
	cr_assert_eq(c.samples, 0);
	cr_assert_eq(c.malformed, 1);
	stack_table_free(t);
	free(r);
}

/* --- the plan ----------------------------------------------------------------- */

static struct sample_plan *plan_for(const char *events, unsigned hz)
{
	struct sample_spec spec = {.line = 3, .hz = hz};
	char list[256];
	snprintf(list, sizeof(list), "%s", events);
	for (char *e = strtok(list, ","); e; e = strtok(NULL, ","))
		snprintf(spec.event[spec.n++], sizeof(spec.event[0]), "%s", e);
	struct sample_plan *p = NULL;
	cr_assert_eq(sample_plan_build(&spec, "t.events", "perfcfg/categories/default.cat", &p, err,
				       sizeof(err)),
		     0, "%s", err);
	return p;
}

static int have_hw_pmu(void)
{
	char why[256];
	return counters_hw_pmu_available(why, sizeof(why));
}

Test(sampler, the_default_events_sample_cycles_or_else_task_clock)
{
	struct sample_plan *p = plan_for(SAMPLE_EVENTS_DEFAULT, SAMPLE_HZ_DEFAULT);
	cr_assert_not_null(sample_plan_event(p), "%s", sample_plan_note(p));
	cr_assert_str_eq(sample_plan_event(p), have_hw_pmu() ? "cycles" : "task-clock");
	cr_assert(sample_plan_time_based(p));
	cr_assert_eq(sample_plan_hz(p), SAMPLE_HZ_DEFAULT);
	if (!have_hw_pmu())
		cr_assert_not_null(strstr(sample_plan_note(p), "cycles: no hardware PMU"), "%s",
				   sample_plan_note(p));
	sample_plan_free(p);
}

Test(sampler, an_unknown_sample_event_is_file_line_bad_input)
{
	struct sample_spec spec = {.line = 7, .hz = 99, .n = 1, .event = {"no-such-event-xyz"}};
	struct sample_plan *p = (void *)1;
	cr_assert_eq(sample_plan_build(&spec, "mine.events", "perfcfg/categories/default.cat", &p,
				       err, sizeof(err)),
		     -1);
	cr_assert_null(p);
	cr_assert_not_null(strstr(err, "mine.events:7: no-such-event-xyz: unknown event"), "%s",
			   err);
}

Test(sampler, a_bad_category_file_is_bad_input)
{
	struct sample_spec spec;
	eventfile_sample_defaults(&spec);
	struct sample_plan *p = (void *)1;
	cr_assert_eq(sample_plan_build(&spec, "t.events", "tests/fixtures/sampling/bad.cat", &p,
				       err, sizeof(err)),
		     -1);
	cr_assert_not_null(strstr(err, "tests/fixtures/sampling/bad.cat:3: category 'TCP'"), "%s",
			   err);
}

/* The path with a PMU: a cache-miss event opens and reads as task-clock does
 * where a PMU is; where none is, it says why and samples nothing. */
Test(sampler, a_miss_event_is_sampled_where_a_pmu_is_and_said_why_not_elsewhere)
{
	struct sample_plan *p = plan_for("LLC-LOAD-MISSES", 99);
	cr_assert_not(sample_plan_time_based(p), "misses are not CPU time");
	struct sampler *s = sampler_open(p, getpid());
	cr_assert_not_null(s);
	struct sample_result r;
	cr_assert_eq(sampler_finish(s, p, NULL, &r, err, sizeof(err)), 0, "%s", err);
	if (have_hw_pmu()) {
		cr_assert_str_eq(sample_plan_event(p), "LLC-LOAD-MISSES");
		cr_assert(r.measured);
	} else {
		cr_assert_null(sample_plan_event(p));
		cr_assert_not_null(strstr(sample_plan_note(p), "nothing can be sampled here: "
							       "LLC-LOAD-MISSES: no hardware PMU"),
				   "%s", sample_plan_note(p));
		cr_assert_not(r.measured);
		cr_assert_str_eq(r.reason, sample_plan_note(p));
	}
	sampler_close(s);
	sample_plan_free(p);
}

/* Busy on the CPU for about ms milliseconds, in a function of its own (the
 * compiler may name its copy sampler_test_spin.constprop.0...). */
__attribute__((noinline)) static unsigned long sampler_test_spin(int ms)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	volatile unsigned long x = 0;
	do {
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i * 7;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
	return x;
}

Test(sampler, a_process_sampled_over_a_window_names_where_it_ran)
{
	struct sample_plan *p = plan_for("task-clock", 999);
	struct sampler *s = sampler_open(p, getpid());
	cr_assert_not_null(s);
	int fds[SAMPLER_CPUS_MAX];
	if (!sampler_fds(s, fds, SAMPLER_CPUS_MAX)) /* e.g. perf_event_paranoid as a user */
		cr_skip_test("cannot sample here");
	cr_assert_eq(sampler_enable(s), 0);
	sampler_test_spin(150);
	cr_assert_eq(sampler_disable(s), 0);
	sampler_drain(s);
	cr_assert_eq(sampler_keep_maps(s, getpid()), 0);
	char path[] = "/tmp/copyscope-test-sampled-XXXXXX";
	close(mkstemp(path));
	struct sample_result r;
	cr_assert_eq(sampler_finish(s, p, path, &r, err, sizeof(err)), 0, "%s", err);
	cr_assert(r.measured);
	cr_assert_gt(r.samples, 0);
	uint64_t sum = 0;
	for (size_t c = 0; c < categories_count(sample_plan_categories(p)); c++)
		sum += r.per_category[c];
	cr_assert_eq(sum, r.samples, "every sample has one category");
	struct folded *f = folded_new();
	cr_assert_eq(folded_read(f, path, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(folded_samples(f), r.samples);
	uint64_t in_spin = 0;
	for (size_t i = 0; i < folded_count(f); i++) {
		const struct chain_frame *frames;
		size_t n;
		uint64_t count;
		folded_entry(f, i, &frames, &n, &count);
		for (size_t j = 0; j < n; j++)
			if (!frames[j].kernel &&
			    !strncmp(frames[j].name, "sampler_test_spin", 17)) {
				in_spin += count;
				break;
			}
	}
	cr_assert_gt(in_spin, 0, "the spinning function is named in the chains");
	folded_free(f);
	unlink(path);
	sampler_close(s);
	sample_plan_free(p);
}
