/* placement — where the workloads' threads go, and where they went; see placement.h. */
#include "placement.h"
#include "errmsg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const placement_names[] = {[PLACEMENT_FREE] = "free",
				       [PLACEMENT_SAME] = "same",
				       [PLACEMENT_SPREAD] = "spread",
				       [PLACEMENT_SPREAD + 1] = NULL};

int placement_parse(const char *s, enum placement *p)
{
	for (size_t i = 0; placement_names[i]; i++)
		if (!strcmp(s, placement_names[i])) {
			*p = (enum placement)i;
			return 0;
		}
	return -1;
}

const char *placement_name(enum placement p)
{
	return placement_names[p];
}

static int field(const struct cpu_place *c, int level)
{
	return level == 0 ? c->package : level == 1 ? c->llc : level == 2 ? c->core : c->cpu;
}

/* group[i]: the index of t->cpus[i]'s value of the field among the distinct
 * values, in order of first appearance; returns how many there are. */
static size_t group_by(const struct cpu_topo *t, int level, size_t *group)
{
	size_t n = 0;
	for (size_t i = 0; i < t->n; i++) {
		size_t j = 0;
		while (j < i && field(&t->cpus[j], level) != field(&t->cpus[i], level))
			j++;
		group[i] = j < i ? group[j] : n++;
	}
	return n;
}

/* The CPUs of t whose group has parity side (every CPU, side < 0), one CPU
 * of every core first, then their SMT siblings: "0,2,1,3". */
static void list_cpus(const struct cpu_topo *t, const size_t *group, int side, char *buf,
		      size_t len)
{
	static size_t rank[CPUTOPO_MAX]; /* a CPU's rank among its core's CPUs */
	size_t max_rank = 0;
	for (size_t i = 0; i < t->n; i++) {
		rank[i] = 0;
		for (size_t j = 0; j < i; j++)
			rank[i] += t->cpus[j].core == t->cpus[i].core;
		if (rank[i] > max_rank)
			max_rank = rank[i];
	}
	size_t used = 0;
	buf[0] = '\0';
	for (size_t r = 0; r <= max_rank; r++)
		for (size_t i = 0; i < t->n; i++) {
			if (rank[i] != r || (side >= 0 && (int)(group[i] % 2) != side))
				continue;
			int w = snprintf(buf + used, len - used, "%s%d", used ? "," : "",
					 t->cpus[i].cpu);
			if (w < 0 || (size_t)w >= len - used)
				return; /* the caller's buffer bounds the list */
			used += (size_t)w;
		}
}

int placement_lists(const struct cpu_topo *t, enum placement p, char *srv, size_t srvlen,
		    char *cli, size_t clilen, char *err, size_t errlen)
{
	srv[0] = cli[0] = '\0';
	if (p == PLACEMENT_FREE)
		return 0;
	if (!t->n)
		return errmsg_set(err, errlen, "placement %s: no CPU to run on", placement_names[p]);
	static size_t group[CPUTOPO_MAX];
	if (p == PLACEMENT_SAME) {
		list_cpus(t, group, -1, srv, srvlen);
		list_cpus(t, group, -1, cli, clilen);
		return 0;
	}
	int level = 0;
	while (level < 3 && group_by(t, level, group) < 2)
		level++;
	if (group_by(t, level, group) < 2)
		return errmsg_set(err, errlen,
				  "placement spread: needs two CPUs, and this process may run on "
				  "CPU %d only",
				  t->cpus[0].cpu);
	list_cpus(t, group, 0, srv, srvlen);
	list_cpus(t, group, 1, cli, clilen);
	return 0;
}

static double total(const struct oncpu_sample *s)
{
	double sum = 0;
	for (size_t i = 0; i < s->n; i++)
		sum += s->ns[i];
	return sum;
}

double placement_overlap(const struct oncpu_sample *srv, const struct oncpu_sample *cli)
{
	double ts = total(srv), tc = total(cli);
	if (!srv->n || !cli->n || ts <= 0 || tc <= 0)
		return NAN;
	double o = 0;
	for (size_t i = 0; i < srv->n; i++)
		for (size_t j = 0; j < cli->n; j++)
			if (srv->cpu[i] == cli->cpu[j])
				o += fmin(srv->ns[i] / ts, cli->ns[j] / tc);
	return o > 1 ? 1 : o;
}

const char *placement_placed(double overlap, unsigned threads, enum placement asked)
{
	if (isnan(overlap))
		return NULL;
	if (overlap <= PLACEMENT_SPREAD_MAX)
		return "spread";
	if (overlap >= PLACEMENT_SAME_MIN && (threads == 1 || asked == PLACEMENT_SAME))
		return "same";
	return "mixed";
}

void placement_shares(const struct oncpu_sample *s, char *buf, size_t len)
{
	double sum = total(s);
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < s->n && sum > 0; i++) {
		double pct = 100.0 * s->ns[i] / sum;
		if (pct < 0.5)
			continue;
		int w = snprintf(buf + used, len - used, "%s%d:%.0f", used ? ";" : "", s->cpu[i],
				 pct);
		if (w < 0 || (size_t)w >= len - used)
			return;
		used += (size_t)w;
	}
}

int placement_check(enum placement p, char *err, size_t errlen)
{
	static struct cpu_topo topo;
	char srv[CPUTOPO_MAX * 6], cli[CPUTOPO_MAX * 6];
	if (p == PLACEMENT_FREE)
		return 0;
	return cputopo_read(&topo, err, errlen) ||
		       placement_lists(&topo, p, srv, sizeof(srv), cli, sizeof(cli), err, errlen)
		   ? -1
		   : 0;
}
