/*
 * placement — where the two workloads' threads are put, and what the run
 * shows they did.
 *
 * Asked (the sweep key `placement`, `copyscope run --placement`; the point
 * column `placement`):
 *   free    no pinning: the scheduler decides (and may move them);
 *   same    connection i's server thread and client thread share one CPU,
 *           pairs spread over cores first (one CPU of every core, then their
 *           SMT siblings);
 *   spread  they sit on different CPUs, as far apart as the topology allows:
 *           the CPUs are split between the sides by package when there are
 *           several, else by last-level cache, else by core, else by CPU.
 * Both pin each connection's thread (the workloads' --thread-cpus); the
 * workloads' other threads (accepting, the control socket) are not pinned.
 *
 * Measured (runs.csv): each side's on-CPU time per CPU over the window
 * (oncpu.h), written as "CPU:percent" pairs ("0:97;1:3"), and their overlap:
 * the sum over CPUs of the smaller of the two sides' shares (0: no CPU ran
 * both; 1: both spent all their time on the same CPUs). The `placed` column
 * reads it: spread when overlap <= PLACEMENT_SPREAD_MAX; same when overlap
 * >= PLACEMENT_SAME_MIN and the pairs are known to share CPUs (one
 * connection, or placement = same); mixed otherwise. With several
 * connections unpinned, the per-process shares cannot tell which server
 * thread ran beside which client thread, so such a run is never called same.
 */
#ifndef COPYSCOPE_PLACEMENT_H
#define COPYSCOPE_PLACEMENT_H

#include <stddef.h>

#include "cputopo.h"
#include "oncpu.h"

enum placement { PLACEMENT_FREE, PLACEMENT_SAME, PLACEMENT_SPREAD };

#define PLACEMENT_WORDS	     "free same spread" /* placement_names, as option choices */
#define PLACEMENT_CHOICES    "free, same or spread"
#define PLACEMENT_SAME_MIN   0.9
#define PLACEMENT_SPREAD_MAX 0.1

/* The names, indexed by enum placement, then NULL. */
extern const char *const placement_names[];

/* "free", "same", "spread" into *p: 0, or -1 for anything else. */
int placement_parse(const char *s, enum placement *p);
const char *placement_name(enum placement p);

/*
 * The CPU lists, in order, for the server's and the client's --thread-cpus
 * (connection i on the (i mod n)-th CPU): empty strings for free. -1 with a
 * line in err when t cannot hold the placement (spread on one CPU).
 */
int placement_lists(const struct cpu_topo *t, enum placement p, char *srv, size_t srvlen,
		    char *cli, size_t clilen, char *err, size_t errlen);

/* Whether this machine, as this process may use it, can hold p: 0, or -1
 * with err (spread with one CPU). */
int placement_check(enum placement p, char *err, size_t errlen);

/* The overlap of two sides' per-CPU times; NAN when either was not measured
 * or did not run. */
double placement_overlap(const struct oncpu_sample *srv, const struct oncpu_sample *cli);

/* "same", "spread" or "mixed" for a run with threads connections placed as
 * asked; NULL when overlap is NAN. */
const char *placement_placed(double overlap, unsigned threads, enum placement asked);

/* "0:97;1:3": the CPUs that held >= 0.5% of the side's on-CPU time, with
 * their rounded percentage; "" when not measured or it never ran. */
void placement_shares(const struct oncpu_sample *s, char *buf, size_t len);

#endif
