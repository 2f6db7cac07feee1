/*
 * pmusets — which event file fits this machine's PMU (see pmusets.h).
 */
#include "pmusets.h"
#include "errmsg.h"
#include "programs.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* libpfm4's names (pfm_get_pmu_info().name), as in its 4.13 release. */
static const char *const intel_core[] = {"hsw", "hsw_ep", "bdw", "bdw_ep", "skl", "skx",
					 "clx", "icl",	  "icx", "spr",	   NULL};
static const char *const zen2[] = {"amd64_fam17h_zen2", NULL};
static const char *const zen3[] = {"amd64_fam19h_zen3", NULL};
static const char *const zen4[] = {"amd64_fam19h_zen4", NULL};
static const char *const neoverse[] = {"arm_n1", "arm_n2", "arm_v1", "arm_v2", NULL};

static const struct pmuset sets[] = {
    {"intel-core.events", "Intel cores, Haswell to Sapphire Rapids", intel_core},
    {"amd-zen2.events", "AMD Zen 2", zen2},
    {"amd-zen3.events", "AMD Zen 3", zen3},
    {"amd-zen4.events", "AMD Zen 4", zen4},
    {"arm-neoverse.events", "Arm Neoverse N1, N2, V1, V2", neoverse},
};

size_t pmuset_count(void)
{
	return sizeof(sets) / sizeof(sets[0]);
}

const struct pmuset *pmuset_get(size_t i)
{
	return i < pmuset_count() ? &sets[i] : NULL;
}

const struct pmuset *pmuset_for(const char *pmu)
{
	for (size_t i = 0; pmu && i < pmuset_count(); i++)
		for (const char *const *p = sets[i].pmus; *p; p++)
			if (!strcmp(*p, pmu))
				return &sets[i];
	return NULL;
}

void pmuset_choose(const struct pmuset_in *in, struct pmu_choice *c)
{
	memset(c, 0, sizeof(*c));
	const char *pmu = in->pmu ? in->pmu : "";
	snprintf(c->pmu, sizeof(c->pmu), "%s", pmu);
	snprintf(c->desc, sizeof(c->desc), "%s", in->desc && *in->desc ? in->desc : pmu);
	c->assumed = in->assumed && *pmu;
	c->hw = in->hw;
	const char *hw_reason = in->hw_reason && *in->hw_reason ? in->hw_reason : "?";
	const struct pmuset *set = *pmu ? pmuset_for(pmu) : NULL;
	/* The native set is for a PMU that counts here, or that the user assumes. */
	c->set = set && (c->assumed || in->hw != 0) ? set : NULL;
	snprintf(c->file, sizeof(c->file), "%s", c->set ? c->set->file : PMUSET_GENERIC);
	if (c->assumed && set)
		snprintf(c->why, sizeof(c->why), "the set for %s (%s), assumed with --pmu", pmu,
			 c->desc);
	else if (c->assumed)
		snprintf(c->why, sizeof(c->why),
			 "no event set for %s (%s), assumed with --pmu: the generic names", pmu,
			 c->desc);
	else if (!*pmu && in->hw == 1)
		snprintf(c->why, sizeof(c->why),
			 "the kernel counts cycles, but libpfm4 detects no core PMU it knows: the "
			 "generic names");
	else if (!*pmu && in->hw == 0)
		snprintf(
		    c->why, sizeof(c->why),
		    "no hardware PMU: the kernel exposes none (%s) and libpfm4 detects no core "
		    "PMU: the generic names, whose hardware events stay empty cells",
		    hw_reason);
	else if (!*pmu)
		snprintf(
		    c->why, sizeof(c->why),
		    "libpfm4 detects no core PMU (and the kernel refused a test event: %s): the "
		    "generic names",
		    hw_reason);
	else if (in->hw == 0)
		snprintf(
		    c->why, sizeof(c->why),
		    "libpfm4 detects %s (%s) from the CPU, but the kernel does not count cycles "
		    "(%s): the generic names, whose hardware events stay empty cells",
		    pmu, c->desc, hw_reason);
	else if (!set)
		snprintf(
		    c->why, sizeof(c->why),
		    "no event set for %s (%s), the core PMU libpfm4 detects: the generic names",
		    pmu, c->desc);
	else if (in->hw == 1)
		snprintf(c->why, sizeof(c->why),
			 "the set for %s (%s), the core PMU libpfm4 detects and the kernel exposes",
			 pmu, c->desc);
	else
		snprintf(c->why, sizeof(c->why),
			 "the set for %s (%s), the core PMU libpfm4 detects (the kernel refused a "
			 "test event: %s)",
			 pmu, c->desc, hw_reason);
}

static int has_set(const char *pmu)
{
	return pmuset_for(pmu) != NULL;
}

/* The PMUs of the table this libpfm4 build knows, space-separated. */
static void known_with_sets(char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < pmuset_count(); i++)
		for (const char *const *p = sets[i].pmus; *p; p++) {
			struct counter_pmu info;
			size_t used = strlen(buf);
			if (!counters_find_pmu(*p, &info) && used + strlen(*p) + 2 < len)
				snprintf(buf + used, len - used, "%s%s", used ? " " : "", *p);
		}
}

int pmuset_detect(const char *assume, struct pmu_choice *c, char *err, size_t errlen)
{
	char hw_reason[COUNTER_REASON_MAX];
	struct pmuset_in in = {.hw = counters_hw_pmu_state(hw_reason, sizeof(hw_reason)),
			       .hw_reason = hw_reason};
	struct counter_pmu p;
	if (assume) {
		char known[512];
		known_with_sets(known, sizeof(known));
		const struct pmuset *set = pmuset_for(assume);
		if (counters_find_pmu(assume, &p) && set)
			return errmsg_set(
			    err, errlen,
			    "--pmu %s: this libpfm4 has no PMU %s (%s): a libpfm4 build "
			    "has the PMUs of its own architecture only (here: %s)",
			    assume, assume, set->file, known);
		if (counters_find_pmu(assume, &p))
			return errmsg_set(
			    err, errlen,
			    "--pmu %s: not a PMU this libpfm4 knows (expected a core PMU "
			    "such as: %s)",
			    assume, known);
		if (!p.core)
			return errmsg_set(
			    err, errlen,
			    "--pmu %s: not a core PMU (libpfm4: %s); expected one such "
			    "as: %s",
			    assume, p.desc, known);
		in.pmu = p.name;
		in.desc = p.desc;
		in.assumed = 1;
	} else if (!counters_core_pmu(&p, has_set, NULL, 0)) {
		in.pmu = p.name;
		in.desc = p.desc;
	}
	pmuset_choose(&in, c);
	return 0;
}

void pmuset_path(const char *file, char *path, size_t len)
{
	char dflt[4096];
	program_default_events(dflt, sizeof(dflt));
	const char *slash = strrchr(dflt, '/');
	int dir = slash ? (int)(slash - dflt) : 0;
	if (slash)
		snprintf(path, len, "%.*s/%s", dir, dflt, file);
	else
		snprintf(path, len, "%s", file);
}

int pmuset_plan_build(const struct event_set *events, const struct pmu_choice *c,
		      struct counter_plan **plan, char *err, size_t errlen)
{
	struct event_set native;
	memset(&native, 0, sizeof(native));
	/* The set of the PMU in question, even when another file is counted:
	 * it names the native event a generic one this PMU lacks maps to. */
	const struct pmuset *set = c->pmu[0] ? pmuset_for(c->pmu) : NULL;
	int have = 0;
	if (set) {
		char path[4096], e2[512];
		pmuset_path(set->file, path, sizeof(path));
		have = eventfile_load(path, &native, e2, sizeof(e2)) == 0;
	}
	struct counter_plan_opts o = {
	    .assume_pmu = c->assumed ? c->pmu : NULL,
	    .native = have ? &native : NULL,
	    .native_source = set ? set->file : NULL,
	};
	int rc = counter_plan_build_opts(events, &o, plan, err, errlen);
	eventfile_free(&native);
	return rc;
}

void pmuset_default_events(char *path, size_t len, char *why, size_t whylen)
{
	struct pmu_choice c;
	char err[512];
	pmuset_detect(NULL, &c, err, sizeof(err)); /* detection alone cannot fail */
	pmuset_path(c.file, path, len);
	if (c.set && access(path, R_OK)) {
		char missing[4096];
		snprintf(missing, sizeof(missing), "%s", path);
		pmuset_path(PMUSET_GENERIC, path, len);
		if (why)
			snprintf(why, whylen, "%s is missing, so %s (%s)", missing, PMUSET_GENERIC,
				 c.why);
		return;
	}
	if (why)
		snprintf(why, whylen, "%s: %s", c.file, c.why);
}
