/*
 * env — env.txt (see env.h). Every probe is best effort: what cannot be read
 * on this machine is written as an empty value, never guessed.
 */
#include "env.h"
#include "cputopo.h"
#include "atomicfile.h"
#include "errmsg.h"

#include <errno.h>
#include <limits.h>
#include <perfmon/pfmlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "counters.h"
#include "hostdesc.h"
#include "remote.h"
#include "spawn.h"
#include "sweepfile.h"

/* A remote line, at its longest, is still one line for env_read_key. */
_Static_assert(sizeof("remote_") + ENV_REMOTE_KEY_MAX + ENV_VALUE_MAX + 1 <= ENV_LINE_MAX,
	       "env.txt line too long for env_read_key");

/* Tabs and newlines become single spaces; leading/trailing blanks go. */
static void one_line(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		char c = (*r == '\t' || *r == '\n' || *r == '\r') ? ' ' : *r;
		if (c == ' ' && (w == s || w[-1] == ' '))
			continue;
		*w++ = c;
	}
	while (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
}

/* The first line of a small file, or "". */
static void read_first_line(const char *path, char *buf, size_t len)
{
	buf[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	one_line(buf);
}

/* The first line a shell command prints (stderr discarded), or "". */
/* Finds name in $PATH, as a shell would, without one. 0 or -1. */
static int find_program(const char *name, char *path, size_t len)
{
	const char *dirs = getenv("PATH");
	if (!dirs || !*dirs)
		dirs = "/usr/local/bin:/usr/bin:/bin";
	for (const char *d = dirs; *d;) {
		size_t n = strcspn(d, ":");
		if (n && (size_t)snprintf(path, len, "%.*s/%s", (int)n, d, name) < len &&
		    access(path, X_OK) == 0)
			return 0;
		d += n + (d[n] == ':');
	}
	return -1;
}

/*
 * The first line a program prints, or "" when it is missing or fails. Run
 * with execve and an argument vector (spawn_capture), never through a shell.
 */
static void command_line_output(char *const argv[], char *buf, size_t len)
{
	char path[PATH_MAX], err[256], *out = NULL;
	buf[0] = '\0';
	if (find_program(argv[0], path, sizeof(path)))
		return;
	int status = spawn_capture(path, argv, 10.0, &out, err, sizeof(err));
	if (status == 0 && out)
		snprintf(buf, len, "%s", out);
	free(out);
	one_line(buf);
}

static void put(FILE *f, const char *key, const char *value)
{
	char v[ENV_VALUE_MAX];
	snprintf(v, sizeof(v), "%s", value ? value : "");
	one_line(v);
	fprintf(f, "%s=%s\n", key, v);
}

static void write_machine(FILE *f, const struct hostdesc_machine *m)
{
	char buf[512];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	put(f, "date", buf);
	put(f, "host", m->host);
	put(f, "kernel", m->kernel);
	put(f, "arch", m->arch);
	put(f, "cpu_model", m->cpu_model);
	put(f, "cpus", m->cpus_online);
	put(f, "mem_total_kib", m->mem_total_kib);
	static struct cpu_topo topo;
	char err[256];
	if (cputopo_read(&topo, err, sizeof(err)))
		put(f, "cpu_topology", ""); /* unknown: an empty value, as for any key */
	else
		cputopo_describe(&topo, f);
	char reason[256] = "";
	int pmu = counters_hw_pmu_available(reason, sizeof(reason));
	put(f, "hw_pmu", pmu ? "yes" : "no");
	put(f, "hw_pmu_reason", pmu ? "" : reason);
	command_line_output((char *[]){"dpkg-query", "-W", "-f=${Version}", "libpfm4", NULL}, buf,
			    sizeof(buf));
	if (!buf[0]) {
		int v = pfm_get_version();
		snprintf(buf, sizeof(buf), "%d.%d", PFM_MAJ_VERSION(v), PFM_MIN_VERSION(v));
	}
	put(f, "libpfm", buf);
	command_line_output((char *[]){"gnuplot", "--version", NULL}, buf, sizeof(buf));
	char ver[64];
	int patch;
	if (sscanf(buf, "gnuplot %63s patchlevel %d", ver, &patch) == 2) /* as 5.4.4 */
		snprintf(buf, sizeof(buf), "%s.%d", ver, patch);
	put(f, "gnuplot", buf);
}

static void put_files(FILE *f, size_t n, const char *const files[][2])
{
	char buf[512];
	for (size_t i = 0; i < n; i++) {
		read_first_line(files[i][1], buf, sizeof(buf));
		put(f, files[i][0], buf);
	}
}

static void write_kernel_settings(FILE *f, const struct hostdesc_machine *m)
{
	static const char *const sysctls[][2] = {
	    {"perf_event_paranoid", "/proc/sys/kernel/perf_event_paranoid"},
	    {"optmem_max", "/proc/sys/net/core/optmem_max"},
	    {"tcp_rmem", "/proc/sys/net/ipv4/tcp_rmem"},
	    {"tcp_wmem", "/proc/sys/net/ipv4/tcp_wmem"},
	};
	static const char *const cpu[][2] = {
	    {"governor", "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"},
	};
	put_files(f, sizeof(sysctls) / sizeof(sysctls[0]), sysctls);
	/* The veth's MTU and offloads are per run, in the row; loopback's are the machine's. */
	struct hostdesc_iface lo;
	hostdesc_iface_read("lo", &lo);
	put(f, "lo_mtu", lo.mtu);
	put_files(f, sizeof(cpu) / sizeof(cpu[0]), cpu);
	char buf[512];
	command_line_output((char *[]){"git", "describe", "--always", "--dirty", NULL}, buf,
			    sizeof(buf));
	put(f, "git_rev", buf);
	put(f, "copyscope", m->copyscope);
	put(f, "lo_offloads", lo.offloads);
}

/*
 * The near host's side of the link to the remote one: the interface that
 * holds the address its packets leave from. Best effort: a host that cannot
 * be resolved or reached leaves every value empty.
 */
static void write_link(FILE *f, const char *remote)
{
	char host[256], err[256];
	struct hostdesc_iface ifc;
	memset(&ifc, 0, sizeof(ifc));
	if (remote && !remote_spec_host(remote, host, sizeof(host)))
		hostdesc_iface_towards(host, &ifc, err, sizeof(err));
	put(f, "link_iface", ifc.iface);
	put(f, "link_driver", ifc.driver);
	put(f, "link_driver_version", ifc.driver_version);
	put(f, "link_mtu", ifc.mtu);
	put(f, "link_offloads", ifc.offloads);
	put(f, "link_speed_mbps", ifc.speed_mbps);
}

/* Whether a line before line (in desc) has the key of line's klen bytes. */
static int key_seen(const char *desc, const char *line, size_t klen)
{
	for (const char *p = desc; p < line; p += strcspn(p, "\n") + 1)
		if (!strncmp(p, line, klen + 1))
			return 1;
	return 0;
}

/*
 * The far host's lines, each as remote_<key>: only lines whose key is 1 to
 * ENV_REMOTE_KEY_MAX characters of [a-z0-9_] followed by '=' (others are
 * dropped, so a stray line can neither add a key of another shape nor end
 * env.txt's block), a key's first line only, the value made one line of
 * printable ASCII (hostdesc_clean) and cut to what put() keeps.
 */
static void write_remote_desc(FILE *f, const char *desc)
{
	for (const char *line = desc; *line;) {
		size_t n = strcspn(line, "\n");
		size_t klen = strspn(line, "abcdefghijklmnopqrstuvwxyz0123456789_");
		if (klen > 0 && klen <= ENV_REMOTE_KEY_MAX && line[klen] == '=' &&
		    !key_seen(desc, line, klen)) {
			char key[sizeof("remote_") + ENV_REMOTE_KEY_MAX], value[ENV_VALUE_MAX];
			size_t vlen = n - klen - 1;
			snprintf(key, sizeof(key), "remote_%.*s", (int)klen, line);
			snprintf(value, sizeof(value), "%.*s",
				 (int)(vlen < sizeof(value) ? vlen : sizeof(value) - 1),
				 line + klen + 1);
			hostdesc_clean(value);
			put(f, key, value);
		}
		line += n + (line[n] == '\n');
	}
}

static void write_hosts(FILE *f, const struct sweep_config *cfg, const char *remote_desc)
{
	put(f, "hosts", remote_desc ? "2" : "1");
	if (!remote_desc)
		return;
	write_link(f, cfg->remote);
	write_remote_desc(f, remote_desc);
}

static void write_sweep(FILE *f, const struct sweep_config *cfg, uint64_t seed, int argc,
			char **argv)
{
	char buf[1024];
	put(f, "sweep", cfg->path);
	put(f, "events", cfg->events_path);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)seed);
	put(f, "seed", buf);
	put(f, "order", cfg->shuffled ? "shuffled" : "sequential");
	buf[0] = '\0';
	for (size_t i = 0; i < cfg->n_topologies; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? " " : "",
			 cfg->topologies[i]);
	put(f, "topology", buf);
	buf[0] = '\0';
	for (size_t i = 0; i < cfg->n_placements; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? " " : "",
			 cfg->placements[i]);
	put(f, "placement", buf);
	snprintf(buf, sizeof(buf), "%u", cfg->reps);
	put(f, "reps", buf);
	snprintf(buf, sizeof(buf), "%g", cfg->duration_s);
	put(f, "duration_s", buf);
	snprintf(buf, sizeof(buf), "%g", cfg->warmup_s);
	put(f, "warmup_s", buf);
	snprintf(buf, sizeof(buf), "copyscope");
	for (int i = 0; i < argc; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " %s", argv[i]);
	put(f, "command", buf);
}

/* Appends the bytes of the file at path to f; 0 or -1. */
static int append_file(FILE *f, const char *path)
{
	FILE *in = fopen(path, "r");
	if (!in)
		return -1;
	char buf[8192];
	size_t n, last = '\n';
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		fwrite(buf, 1, n, f);
		last = (unsigned char)buf[n - 1];
	}
	int rc = ferror(in) ? -1 : 0;
	fclose(in);
	if (last != '\n')
		fputc('\n', f);
	return rc;
}

int env_write(const char *path, const struct sweep_config *cfg, uint64_t seed, int argc,
	      char **argv, const char *remote_desc, char *err, size_t errlen)
{
	struct atomic_file af;
	if (atomic_open(&af, path, err, errlen))
		return -1;
	FILE *f = af.f;
	struct hostdesc_machine m;
	hostdesc_machine_read(&m);
	write_machine(f, &m);
	write_kernel_settings(f, &m);
	write_hosts(f, cfg, remote_desc);
	write_sweep(f, cfg, seed, argc, argv);
	fprintf(f, "\n# --- sweep file: %s ---\n", cfg->path);
	fwrite(cfg->text, 1, cfg->text_len, f);
	if (cfg->text_len && cfg->text[cfg->text_len - 1] != '\n')
		fputc('\n', f);
	fprintf(f, "# --- event file: %s ---\n", cfg->events_path);
	if (append_file(f, cfg->events_path)) {
		int e = errno;
		atomic_abort(&af);
		return errmsg_set(err, errlen, "%s: %s", cfg->events_path, strerror(e));
	}
	return atomic_commit(&af, err, errlen);
}

int env_copy_file(const char *src, const char *dst, char *err, size_t errlen)
{
	struct atomic_file af;
	if (atomic_open(&af, dst, err, errlen))
		return -1;
	if (append_file(af.f, src)) {
		int e = errno;
		atomic_abort(&af);
		return errmsg_set(err, errlen, "%s: %s", src, strerror(e));
	}
	return atomic_commit(&af, err, errlen);
}

int env_read_key(const char *path, const char *key, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[ENV_LINE_MAX];
	size_t klen = strlen(key);
	int rc = -1;
	/* the key=value block only: it ends at the first line of another shape */
	while (fgets(line, sizeof(line), f)) {
		size_t name = strspn(line, "abcdefghijklmnopqrstuvwxyz0123456789_");
		if (name == 0 || line[name] != '=')
			break;
		if (name != klen || strncmp(line, key, klen))
			continue;
		snprintf(buf, len, "%s", line + klen + 1);
		buf[strcspn(buf, "\n")] = '\0';
		rc = 0;
		break;
	}
	fclose(f);
	return rc;
}
