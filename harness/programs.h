/*
 * programs — the workload programs beside copyscope, and the strategies
 * they offer.
 *
 * Test hooks: the environment variables COPYSCOPE_SERVER and COPYSCOPE_CLIENT
 * name other programs to run instead of the workloads next to the executable
 * (tests use them to run a workload that crashes).
 */
#ifndef COPYSCOPE_PROGRAMS_H
#define COPYSCOPE_PROGRAMS_H

#include <stddef.h>

/* How long asking the server what it offers (--list-impls, --list-absent) may take. */
#define PROGRAM_LISTING_S 10.0

/* Where the workload program `which` ("server", "client") is: see the test hooks above. */
int program_path(const char *which, char *path, size_t len, char *err, size_t errlen);

/*
 * The default event file: perfcfg/events/parte.events under the current
 * folder, else under the executable's ../ (an installed or out-of-tree
 * copyscope). Writes the first that exists (or the first candidate) into path.
 */
void program_default_events(char *path, size_t len);

/*
 * The canonical name of a strategy name or alias, as the workloads know it:
 * asks `copyscope-server --list-impls` (one line per strategy: "name alias"),
 * so a strategy added to the workloads' table needs no change here.
 * 0, or -1 with "NAME: unknown strategy (expected two-copy, one-copy, ...)"
 * (bad input), or 1 for a strategy this build left out, with "NAME: not in
 * this build: ... (install ..., then make)" (`copyscope-server --list-absent`),
 * or -2 when the server could not be asked (err says why).
 */
int program_resolve_impl(const char *name, char *canonical, size_t len, char *err, size_t errlen);

/* The server's first line, WIRE_LISTENING " HOST:PORT\n" (wire.h), into host
 * and port ("[::1]" loses its brackets): 0, or -1 when out does not start
 * with a whole such line. */
int program_listening(const char *out, char *host, size_t hlen, char *port, size_t plen);

#endif
