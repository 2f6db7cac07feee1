/*
 * sweep — `copyscope sweep`: a plan (plan.h) carried out into a results
 * folder, with its progress line, signals and folder handling (see sweep.h).
 */
#include "sweep.h"
#include "autoreps.h"
#include "errmsg.h"
#include "placement.h"
#include "plan.h"
#include "pmusets.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "counters.h"
#include "env.h"
#include "eventfile.h"
#include "kv.h"
#include "netns.h"
#include "results.h"
#include "programs.h"
#include "remote.h"
#include "row.h"
#include "run.h"
#include "sampler.h"
#include "summary.h"

/* --- copyscope sweep ----------------------------------------------------------------- */

struct sweep_args {
	const char *input; /* FILE.ini, or the results folder with --resume and no --out */
	const char *out;
	int resume, dry_run, quiet;
};

/* One sweep being carried out: everything cmd_sweep holds between its steps. */
struct sweep_session {
	struct sweep_args args;
	char sweep_path[PATH_MAX + 32];
	char events_copy[PATH_MAX + 32]; /* "": use the sweep file's events */
	char dir[PATH_MAX];
	char name[256]; /* the sweep's name: its file's, or a resumed folder's original one */
	struct sweep_config cfg;
	struct event_set events;
	struct counter_plan *counters;
	struct sample_plan *sample; /* sample = on: where the CPU goes; else NULL */
	uint64_t seed;
	struct run_plan plan;
	size_t total;	      /* runs of the whole grid (reps = auto: so far) */
	size_t done_before;   /* rows already in runs.csv */
	size_t failed_before; /* of which not ok */
	int argc;
	char **argv;
	struct autoreps_state last; /* reps = auto: the last assessment */
	int budget_spent;	    /* reps = auto: the budget ended the rounds */
	/* remote = HOST: its agent, what it said its host is, the events it is sent */
	struct remote_target target;
	char *remote_desc;
	char *events_text;
	size_t events_len;
};

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
	run_request_stop();
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: copyscope sweep FILE.ini [--out DIR] [--resume] [--dry-run] [--quiet]\n"
		"       copyscope sweep --resume DIR [--dry-run] [--quiet]\n"
		"Runs the grid of a sweep file (perfcfg/sweeps/*.ini) into a results folder\n"
		"(default results/<UTC stamp>-<sweep name>/): runs.csv, summary.csv, env.txt,\n"
		"sweep.ini, events.events, raw/. --resume runs only what DIR lacks.\n"
		"Exit: 0 all ok, 1 some run failed, 2 bad input or harness error,\n"
		"130/143 interrupted by SIGINT/SIGTERM (finished rows and summary.csv kept).\n");
}

/* 0 parsed, 1 --help shown, 2 bad usage (said on stderr). */
static int parse_args(int argc, char **argv, struct sweep_args *a)
{
	static const struct option opts[] = {
	    {"out", required_argument, NULL, 'o'}, {"resume", no_argument, NULL, 'r'},
	    {"dry-run", no_argument, NULL, 'n'},   {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},	   {NULL, 0, NULL, 0},
	};
	memset(a, 0, sizeof(*a));
	optind = 0; /* glibc: start afresh */
	opterr = 0; /* one line of ours, not getopt's plus the usage */
	int c;
	while ((c = getopt_long(argc, argv, ":o:rnqh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			a->out = optarg;
			break;
		case 'r':
			a->resume = 1;
			break;
		case 'n':
			a->dry_run = 1;
			break;
		case 'q':
			a->quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case ':':
			fprintf(stderr, "copyscope sweep: %s: expected a value\n",
				argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr,
				"copyscope sweep: %s: unknown option (expected --out, --resume, "
				"--dry-run, --quiet or --help)\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "copyscope sweep: expected one %s (see --help)\n",
			a->resume && !a->out ? "results folder" : "sweep file");
		return 2;
	}
	a->input = argv[optind];
	if (a->out && !*a->out) {
		fprintf(stderr, "copyscope sweep: --out: expected a folder name\n");
		return 2;
	}
	return 0;
}

static int is_dir(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int file_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Reads a whole small file into a NUL-terminated string (caller frees), or NULL. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t cap = 1 << 20;
	char *text = malloc(cap + 1);
	size_t n = text ? fread(text, 1, cap, f) : 0;
	if (text)
		text[n] = '\0';
	fclose(f);
	return text;
}

/* Which sweep file and event file: the given ones, or a results folder's copies. 0 or 2. */
static int choose_inputs(struct sweep_session *s)
{
	const struct sweep_args *a = &s->args;
	s->events_copy[0] = '\0';
	if (a->resume && !a->out) {
		if (!is_dir(a->input)) {
			fprintf(stderr,
				"copyscope: %s: expected a results folder to resume "
				"(copyscope sweep --resume DIR)\n",
				a->input);
			return 2;
		}
		snprintf(s->dir, sizeof(s->dir), "%s", a->input);
	} else {
		snprintf(s->sweep_path, sizeof(s->sweep_path), "%s", a->input);
		if (a->out)
			snprintf(s->dir, sizeof(s->dir), "%s", a->out);
	}
	if (a->resume && s->dir[0] && is_dir(s->dir)) {
		char copy[PATH_MAX + 16];
		snprintf(copy, sizeof(copy), "%s/sweep.ini", s->dir);
		if (!s->sweep_path[0]) {
			if (!file_exists(copy)) {
				fprintf(stderr,
					"copyscope: %s: no sweep.ini (expected a results folder "
					"written by copyscope sweep)\n",
					s->dir);
				return 2;
			}
			snprintf(s->sweep_path, sizeof(s->sweep_path), "%s", copy);
		}
		snprintf(copy, sizeof(copy), "%s/events.events", s->dir);
		if (file_exists(copy))
			snprintf(s->events_copy, sizeof(s->events_copy), "%s", copy);
	}
	return 0;
}

/* With FILE.ini --out DIR --resume, DIR must have been made by the same sweep file. */
static int same_sweep_as_dir(const struct sweep_session *s)
{
	char copy[PATH_MAX + 16];
	snprintf(copy, sizeof(copy), "%s/sweep.ini", s->dir);
	if (!strcmp(copy, s->sweep_path) || !file_exists(copy))
		return 1;
	char *text = slurp(copy);
	int same = text && !strcmp(text, s->cfg.text);
	free(text);
	if (!same)
		fprintf(stderr,
			"copyscope: %s: differs from %s (expected the sweep that made %s; "
			"copyscope sweep --resume %s continues it)\n",
			copy, s->sweep_path, s->dir, s->dir);
	return same;
}

/*
 * remote = HOST: the key, and the agent asked what its host is (for env.txt):
 * a sweep whose agent cannot be reached, or refuses the key, stops before
 * anything is written. 0, or -1 (said).
 */
static int check_remote(struct sweep_session *s)
{
	char err[1024];
	if (remote_target_parse(s->cfg.remote, s->cfg.key_file, &s->target, err, sizeof(err))) {
		fprintf(stderr, "copyscope: %s:%d: %s\n", s->cfg.path, s->cfg.remote_line, err);
		return -1;
	}
	struct remote_failure why;
	if (remote_describe(&s->target, &s->remote_desc, &why)) {
		fprintf(stderr, "copyscope: %s:%d: remote %s: %s (%s)\n", s->cfg.path,
			s->cfg.remote_line, s->cfg.remote, why.detail, why.reason);
		return -1;
	}
	if (!s->args.quiet) {
		char host[128] = "", version[32] = "", kernel[96] = "", iface[32] = "";
		kv_get(s->remote_desc, "host", host, sizeof(host));
		kv_get(s->remote_desc, "copyscope", version, sizeof(version));
		kv_get(s->remote_desc, "kernel", kernel, sizeof(kernel));
		kv_get(s->remote_desc, "iface", iface, sizeof(iface));
		printf("copyscope: remote: servers run on %s (agent %s:%s, copyscope %s, kernel %s, "
		       "iface %s)\n",
		       host[0] ? host : "?", s->target.host, s->target.port, version[0] ? version : "?",
		       kernel[0] ? kernel : "?", iface[0] ? iface : "?");
	}
	size_t cap = eventfile_format(&s->events, NULL, 0) + 1;
	if (!(s->events_text = malloc(cap))) {
		fprintf(stderr, "copyscope: out of memory\n");
		return -1;
	}
	s->events_len = eventfile_format(&s->events, s->events_text, cap);
	return 0;
}

/* Sweep file, impls, event file, counters: all bad input is found here. 0 or 2. */
static int load_inputs(struct sweep_session *s)
{
	char err[1024], auto_path[4096], auto_why[512];
	pmuset_default_events(auto_path, sizeof(auto_path), auto_why, sizeof(auto_why));
	struct sweepfile_options opts = {
	    .resolve_impl = program_resolve_impl,
	    .events_path = s->events_copy[0] ? s->events_copy : NULL,
	    .auto_events_path = auto_path,
	};
	if (sweepfile_load(s->sweep_path, &opts, &s->cfg, err, sizeof(err))) {
		fprintf(stderr, "copyscope: %s\n", err);
		return 2;
	}
	if (s->cfg.events_auto && !s->events_copy[0] && !s->args.quiet)
		printf("copyscope: %s:%d: events = auto: %s\n", s->cfg.path, s->cfg.events_line,
		       auto_why);
	for (size_t i = 0; i < s->cfg.n_left_out; i++)
		fprintf(stderr, "copyscope: %s:%d: impls: left out of this sweep: %s\n", s->cfg.path,
			s->cfg.impls_line, s->cfg.left_out[i]);
	if (s->args.resume && s->args.out && !same_sweep_as_dir(s))
		return 2;
	char where[PATH_MAX + 32];
	if (s->cfg.events_line)
		snprintf(where, sizeof(where), "%s:%d: events", s->cfg.path, s->cfg.events_line);
	else
		snprintf(where, sizeof(where), "%s: events", s->cfg.path);
	if (eventfile_load(s->cfg.events_path, &s->events, err, sizeof(err))) {
		fprintf(stderr, "copyscope: %s: %s\n", where, err);
		return 2;
	}
	if (counter_plan_build(&s->events, &s->counters, err, sizeof(err))) {
		fprintf(stderr, "copyscope: %s: %s\n", where, err);
		return 2;
	}
	if (s->cfg.sample && sample_plan_build(&s->events.sample, s->events.source,
					       s->cfg.categories_path, &s->sample, err,
					       sizeof(err))) {
		fprintf(stderr, "copyscope: %s\n", err);
		return 2;
	}
	if (s->sample && sample_plan_note(s->sample)[0] && !s->args.quiet)
		printf("copyscope: sampling: %s\n", sample_plan_note(s->sample));
	for (size_t i = 0; i < s->cfg.n_placements; i++) {
		enum placement p = PLACEMENT_FREE;
		if (placement_parse(s->cfg.placements[i], &p) || placement_check(p, err, sizeof(err))) {
			fprintf(stderr, "copyscope: %s: %s\n", s->cfg.path, err);
			return 2;
		}
	}
	if (s->cfg.remote && check_remote(s))
		return 2;
	/* Found now, not at the first netns point after the loopback ones ran. */
	for (size_t i = 0; i < s->cfg.n_topologies; i++)
		if (!strcmp(s->cfg.topologies[i], "netns") &&
		    netns_check_privileges(err, sizeof(err))) {
			fprintf(stderr, "copyscope: %s: %s\n", s->cfg.path, err);
			return 2;
		}
	return 0;
}

/* "parte" of "perfcfg/sweeps/parte.ini" into buf; 0, or -1 when path names nothing. */
static int base_name(const char *path, char *buf, size_t len)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (n > 4 && !strcmp(base + n - 4, ".ini"))
		n -= 4;
	if (n == 0)
		return -1;
	snprintf(buf, len, "%.*s", (int)n, base);
	return 0;
}

/*
 * The sweep's name. Resumed from a folder alone, the sweep file is DIR/sweep.ini,
 * whose name is "sweep": the original's is env.txt's sweep=, else what follows
 * the stamp of a <stamp>-<name> folder, else the folder's own name.
 */
static void choose_name(struct sweep_session *s)
{
	char env[PATH_MAX + 16], buf[PATH_MAX], stamp[32];
	const char *base;
	snprintf(s->name, sizeof(s->name), "%s", s->cfg.name);
	if (!s->args.resume || s->args.out)
		return;
	snprintf(env, sizeof(env), "%s/env.txt", s->dir);
	if (!env_read_key(env, "sweep", buf, sizeof(buf)) &&
	    !base_name(buf, s->name, sizeof(s->name)))
		return;
	snprintf(buf, sizeof(buf), "%s", s->dir);
	for (size_t n = strlen(buf); n > 1 && buf[n - 1] == '/'; n--)
		buf[n - 1] = '\0';
	base = strrchr(buf, '/');
	base = base ? base + 1 : buf;
	int at = 0; /* YYYYmmddTHHMMSSZ-, as check_results_dir names a new folder */
	if (sscanf(base, "%8[0-9]T%6[0-9]Z-%n", stamp, stamp + 9, &at) != 2 || at != 17)
		at = 0;
	if (base[at] && strcmp(base + at, ".") && strcmp(base + at, ".."))
		snprintf(s->name, sizeof(s->name), "%s", base + at);
}

/* The nearest existing folder at or above path must be writable. */
static int writable_target(const char *path)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s", path);
	for (;;) {
		if (file_exists(p))
			return is_dir(p) && access(p, W_OK | X_OK) == 0;
		char *slash = strrchr(p, '/');
		if (!slash)
			return is_dir(".") && access(".", W_OK | X_OK) == 0;
		if (slash == p)
			return access("/", W_OK | X_OK) == 0;
		*slash = '\0';
	}
}

static int dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return 0;
	struct dirent *e;
	int empty = 1;
	while (empty && (e = readdir(d)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return empty;
}

/* Picks and checks the results folder, writing nothing. 0 or 2. */
static int check_results_dir(struct sweep_session *s)
{
	if (!s->dir[0]) {
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		snprintf(s->dir, sizeof(s->dir), "results/%s-%s", stamp, s->cfg.name);
	}
	if (file_exists(s->dir)) {
		if (!is_dir(s->dir)) {
			fprintf(stderr, "copyscope: %s: not a folder (expected a results folder)\n",
				s->dir);
			return 2;
		}
		if (!s->args.resume && !dir_is_empty(s->dir)) {
			fprintf(stderr,
				"copyscope: %s: exists and is not empty (expected a new "
				"results folder; --resume continues it)\n",
				s->dir);
			return 2;
		}
	}
	if (!writable_target(s->dir)) {
		fprintf(stderr,
			"copyscope: %s: not writable (expected a folder copyscope can "
			"write into)\n",
			s->dir);
		return 2;
	}
	return 0;
}

static uint64_t fresh_seed(void)
{
	uint64_t seed;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed))
		return seed % 1000000000ull; /* short enough to read out and type back */
	return ((uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16)) % 1000000000ull;
}

/* The seed: the sweep file's, else the one a resumed folder recorded, else a fresh one. */
static void choose_seed(struct sweep_session *s)
{
	char env[PATH_MAX + 16], buf[64];
	snprintf(env, sizeof(env), "%s/env.txt", s->dir);
	if (s->cfg.seed_given)
		s->seed = s->cfg.seed;
	else if (s->args.resume && !env_read_key(env, "seed", buf, sizeof(buf)) && *buf)
		s->seed = strtoull(buf, NULL, 10);
	else
		s->seed = fresh_seed();
}

/* The plan, less what a resumed folder's runs.csv already holds. 0 or 2. */
static int make_plan(struct sweep_session *s)
{
	if (run_plan_build(&s->cfg, s->seed, &s->plan)) {
		fprintf(stderr, "copyscope: out of memory\n");
		return 2;
	}
	s->total = s->plan.n;
	char runs_csv[PATH_MAX + 16];
	snprintf(runs_csv, sizeof(runs_csv), "%s/runs.csv", s->dir);
	if (!s->args.resume || !file_exists(runs_csv))
		return 0;
	struct dataset runs;
	char err[512];
	if (dataset_load(runs_csv, &runs, err, sizeof(err))) {
		fprintf(stderr, "copyscope: %s\n", err);
		return 2;
	}
	int rc = run_plan_drop_done(&s->plan, &runs, &s->done_before, err, sizeof(err));
	int status = dataset_col(&runs, "status");
	for (size_t r = 0; r < runs.nrows; r++)
		s->failed_before += strcmp(dataset_cell(&runs, r, status), "ok") != 0;
	dataset_free(&runs);
	if (rc) {
		fprintf(stderr, "copyscope: %s: %s\n", runs_csv, err);
		return 2;
	}
	return 0;
}

static void format_duration(double s, char *buf, size_t len)
{
	long t = (long)(s + 0.5);
	if (t >= 3600)
		snprintf(buf, len, "%ldh%02ldm%02lds", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, len, "%ldm%02lds", t / 60, t % 60);
}

static void print_plan(const struct sweep_session *s)
{
	const struct sweep_config *c = &s->cfg;
	char eta[32];
	format_duration(sweep_estimate_s(c, s->plan.n), eta, sizeof(eta));
	size_t points = sweep_config_points(c);
	printf("copyscope: sweep %s: %zu point%s x %u rep%s = %zu run%s", s->name, points,
	       points == 1 ? "" : "s", c->reps, c->reps == 1 ? "" : "s", s->total,
	       s->total == 1 ? "" : "s");
	if (s->done_before)
		printf(" (%zu already in runs.csv, %zu to run)", s->done_before, s->plan.n);
	if (c->reps_auto) {
		char budget[32] = "no budget";
		if (c->budget_s > 0) {
			format_duration(c->budget_s, budget + 7, sizeof(budget) - 7);
			memcpy(budget, "budget ", 7);
		}
		printf("\ncopyscope: reps auto: then rounds of the points whose median's 95%% "
		       "interval is wider than +-%g%%, up to %u reps (%zu runs), %s",
		       c->target * 100, c->max_reps, points * c->max_reps, budget);
	}
	printf("\ncopyscope: %s order, seed %llu; events %s\n",
	       c->shuffled ? "shuffled" : "sequential", (unsigned long long)s->seed,
	       c->events_path);
	printf("copyscope: estimated wall time %s%s (%zu run%s x (%g s warm-up + %g s + ~%g s "
	       "overhead))\n",
	       c->reps_auto ? "at least " : "", eta, s->plan.n, s->plan.n == 1 ? "" : "s",
	       c->warmup_s, c->duration_s, SWEEP_RUN_OVERHEAD_S);
	if (c->reps_auto) {
		double most = sweep_estimate_s(c, points * c->max_reps - s->done_before);
		format_duration(c->budget_s > 0 && c->budget_s < most ? c->budget_s : most, eta,
				sizeof(eta));
		printf("copyscope: at most %s with the rounds reps = auto may add\n", eta);
	}
	printf("copyscope: results in %s\n", s->dir);
}

static void print_dry_run(const struct sweep_session *s)
{
	for (size_t i = 0; i < s->plan.n; i++) {
		char name[256];
		planned_run_name(&s->plan.runs[i], name, sizeof(name));
		printf("  %4zu  %s\n", s->done_before + i + 1, name);
	}
	if (s->cfg.reps_auto)
		printf("  then: rounds of the points not yet within +-%g%% (reps = auto)\n",
		       s->cfg.target * 100);
	printf("copyscope: dry run: nothing run, nothing written\n");
}

/* Creates path and its parents; -1 with errno and the folder that could not
 * be made in failed. */
static int mkdir_p(const char *path, char *failed, size_t len)
{
	char p[PATH_MAX + 64];
	snprintf(p, sizeof(p), "%s", path);
	for (char *slash = p + 1;; slash++) {
		slash = strchr(slash, '/');
		if (slash)
			*slash = '\0';
		if (mkdir(p, 0777) && errno != EEXIST) {
			snprintf(failed, len, "%s", p);
			return -1;
		}
		if (!slash)
			return 0;
		*slash = '/';
	}
}

/* Creates the folder and raw/, and writes the copies and env.txt a new folder lacks. 0 or 2. */
static int open_results_dir(struct sweep_session *s)
{
	char path[PATH_MAX + 32], err[1024], failed[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/raw", s->dir);
	if (mkdir_p(path, failed, sizeof(failed))) {
		fprintf(stderr,
			"copyscope: %s: cannot create %s: %s (expected a folder copyscope may "
			"create, e.g. results/mine)\n",
			s->dir, failed, strerror(errno));
		return 2;
	}
	snprintf(path, sizeof(path), "%s/sweep.ini", s->dir);
	if (!file_exists(path) && env_copy_file(s->cfg.path, path, err, sizeof(err)))
		goto failed;
	snprintf(path, sizeof(path), "%s/events.events", s->dir);
	if (!file_exists(path) && env_copy_file(s->cfg.events_path, path, err, sizeof(err)))
		goto failed;
	snprintf(path, sizeof(path), "%s/env.txt", s->dir);
	if (!file_exists(path) &&
	    env_write(path, &s->cfg, s->seed, s->argc, s->argv, s->remote_desc, err,
		      sizeof(err)))
		goto failed;
	return 0;
failed:
	fprintf(stderr, "copyscope: %s\n", err);
	return 2;
}

/* What one invocation has seen so far, for progress lines and the end. */
struct sweep_progress {
	size_t done, ran, failed;
	int tty;
	struct timespec start;
	char **failures; /* "NAME: status" of this invocation's failed runs */
};

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void show_progress(const struct sweep_session *s, const struct sweep_progress *p,
			  const char *name)
{
	if (s->args.quiet || !p->tty)
		return;
	size_t left = s->total - p->done;
	double per_run =
	    p->ran ? seconds_since(&p->start) / (double)p->ran : sweep_estimate_s(&s->cfg, 1);
	char eta[32];
	format_duration(per_run * (double)left, eta, sizeof(eta));
	fprintf(stderr, "\r\033[Kcopyscope: %zu/%zu runs done, now %s, ETA %s%s", p->done, s->total,
		name, eta, s->cfg.reps_auto ? " (this round; reps = auto may add rounds)" : "");
	fflush(stderr);
}

/* Not a terminal: one line per run. A terminal: a line only for a failed run. */
static void log_run(const struct sweep_session *s, const struct sweep_progress *p, const char *name,
		    const struct result_row *row)
{
	const char *status = result_row_get(row, "status");
	if (p->tty && !s->args.quiet && status && strcmp(status, "ok"))
		fprintf(stderr, "\r\033[Kcopyscope: [%zu/%zu] %s: %s\n", p->done, s->total, name,
			status);
	if (s->args.quiet || p->tty)
		return;
	const char *gbps = result_row_get(row, "throughput_gbps");
	fprintf(stderr, "copyscope: [%zu/%zu] %s: %s%s%s%s\n", p->done, s->total, name,
		status ? status : "?", gbps && *gbps ? ", " : "", gbps && *gbps ? gbps : "",
		gbps && *gbps ? " Gbit/s" : "");
}

static void note_failure(struct sweep_progress *p, const char *name, const struct result_row *row)
{
	const char *status = result_row_get(row, "status");
	char **f = realloc(p->failures, (p->failed + 1) * sizeof(*f));
	if (!f)
		return;
	p->failures = f;
	if (asprintf(&f[p->failed], "%s: %s", name, status ? status : "failed") < 0)
		return;
	p->failed++;
}

/* A plan's placement (a name the sweep file was checked for). */
static enum placement placement_of(const char *name)
{
	enum placement p = PLACEMENT_FREE;
	placement_parse(name, &p);
	return p;
}

static void fill_spec(const struct sweep_session *s, const struct planned_run *r, const char *name,
		      struct run_spec *spec, char *srv_log, char *cli_log, char *intervals,
		      size_t loglen)
{
	snprintf(srv_log, loglen, "%s/raw/%s.server.log", s->dir, name);
	snprintf(cli_log, loglen, "%s/raw/%s.client.log", s->dir, name);
	snprintf(intervals, loglen, "%s/raw/%s.intervals.csv", s->dir, name);
	*spec = (struct run_spec){
	    .impl = r->impl,
	    .mode = r->mode,
	    .layout = r->layout,
	    .topology = r->topology,
	    .busy_poll = r->busy_poll,
	    .placement = placement_of(r->placement),
	    .msg_size = r->msg_size,
	    .threads = r->threads,
	    .rep = r->rep,
	    .duration_s = s->cfg.duration_s,
	    .warmup_s = s->cfg.warmup_s,
	    .server_cpus = s->cfg.server_cpus,
	    .client_cpus = s->cfg.client_cpus,
	    .server_log = srv_log,
	    .client_log = cli_log,
	    .intervals = intervals,
	    .sample = s->sample,
	    .remote = strcmp(r->topology, "remote") ? NULL : &s->target,
	    .events_text = s->events_text,
	    .events_len = s->events_len,
	};
}

/* Runs one planned run and appends its row. 0 go on, 1 stop (interrupted), 2 harness
 * error (or a remote run whose agent could not be reached: no row). */
/* A remote run that never started because its agent could not be reached or
 * refused the session (remote.h): the far host's trouble, not a measurement. */
static int agent_unreachable(const struct result_row *row)
{
	const char *st = result_row_get(row, "status");
	return st && !strncmp(st, "failed:", 7) && remote_never_started(st + 7);
}

static int run_one(const struct sweep_session *s, const struct planned_run *r,
		   struct sweep_progress *p)
{
	char name[256], srv_log[PATH_MAX + 300], cli_log[PATH_MAX + 300], err[1024];
	char intervals[PATH_MAX + 300];
	char runs_csv[PATH_MAX + 16];
	planned_run_name(r, name, sizeof(name));
	snprintf(runs_csv, sizeof(runs_csv), "%s/runs.csv", s->dir);
	show_progress(s, p, name);
	struct run_spec spec;
	fill_spec(s, r, name, &spec, srv_log, cli_log, intervals, sizeof(srv_log));
	struct result_row row;
	result_row_init(&row);
	int outcome = run_point(&spec, s->counters, &row, err, sizeof(err));
	int rc = 0;
	if (run_stop_requested() || outcome == RUN_INTERRUPTED) {
		rc = 1; /* an interrupted run leaves no row: --resume runs it again */
	} else if (outcome == RUN_FAILED && agent_unreachable(&row)) {
		/* nothing ran: every later run would fail the same way, and a row
		 * would keep --resume from running this one once the agent is back */
		fprintf(stderr,
			"%scopyscope: %s: %s: %s; no row written for it: start the agent (or fix "
			"the key), then copyscope sweep --resume %s\n",
			p->tty ? "\n" : "", name, result_row_get(&row, "status"), err, s->dir);
		rc = 2;
	} else if (outcome == RUN_ERROR) {
		fprintf(stderr, "%scopyscope: %s: %s\n", p->tty ? "\n" : "", name, err);
		rc = 2;
	} else if (results_append(runs_csv, &row, err, sizeof(err))) {
		fprintf(stderr, "%scopyscope: %s\n", p->tty ? "\n" : "", err);
		rc = 2;
	} else {
		p->done++;
		p->ran++;
		if (outcome == RUN_FAILED)
			note_failure(p, name, &row);
		log_run(s, p, name, &row);
	}
	result_row_free(&row);
	return rc;
}

static void set_stop_handlers(int install)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = install ? on_stop_signal : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* summary.csv from whatever runs.csv holds now (also after an interrupt). 0 or 2. */
static int write_summary(const struct sweep_session *s)
{
	char runs_csv[PATH_MAX + 16], summary_csv[PATH_MAX + 16], err[1024];
	snprintf(runs_csv, sizeof(runs_csv), "%s/runs.csv", s->dir);
	snprintf(summary_csv, sizeof(summary_csv), "%s/summary.csv", s->dir);
	if (!file_exists(runs_csv))
		return 0;
	if (summary_write(runs_csv, summary_csv, (const char *const *)s->cfg.impls, s->cfg.n_impls,
			  err, sizeof(err))) {
		fprintf(stderr, "copyscope: %s\n", err);
		return 2;
	}
	return 0;
}

static void print_end(const struct sweep_session *s, const struct sweep_progress *p, int stop)
{
	char took[32];
	format_duration(seconds_since(&p->start), took, sizeof(took));
	if (p->tty && !s->args.quiet)
		fputc('\n', stderr);
	if (stop)
		fprintf(stderr,
			"copyscope: interrupted (%s) after %zu of %zu runs; finished rows "
			"kept; continue with: copyscope sweep --resume %s\n",
			stop_signal == SIGTERM ? "SIGTERM" : "SIGINT", p->done, s->total, s->dir);
	if (p->failed || s->failed_before) {
		fprintf(stderr, "copyscope: %zu run(s) failed (left out of summary.csv medians):\n",
			p->failed + s->failed_before);
		for (size_t i = 0; i < p->failed; i++)
			fprintf(stderr, "  %s\n", p->failures[i]);
		if (s->failed_before)
			fprintf(stderr, "  (%zu earlier, see runs.csv)\n", s->failed_before);
	}
	if (!s->args.quiet)
		printf(
		    "copyscope: %zu of %zu runs in runs.csv (%zu this time, %s); results in %s\n",
		    p->done, s->total, p->ran, took, s->dir);
}

/* Runs s->plan's runs: 0 go on, 1 stop (interrupted), 2 harness error. */
static int run_runs(struct sweep_session *s, struct sweep_progress *p)
{
	int rc = 0;
	for (size_t i = 0; i < s->plan.n && !rc && !run_stop_requested(); i++)
		rc = run_one(s, &s->plan.runs[i], p);
	return rc;
}

/* How many of n runs the budget still allows (n without a budget). */
static size_t runs_in_budget(const struct sweep_session *s, const struct sweep_progress *p,
			     size_t n)
{
	if (s->cfg.budget_s <= 0)
		return n;
	double spent = seconds_since(&p->start);
	double per_run = p->ran ? spent / (double)p->ran : sweep_estimate_s(&s->cfg, 1);
	double fit = (s->cfg.budget_s - spent) / per_run;
	return fit <= 0 ? 0 : fit < (double)n ? (size_t)fit : n;
}

/* "+-12.3%", or "unknown" for a width not known (one value). */
static const char *format_width(double w, char *buf, size_t len)
{
	if (isnan(w))
		snprintf(buf, len, "unknown");
	else
		snprintf(buf, len, "+-%.3g%%", w * 100);
	return buf;
}

/*
 * reps = auto (autoreps.h): after the plan's rounds, a round of the points not
 * yet sure, widest first as far as the budget goes, until none is left.
 * Returns as run_runs.
 */
static int run_auto_rounds(struct sweep_session *s, struct sweep_progress *p)
{
	char runs_csv[PATH_MAX + 16], err[1024];
	snprintf(runs_csv, sizeof(runs_csv), "%s/runs.csv", s->dir);
	for (unsigned round = s->cfg.min_reps + 1;; round++) {
		struct dataset runs;
		if (dataset_load(runs_csv, &runs, err, sizeof(err))) {
			fprintf(stderr, "copyscope: %s\n", err);
			return 2;
		}
		autoreps_free(&s->last);
		int rc = autoreps_assess(&s->cfg, &runs, &s->last, err, sizeof(err));
		dataset_free(&runs);
		if (rc) {
			fprintf(stderr, "copyscope: %s: %s\n", runs_csv, err);
			return 2;
		}
		size_t n = runs_in_budget(s, p, s->last.n_next);
		s->budget_spent = n < s->last.n_next;
		if (!n)
			return 0;
		size_t *points = malloc(n * sizeof(*points));
		unsigned *reps = malloc(n * sizeof(*reps));
		rc = !points || !reps;
		for (size_t i = 0; i < n && !rc; i++) {
			points[i] = s->last.next[i].point;
			reps[i] = s->last.next[i].rows + 1;
		}
		rc = rc || run_plan_round(&s->cfg, s->seed, round, points, reps, n, &s->plan);
		free(points);
		free(reps);
		if (rc) {
			fprintf(stderr, "copyscope: out of memory\n");
			return 2;
		}
		s->total += n;
		if (!s->args.quiet) {
			char w[32];
			fprintf(stderr, "%scopyscope: reps auto: round %u: %zu of %zu points not yet "
					"within +-%g%% (widest %s); repeating %zu%s\n",
				p->tty ? "\r\033[K" : "", round, s->last.n_next + s->last.exhausted,
				s->last.points, s->cfg.target * 100,
				format_width(s->last.widest, w, sizeof(w)), n,
				s->budget_spent ? ", as many as the budget allows" : "");
		}
		if ((rc = run_runs(s, p)))
			return rc;
	}
}

/* reps = auto: how sure the sweep got, once its rounds ended. */
static void print_auto_end(const struct sweep_session *s)
{
	const struct autoreps_state *a = &s->last;
	if (!s->cfg.reps_auto || s->args.quiet || !a->points)
		return;
	size_t unsure = a->points - a->sure - a->failed;
	printf("copyscope: reps auto: %zu of %zu points within +-%g%%", a->sure, a->points,
	       s->cfg.target * 100);
	char w[32];
	if (unsure)
		printf("; %zu not (widest %s: %s)", unsure, format_width(a->widest, w, sizeof(w)),
		       s->budget_spent ? "the budget ran out" : "max_reps reached");
	if (a->failed)
		printf("; %zu with no ok run", a->failed);
	printf("\n");
}

/* Runs the plan; returns the exit status. */
static int run_plan(struct sweep_session *s)
{
	struct sweep_progress p = {.done = s->done_before, .tty = isatty(STDERR_FILENO)};
	clock_gettime(CLOCK_MONOTONIC, &p.start);
	stop_signal = 0;
	set_stop_handlers(1);
	int rc = run_runs(s, &p);
	if (!rc && !run_stop_requested() && s->cfg.reps_auto)
		rc = run_auto_rounds(s, &p);
	int stop = rc == 1 || run_stop_requested();
	set_stop_handlers(0);
	int summary_rc = write_summary(s);
	print_end(s, &p, stop);
	if (!stop)
		print_auto_end(s);
	int status = stop			    ? 128 + (stop_signal ? stop_signal : SIGINT)
		     : rc == 2 || summary_rc	    ? 2
		     : p.failed || s->failed_before ? 1
						    : 0;
	for (size_t i = 0; i < p.failed; i++)
		free(p.failures[i]);
	free(p.failures);
	return status;
}

static void session_free(struct sweep_session *s)
{
	autoreps_free(&s->last);
	sample_plan_free(s->sample);
	run_plan_free(&s->plan);
	if (s->counters)
		counter_plan_free(s->counters);
	eventfile_free(&s->events);
	sweepfile_free(&s->cfg);
	free(s->remote_desc);
	free(s->events_text);
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep_session s;
	memset(&s, 0, sizeof(s));
	s.argc = argc;
	s.argv = argv;
	int rc = parse_args(argc, argv, &s.args);
	if (rc)
		return rc == 1 ? 0 : 2;
	if (!(rc = choose_inputs(&s)) && !(rc = load_inputs(&s)) && !(rc = check_results_dir(&s))) {
		choose_name(&s);
		choose_seed(&s);
		rc = make_plan(&s);
	}
	if (!rc) {
		if (!s.args.quiet || s.args.dry_run)
			print_plan(&s);
		fflush(stdout);
		if (s.args.dry_run)
			print_dry_run(&s);
		else if (!(rc = open_results_dir(&s)))
			rc = run_plan(&s);
	}
	session_free(&s);
	return rc;
}
