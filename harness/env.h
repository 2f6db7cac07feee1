/*
 * env — env.txt: the machine and configuration a sweep ran on, so a results
 * folder can be read (and repeated) without the machine.
 *
 * env.txt is a block of key=value lines (one each, in this order, a value
 * never holds a newline; an unknown value is empty), ended by the first
 * empty line:
 *   date kernel arch cpu_model cpus mem_total_kib cpu_topology smt_siblings
 *   llc_shared (cputopo.h: the CPUs copyscope may use) hw_pmu hw_pmu_reason
 *   libpfm gnuplot perf_event_paranoid optmem_max tcp_rmem tcp_wmem lo_mtu
 *   governor git_rev sweep events seed order topology placement reps
 *   duration_s warmup_s command
 * then the copies of the sweep file and the event file, each after a line
 * "# --- sweep file: PATH ---" / "# --- event file: PATH ---".
 *
 * Errors: -1 with one line in err naming the file. env_write() writes
 * PATH.tmp and renames it, so env.txt is never half-written.
 */
#ifndef COPYSCOPE_ENV_H
#define COPYSCOPE_ENV_H

#include <stddef.h>
#include <stdint.h>

struct sweep_config;

/* Writes env.txt for cfg (with the seed used and the command line) to path. */
int env_write(const char *path, const struct sweep_config *cfg, uint64_t seed, int argc,
	      char **argv, char *err, size_t errlen);

/* Copies the file src to dst (through dst.tmp + rename). */
int env_copy_file(const char *src, const char *dst, char *err, size_t errlen);

/* The value of key in an env.txt (first block only) into buf: 0, or -1 when absent. */
int env_read_key(const char *path, const char *key, char *buf, size_t len);

#endif
