/*
 * counters — libpfm4 + perf_event_open (see counters.h).
 *
 * <linux/perf_event.h> comes before libpfm's header on purpose: libpfm ships
 * its own copy of the uapi and only skips it when the kernel's is already in.
 */
#include "counters.h"
#include "errmsg.h"

#include <linux/perf_event.h>
#include <perfmon/pfmlib_perf_event.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define TRACEPOINT_PREFIX "tracepoint:"
#define READ_FORMAT	  (PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING)

struct counter_event {
	struct event_spec spec;
	struct perf_event_attr attr;
	char *fstr;
	char group[24];
	char unavailable[COUNTER_REASON_MAX]; /* empty: countable as far as the plan knows */
};

struct counter_plan {
	size_t n;
	struct counter_event *ev;
};

struct counter_slot {
	int fd;	    /* -1: not counted */
	int leader; /* 1: enable/disable go through this fd */
	char reason[COUNTER_REASON_MAX];
};

struct counter_set {
	size_t n;
	struct counter_slot *slot;
};

/* Ours is not called perf_event_open: libpfm's header already defines one. */
static int sys_perf_open(struct perf_event_attr *attr, pid_t pid, int group_fd)
{
	return (int)syscall(SYS_perf_event_open, attr, pid, -1, group_fd, PERF_FLAG_FD_CLOEXEC);
}

static const char *core_or(uint32_t type, const char *other)
{
	return type == PERF_TYPE_HARDWARE || type == PERF_TYPE_HW_CACHE || type == PERF_TYPE_RAW
		   ? "cpu"
		   : other;
}

static void name_group(struct counter_event *ce)
{
	uint32_t t = ce->attr.type;
	if (t == PERF_TYPE_SOFTWARE)
		snprintf(ce->group, sizeof(ce->group), "software");
	else if (t == PERF_TYPE_TRACEPOINT)
		snprintf(ce->group, sizeof(ce->group), "tracepoint");
	else if (t == PERF_TYPE_BREAKPOINT)
		snprintf(ce->group, sizeof(ce->group), "breakpoint");
	else if (!strcmp(core_or(t, ""), "cpu"))
		snprintf(ce->group, sizeof(ce->group), "cpu");
	else {
		/* A dynamic PMU: the core one (sysfs "cpu") joins the cpu group. */
		char buf[32] = "";
		FILE *f = fopen("/sys/bus/event_source/devices/cpu/type", "r");
		if (f) {
			if (!fgets(buf, sizeof(buf), f))
				buf[0] = '\0';
			fclose(f);
		}
		if (buf[0] && (uint32_t)strtoul(buf, NULL, 10) == t)
			snprintf(ce->group, sizeof(ce->group), "cpu");
		else
			snprintf(ce->group, sizeof(ce->group), "pmu%u", t);
	}
}

/* --- tracepoints ------------------------------------------------------------ */

static const char *tracefs_root(void)
{
	static const char *const roots[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
	const char *hook = getenv("COPYSCOPE_TRACEFS"); /* test hook: a fake tracefs, or none */
	size_t n = hook && *hook ? 1 : 2;
	for (size_t i = 0; i < n; i++) {
		const char *root = n == 1 ? hook : roots[i];
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "%s/events", root);
		struct stat st;
		if (!stat(p, &st) && S_ISDIR(st.st_mode))
			return root;
	}
	return NULL;
}

static int valid_tp_part(const char *s, size_t n)
{
	if (n == 0 || n > 100)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

static int resolve_tracepoint(struct counter_event *ce, const char *where, char *err, size_t errlen)
{
	const char *sys = ce->spec.name + strlen(TRACEPOINT_PREFIX);
	const char *colon = strchr(sys, ':');
	if (!colon || !valid_tp_part(sys, (size_t)(colon - sys)) ||
	    !valid_tp_part(colon + 1, strlen(colon + 1)))
		return errmsg_set(err, errlen, "%s: %s: expected tracepoint:<system>:<name>", where,
				  ce->spec.name);
	ce->attr.type = PERF_TYPE_TRACEPOINT;
	ce->attr.size = sizeof(ce->attr);
	ce->fstr = strdup(ce->spec.name);
	if (!ce->fstr)
		return errmsg_set(err, errlen, "%s: out of memory", where);
	const char *root = tracefs_root();
	if (!root) {
		snprintf(ce->unavailable, sizeof(ce->unavailable),
			 "tracefs not mounted (mount -t tracefs nodev /sys/kernel/tracing)");
		return 0;
	}
	char path[512];
	snprintf(path, sizeof(path), "%s/events/%.*s/%s/id", root, (int)(colon - sys), sys,
		 colon + 1);
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return errmsg_set(err, errlen, "%s: %s: unknown tracepoint (no %s)", where,
					  ce->spec.name, path);
		snprintf(ce->unavailable, sizeof(ce->unavailable),
			 "cannot read its id in tracefs (%s)", strerrorname_np(errno));
		return 0;
	}
	unsigned long long id = 0;
	int ok = fscanf(f, "%llu", &id) == 1;
	fclose(f);
	if (!ok)
		return errmsg_set(err, errlen, "%s: %s: %s holds no tracepoint id", where,
				  ce->spec.name, path);
	ce->attr.config = id;
	return 0;
}

/* --- libpfm4 ---------------------------------------------------------------- */

static int pfm_ready(char *err, size_t errlen)
{
	static int state; /* 0 not tried, 1 ok, -1 failed */
	static int code;
	if (state == 0) {
		code = pfm_initialize();
		state = code == PFM_SUCCESS ? 1 : -1;
	}
	if (state < 0)
		return errmsg_set(err, errlen, "libpfm4 failed to initialise: %s",
				  pfm_strerror(code));
	return 0;
}

static int resolve_pfm(struct counter_event *ce, const char *where, char *err, size_t errlen)
{
	if (pfm_ready(err, errlen))
		return -1;
	struct perf_event_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	pfm_perf_encode_arg_t arg;
	memset(&arg, 0, sizeof(arg));
	arg.attr = &attr;
	arg.fstr = &ce->fstr;
	arg.size = sizeof(arg);
	int rc = pfm_get_os_event_encoding(ce->spec.name, PFM_PLM0 | PFM_PLM3,
					   PFM_OS_PERF_EVENT_EXT, &arg);
	if (rc != PFM_SUCCESS)
		return errmsg_set(err, errlen, "%s: %s: unknown event (libpfm4: %s)", where,
				  ce->spec.name, pfm_strerror(rc));
	ce->attr = attr;
	ce->attr.size = sizeof(ce->attr);
	return 0;
}

/* --- the plan --------------------------------------------------------------- */

int counter_plan_build(const struct event_set *events, struct counter_plan **planp, char *err,
		       size_t errlen)
{
	*planp = NULL;
	struct counter_plan *plan = calloc(1, sizeof(*plan));
	if (!plan || (events->n && !(plan->ev = calloc(events->n, sizeof(*plan->ev))))) {
		free(plan);
		return errmsg_set(err, errlen, "out of memory");
	}
	for (size_t i = 0; i < events->n; i++) {
		struct counter_event *ce = &plan->ev[i];
		ce->spec = events->ev[i];
		plan->n = i + 1;
		char where[600];
		if (ce->spec.line > 0)
			snprintf(where, sizeof(where), "%s:%d", events->source, ce->spec.line);
		else
			snprintf(where, sizeof(where), "%s", events->source);
		int rc = strncmp(ce->spec.name, TRACEPOINT_PREFIX, strlen(TRACEPOINT_PREFIX))
			     ? resolve_pfm(ce, where, err, errlen)
			     : resolve_tracepoint(ce, where, err, errlen);
		if (rc) {
			counter_plan_free(plan);
			return -1;
		}
		/* Counting, never sampling; the window is opened and closed by us. */
		ce->attr.sample_period = 0;
		ce->attr.sample_type = 0;
		ce->attr.freq = 0;
		ce->attr.read_format = READ_FORMAT;
		ce->attr.inherit = 1;
		name_group(ce);
	}
	*planp = plan;
	return 0;
}

void counter_plan_free(struct counter_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; i < plan->n; i++)
		free(plan->ev[i].fstr);
	free(plan->ev);
	free(plan);
}

size_t counter_plan_count(const struct counter_plan *plan)
{
	return plan ? plan->n : 0;
}

const struct event_spec *counter_plan_event(const struct counter_plan *plan, size_t i)
{
	return &plan->ev[i].spec;
}

void counter_plan_describe(const struct counter_plan *plan, size_t i, struct counter_desc *d)
{
	const struct counter_event *ce = &plan->ev[i];
	d->key = ce->spec.key;
	d->level = ce->spec.level;
	d->name = ce->spec.name;
	d->fstr = ce->fstr ? ce->fstr : ce->spec.name;
	d->group = ce->group;
	d->type = ce->attr.type;
	d->config = ce->attr.config;
	d->unavailable = ce->unavailable[0] ? ce->unavailable : NULL;
}

/* --- reasons and arithmetic ----------------------------------------------- */

static int paranoid_level(void)
{
	int level = 99;
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	if (f) {
		if (fscanf(f, "%d", &level) != 1)
			level = 99;
		fclose(f);
	}
	return level;
}

const char *counter_open_reason(int err, uint32_t type, char *buf, size_t len)
{
	int core = !strcmp(core_or(type, ""), "cpu");
	switch (err) {
	case ENOENT:
		snprintf(buf, len, "%s (ENOENT)",
			 core				? "no hardware PMU exposed"
			 : type == PERF_TYPE_TRACEPOINT ? "no such tracepoint in this kernel"
							: "not supported by this kernel");
		break;
	case EOPNOTSUPP:
		snprintf(buf, len, "not supported by this PMU for a task (EOPNOTSUPP)");
		break;
	case EACCES:
	case EPERM:
		snprintf(
		    buf, len,
		    "not permitted (%s): run as root or lower kernel.perf_event_paranoid (now %d)",
		    err == EACCES ? "EACCES" : "EPERM", paranoid_level());
		break;
	case ENODEV:
		snprintf(buf, len, "PMU not present on this machine (ENODEV)");
		break;
	case EINVAL:
		snprintf(buf, len, "rejected by this kernel/PMU (EINVAL)");
		break;
	default: {
		const char *name = strerrorname_np(err);
		snprintf(buf, len, "%s (%s)", strerror(err), name ? name : "?");
	}
	}
	return buf;
}

void counter_scale(uint64_t raw, uint64_t enabled, uint64_t running, double *value,
		   double *running_fraction)
{
	if (enabled == 0) { /* never on in the window: nothing was measured, not 0 */
		*value = NAN;
		*running_fraction = NAN;
	} else if (running == 0) {
		*value = NAN;
		*running_fraction = 0.0;
	} else if (running >= enabled) {
		*value = (double)raw;
		*running_fraction = 1.0;
	} else {
		*value = (double)((long double)raw * enabled / running);
		*running_fraction = (double)running / (double)enabled;
	}
}

/* Opens attr on this process and closes it: 1 with reason "yes", or 0 with
 * why the kernel refused. */
static int probe_open(struct perf_event_attr *attr, char *reason, size_t len)
{
	int fd = sys_perf_open(attr, 0, -1);
	if (fd < 0) {
		counter_open_reason(errno, attr->type, reason, len);
		return 0;
	}
	close(fd);
	snprintf(reason, len, "yes");
	return 1;
}

int counter_probe(const struct counter_plan *plan, size_t i, char *reason, size_t len)
{
	const struct counter_event *ce = &plan->ev[i];
	if (ce->unavailable[0]) {
		snprintf(reason, len, "%s", ce->unavailable);
		return 0;
	}
	struct perf_event_attr attr = ce->attr;
	attr.disabled = 1;
	attr.inherit = 0;
	return probe_open(&attr, reason, len);
}

int counters_hw_pmu_available(char *reason, size_t len)
{
	struct perf_event_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_HARDWARE;
	attr.config = PERF_COUNT_HW_CPU_CYCLES;
	attr.disabled = 1;
	attr.exclude_kernel = 1; /* so that perf_event_paranoid does not mask the answer */
	attr.exclude_hv = 1;
	return probe_open(&attr, reason, len);
}

/* --- counting a process ----------------------------------------------------- */

/* Opens event i as a member of leader_fd's group, or as a leader when leader_fd < 0. */
static int open_one(const struct counter_event *ce, pid_t pid, int leader_fd)
{
	struct perf_event_attr attr = ce->attr;
	attr.disabled = leader_fd < 0; /* members follow their leader */
	return sys_perf_open(&attr, pid, leader_fd);
}

static int open_group(const struct counter_plan *plan, struct counter_set *set, pid_t pid,
		      const char *group, char *err, size_t errlen)
{
	int leader_fd = -1;
	for (size_t i = 0; i < plan->n; i++) {
		const struct counter_event *ce = &plan->ev[i];
		struct counter_slot *s = &set->slot[i];
		if (strcmp(ce->group, group) || s->fd >= 0 || s->reason[0])
			continue;
		if (ce->unavailable[0]) {
			snprintf(s->reason, sizeof(s->reason), "%s", ce->unavailable);
			continue;
		}
		int fd = open_one(ce, pid, leader_fd);
		int leader = leader_fd < 0;
		if (fd < 0 && leader_fd >= 0 && errno == EINVAL) {
			/* The group cannot fit on the PMU with it: count it on its own. */
			fd = open_one(ce, pid, -1);
			leader = 1;
		}
		if (fd < 0) {
			if (errno == ESRCH)
				return errmsg_set(err, errlen,
						  "perf_event_open on pid %d: no such process",
						  (int)pid);
			if (errno == ENOMEM || errno == EMFILE || errno == ENFILE)
				return errmsg_set(err, errlen, "perf_event_open: %s",
						  strerror(errno));
			counter_open_reason(errno, ce->attr.type, s->reason, sizeof(s->reason));
			continue;
		}
		s->fd = fd;
		s->leader = leader;
		if (leader_fd < 0)
			leader_fd = fd;
	}
	return 0;
}

int counter_set_open(const struct counter_plan *plan, pid_t pid, struct counter_set **setp,
		     char *err, size_t errlen)
{
	*setp = NULL;
	struct counter_set *set = calloc(1, sizeof(*set));
	if (!set || (plan->n && !(set->slot = calloc(plan->n, sizeof(*set->slot))))) {
		free(set);
		return errmsg_set(err, errlen, "out of memory");
	}
	set->n = plan->n;
	for (size_t i = 0; i < set->n; i++)
		set->slot[i].fd = -1;
	/* One group per PMU, in the order the PMUs first appear in the plan. */
	for (size_t i = 0; i < plan->n; i++) {
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(plan->ev[j].group, plan->ev[i].group);
		if (!seen && open_group(plan, set, pid, plan->ev[i].group, err, errlen)) {
			counter_set_close(set);
			return -1;
		}
	}
	*setp = set;
	return 0;
}

static int leaders_ioctl(struct counter_set *set, unsigned long request)
{
	int rc = 0;
	for (size_t i = 0; set && i < set->n; i++)
		if (set->slot[i].fd >= 0 && set->slot[i].leader &&
		    ioctl(set->slot[i].fd, request, PERF_IOC_FLAG_GROUP) < 0)
			rc = -1;
	return rc;
}

int counter_set_enable(struct counter_set *set)
{
	return leaders_ioctl(set, PERF_EVENT_IOC_ENABLE);
}

int counter_set_disable(struct counter_set *set)
{
	return leaders_ioctl(set, PERF_EVENT_IOC_DISABLE);
}

int counter_set_read(struct counter_set *set, struct counter_value *values, char *err,
		     size_t errlen)
{
	for (size_t i = 0; i < set->n; i++) {
		struct counter_value *v = &values[i];
		memset(v, 0, sizeof(*v));
		v->value = v->running = NAN;
		const struct counter_slot *s = &set->slot[i];
		if (s->fd < 0) {
			snprintf(v->reason, sizeof(v->reason), "%s", s->reason);
			continue;
		}
		uint64_t buf[3];
		ssize_t got = read(s->fd, buf, sizeof(buf));
		if (got != (ssize_t)sizeof(buf))
			return errmsg_set(err, errlen, "reading a counter: %s",
					  got < 0 ? strerror(errno) : "short read");
		v->counted = 1;
		v->raw = buf[0];
		v->time_enabled = buf[1];
		v->time_running = buf[2];
		counter_scale(v->raw, v->time_enabled, v->time_running, &v->value, &v->running);
	}
	return 0;
}

const char *counter_set_reason(const struct counter_set *set, size_t i)
{
	return set->slot[i].fd >= 0 ? NULL : set->slot[i].reason;
}

void counter_set_close(struct counter_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		if (set->slot[i].fd >= 0)
			close(set->slot[i].fd);
	free(set->slot);
	free(set);
}
