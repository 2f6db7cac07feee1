/* sampler — a workload's call chains over the window, then their categories; see sampler.h. */
#include "sampler.h"
#include "counters.h"
#include "errmsg.h"
#include "perfopen.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define SAMPLE_TYPE (PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_CALLCHAIN)
#define RECORD_MAX  65536 /* a record's size is 16 bits */

/* --- the plan --------------------------------------------------------------- */

struct sample_plan {
	unsigned hz;
	int chosen; /* index into event[], -1: none can be sampled */
	char event[SAMPLE_ALT_MAX][EVENT_NAME_MAX + 1];
	uint32_t type;
	uint64_t config;
	int exclude_kernel; /* perf_event_paranoid refuses kernel sampling */
	char note[1024];
	struct category_set *cats;
	struct ksyms *ksyms;
	int ksyms_tried;
	char ksyms_note[768];
};

static void sampling_attr(const struct sample_plan *p, struct perf_event_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->type = p->type;
	a->config = p->config;
	if (p->type == PERF_TYPE_TRACEPOINT) {
		a->sample_period = 1; /* a tracepoint hit is the event: every one */
	} else {
		a->freq = 1;
		a->sample_freq = p->hz;
	}
	a->sample_type = SAMPLE_TYPE;
	a->disabled = 1;
	a->exclude_kernel = p->exclude_kernel;
	a->exclude_hv = 1;
	a->watermark = 1;
}

/* Test-opens the plan's event on the calling process: 0, or the errno. */
static int try_sampling(struct sample_plan *p)
{
	struct perf_event_attr a;
	sampling_attr(p, &a);
	int fd = perf_open(&a, 0, -1, -1);
	if (fd < 0)
		return errno ? errno : EINVAL;
	close(fd);
	return 0;
}

static int read_paranoid(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	int v = COUNTER_PARANOID_UNKNOWN;
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = COUNTER_PARANOID_UNKNOWN;
		fclose(f);
	}
	return v;
}

/* The first alternative this machine samples on: into p->chosen; the note
 * says why those before it could not be, or why none can. */
static void choose_event(struct sample_plan *p, const struct counter_plan *cp, size_t n)
{
	char why[sizeof(p->note)] = "", kernel[sizeof(p->note)] = "";
	size_t used = 0;
	p->chosen = -1;
	for (size_t i = 0; i < n && p->chosen < 0; i++) {
		struct counter_desc d;
		counter_plan_describe(cp, i, &d);
		p->type = d.type;
		p->config = d.config;
		p->exclude_kernel = 0;
		int e = d.unavailable ? ENOENT : try_sampling(p);
		if (e == EACCES || e == EPERM) { /* perf_event_paranoid: user space alone? */
			p->exclude_kernel = 1;
			e = try_sampling(p);
			if (!e)
				snprintf(
				    kernel, sizeof(kernel),
				    "; kernel frames not sampled: kernel.perf_event_paranoid is "
				    "%d (2 or more refuses kernel sampling without CAP_PERFMON; "
				    "run as root or set it to 1)",
				    read_paranoid());
		}
		if (!e) {
			p->chosen = (int)i;
			break;
		}
		char reason[COUNTER_REASON_MAX];
		used += (size_t)snprintf(
		    why + used, sizeof(why) - used, "%s%s: %s", i ? "; " : "", p->event[i],
		    d.unavailable ? d.unavailable
				  : counter_open_reason(e, d.type, reason, sizeof(reason)));
		if (used >= sizeof(why))
			used = sizeof(why) - 1;
	}
	if (p->chosen < 0)
		snprintf(p->note, sizeof(p->note), "nothing can be sampled here: %s", why);
	else if (p->chosen > 0 || kernel[0])
		snprintf(p->note, sizeof(p->note), "%s sampled%s%.400s%s", p->event[p->chosen],
			 why[0] ? ", as " : "", why, kernel);
}

int sample_plan_build(const struct sample_spec *spec, const char *source,
		      const char *categories_path, struct sample_plan **out, char *err,
		      size_t errlen)
{
	*out = NULL;
	struct sample_plan *p = calloc(1, sizeof(*p));
	struct event_set alts = {.n = spec->n};
	alts.ev = calloc(spec->n ? spec->n : 1, sizeof(*alts.ev));
	if (!p || !alts.ev) {
		free(p);
		free(alts.ev);
		return errmsg_set(err, errlen, "out of memory");
	}
	snprintf(alts.source, sizeof(alts.source), "%s", source);
	p->hz = spec->hz;
	for (size_t i = 0; i < spec->n; i++) {
		snprintf(alts.ev[i].key, sizeof(alts.ev[i].key), "sample_%zu", i + 1);
		snprintf(alts.ev[i].level, sizeof(alts.ev[i].level), "-");
		snprintf(alts.ev[i].name, sizeof(alts.ev[i].name), "%s", spec->event[i]);
		alts.ev[i].line = spec->line;
		snprintf(p->event[i], sizeof(p->event[i]), "%s", spec->event[i]);
	}
	struct counter_plan *cp = NULL;
	int rc = counter_plan_build(&alts, &cp, err, errlen);
	free(alts.ev);
	if (!rc)
		rc = categories_load(categories_path, &p->cats, err, errlen);
	if (rc) {
		counter_plan_free(cp);
		sample_plan_free(p);
		return -1;
	}
	choose_event(p, cp, spec->n);
	counter_plan_free(cp);
	*out = p;
	return 0;
}

void sample_plan_free(struct sample_plan *p)
{
	if (!p)
		return;
	categories_free(p->cats);
	ksyms_free(p->ksyms);
	free(p);
}

unsigned sample_plan_hz(const struct sample_plan *p)
{
	return p->hz;
}

const char *sample_plan_event(const struct sample_plan *p)
{
	return p->chosen >= 0 ? p->event[p->chosen] : NULL;
}

const char *sample_plan_note(const struct sample_plan *p)
{
	return p->note;
}

int sample_plan_time_based(const struct sample_plan *p)
{
	if (p->chosen < 0)
		return 0;
	if (p->type == PERF_TYPE_SOFTWARE)
		return p->config == PERF_COUNT_SW_TASK_CLOCK ||
		       p->config == PERF_COUNT_SW_CPU_CLOCK;
	if (p->type == PERF_TYPE_HARDWARE)
		return p->config == PERF_COUNT_HW_CPU_CYCLES ||
		       p->config == PERF_COUNT_HW_REF_CPU_CYCLES;
	return 0;
}

const struct category_set *sample_plan_categories(const struct sample_plan *p)
{
	return p->cats;
}

const struct ksyms *sample_plan_ksyms(struct sample_plan *p, const char **note)
{
	if (!p->ksyms_tried) {
		p->ksyms_tried = 1;
		const char *path = getenv("COPYSCOPE_KALLSYMS");
		char err[400];
		if (ksyms_load(path && *path ? path : SYMBOLS_KALLSYMS, &p->ksyms, err,
			       sizeof(err)))
			snprintf(p->ksyms_note, sizeof(p->ksyms_note),
				 "kernel symbols unreadable: %s: kernel frames are %s", err,
				 SYMBOLS_KERNEL_UNKNOWN);
		else
			snprintf(p->ksyms_note, sizeof(p->ksyms_note), "%s", ksyms_note(p->ksyms));
	}
	if (note)
		*note = p->ksyms_note;
	return p->ksyms;
}

/* --- one workload ------------------------------------------------------------ */

struct sampler {
	size_t n;
	int fd[SAMPLER_CPUS_MAX];
	void *map[SAMPLER_CPUS_MAX];
	size_t map_len, data_size, page;
	struct stack_table *stacks;
	struct ring_counts counts;
	char *maps;
	size_t maps_len;
	char reason[256];
};

/* Data pages per CPU: fewer where many CPUs would lock much memory. */
static size_t data_pages(int ncpus)
{
	return ncpus > 64 ? 8 : ncpus > 16 ? 16 : SAMPLER_PAGES;
}

static int open_cpu(struct sampler *s, const struct sample_plan *plan, pid_t pid, int cpu,
		    size_t pages)
{
	struct perf_event_attr a;
	sampling_attr(plan, &a);
	a.inherit = 1;
	a.wakeup_watermark = (uint32_t)(pages * s->page / 2);
	int fd = perf_open(&a, pid, cpu, -1);
	if (fd < 0) {
		char why[COUNTER_REASON_MAX];
		snprintf(s->reason, sizeof(s->reason), "CPU %d: %s", cpu,
			 counter_open_reason(errno, a.type, why, sizeof(why)));
		return -1;
	}
	for (; pages >= 8; pages /= 2) { /* a locked-memory limit: try smaller */
		void *m =
		    mmap(NULL, (pages + 1) * s->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m != MAP_FAILED) {
			s->fd[s->n] = fd;
			s->map[s->n++] = m;
			s->map_len = (pages + 1) * s->page;
			s->data_size = pages * s->page;
			return 0;
		}
	}
	snprintf(s->reason, sizeof(s->reason), "CPU %d: cannot map its ring buffer: %s", cpu,
		 strerror(errno));
	close(fd);
	return -1;
}

struct sampler *sampler_open(const struct sample_plan *plan, pid_t pid)
{
	struct sampler *s = calloc(1, sizeof(*s));
	if (!s || !(s->stacks = stack_table_new())) {
		free(s);
		return NULL;
	}
	s->page = (size_t)sysconf(_SC_PAGESIZE);
	if (plan->chosen < 0) {
		snprintf(s->reason, sizeof(s->reason), "%.255s", plan->note);
		return s;
	}
	cpu_set_t set;
	CPU_ZERO(&set);
	int ncpus = sched_getaffinity(0, sizeof(set), &set) ? 0 : CPU_COUNT(&set);
	size_t pages = data_pages(ncpus);
	for (int c = 0; c < CPU_SETSIZE && s->n < SAMPLER_CPUS_MAX; c++)
		if (CPU_ISSET(c, &set))
			open_cpu(s, plan, pid, c, pages); /* a failure keeps its reason */
	if (s->n && (size_t)ncpus > s->n && !s->reason[0])
		snprintf(s->reason, sizeof(s->reason), "sampled on %zu of %d CPUs", s->n, ncpus);
	return s;
}

void sampler_close(struct sampler *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		munmap(s->map[i], s->map_len);
		close(s->fd[i]);
	}
	stack_table_free(s->stacks);
	free(s->maps);
	free(s);
}

size_t sampler_fds(const struct sampler *s, int *fds, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; s && i < s->n && n < max; i++)
		fds[n++] = s->fd[i];
	return n;
}

static int switch_all(struct sampler *s, unsigned long request)
{
	int rc = 0;
	for (size_t i = 0; s && i < s->n; i++)
		if (ioctl(s->fd[i], request, 0) < 0)
			rc = -1;
	return rc;
}

int sampler_enable(struct sampler *s)
{
	return switch_all(s, PERF_EVENT_IOC_ENABLE);
}

int sampler_disable(struct sampler *s)
{
	return switch_all(s, PERF_EVENT_IOC_DISABLE);
}

void sampler_drain(struct sampler *s)
{
	for (size_t i = 0; s && i < s->n; i++)
		sampler_ring_read(s->map[i], (const unsigned char *)s->map[i] + s->page,
				  s->data_size, s->stacks, &s->counts);
}

int sampler_keep_maps(struct sampler *s, pid_t pid)
{
	if (!s || !s->n)
		return 0;
	char err[256];
	free(s->maps);
	s->maps = NULL;
	return symbols_read_maps(pid, &s->maps, &s->maps_len, err, sizeof(err));
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int sampler_finish(struct sampler *s, struct sample_plan *plan, const char *folded_path,
		   struct sample_result *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	if (!s || !s->n) {
		snprintf(r->reason, sizeof(r->reason), "%.255s",
			 s && s->reason[0] ? s->reason : "not sampled");
		return 0;
	}
	sampler_drain(s);
	double t0 = now_s();
	snprintf(r->reason, sizeof(r->reason), "%.255s", s->reason);
	struct usyms *u = NULL;
	char why[256];
	if (s->maps)
		u = usyms_open(s->maps, s->maps_len, why, sizeof(why));
	struct folded *f = NULL;
	int rc = stacks_fold(s->stacks, sample_plan_ksyms(plan, NULL), u, &f, err, errlen);
	usyms_close(u);
	if (!rc) {
		r->measured = 1;
		r->samples = folded_samples(f);
		r->lost = s->counts.lost;
		folded_categorize(f, plan->cats, r->per_category, &r->unmatched);
		if (folded_path)
			rc = folded_write_file(f, folded_path, err, errlen);
	}
	folded_free(f);
	r->after_s = now_s() - t0;
	return rc;
}

/* --- the ring buffer ----------------------------------------------------------- */

/* len bytes at offset off of the ring (wrapping at its end) into out. */
static void ring_copy(const unsigned char *data, size_t size, uint64_t off, void *out, size_t len)
{
	size_t at = (size_t)(off & (size - 1));
	size_t first = len < size - at ? len : size - at;
	memcpy(out, data + at, first);
	memcpy((unsigned char *)out + first, data, len - first);
}

static void take_sample(const uint64_t *rec, size_t size, uint16_t misc, struct stack_table *t,
			struct ring_counts *c)
{
	/* header, ip, pid+tid, nr, ips[nr]: sample_type IP | TID | CALLCHAIN */
	if (size < 4 * sizeof(uint64_t) ||
	    rec[3] > (size - 4 * sizeof(uint64_t)) / sizeof(uint64_t)) {
		c->malformed++;
		return;
	}
	uint64_t nr = rec[3];
	const uint64_t *chain = rec + 4;
	uint64_t only_ip[2];
	if (nr == 0) { /* no chain could be taken: the ip alone, in its context */
		int kernel = (misc & PERF_RECORD_MISC_CPUMODE_MASK) == PERF_RECORD_MISC_KERNEL;
		only_ip[0] = kernel ? (uint64_t)PERF_CONTEXT_KERNEL : (uint64_t)PERF_CONTEXT_USER;
		only_ip[1] = rec[1];
		chain = only_ip;
		nr = 2;
	}
	if (stack_table_add(t, chain, (size_t)nr))
		c->lost++;
	else
		c->samples++;
}

void sampler_ring_read(struct perf_event_mmap_page *meta, const unsigned char *data,
		       size_t data_size, struct stack_table *t, struct ring_counts *c)
{
	uint64_t rec[RECORD_MAX / sizeof(uint64_t)];
	uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = meta->data_tail;
	if (head - tail > data_size) { /* the kernel never writes past the tail */
		c->malformed++;
		tail = head;
	}
	while (tail < head) {
		struct perf_event_header h;
		ring_copy(data, data_size, tail, &h, sizeof(h));
		if (h.size < sizeof(h) || h.size > head - tail) {
			c->malformed++;
			tail = head; /* nothing after it can be trusted */
			break;
		}
		ring_copy(data, data_size, tail, rec, h.size);
		if (h.type == PERF_RECORD_SAMPLE)
			take_sample(rec, h.size, h.misc, t, c);
		else if (h.type == PERF_RECORD_LOST && h.size >= 3 * sizeof(uint64_t))
			c->lost += rec[2]; /* header, id, lost */
		else if (h.type == PERF_RECORD_LOST_SAMPLES && h.size >= 2 * sizeof(uint64_t))
			c->lost += rec[1]; /* header, lost */
		else if (h.type == PERF_RECORD_THROTTLE)
			c->throttled++;
		tail += h.size;
	}
	__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
}
