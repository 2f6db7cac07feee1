/* cputopo — this process's CPUs and how they share cores and caches; see cputopo.h. */
#include "cputopo.h"
#include "errmsg.h"

#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char *sysfs_root(void)
{
	const char *r = getenv("COPYSCOPE_SYSFS_CPU");
	return r && *r ? r : "/sys/devices/system/cpu";
}

/* The first line of ROOT/cpuN/rel into buf; 0, or -1 when absent. */
static int read_cpu_file(int cpu, const char *rel, char *buf, size_t len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/cpu%d/%s", sysfs_root(), cpu, rel);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* An integer file, or the first CPU of a list file ("4-7,12" gives 4); -1 when absent. */
static int read_first_int(int cpu, const char *rel)
{
	char buf[256];
	if (read_cpu_file(cpu, rel, buf, sizeof(buf)))
		return -1;
	char *end;
	long v = strtol(buf, &end, 10);
	return end == buf || v < 0 || v > 1 << 30 ? -1 : (int)v;
}

/* The first CPU sharing the highest-level cache of cpu; -1 when sysfs has none. */
static int read_llc(int cpu)
{
	int best_level = 0, llc = -1;
	for (int idx = 0; idx < 16; idx++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "cache/index%d/level", idx);
		int level = read_first_int(cpu, rel);
		if (level < 0)
			break;
		snprintf(rel, sizeof(rel), "cache/index%d/shared_cpu_list", idx);
		int first = read_first_int(cpu, rel);
		if (level > best_level && first >= 0)
			best_level = level, llc = first;
	}
	return llc;
}

int cputopo_read(struct cpu_topo *t, char *err, size_t errlen)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return errmsg_set(err, errlen, "sched_getaffinity: %s", strerror(errno));
	t->n = 0;
	for (int c = 0; c < CPU_SETSIZE && t->n < CPUTOPO_MAX; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		struct cpu_place *p = &t->cpus[t->n++];
		p->cpu = c;
		p->package = read_first_int(c, "topology/physical_package_id");
		p->core = read_first_int(c, "topology/core_cpus_list");
		if (p->core < 0)
			p->core = read_first_int(c, "topology/thread_siblings_list");
		if (p->core < 0)
			p->core = c;
		p->llc = read_llc(c);
	}
	return 0;
}

/* The distinct values of a field, in order of first appearance; their count. */
static size_t distinct(const struct cpu_topo *t, size_t off, int *out)
{
	size_t n = 0;
	for (size_t i = 0; i < t->n; i++) {
		int v = *(const int *)((const char *)&t->cpus[i] + off);
		size_t j = 0;
		while (j < n && out[j] != v)
			j++;
		if (j == n)
			out[n++] = v;
	}
	return n;
}

/* "key=" then, per distinct value of the field, the CPUs having it, space-separated groups. */
static void print_groups(const struct cpu_topo *t, size_t off, const char *key, FILE *out)
{
	static int vals[CPUTOPO_MAX];
	size_t nv = distinct(t, off, vals);
	fprintf(out, "%s=", key);
	for (size_t g = 0; g < nv; g++) {
		int first = 1;
		for (size_t i = 0; i < t->n; i++)
			if (*(const int *)((const char *)&t->cpus[i] + off) == vals[g]) {
				fprintf(out, "%s%d", first ? (g ? " " : "") : ",", t->cpus[i].cpu);
				first = 0;
			}
	}
	fputc('\n', out);
}

void cputopo_describe(const struct cpu_topo *t, FILE *out)
{
	static int vals[CPUTOPO_MAX];
	size_t np = distinct(t, offsetof(struct cpu_place, package), vals);
	size_t nc = distinct(t, offsetof(struct cpu_place, core), vals);
	size_t nl = distinct(t, offsetof(struct cpu_place, llc), vals);
	fprintf(out, "cpu_topology=%zu CPUs, %zu package%s, %zu core%s, %zu last-level cache%s\n",
		t->n, np, np == 1 ? "" : "s", nc, nc == 1 ? "" : "s", nl, nl == 1 ? "" : "s");
	print_groups(t, offsetof(struct cpu_place, core), "smt_siblings", out);
	print_groups(t, offsetof(struct cpu_place, llc), "llc_shared", out);
}
