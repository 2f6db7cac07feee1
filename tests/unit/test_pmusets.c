/*
 * Event sets per PMU family (pmusets.h): which set a PMU gets and why, and
 * that every event of every shipped set encodes for each PMU it serves.
 * Run from the repository root (tests/run.sh does): the sets are read from
 * perfcfg/events/.
 */
#include <criterion/criterion.h>
#include <glob.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>

#include "counters.h"
#include "eventfile.h"
#include "pmusets.h"

static char err[1024];

static struct pmu_choice choose(const char *pmu, int assumed, int hw)
{
	struct pmuset_in in = {.pmu = pmu,
			       .desc = "a PMU",
			       .assumed = assumed,
			       .hw = hw,
			       .hw_reason = hw == 1 ? "yes" : "no hardware PMU exposed (ENOENT)"};
	struct pmu_choice c;
	pmuset_choose(&in, &c);
	return c;
}

/* --- selection, per family ----------------------------------------------------- */

Test(pmuset_choose, each_family_gets_its_set)
{
	static const struct {
		const char *pmu, *file;
	} cases[] = {
	    {"hsw", "intel-core.events"},
	    {"skl", "intel-core.events"},
	    {"skx", "intel-core.events"},
	    {"icl", "intel-core.events"},
	    {"icx", "intel-core.events"},
	    {"spr", "intel-core.events"},
	    {"amd64_fam17h_zen2", "amd-zen2.events"},
	    {"amd64_fam19h_zen3", "amd-zen3.events"},
	    {"amd64_fam19h_zen4", "amd-zen4.events"},
	    {"arm_n1", "arm-neoverse.events"},
	    {"arm_n2", "arm-neoverse.events"},
	    {"arm_v1", "arm-neoverse.events"},
	    {"arm_v2", "arm-neoverse.events"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int assumed = 0; assumed < 2; assumed++) {
			struct pmu_choice c = choose(cases[i].pmu, assumed, 1);
			cr_assert_str_eq(c.file, cases[i].file, "%s", cases[i].pmu);
			cr_assert_not_null(c.set, "%s", cases[i].pmu);
			cr_assert_str_eq(c.pmu, cases[i].pmu);
			cr_assert_not_null(strstr(c.why, cases[i].pmu), "%s", c.why);
			cr_assert_not_null(strstr(c.why, assumed
							     ? "assumed with --pmu"
							     : "libpfm4 detects and the kernel"),
					   "%s", c.why);
		}
	}
}

Test(pmuset_choose, a_pmu_without_a_set_or_no_pmu_gets_the_generic_names)
{
	struct pmu_choice c = choose("amd64_fam15h_interlagos", 0, 1);
	cr_assert_str_eq(c.file, "parte.events");
	cr_assert_null(c.set);
	cr_assert_not_null(strstr(c.why, "no event set for amd64_fam15h_interlagos"), "%s", c.why);
	c = choose("amd64_fam15h_interlagos", 1, 0);
	cr_assert_str_eq(c.file, "parte.events");
	cr_assert_not_null(strstr(c.why, "assumed with --pmu: the generic names"), "%s", c.why);
	c = choose(NULL, 0, 1);
	cr_assert_str_eq(c.file, "parte.events");
	cr_assert_not_null(strstr(c.why, "libpfm4 detects no core PMU it knows"), "%s", c.why);
	c = choose("", 0, 0);
	cr_assert_str_eq(c.file, "parte.events");
	cr_assert_not_null(strstr(c.why, "no hardware PMU"), "%s", c.why);
}

/* libpfm4 reads the CPU: a VM without a PMU still "has" icl. The kernel decides. */
Test(pmuset_choose, a_detected_pmu_the_kernel_does_not_expose_keeps_parte)
{
	struct pmu_choice c = choose("icl", 0, 0);
	cr_assert_str_eq(c.file, "parte.events");
	cr_assert_null(c.set);
	cr_assert_not_null(strstr(c.why,
				  "libpfm4 detects icl (a PMU) from the CPU, but the kernel "
				  "does not count cycles (no hardware PMU exposed (ENOENT))"),
			   "%s", c.why);
	/* refused for another reason (perf_event_paranoid): the PMU is there */
	c = choose("icl", 0, -1);
	cr_assert_str_eq(c.file, "intel-core.events");
	/* assumed: the user asks for that PMU's set, whatever this machine has */
	c = choose("icl", 1, 0);
	cr_assert_str_eq(c.file, "intel-core.events");
}

Test(pmuset_detect, this_machine_without_a_hardware_pmu_keeps_parte)
{
	char why[COUNTER_REASON_MAX];
	if (counters_hw_pmu_state(why, sizeof(why)) != 0)
		cr_skip_test("the kernel exposes a hardware PMU here (%s)", why);
	struct pmu_choice c;
	cr_assert_eq(pmuset_detect(NULL, &c, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(c.file, "parte.events", "%s", c.why);
	char path[4096], dwhy[1024];
	pmuset_default_events(path, sizeof(path), dwhy, sizeof(dwhy));
	cr_assert_str_eq(path, "perfcfg/events/parte.events");
	cr_assert_not_null(strstr(dwhy, "parte.events: "), "%s", dwhy);
}

Test(pmuset_detect, an_unknown_or_foreign_pmu_is_refused_naming_what_is_known)
{
	struct pmu_choice c;
	cr_assert_eq(pmuset_detect("no_such_pmu", &c, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "--pmu no_such_pmu: not a PMU this libpfm4 knows"), "%s",
			   err);
	cr_assert_eq(pmuset_detect("perf", &c, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "--pmu perf: not a core PMU"), "%s", err);
#if defined(__x86_64__)
	cr_assert_not_null(strstr(err, "amd64_fam19h_zen3"), "%s", err);
	cr_assert_eq(pmuset_detect("arm_n1", &c, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "--pmu arm_n1: this libpfm4 has no PMU arm_n1 "
				       "(arm-neoverse.events): a libpfm4 build has the PMUs of its "
				       "own architecture only"),
			   "%s", err);
#endif
}

/* --- the shipped sets ------------------------------------------------------------ */

static void load_set(const struct pmuset *s, struct event_set *set)
{
	char path[4096];
	pmuset_path(s->file, path, sizeof(path));
	cr_assert_eq(eventfile_load(path, set, err, sizeof(err)), 0, "%s", err);
}

Test(pmuset_files, every_set_has_each_level_and_the_software_events_and_tracepoint)
{
	static const char *const keep[] = {"ctx_switches", "cpu_migrations", "task_clock",
					   "page_faults", "rx_copies"};
	struct event_set parte;
	load_set(&(struct pmuset){.file = "parte.events"}, &parte);
	for (size_t i = 0; i < pmuset_count(); i++) {
		const struct pmuset *s = pmuset_get(i);
		struct event_set set;
		load_set(s, &set);
		cr_assert_str_eq(event_set_find_level(&set, "L1")->key, "l1d_misses", "%s",
				 s->file);
		cr_assert_str_eq(event_set_find_level(&set, "L2")->key, "l2_misses", "%s", s->file);
		cr_assert_str_eq(event_set_find_level(&set, "LLC")->key, "llc_misses", "%s",
				 s->file);
		for (size_t k = 0; k < sizeof(keep) / sizeof(keep[0]); k++) {
			const struct event_spec *ev = event_set_find(&set, keep[k]);
			cr_assert_not_null(ev, "%s lacks %s", s->file, keep[k]);
			cr_assert_str_eq(ev->name, event_set_find(&parte, keep[k])->name,
					 "%s: %s as in parte.events", s->file, keep[k]);
		}
		eventfile_free(&set);
	}
	eventfile_free(&parte);
}

Test(pmuset_files, every_shipped_set_is_in_the_table)
{
	glob_t g;
	cr_assert_eq(glob("perfcfg/events/*.events", 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *base = strrchr(g.gl_pathv[i], '/') + 1;
		if (!strcmp(base, "parte.events") || !strcmp(base, "software.events"))
			continue;
		int found = 0;
		for (size_t j = 0; j < pmuset_count(); j++)
			found |= !strcmp(pmuset_get(j)->file, base);
		cr_assert(found, "%s: no PMU in harness/pmusets.c uses it", g.gl_pathv[i]);
	}
	globfree(&g);
}

/*
 * Every event of every set encodes for every PMU the set serves: native names
 * for that PMU (LIBPFM_FORCE_PMU in a child, through the --pmu path), generic
 * and software names through the perf PMU, tracepoints through tracefs.
 */
Test(pmuset_files, every_event_of_every_set_encodes_for_each_of_its_pmus)
{
	size_t checked = 0;
	for (size_t i = 0; i < pmuset_count(); i++) {
		const struct pmuset *s = pmuset_get(i);
		struct event_set set;
		load_set(s, &set);
		for (const char *const *p = s->pmus; *p; p++) {
			struct pmu_choice c;
			if (pmuset_detect(*p, &c, err, sizeof(err))) {
#if defined(__x86_64__)
				/* an x86 libpfm4 has every PMU of the table but Arm's */
				cr_assert(!strncmp(*p, "arm_", 4), "%s", err);
#endif
				continue;
			}
			cr_assert_str_eq(c.file, s->file);
			struct counter_plan *plan = NULL;
			cr_assert_eq(pmuset_plan_build(&set, &c, &plan, err, sizeof(err)), 0,
				     "%s for %s: %s", s->file, *p, err);
			for (size_t e = 0; e < counter_plan_count(plan); e++) {
				struct counter_desc d;
				counter_plan_describe(plan, e, &d);
				if (event_is_cache_level(counter_plan_event(plan, e))) {
					cr_assert_str_eq(d.pmu, *p, "%s: %s for %s", s->file,
							 d.name, *p);
					cr_assert_eq(d.type, PERF_TYPE_RAW, "%s: %s", s->file,
						     d.name);
					cr_assert_not_null(strstr(d.fstr, *p), "%s", d.fstr);
				} else if (strncmp(d.name, "tracepoint:", 11)) {
					cr_assert_str_eq(d.pmu, "perf", "%s: %s", s->file, d.name);
				}
			}
			counter_plan_free(plan);
			checked++;
		}
		eventfile_free(&set);
	}
	cr_assert_geq(checked, 1);
#if defined(__x86_64__)
	cr_assert_eq(checked, 13, "every x86 PMU of the table: %zu", checked);
#endif
}
