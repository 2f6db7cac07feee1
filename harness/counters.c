/*
 * counters — libpfm4 + perf_event_open (see counters.h).
 *
 * <linux/perf_event.h> comes before libpfm's header on purpose: libpfm ships
 * its own copy of the uapi and only skips it when the kernel's is already in.
 */
#include "counters.h"
#include "fdio.h"
#include "errmsg.h"

#include <linux/perf_event.h>
#include <perfmon/pfmlib_perf_event.h>

#include "perfopen.h"

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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TRACEPOINT_PREFIX "tracepoint:"
#define READ_FORMAT	  (PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING)
#define NEVER_RAN	  "never on the PMU (time_running 0): "
#define SPLIT_NOTE	  "opened alone, as its group never got on the PMU together here: "

struct counter_event {
	struct event_spec spec;
	struct perf_event_attr attr;
	char *fstr;
	char group[24];
	size_t gidx;			      /* the first event of its group */
	char pmu[COUNTER_PMU_NAME_MAX];	      /* libpfm4's PMU that encoded it */
	int assumed;			      /* encoded for opts.assume_pmu (forced) */
	char native[EVENT_NAME_MAX + 1];      /* the native event to count instead, or "" */
	char unavailable[COUNTER_REASON_MAX]; /* empty: countable as far as the plan knows */
};

/* What opening the plan taught: groups that never run together here. It is
 * the only part of a plan that changes after counter_plan_build(). */
struct counter_learnt {
	unsigned char *tried;		  /* per group (gidx): test-run on this process */
	unsigned char *alone;		  /* per event: open it alone */
	char (*note)[COUNTER_REASON_MAX]; /* per event: why it is opened alone */
};

struct counter_plan {
	size_t n;
	struct counter_event *ev;
	int hw; /* counters_hw_pmu_state() at build time */
	char hw_reason[COUNTER_REASON_MAX];
	struct counter_pmu core; /* the core PMU libpfm4 detects ("" none) */
	char native_source[64];
	struct counter_learnt *learnt;
};

struct counter_slot {
	int fd;		   /* -1: not counted */
	int leader;	   /* 1: enable/disable go through this fd */
	size_t leader_idx; /* the event whose fd leads its group */
	char reason[COUNTER_REASON_MAX];
};

struct counter_set {
	size_t n;
	const struct counter_plan *plan;
	struct counter_slot *slot;
};

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

/* --- PMUs as libpfm4 knows them ------------------------------------------- */

static void pmu_from_info(const pfm_pmu_info_t *in, struct counter_pmu *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", in->name ? in->name : "");
	snprintf(p->desc, sizeof(p->desc), "%s", in->desc ? in->desc : "");
	p->present = in->is_present;
	p->core = in->type == PFM_PMU_TYPE_CORE;
	p->gp = in->num_cntrs;
	p->fixed = in->num_fixed_cntrs;
}

static int pmu_info(pfm_pmu_t id, pfm_pmu_info_t *in)
{
	memset(in, 0, sizeof(*in));
	in->size = sizeof(*in);
	return pfm_get_pmu_info(id, in) == PFM_SUCCESS && in->name ? 0 : -1;
}

int counters_core_pmu(struct counter_pmu *p, int (*prefer)(const char *name), char *others,
		      size_t len)
{
	char err[160];
	memset(p, 0, sizeof(*p));
	if (others && len)
		others[0] = '\0';
	if (pfm_ready(err, sizeof(err)))
		return -1;
	struct counter_pmu first = {0}, preferred = {0};
	pfm_pmu_t id;
	pfm_for_all_pmus(id)
	{
		pfm_pmu_info_t in;
		if (pmu_info(id, &in) || !in.is_present || in.type != PFM_PMU_TYPE_CORE)
			continue;
		struct counter_pmu c;
		pmu_from_info(&in, &c);
		if (!first.name[0])
			first = c;
		if (!preferred.name[0] && prefer && prefer(c.name))
			preferred = c;
	}
	*p = preferred.name[0] ? preferred : first;
	if (!p->name[0])
		return -1;
	pfm_for_all_pmus(id)
	{
		pfm_pmu_info_t in;
		if (pmu_info(id, &in) || !in.is_present || in.type != PFM_PMU_TYPE_CORE ||
		    !strcmp(in.name, p->name) || !others)
			continue;
		size_t used = strlen(others);
		snprintf(others + used, len - used, "%s%s", used ? " " : "", in.name);
	}
	return 0;
}

int counters_find_pmu(const char *name, struct counter_pmu *p)
{
	char err[160];
	memset(p, 0, sizeof(*p));
	if (!name || !*name || pfm_ready(err, sizeof(err)))
		return -1;
	pfm_pmu_t id;
	pfm_for_all_pmus(id)
	{
		pfm_pmu_info_t in;
		if (!pmu_info(id, &in) && !strcmp(in.name, name)) {
			pmu_from_info(&in, p);
			return 0;
		}
	}
	return -1;
}

/* The PMU that encoded event idx: its name, and whether it is the OS's generic one. */
static int event_pmu(int idx, char *name, size_t len, int *generic)
{
	pfm_event_info_t e;
	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	pfm_pmu_info_t in;
	if (idx < 0 || pfm_get_event_info(idx, PFM_OS_NONE, &e) != PFM_SUCCESS ||
	    pmu_info(e.pmu, &in))
		return -1;
	snprintf(name, len, "%s", in.name);
	*generic = in.type == PFM_PMU_TYPE_OS_GENERIC;
	return 0;
}

/* --- encoding ---------------------------------------------------------------- */

/* libpfm4's encoding of name for the perf_event interface, at user+kernel levels. */
static int encode(const char *name, struct perf_event_attr *attr, char **fstr, int *idx)
{
	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	pfm_perf_encode_arg_t arg;
	memset(&arg, 0, sizeof(arg));
	arg.attr = attr;
	arg.fstr = fstr;
	arg.size = sizeof(arg);
	int rc = pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
	if (idx)
		*idx = arg.idx;
	return rc;
}



struct forced_reply {
	int init_rc, rc;
	struct perf_event_attr attr;
	size_t fstr_len;
};

/*
 * Encodes name as libpfm4 does with LIBPFM_FORCE_PMU=pmu, in a child process:
 * forcing a PMU drops libpfm4's generic perf PMU, and re-initialising libpfm4
 * here would leave its state (active flags) behind. 0 with *attr and *fstr,
 * or -1 with why in err (libpfm4's words).
 */
static int encode_forced(const char *pmu, const char *name, struct perf_event_attr *attr,
			 char **fstr, char *why, size_t whylen)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC))
		return errmsg_set(why, whylen, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return errmsg_set(why, whylen, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		close(fds[0]);
		struct forced_reply r;
		memset(&r, 0, sizeof(r));
		char *f = NULL;
		pfm_terminate();
		setenv("LIBPFM_FORCE_PMU", pmu, 1);
		unsetenv("LIBPFM_ENCODE_INACTIVE");
		r.init_rc = pfm_initialize();
		/* Qualified: libpfm4 (4.13) keeps the PMUs active before pfm_terminate()
		 * marked active, and an unqualified name could match one of them. */
		char q[EVENT_NAME_MAX + COUNTER_PMU_NAME_MAX + 8];
		snprintf(q, sizeof(q), "%s%s%s", strstr(name, "::") ? "" : pmu,
			 strstr(name, "::") ? "" : "::", name);
		r.rc = r.init_rc == PFM_SUCCESS ? encode(q, &r.attr, &f, NULL) : r.init_rc;
		r.fstr_len = r.rc == PFM_SUCCESS && f ? strlen(f) : 0;
		int bad = fd_write_all(fds[1], &r, sizeof(r)) || fd_write_all(fds[1], f, r.fstr_len);
		_exit(bad ? 1 : 0);
	}
	close(fds[1]);
	struct forced_reply r;
	int got = fd_read_all(fds[0], &r, sizeof(r)) == 0;
	char *f = NULL;
	if (got && r.rc == PFM_SUCCESS) {
		f = malloc(r.fstr_len + 1);
		got = f && fd_read_all(fds[0], f, r.fstr_len) == 0;
		if (f)
			f[got ? r.fstr_len : 0] = '\0';
	}
	close(fds[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!got || !WIFEXITED(status) || WEXITSTATUS(status)) {
		free(f);
		return errmsg_set(why, whylen, "libpfm4 under LIBPFM_FORCE_PMU=%s did not answer",
				  pmu);
	}
	if (r.init_rc != PFM_SUCCESS)
		return errmsg_set(why, whylen, "libpfm4 cannot assume PMU %s: %s", pmu,
				  pfm_strerror(r.init_rc));
	if (r.rc != PFM_SUCCESS)
		return errmsg_set(why, whylen, "%s", pfm_strerror(r.rc));
	*attr = r.attr;
	*fstr = f;
	return 0;
}

/* "amd64_fam19h_zen3" of "amd64_fam19h_zen3::X:Y", or "". */
static void qualifier(const char *name, char *pmu, size_t len)
{
	const char *sep = strstr(name, "::");
	size_t n = sep ? (size_t)(sep - name) : 0;
	snprintf(pmu, len, "%.*s", (int)(n < len ? n : len - 1), name);
}

static int resolve_pfm(struct counter_event *ce, const struct counter_plan *plan,
		       const char *assume, const char *where, char *err, size_t errlen)
{
	if (pfm_ready(err, errlen))
		return -1;
	struct perf_event_attr attr;
	int idx = -1, generic = 0;
	char *fstr = NULL;
	int rc = encode(ce->spec.name, &attr, &fstr, &idx);
	if (rc == PFM_SUCCESS && event_pmu(idx, ce->pmu, sizeof(ce->pmu), &generic))
		snprintf(ce->pmu, sizeof(ce->pmu), "?");
	char q[COUNTER_PMU_NAME_MAX];
	qualifier(ce->spec.name, q, sizeof(q));
	/* Under an assumed PMU, a name qualified for another PMU resolves as without it. */
	int elsewhere = assume && q[0] && strcmp(q, assume);
	int keep =
	    rc == PFM_SUCCESS && (!assume || generic || elsewhere || !strcmp(ce->pmu, assume));
	if (keep) {
		ce->fstr = fstr;
		ce->attr = attr;
		ce->attr.size = sizeof(ce->attr);
		return 0;
	}
	free(fstr);
	if (!assume || elsewhere) {
		struct counter_pmu other;
		if (q[0] && !counters_find_pmu(q, &other) && !other.present)
			return errmsg_set(
			    err, errlen,
			    "%s: %s: unknown event (libpfm4: %s): %s is not this "
			    "machine's PMU (%s); copyscope events --pmu %s encodes for it",
			    where, ce->spec.name, pfm_strerror(rc), q,
			    plan->core.name[0] ? plan->core.name : "none detected", q);
		return errmsg_set(err, errlen, "%s: %s: unknown event (libpfm4: %s)", where,
				  ce->spec.name, pfm_strerror(rc));
	}
	/* A native name under an assumed PMU: encode it as that PMU would. */
	char why[COUNTER_REASON_MAX];
	if (encode_forced(assume, ce->spec.name, &attr, &fstr, why, sizeof(why)))
		return errmsg_set(err, errlen,
				  "%s: %s: not an event of PMU %s (assumed with --pmu): %s", where,
				  ce->spec.name, assume, why);
	ce->fstr = fstr;
	ce->attr = attr;
	ce->attr.size = sizeof(ce->attr);
	ce->assumed = 1;
	snprintf(ce->pmu, sizeof(ce->pmu), "%s", assume);
	struct counter_pmu a;
	if (counters_find_pmu(assume, &a) || !a.present)
		snprintf(
		    ce->unavailable, sizeof(ce->unavailable),
		    "encoded for %s (--pmu), which this machine does not have (its core PMU: %s): "
		    "not opened",
		    assume, plan->core.name[0] ? plan->core.name : "none detected");
	return 0;
}

/* --- the plan --------------------------------------------------------------- */

static int is_core_type(uint32_t type)
{
	return !strcmp(core_or(type, ""), "cpu");
}

/* The event of native to count instead of ce (same level, else same key), or "". */
static void find_native(struct counter_event *ce, const struct event_set *native)
{
	ce->native[0] = '\0';
	if (!native || (ce->attr.type != PERF_TYPE_HARDWARE && ce->attr.type != PERF_TYPE_HW_CACHE))
		return;
	const struct event_spec *alt = NULL;
	if (event_is_cache_level(&ce->spec))
		alt = event_set_find_level(native, ce->spec.level);
	if (!alt)
		alt = event_set_find(native, ce->spec.key);
	if (alt && strcmp(alt->name, ce->spec.name))
		snprintf(ce->native, sizeof(ce->native), "%s", alt->name);
}

static int learnt_alloc(struct counter_plan *plan)
{
	size_t n = plan->n ? plan->n : 1;
	plan->learnt = calloc(1, sizeof(*plan->learnt));
	if (!plan->learnt)
		return -1;
	plan->learnt->tried = calloc(n, 1);
	plan->learnt->alone = calloc(n, 1);
	plan->learnt->note = calloc(n, sizeof(*plan->learnt->note));
	return plan->learnt->tried && plan->learnt->alone && plan->learnt->note ? 0 : -1;
}

int counter_plan_build(const struct event_set *events, struct counter_plan **planp, char *err,
		       size_t errlen)
{
	return counter_plan_build_opts(events, NULL, planp, err, errlen);
}

int counter_plan_build_opts(const struct event_set *events, const struct counter_plan_opts *opts,
			    struct counter_plan **planp, char *err, size_t errlen)
{
	*planp = NULL;
	const char *assume =
	    opts && opts->assume_pmu && *opts->assume_pmu ? opts->assume_pmu : NULL;
	struct counter_plan *plan = calloc(1, sizeof(*plan));
	if (!plan || (events->n && !(plan->ev = calloc(events->n, sizeof(*plan->ev))))) {
		free(plan);
		return errmsg_set(err, errlen, "out of memory");
	}
	plan->hw = counters_hw_pmu_state(plan->hw_reason, sizeof(plan->hw_reason));
	counters_core_pmu(&plan->core, NULL, NULL, 0);
	if (opts && opts->native_source)
		snprintf(plan->native_source, sizeof(plan->native_source), "%s",
			 opts->native_source);
	if (assume) {
		struct counter_pmu a;
		if (counters_find_pmu(assume, &a)) {
			counter_plan_free(plan);
			return errmsg_set(err, errlen, "--pmu %s: not a PMU this libpfm4 knows",
					  assume);
		}
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
		int rc;
		if (strncmp(ce->spec.name, TRACEPOINT_PREFIX, strlen(TRACEPOINT_PREFIX))) {
			rc = resolve_pfm(ce, plan, assume, where, err, errlen);
		} else {
			rc = resolve_tracepoint(ce, where, err, errlen);
			snprintf(ce->pmu, sizeof(ce->pmu), "tracefs");
		}
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
		find_native(ce, opts ? opts->native : NULL);
		ce->gidx = i;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(plan->ev[j].group, ce->group)) {
				ce->gidx = plan->ev[j].gidx;
				break;
			}
	}
	if (learnt_alloc(plan)) {
		counter_plan_free(plan);
		return errmsg_set(err, errlen, "out of memory");
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
	if (plan->learnt) {
		free(plan->learnt->tried);
		free(plan->learnt->alone);
		free(plan->learnt->note);
		free(plan->learnt);
	}
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
	d->pmu = ce->pmu;
	d->assumed = ce->assumed;
	d->native = ce->native[0] ? ce->native : NULL;
}

/* --- reasons and arithmetic ----------------------------------------------- */

static int paranoid_level(void)
{
	int level = COUNTER_PARANOID_UNKNOWN;
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	if (f) {
		if (fscanf(f, "%d", &level) != 1)
			level = COUNTER_PARANOID_UNKNOWN;
		fclose(f);
	}
	return level;
}

/* What perf_event_paranoid = p refuses a user without CAP_PERFMON, for our
 * counters (a task of our own, user and kernel levels). */
static void not_permitted(char *buf, size_t len, int err, int p)
{
	const char *e = err == EACCES ? "EACCES" : "EPERM";
	if (p == COUNTER_PARANOID_UNKNOWN)
		snprintf(buf, len,
			 "not permitted (%s): run as root or lower kernel.perf_event_paranoid "
			 "(unreadable here) to 1",
			 e);
	else if (p >= 3)
		snprintf(
		    buf, len,
		    "not permitted (%s): kernel.perf_event_paranoid is %d, which refuses every "
		    "perf event to users without CAP_PERFMON: run as root or set it to 1",
		    e, p);
	else if (p == 2)
		snprintf(
		    buf, len,
		    "not permitted (%s): kernel.perf_event_paranoid is 2, which refuses counting "
		    "in the kernel (these counters count user and kernel): run as root or set "
		    "it to 1",
		    e);
	else
		snprintf(
		    buf, len,
		    "not permitted (%s) although kernel.perf_event_paranoid is %d: a container "
		    "or security policy (seccomp, an LSM) refuses perf_event_open",
		    e, p);
}

const char *counter_reason(const struct counter_reason_in *in, char *buf, size_t len)
{
	int core = is_core_type(in->type);
	int generic = in->type == PERF_TYPE_HARDWARE || in->type == PERF_TYPE_HW_CACHE;
	const char *pmu = in->pmu && *in->pmu ? in->pmu : "this machine's";
	switch (in->err) {
	case ENOENT:
		if (core && in->hw == 1 && generic && in->native && *in->native)
			snprintf(
			    buf, len,
			    "the %s PMU has no generic %s (ENOENT): count its native %s instead "
			    "(%s)",
			    pmu, in->name ? in->name : "event", in->native,
			    in->native_source && *in->native_source ? in->native_source
								    : "its event set");
		else if (core && in->hw == 1 && generic)
			snprintf(
			    buf, len,
			    "the %s PMU has no generic %s (ENOENT), and no native event for it is "
			    "known here",
			    pmu, in->name ? in->name : "event");
		else if (core && in->hw == 1)
			snprintf(buf, len, "the %s PMU does not take this event (ENOENT)", pmu);
		else
			snprintf(buf, len, "%s (ENOENT)",
				 core ? "no hardware PMU exposed"
				 : in->type == PERF_TYPE_TRACEPOINT
				     ? "no such tracepoint in this kernel"
				     : "not supported by this kernel");
		break;
	case EOPNOTSUPP:
		snprintf(buf, len, "not supported by this PMU for a task (EOPNOTSUPP)");
		break;
	case EACCES:
	case EPERM:
		not_permitted(buf, len, in->err, in->paranoid);
		break;
	case ENODEV:
		snprintf(buf, len, "PMU not present on this machine (ENODEV)");
		break;
	case EINVAL:
		snprintf(buf, len, "rejected by this kernel/PMU (EINVAL)");
		break;
	default: {
		const char *name = strerrorname_np(in->err);
		snprintf(buf, len, "%s (%s)", strerror(in->err), name ? name : "?");
	}
	}
	return buf;
}

const char *counter_open_reason(int err, uint32_t type, char *buf, size_t len)
{
	struct counter_reason_in in = {
	    .err = err, .type = type, .hw = 0, .paranoid = paranoid_level()};
	return counter_reason(&in, buf, len);
}

/* The reason for plan event i failing with err: in the light of the plan. */
static const char *plan_reason(const struct counter_plan *plan, size_t i, int err, char *buf,
			       size_t len)
{
	const struct counter_event *ce = &plan->ev[i];
	struct counter_reason_in in = {
	    .err = err,
	    .type = ce->attr.type,
	    .hw = plan->hw,
	    .paranoid = paranoid_level(),
	    .name = ce->spec.name,
	    .pmu = plan->core.name,
	    .native = ce->native,
	    .native_source = plan->native_source,
	};
	return counter_reason(&in, buf, len);
}

size_t counter_explain_never_ran(struct counter_value *v, const size_t *leader,
				 const char *const *keys, size_t n, const struct counter_pmu *pmu,
				 int split)
{
	size_t groups = 0;
	for (size_t i = 0; i < n; i++) {
		if (!v[i].counted || v[i].time_enabled == 0 || v[i].time_running != 0 ||
		    leader[i] >= n)
			continue;
		size_t members = 0, first = n;
		char names[COUNTER_REASON_MAX] = "";
		for (size_t j = 0; j < n; j++) {
			if (leader[j] != leader[i] || !v[j].counted)
				continue;
			members++;
			if (first == n)
				first = j;
			size_t used = strlen(names);
			if (used + strlen(keys[j]) + 8 < 120)
				snprintf(names + used, sizeof(names) - used, "%s%s",
					 used ? ", " : "", keys[j]);
			else if (!strstr(names, ", ..."))
				snprintf(names + used, sizeof(names) - used, ", ...");
		}
		if (first == i)
			groups++;
		char offers[256] = "";
		if (pmu && pmu->name[0] && pmu->gp > 0)
			snprintf(offers, sizeof(offers),
				 "; %s offers at most %d general-purpose and %d fixed counters "
				 "(libpfm4), fewer with SMT on or an NMI watchdog holding one",
				 pmu->name, pmu->gp, pmu->fixed);
		if (members > 1)
			snprintf(v[i].reason, sizeof(v[i].reason),
				 NEVER_RAN "its group of %zu (%s) needs %zu counters at once%s%s",
				 members, names, members, offers,
				 split ? "; split into single events from the next run" : "");
		else
			snprintf(v[i].reason, sizeof(v[i].reason),
				 NEVER_RAN "other events held every counter it can use%s", offers);
	}
	return groups;
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
	int fd = perf_open(&attr, 0, -1, -1);
	if (fd < 0) {
		plan_reason(plan, i, errno, reason, len);
		return 0;
	}
	close(fd);
	snprintf(reason, len, "yes");
	return 1;
}

int counters_hw_pmu_state(char *reason, size_t len)
{
	struct perf_event_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_HARDWARE;
	attr.config = PERF_COUNT_HW_CPU_CYCLES;
	attr.disabled = 1;
	attr.exclude_kernel = 1; /* so that perf_event_paranoid does not mask the answer */
	attr.exclude_hv = 1;
	int fd = perf_open(&attr, 0, -1, -1);
	if (fd >= 0) {
		close(fd);
		snprintf(reason, len, "yes");
		return 1;
	}
	int err = errno;
	counter_open_reason(err, attr.type, reason, len);
	return err == ENOENT || err == ENODEV || err == EOPNOTSUPP ? 0 : -1;
}

int counters_hw_pmu_available(char *reason, size_t len)
{
	return counters_hw_pmu_state(reason, len) == 1;
}

/* --- counting a process ----------------------------------------------------- */

/* Opens event i as a member of leader_fd's group, or as a leader when leader_fd < 0. */
static int open_one(const struct counter_event *ce, pid_t pid, int leader_fd)
{
	struct perf_event_attr attr = ce->attr;
	attr.disabled = leader_fd < 0; /* members follow their leader */
	return perf_open(&attr, pid, -1, leader_fd);
}

static int is_hw_group(const char *group)
{
	return strcmp(group, "software") && strcmp(group, "tracepoint") &&
	       strcmp(group, "breakpoint");
}

static void spin_us(long us)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do
		clock_gettime(CLOCK_MONOTONIC, &t);
	while ((t.tv_sec - t0.tv_sec) * 1000000L + (t.tv_nsec - t0.tv_nsec) / 1000 < us);
}

/*
 * Whether group g (two or more events) gets on the PMU together: it is
 * enabled on this process for 300 us. A group that cannot be scheduled
 * (more events than free counters) keeps time_running at 0. When it never
 * ran, each member is marked to open alone, with a note naming the group.
 */
static void try_group(const struct counter_plan *plan, size_t g)
{
	struct counter_learnt *l = plan->learnt;
	l->tried[g] = 1;
	int fds[EVENT_SET_MAX];
	size_t idx[EVENT_SET_MAX], nf = 0;
	for (size_t i = 0; i < plan->n && nf < EVENT_SET_MAX; i++) {
		const struct counter_event *ce = &plan->ev[i];
		if (ce->gidx != g || ce->unavailable[0] || l->alone[i])
			continue;
		struct perf_event_attr attr = ce->attr;
		attr.inherit = 0;
		attr.disabled = nf == 0;
		int fd = perf_open(&attr, 0, -1, nf ? fds[0] : -1);
		if (fd < 0)
			continue; /* counter_set_open says why */
		fds[nf] = fd;
		idx[nf++] = i;
	}
	int never = 0;
	if (nf >= 2 && ioctl(fds[0], PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP) == 0) {
		spin_us(300);
		ioctl(fds[0], PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
		uint64_t buf[3];
		never = read(fds[0], buf, sizeof(buf)) == (ssize_t)sizeof(buf) && buf[1] > 0 &&
			buf[2] == 0;
	}
	if (never) {
		struct counter_value v[EVENT_SET_MAX];
		size_t leader[EVENT_SET_MAX];
		const char *keys[EVENT_SET_MAX];
		for (size_t k = 0; k < nf; k++) {
			memset(&v[k], 0, sizeof(v[k]));
			v[k].counted = 1;
			v[k].time_enabled = 1;
			leader[k] = 0;
			keys[k] = plan->ev[idx[k]].spec.key;
		}
		counter_explain_never_ran(v, leader, keys, nf, &plan->core, 0);
		for (size_t k = 0; k < nf; k++) {
			l->alone[idx[k]] = 1;
			snprintf(l->note[idx[k]], sizeof(l->note[idx[k]]), SPLIT_NOTE "%s",
				 v[k].reason + strlen(NEVER_RAN));
		}
	}
	for (size_t k = 0; k < nf; k++)
		close(fds[k]);
}

static int open_group(const struct counter_plan *plan, struct counter_set *set, pid_t pid, size_t g,
		      char *err, size_t errlen)
{
	const struct counter_learnt *l = plan->learnt;
	if (is_hw_group(plan->ev[g].group) && !l->tried[g]) {
		size_t members = 0;
		for (size_t i = 0; i < plan->n; i++)
			members +=
			    plan->ev[i].gidx == g && !plan->ev[i].unavailable[0] && !l->alone[i];
		if (members >= 2)
			try_group(plan, g);
	}
	int leader_fd = -1;
	size_t leader_idx = 0;
	for (size_t i = 0; i < plan->n; i++) {
		const struct counter_event *ce = &plan->ev[i];
		struct counter_slot *s = &set->slot[i];
		if (ce->gidx != g || s->fd >= 0 || s->reason[0])
			continue;
		if (ce->unavailable[0]) {
			snprintf(s->reason, sizeof(s->reason), "%s", ce->unavailable);
			continue;
		}
		int alone = l->alone[i];
		int fd = open_one(ce, pid, alone ? -1 : leader_fd);
		int leader = alone || leader_fd < 0;
		if (fd < 0 && !alone && leader_fd >= 0 && errno == EINVAL) {
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
			plan_reason(plan, i, errno, s->reason, sizeof(s->reason));
			continue;
		}
		s->fd = fd;
		s->leader = leader;
		s->leader_idx = leader ? i : leader_idx;
		if (leader_fd < 0 && !alone) {
			leader_fd = fd;
			leader_idx = i;
		}
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
	set->plan = plan;
	for (size_t i = 0; i < set->n; i++)
		set->slot[i].fd = -1;
	/* One group per PMU, in the order the PMUs first appear in the plan. */
	for (size_t i = 0; i < plan->n; i++)
		if (plan->ev[i].gidx == i && open_group(plan, set, pid, i, err, errlen)) {
			counter_set_close(set);
			return -1;
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
	/* A group that never got on the PMU: say so, and open it split next time. */
	const struct counter_plan *plan = set->plan;
	size_t *leader = calloc(set->n ? set->n : 1, sizeof(*leader));
	const char **keys = calloc(set->n ? set->n : 1, sizeof(*keys));
	if (!leader || !keys) {
		free(leader);
		free(keys);
		return errmsg_set(err, errlen, "out of memory");
	}
	for (size_t i = 0; i < set->n; i++) {
		leader[i] = set->slot[i].fd >= 0 ? set->slot[i].leader_idx : SIZE_MAX;
		keys[i] = plan->ev[i].spec.key;
	}
	if (counter_explain_never_ran(values, leader, keys, set->n, &plan->core, 1))
		for (size_t i = 0; i < set->n; i++) {
			size_t members = 0;
			for (size_t j = 0; j < set->n; j++)
				members += leader[j] == leader[i];
			if (leader[i] != SIZE_MAX && members > 1 && values[i].time_enabled > 0 &&
			    values[i].time_running == 0) {
				plan->learnt->alone[i] = 1;
				snprintf(plan->learnt->note[i], sizeof(plan->learnt->note[i]),
					 SPLIT_NOTE "%s", values[i].reason + strlen(NEVER_RAN));
			}
		}
	free(leader);
	free(keys);
	return 0;
}

const char *counter_set_reason(const struct counter_set *set, size_t i)
{
	return set->slot[i].fd >= 0 ? NULL : set->slot[i].reason;
}

const char *counter_set_note(const struct counter_set *set, size_t i)
{
	const struct counter_slot *s = &set->slot[i];
	const struct counter_learnt *l = set->plan->learnt;
	return s->fd >= 0 && s->leader && l->alone[i] && l->note[i][0] ? l->note[i] : NULL;
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
