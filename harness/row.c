/* row — one run's row of runs.csv: its template and its cells; see row.h. */
#include "row.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "eventfile.h"
#include "kv.h"
#include "netns.h"
#include "sampler.h"
#include "schema.h"
#include "wire.h"

const char *run_spec_topology(const struct run_spec *spec)
{
	return spec->topology ? spec->topology : "loopback";
}

int run_spec_is_netns(const struct run_spec *spec)
{
	return !strcmp(run_spec_topology(spec), "netns");
}

int run_spec_is_remote(const struct run_spec *spec)
{
	return spec->remote && !strcmp(run_spec_topology(spec), "remote");
}

/*
 * The mtu column names the link the bytes cross: the veth's MTU as asked
 * (the run overwrites it with what the device reports), or lo's. Empty when
 * lo cannot be read.
 */
static int set_mtu(struct result_row *row, const struct run_spec *spec)
{
	if (run_spec_is_netns(spec))
		return result_row_set(row, "mtu", "%u", spec->mtu ? spec->mtu : NETNS_DEFAULT_MTU);
	if (run_spec_is_remote(spec)) /* the run reads this host's interface towards the agent */
		return result_row_set_empty(row, "mtu");
	unsigned mtu;
	char offloads[NETNS_OFFLOADS_MAX], err[256];
	if (netns_link_info(NULL, "lo", &mtu, offloads, sizeof(offloads), err, sizeof(err)))
		return result_row_set_empty(row, "mtu");
	return result_row_set(row, "mtu", "%u", mtu);
}

static int set_empty(const char *name, void *row)
{
	return result_row_set_empty(row, name);
}

int row_template(const struct run_spec *spec, const struct counter_plan *plan,
		     struct result_row *row)
{
	if (schema_columns(plan, set_empty, row))
		return -1;
	if (spec->sample &&
	    schema_sample_columns(sample_plan_categories(spec->sample), set_empty, row))
		return -1;
	int rc = 0;
	rc |= result_row_set(row, "impl", "%s", spec->impl);
	rc |= result_row_set(row, "mode", "%s", spec->mode);
	rc |= result_row_set(row, "topology", "%s", run_spec_topology(spec));
	rc |= set_mtu(row, spec);
	rc |= result_row_set(row, "layout", "%s", spec->layout);
	rc |= result_row_set(row, "busy_poll", "%d", spec->busy_poll ? 1 : 0);
	rc |= result_row_set(row, SCHEMA_PLACEMENT, "%s", placement_name(spec->placement));
	rc |= result_row_set(row, "msg_size", "%lu", spec->msg_size);
	rc |= result_row_set(row, "threads", "%u", spec->threads);
	rc |= result_row_set(row, SCHEMA_REP, "%u", spec->rep);
	rc |= result_row_set_num(row, "duration_s", spec->duration_s);
	rc |= result_row_set_num(row, "warmup_s", spec->warmup_s);
	return rc ? -1 : 0;
}

/* Copies key's value as the workload printed it (if it is a number). */
static void copy_num(struct result_row *row, const char *col, const char *out, const char *key)
{
	char buf[64];
	const char *s = kv_get(out ? out : "", key, buf, sizeof(buf));
	if (s && isfinite(kv_num(out, key)))
		result_row_set(row, col, "%s", s);
}


/* --- filling it -------------------------------------------------------------- */

static void set_event_cols(struct result_row *row, const char *side, const char *key,
			   const struct counter_value *v)
{
	char name[128];
	snprintf(name, sizeof(name), "%s_%s", side, key);
	if (v->counted) {
		result_row_set_num(row, name, isnan(v->value) ? NAN : nearbyint(v->value));
		snprintf(name, sizeof(name), "%s_%s_running", side, key);
		result_row_set_num(row, name, v->running);
	}
}

static double counted(const struct counter_value *v)
{
	return v->counted ? nearbyint(v->value) : NAN;
}

static void set_ratio(struct result_row *row, const char *side, const char *key, const char *suffix,
		      double num, double den)
{
	char name[128];
	snprintf(name, sizeof(name), "%s_%s%s", side, key, suffix);
	result_row_set_num(row, name, den > 0 && isfinite(num) ? num / den : NAN);
}

/* A side's counter cells and derived columns; returns its CPU ns per byte (NAN: none). */
static double fill_side(struct result_row *row, const struct counter_plan *plan,
			const struct counter_value *values, const char *out, const char *side,
			double bytes, double msgs)
{
	size_t n = counter_plan_count(plan);
	double task_clock = NAN;
	for (size_t i = 0; i < n; i++) {
		const struct event_spec *ev = counter_plan_event(plan, i);
		const struct counter_value *v = &values[i];
		set_event_cols(row, side, ev->key, v);
		if (!strcmp(ev->key, "cycles"))
			set_ratio(row, side, "cycles", "_per_byte", counted(v), bytes);
		if (!strcmp(ev->key, "task_clock"))
			task_clock = counted(v);
		if (event_is_cache_level(ev))
			set_ratio(row, side, ev->key, "_per_kb", counted(v), bytes / 1024.0);
		set_ratio(row, side, ev->key, "_per_msg", counted(v), msgs);
	}
	if (isnan(task_clock)) /* no task-clock here: CPU time from getrusage */
		task_clock = (kv_num(out, KEY_UTIME_S) + kv_num(out, KEY_STIME_S)) * 1e9;
	set_ratio(row, side, "cpu_ns", "_per_byte", task_clock, bytes);
	return bytes > 0 && isfinite(task_clock) ? task_clock / bytes : NAN;
}

/* What TCP made of a side's bytes: bytes per data segment it sent, and data
 * segments per message (a side that sent no data segment: empty). */
static void fill_tcp(struct result_row *row, const char *out, const char *side, double msgs)
{
	double segs = kv_num(out, KEY_TCP_DATA_SEGS_OUT);
	set_ratio(row, side, "tcp", "_bytes_per_seg", kv_num(out, KEY_TCP_BYTES_SENT), segs);
	set_ratio(row, side, "tcp", "_segs_per_msg", segs > 0 ? segs : NAN, msgs);
}

/* Where the two sides ran (placement.h): each side's CPUs, their overlap, what it makes. */
static void fill_placement(struct result_row *row, const struct run_spec *spec,
			   const struct row_side *srv, const struct row_side *cli)
{
	static const struct oncpu_sample none = {.n = 0};
	const struct oncpu_sample *s = srv->where ? srv->where : &none;
	const struct oncpu_sample *c = cli->where ? cli->where : &none;
	char buf[ONCPU_MAX * 8];
	placement_shares(s, buf, sizeof(buf));
	result_row_set(row, "srv_cpus", "%s", buf);
	placement_shares(c, buf, sizeof(buf));
	result_row_set(row, "cli_cpus", "%s", buf);
	if (run_spec_is_remote(spec))
		return; /* two hosts' CPU numbers: neither overlap nor same nor spread */
	double overlap = placement_overlap(s, c);
	result_row_set_num(row, "cpu_overlap", overlap);
	const char *placed = placement_placed(overlap, spec->threads, spec->placement);
	if (placed)
		result_row_set(row, "placed", "%s", placed);
}

/*
 * A side's samples: how many, how many lost, each category's share of them
 * (percent: they sum to 100), and where samples measure CPU time, that share
 * of its CPU ns per byte.
 */
static void fill_samples(struct result_row *row, const struct sample_plan *plan, const char *side,
			 const struct sample_result *r, double cpu_ns_per_byte)
{
	if (!r || !r->measured)
		return;
	char name[128];
	snprintf(name, sizeof(name), "%s_samples", side);
	result_row_set_num(row, name, (double)r->samples);
	snprintf(name, sizeof(name), "%s_samples_lost", side);
	result_row_set_num(row, name, (double)r->lost);
	if (!r->samples)
		return; /* no share of nothing */
	double ns_per_byte = sample_plan_time_based(plan) ? cpu_ns_per_byte : NAN;
	const struct category_set *cats = sample_plan_categories(plan);
	for (size_t c = 0; c < categories_count(cats); c++) {
		double share = (double)r->per_category[c] / (double)r->samples;
		snprintf(name, sizeof(name), "%s_cat_%s_pct", side, categories_name(cats, c));
		result_row_set_num(row, name, 100.0 * share);
		snprintf(name, sizeof(name), "%s_cat_%s_ns_per_byte", side, categories_name(cats, c));
		result_row_set_num(row, name, share * ns_per_byte);
	}
}

void row_fill(struct result_row *row, const struct run_spec *spec, const struct counter_plan *plan,
	      const struct row_side *srv, const struct row_side *cli)
{
	fill_placement(row, spec, srv, cli);
	for (size_t i = 0; i < schema_nfixed; i++) {
		const struct column *c = &schema_fixed[i];
		if (c->source == FROM_HARNESS || (c->only_verified && !spec->verify))
			continue;
		copy_num(row, c->name, c->source == FROM_CLIENT ? cli->out : srv->out, c->key);
	}
	double bytes = kv_num(cli->out, KEY_BYTES), msgs = kv_num(cli->out, KEY_MSGS);
	double srv_ns = fill_side(row, plan, srv->values, srv->out, "srv", bytes, msgs);
	double cli_ns = fill_side(row, plan, cli->values, cli->out, "cli", bytes, msgs);
	fill_tcp(row, srv->out, "srv", msgs);
	fill_tcp(row, cli->out, "cli", msgs);
	if (spec->sample) {
		result_row_set(row, "sample_hz", "%u", sample_plan_hz(spec->sample));
		fill_samples(row, spec->sample, "srv", srv->samples, srv_ns);
		fill_samples(row, spec->sample, "cli", cli->samples, cli_ns);
	}
}
