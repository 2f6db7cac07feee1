/* schema.c — the columns of runs.csv; see schema.h. */
#include "schema.h"

#include "categories.h"
#include "eventfile.h"
#include "wire.h"

#include <stdio.h>
#include <string.h>

#define P(n)	      {n, COL_POINT, FROM_HARNESS, NULL, 0}
#define R(n)	      {n, COL_RUN, FROM_HARNESS, NULL, 0}
#define C(n, k)	      {n, COL_WORKLOAD, FROM_CLIENT, k, 0}
#define S(n, k)	      {n, COL_WORKLOAD, FROM_SERVER, k, 0}
#define M(n)	      {n, COL_MEASURED, FROM_HARNESS, NULL, 0}

const struct column schema_fixed[] = {
    P("impl"),
    P("mode"),
    P("topology"),
    R("mtu"),
    P("layout"),
    P("busy_poll"),
    P(SCHEMA_PLACEMENT),
    P("msg_size"),
    P("threads"),
    R(SCHEMA_REP),
    R("duration_s"),
    R("warmup_s"),
    R("offloads"),
    /* where the threads ran over the window (placement.h) */
    R("placed"),
    R("srv_cpus"),
    R("cli_cpus"),
    R("status"),
    C("bytes", KEY_BYTES),
    C("msgs", KEY_MSGS),
    C("throughput_gbps", KEY_THROUGHPUT_GBPS),
    C("lat_p50_us", KEY_LAT_P50_US),
    C("lat_p90_us", KEY_LAT_P90_US),
    C("lat_p99_us", KEY_LAT_P99_US),
    C("lat_p999_us", KEY_LAT_P999_US),
    C("lat_max_us", KEY_LAT_MAX_US),
    /* the window interval by interval: a step between two modes is flagged */
    C("intervals", KEY_INTERVALS),
    C("interval_cv", KEY_INTERVAL_CV),
    C("interval_step", KEY_INTERVAL_STEP),
    C("interval_step_ratio", KEY_INTERVAL_STEP_RATIO),
    {"verify_errors", COL_WORKLOAD, FROM_CLIENT, KEY_VERIFY_ERRORS, 1},
    S("zc_sends", KEY_ZC_SENDS),
    S("zc_completions", KEY_ZC_COMPLETIONS),
    S("zc_copied", KEY_ZC_COPIED),
    S("zc_enobufs", KEY_ZC_ENOBUFS),
    S("srv_utime_s", KEY_UTIME_S),
    S("srv_stime_s", KEY_STIME_S),
    C("cli_utime_s", KEY_UTIME_S),
    C("cli_stime_s", KEY_STIME_S),
    M("cpu_overlap"),
    /* what TCP did, per side (TCP_INFO at the window's edges, workloads/tcpinfo.h) */
    S("srv_" KEY_TCP_SEGS_OUT, KEY_TCP_SEGS_OUT),
    S("srv_" KEY_TCP_SEGS_IN, KEY_TCP_SEGS_IN),
    S("srv_" KEY_TCP_DATA_SEGS_OUT, KEY_TCP_DATA_SEGS_OUT),
    S("srv_" KEY_TCP_DATA_SEGS_IN, KEY_TCP_DATA_SEGS_IN),
    S("srv_" KEY_TCP_BYTES_SENT, KEY_TCP_BYTES_SENT),
    S("srv_" KEY_TCP_BYTES_ACKED, KEY_TCP_BYTES_ACKED),
    S("srv_" KEY_TCP_BYTES_RECEIVED, KEY_TCP_BYTES_RECEIVED),
    S("srv_" KEY_TCP_RETRANS, KEY_TCP_RETRANS),
    S("srv_" KEY_TCP_BUSY_PCT, KEY_TCP_BUSY_PCT),
    S("srv_" KEY_TCP_RWND_LIMITED_PCT, KEY_TCP_RWND_LIMITED_PCT),
    S("srv_" KEY_TCP_SNDBUF_LIMITED_PCT, KEY_TCP_SNDBUF_LIMITED_PCT),
    S("srv_" KEY_TCP_SRTT_US, KEY_TCP_SRTT_US),
    S("srv_" KEY_TCP_RTTVAR_US, KEY_TCP_RTTVAR_US),
    S("srv_" KEY_TCP_CWND, KEY_TCP_CWND),
    S("srv_" KEY_TCP_DELIVERY_RATE_GBPS, KEY_TCP_DELIVERY_RATE_GBPS),
    S("srv_" KEY_TCP_UNACKED, KEY_TCP_UNACKED),
    C("cli_" KEY_TCP_SEGS_OUT, KEY_TCP_SEGS_OUT),
    C("cli_" KEY_TCP_SEGS_IN, KEY_TCP_SEGS_IN),
    C("cli_" KEY_TCP_DATA_SEGS_OUT, KEY_TCP_DATA_SEGS_OUT),
    C("cli_" KEY_TCP_DATA_SEGS_IN, KEY_TCP_DATA_SEGS_IN),
    C("cli_" KEY_TCP_BYTES_SENT, KEY_TCP_BYTES_SENT),
    C("cli_" KEY_TCP_BYTES_ACKED, KEY_TCP_BYTES_ACKED),
    C("cli_" KEY_TCP_BYTES_RECEIVED, KEY_TCP_BYTES_RECEIVED),
    C("cli_" KEY_TCP_RETRANS, KEY_TCP_RETRANS),
    C("cli_" KEY_TCP_BUSY_PCT, KEY_TCP_BUSY_PCT),
    C("cli_" KEY_TCP_RWND_LIMITED_PCT, KEY_TCP_RWND_LIMITED_PCT),
    C("cli_" KEY_TCP_SNDBUF_LIMITED_PCT, KEY_TCP_SNDBUF_LIMITED_PCT),
    C("cli_" KEY_TCP_SRTT_US, KEY_TCP_SRTT_US),
    C("cli_" KEY_TCP_RTTVAR_US, KEY_TCP_RTTVAR_US),
    C("cli_" KEY_TCP_CWND, KEY_TCP_CWND),
    C("cli_" KEY_TCP_DELIVERY_RATE_GBPS, KEY_TCP_DELIVERY_RATE_GBPS),
    C("cli_" KEY_TCP_UNACKED, KEY_TCP_UNACKED),
};
const size_t schema_nfixed = sizeof(schema_fixed) / sizeof(schema_fixed[0]);

const char *const schema_point[SCHEMA_NPOINT] = {"impl",      "mode",	   "topology", "layout",
						 "busy_poll", "msg_size", "threads"};

const char *schema_headline(const char *mode)
{
	return mode && !strcmp(mode, "rr") ? "lat_p50_us" : "throughput_gbps";
}

static const char *const sides[] = {"srv", "cli"};

/* emit "SIDE_KEYSUFFIX" for both sides. */
static int emit_sides(const char *key, const char *suffix, int (*emit)(const char *, void *),
		      void *ctx)
{
	for (size_t s = 0; s < 2; s++) {
		char name[128];
		snprintf(name, sizeof(name), "%s_%s%s", sides[s], key, suffix);
		int rc = emit(name, ctx);
		if (rc)
			return rc;
	}
	return 0;
}

static int has_event(const struct counter_plan *plan, const char *key)
{
	for (size_t i = 0; i < counter_plan_count(plan); i++)
		if (!strcmp(counter_plan_event(plan, i)->key, key))
			return 1;
	return 0;
}

int schema_columns(const struct counter_plan *plan, int (*emit)(const char *name, void *ctx),
		   void *ctx)
{
	int rc = 0;
	for (size_t i = 0; i < schema_nfixed && !rc; i++)
		rc = emit(schema_fixed[i].name, ctx);
	size_t n = counter_plan_count(plan);
	for (size_t i = 0; i < n && !rc; i++) {
		const char *k = counter_plan_event(plan, i)->key;
		for (size_t s = 0; s < 2 && !rc; s++) {
			char name[128];
			snprintf(name, sizeof(name), "%s_%s", sides[s], k);
			if (!(rc = emit(name, ctx))) {
				snprintf(name, sizeof(name), "%s_%s_running", sides[s], k);
				rc = emit(name, ctx);
			}
		}
	}
	if (!rc && has_event(plan, "cycles"))
		rc = emit_sides("cycles", "_per_byte", emit, ctx);
	if (!rc)
		rc = emit_sides("cpu_ns", "_per_byte", emit, ctx);
	for (size_t i = 0; i < n && !rc; i++) {
		const struct event_spec *ev = counter_plan_event(plan, i);
		if (event_is_cache_level(ev))
			rc = emit_sides(ev->key, "_per_kb", emit, ctx);
	}
	for (size_t i = 0; i < n && !rc; i++)
		rc = emit_sides(counter_plan_event(plan, i)->key, "_per_msg", emit, ctx);
	if (!rc)
		rc = emit_sides("tcp", "_bytes_per_seg", emit, ctx);
	if (!rc)
		rc = emit_sides("tcp", "_segs_per_msg", emit, ctx);
	return rc;
}

/* "SIDE_cat_C_SUFFIX" for every category, one side after the other. */
static int emit_categories(const struct category_set *cats, const char *suffix,
			   int (*emit)(const char *, void *), void *ctx)
{
	for (size_t s = 0; s < 2; s++)
		for (size_t c = 0; c < categories_count(cats); c++) {
			char name[128];
			snprintf(name, sizeof(name), "%s_cat_%s_%s", sides[s],
				 categories_name(cats, c), suffix);
			int rc = emit(name, ctx);
			if (rc)
				return rc;
		}
	return 0;
}

int schema_sample_columns(const struct category_set *cats,
			  int (*emit)(const char *name, void *ctx), void *ctx)
{
	static const char *const counts[] = {"sample_hz",   "srv_samples", "srv_samples_lost",
					     "cli_samples", "cli_samples_lost"};
	int rc = 0;
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]) && !rc; i++)
		rc = emit(counts[i], ctx);
	if (!rc)
		rc = emit_categories(cats, "pct", emit, ctx);
	if (!rc)
		rc = emit_categories(cats, "ns_per_byte", emit, ctx);
	return rc;
}
