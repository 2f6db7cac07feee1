/*
 * env — env.txt: the machine and configuration a sweep ran on, so a results
 * folder can be read (and repeated) without the machine.
 *
 * env.txt is a block of key=value lines (one each, in this order, a value
 * never holds a newline; an unknown value is empty), ended by the first
 * empty line:
 *   date host kernel arch cpu_model cpus mem_total_kib (hostdesc.h's, as
 *   this machine's own) cpu_topology smt_siblings llc_shared (cputopo.h:
 *   the CPUs copyscope may use) hw_pmu hw_pmu_reason libpfm gnuplot
 *   perf_event_paranoid optmem_max tcp_rmem tcp_wmem lo_mtu governor git_rev
 *   copyscope lo_offloads hosts
 *   [link_iface link_driver link_driver_version link_mtu link_offloads
 *    link_speed_mbps remote_<key>...]
 *   sweep events seed order topology placement reps duration_s warmup_s
 *   command
 * then the copies of the sweep file and the event file, each after a line
 * "# --- sweep file: PATH ---" / "# --- event file: PATH ---".
 *
 * hosts is 1, or 2 when the sweep reaches a far host (remote_desc given):
 * then link_* describe this machine's interface toward it (hostdesc's iface
 * lines for the address hostdesc_route_addr gives for cfg->remote's HOST),
 * and every line of the far host's description follows as remote_<key>. A
 * far-host line is kept only when its key is 1..ENV_REMOTE_KEY_MAX of
 * [a-z0-9_] followed by '=' (any other line is dropped: it could not be read
 * back, or would end the block), a key's first line only; its value is made
 * one line of printable ASCII (hostdesc_clean) and cut to ENV_VALUE_MAX - 1
 * bytes. A newline in a far-host value therefore splits it: what follows is
 * judged as a line of its own.
 *
 * Errors: -1 with one line in err naming the file. env_write() writes
 * PATH.tmp and renames it, so env.txt is never half-written.
 */
#ifndef COPYSCOPE_ENV_H
#define COPYSCOPE_ENV_H

#include <stddef.h>
#include <stdint.h>

#define ENV_VALUE_MAX	   1024 /* a value's bytes, NUL included: a longer one is cut */
#define ENV_REMOTE_KEY_MAX 32	/* a far-host key, as agentwire.h's AGENTWIRE_KEY_MAX */
#define ENV_LINE_MAX	   1100 /* env_read_key's longest line */

struct sweep_config;

/*
 * Writes env.txt for cfg (with the seed used and the command line) to path.
 * remote_desc: the far host's hostdesc lines (the agent's MACHINE payload),
 * NULL when the sweep stays on this machine.
 */
int env_write(const char *path, const struct sweep_config *cfg, uint64_t seed, int argc,
	      char **argv, const char *remote_desc, char *err, size_t errlen);

/* Copies the file src to dst (through dst.tmp + rename). */
int env_copy_file(const char *src, const char *dst, char *err, size_t errlen);

/* The value of key in an env.txt (first block only) into buf: 0, or -1 when absent. */
int env_read_key(const char *path, const char *key, char *buf, size_t len);

#endif
