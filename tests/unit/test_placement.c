/* Placement (harness/placement.c, cputopo.c): which CPUs each side's
 * connection threads get, and what a run's per-CPU times say it was. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cputopo.h"
#include "placement.h"

/* A topology of n CPUs: cpu i in package pkg[i], core core[i], cache llc[i]. */
static struct cpu_topo topo(size_t n, const int *pkg, const int *core, const int *llc)
{
	struct cpu_topo t = {.n = n};
	for (size_t i = 0; i < n; i++)
		t.cpus[i] = (struct cpu_place){(int)i, pkg[i], core[i], llc[i]};
	return t;
}

static void lists(const struct cpu_topo *t, enum placement p, char *srv, char *cli)
{
	char err[256];
	cr_assert_eq(placement_lists(t, p, srv, 256, cli, 256, err, sizeof(err)), 0, "%s", err);
}

Test(placement, names_parse_and_match_the_option_words)
{
	char words[64] = "";
	for (size_t i = 0; placement_names[i]; i++) {
		enum placement p;
		cr_assert_eq(placement_parse(placement_names[i], &p), 0);
		cr_expect_str_eq(placement_name(p), placement_names[i]);
		snprintf(words + strlen(words), sizeof(words) - strlen(words), "%s%s", i ? " " : "",
			 placement_names[i]);
	}
	cr_expect_str_eq(words, PLACEMENT_WORDS);
	enum placement p;
	cr_expect_eq(placement_parse("Same", &p), -1);
	cr_expect_eq(placement_parse("", &p), -1);
}

Test(placement, two_cpus_same_shares_and_spread_splits)
{
	struct cpu_topo t = topo(2, (int[]){0, 0}, (int[]){0, 1}, (int[]){0, 0});
	char srv[256], cli[256];
	lists(&t, PLACEMENT_SAME, srv, cli);
	cr_expect_str_eq(srv, "0,1");
	cr_expect_str_eq(cli, "0,1", "connection i of both sides on the same CPU");
	lists(&t, PLACEMENT_SPREAD, srv, cli);
	cr_expect_str_eq(srv, "0");
	cr_expect_str_eq(cli, "1");
	lists(&t, PLACEMENT_FREE, srv, cli);
	cr_expect_str_eq(srv, "");
	cr_expect_str_eq(cli, "");
}

Test(placement, same_puts_pairs_on_distinct_cores_before_siblings)
{
	/* 2 cores with 2 SMT threads each, numbered as Intel does: 0,2 and 1,3 are siblings */
	struct cpu_topo t = topo(4, (int[]){0, 0, 0, 0}, (int[]){0, 1, 0, 1}, (int[]){0, 0, 0, 0});
	char srv[256], cli[256];
	lists(&t, PLACEMENT_SAME, srv, cli);
	cr_expect_str_eq(srv, "0,1,2,3");
	/* numbered as AMD does: 0,1 and 2,3 are siblings */
	t = topo(4, (int[]){0, 0, 0, 0}, (int[]){0, 0, 2, 2}, (int[]){0, 0, 0, 0});
	lists(&t, PLACEMENT_SAME, srv, cli);
	cr_expect_str_eq(srv, "0,2,1,3");
	cr_expect_str_eq(cli, "0,2,1,3");
	/* one cache: spread splits by core, never puts a pair on siblings */
	lists(&t, PLACEMENT_SPREAD, srv, cli);
	cr_expect_str_eq(srv, "0,1");
	cr_expect_str_eq(cli, "2,3");
}

Test(placement, spread_splits_packages_first_then_caches)
{
	struct cpu_topo t =
	    topo(4, (int[]){0, 0, 1, 1}, (int[]){0, 1, 2, 3}, (int[]){0, 0, 2, 2});
	char srv[256], cli[256];
	lists(&t, PLACEMENT_SPREAD, srv, cli);
	cr_expect_str_eq(srv, "0,1");
	cr_expect_str_eq(cli, "2,3");
	/* one package, two last-level caches (chiplets) */
	t = topo(4, (int[]){0, 0, 0, 0}, (int[]){0, 1, 2, 3}, (int[]){0, 2, 0, 2});
	lists(&t, PLACEMENT_SPREAD, srv, cli);
	cr_expect_str_eq(srv, "0,2");
	cr_expect_str_eq(cli, "1,3");
}

Test(placement, spread_on_one_cpu_is_refused_with_why)
{
	struct cpu_topo t = topo(1, (int[]){0}, (int[]){0}, (int[]){0});
	char srv[64], cli[64], err[256];
	cr_expect_eq(placement_lists(&t, PLACEMENT_SPREAD, srv, 64, cli, 64, err, sizeof(err)), -1);
	cr_expect(strstr(err, "two CPUs"), "%s", err);
	cr_expect_eq(placement_lists(&t, PLACEMENT_SAME, srv, 64, cli, 64, err, sizeof(err)), 0);
	cr_expect_str_eq(srv, "0");
}

static struct oncpu_sample sample(size_t n, const int *cpu, const double *ns)
{
	struct oncpu_sample s = {.n = n};
	for (size_t i = 0; i < n; i++)
		s.cpu[i] = cpu[i], s.ns[i] = ns[i];
	return s;
}

Test(placement, overlap_is_the_shared_share_of_on_cpu_time)
{
	struct oncpu_sample a = sample(2, (int[]){0, 1}, (double[]){100, 0});
	struct oncpu_sample b = sample(2, (int[]){0, 1}, (double[]){2, 98});
	cr_expect_float_eq(placement_overlap(&a, &b), 0.02, 1e-12);
	cr_expect_float_eq(placement_overlap(&a, &a), 1.0, 1e-12);
	struct oncpu_sample idle = sample(2, (int[]){0, 1}, (double[]){0, 0});
	cr_expect(isnan(placement_overlap(&a, &idle)), "a side that never ran: not measured");
	struct oncpu_sample none = {.n = 0};
	cr_expect(isnan(placement_overlap(&none, &b)));
}

Test(placement, placed_says_same_only_when_pairs_are_known)
{
	cr_expect_str_eq(placement_placed(0.02, 1, PLACEMENT_FREE), "spread");
	cr_expect_str_eq(placement_placed(0.99, 1, PLACEMENT_FREE), "same");
	cr_expect_str_eq(placement_placed(0.5, 1, PLACEMENT_FREE), "mixed");
	cr_expect_str_eq(placement_placed(1.0, 4, PLACEMENT_FREE), "mixed",
			 "4 unpinned connections on shared CPUs: which pairs met is unknown");
	cr_expect_str_eq(placement_placed(1.0, 4, PLACEMENT_SAME), "same");
	cr_expect_str_eq(placement_placed(0.0, 4, PLACEMENT_SPREAD), "spread");
	cr_expect_null(placement_placed(NAN, 1, PLACEMENT_SAME));
}

Test(placement, shares_name_cpus_with_their_percent)
{
	struct oncpu_sample s = sample(3, (int[]){0, 1, 5}, (double[]){970, 30, 1});
	char buf[64];
	placement_shares(&s, buf, sizeof(buf));
	cr_expect_str_eq(buf, "0:97;1:3", "a CPU under 0.5%% is left out");
	struct oncpu_sample none = {.n = 0};
	placement_shares(&none, buf, sizeof(buf));
	cr_expect_str_eq(buf, "");
}

static void put(const char *root, int cpu, const char *rel, const char *text)
{
	char path[512], cmd[600];
	snprintf(path, sizeof(path), "%s/cpu%d/%s", root, cpu, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	cr_assert_eq(system(cmd), 0);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fprintf(f, "%s\n", text);
	fclose(f);
}

Test(cputopo, reads_cores_and_the_last_level_cache_from_sysfs)
{
	char root[] = "/tmp/cputopo.XXXXXX";
	cr_assert(mkdtemp(root));
	for (int c = 0; c < 4; c++) { /* this machine's CPUs, and more */
		char core[16];
		snprintf(core, sizeof(core), "%d", c - c % 2);
		put(root, c, "topology/physical_package_id", "0");
		put(root, c, "topology/core_cpus_list", c % 2 ? "" : core);
		put(root, c, "cache/index0/level", "1");
		put(root, c, "cache/index0/shared_cpu_list", core);
		put(root, c, "cache/index3/level", "3");
		put(root, c, "cache/index3/shared_cpu_list", "0-7");
	}
	setenv("COPYSCOPE_SYSFS_CPU", root, 1);
	struct cpu_topo t;
	char err[256];
	int rc = cputopo_read(&t, err, sizeof(err));
	unsetenv("COPYSCOPE_SYSFS_CPU");
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_geq(t.n, 1);
	cr_expect_eq(t.cpus[0].core, 0);
	cr_expect_eq(t.cpus[0].llc, 0, "index3 is the last level, and CPU 0 its first");
	if (t.n >= 2 && t.cpus[1].cpu == 1)
		cr_expect_eq(t.cpus[1].core, 1, "an empty core list falls back to the CPU itself");
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	cr_expect_eq(system(cmd), 0);
}
