/*
 * sweepfile — sweep files through libinih (see sweepfile.h).
 *
 * libinih reports lines only to handlers of a build with INI_HANDLER_LINENO,
 * which Debian's is not; so the text is fed through our own line reader
 * (ini_parse_stream), which knows the line the handler is called for.
 */
#include "sweepfile.h"
#include "categories.h"
#include "placement.h"
#include "cpulist.h"
#include "errmsg.h"
#include "eventfile.h"
#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define SWEEPFILE_MAX_BYTES (1u << 20)
#define LIST_ITEM_MAX	    64

enum sweep_key {
	K_IMPLS,
	K_SIZES,
	K_THREADS,
	K_MODES,
	K_LAYOUTS,
	K_BUSY_POLL,
	K_TOPOLOGIES,
	K_REPS,
	K_DURATION,
	K_WARMUP,
	K_EVENTS,
	K_SERVER_CPUS,
	K_CLIENT_CPUS,
	K_ORDER,
	K_SEED,
	K_PLACEMENT,
	K_MIN_REPS,
	K_MAX_REPS,
	K_TARGET,
	K_BUDGET,
	K_SAMPLE,
	K_CATEGORIES,
	K_REMOTE,
	K_KEY_FILE,
	K_COUNT
};

struct parse_state;
typedef int (*key_parser)(struct parse_state *st, const char *value);

struct key_def {
	const char *name;
	key_parser parse;
	int is_list; /* an indented line continues it */
};

struct parse_state {
	struct sweep_config *cfg;
	const struct sweepfile_options *opts;
	const char *path;
	char *err;
	size_t errlen;
	int err_line;	   /* first line with an error; 0: none yet */
	int seen[K_COUNT]; /* line where each key was given */
	int last_key;	   /* key of the previous pair, for continuations; -1 none */
	/* the line reader */
	const char *text;
	size_t pos;
	int line;
	int line_indented;
	const char *key_name; /* key being parsed, for messages */
};

static int bad(struct parse_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records the first error only ("FILE:LINE: ..."); returns 0, the handler's failure value. */
static int bad(struct parse_state *st, const char *fmt, ...)
{
	if (st->err_line)
		return 0;
	st->err_line = st->line ? st->line : 1;
	int n = snprintf(st->err, st->errlen, "%s:%d: ", st->path, st->err_line);
	if (n < 0 || (size_t)n >= st->errlen)
		return 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(st->err + n, st->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return 0;
}

/* --- lists ------------------------------------------------------------------ */

/* Splits value at spaces and commas into at most max items shorter than LIST_ITEM_MAX. */
static int split_list(struct parse_state *st, const char *value, char tok[][LIST_ITEM_MAX],
		      size_t max, size_t *n)
{
	*n = 0;
	const char *p = value;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			return 1;
		size_t len = strcspn(p, " \t,");
		if (*n == max)
			return bad(st, "%s: more than %zu items", st->key_name, max);
		if (len >= LIST_ITEM_MAX)
			return bad(st, "%s: %.*s...: item too long", st->key_name, 20, p);
		memcpy(tok[*n], p, len);
		tok[*n][len] = '\0';
		(*n)++;
		p += len;
	}
}

static int push_string(struct parse_state *st, char ***list, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*list)[i], s))
			return bad(st, "%s: %s is listed twice", st->key_name, s);
	char **v = realloc(*list, (*n + 1) * sizeof(*v));
	if (!v)
		return bad(st, "out of memory");
	*list = v;
	if (!(v[*n] = strdup(s)))
		return bad(st, "out of memory");
	(*n)++;
	return 1;
}

/* Parses value's items into a list whose items must be one of allowed. */
static int parse_choice_list(struct parse_state *st, const char *value, const char *const *allowed,
			     const char *expected, char ***list, size_t *n)
{
	char tok[SWEEP_LIST_MAX][LIST_ITEM_MAX];
	size_t ntok;
	if (!split_list(st, value, tok, SWEEP_LIST_MAX, &ntok))
		return 0;
	if (ntok == 0)
		return bad(st, "%s: expected at least one of %s", st->key_name, expected);
	for (size_t i = 0; i < ntok; i++) {
		size_t k = 0;
		while (allowed[k] && strcmp(allowed[k], tok[i]))
			k++;
		if (!allowed[k])
			return bad(st, "%s: %s: expected %s", st->key_name, tok[i], expected);
		if (!push_string(st, list, n, tok[i]))
			return 0;
	}
	return 1;
}

/* --- numbers ---------------------------------------------------------------- */

int sweep_parse_size(const char *s, unsigned long *bytes)
{
	uint64_t v;
	if (parse_size(s, MESSAGE_MIN_SIZE, MESSAGE_MAX_SIZE, &v))
		return -1;
	*bytes = (unsigned long)v;
	return 0;
}

/* A whole number in [1, max]: digits only. */
static int parse_count(const char *s, unsigned long max, unsigned long *out)
{
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v == 0 || v > max)
		return -1;
	*out = (unsigned long)v;
	return 0;
}

/* --- the keys ----------------------------------------------------------------- */

/* An optional strategy ("uring-zc?") that this build left out is dropped from
 * the grid and named in cfg->left_out; any other unresolved name is bad input. */
static int key_impls(struct parse_state *st, const char *value)
{
	struct sweep_config *cfg = st->cfg;
	char tok[SWEEP_LIST_MAX][LIST_ITEM_MAX];
	size_t ntok;
	if (!split_list(st, value, tok, SWEEP_LIST_MAX, &ntok))
		return 0;
	if (ntok == 0)
		return bad(
		    st, "impls: expected at least one strategy (e.g. two-copy one-copy zero-copy)");
	for (size_t i = 0; i < ntok; i++) {
		char canon[LIST_ITEM_MAX], why[256];
		size_t n = strlen(tok[i]);
		int optional = n > 1 && tok[i][n - 1] == SWEEP_OPTIONAL_MARK;
		if (optional)
			tok[i][n - 1] = '\0';
		snprintf(canon, sizeof(canon), "%s", tok[i]);
		int r = st->opts && st->opts->resolve_impl
			    ? st->opts->resolve_impl(tok[i], canon, sizeof(canon), why, sizeof(why))
			    : 0;
		if (r == 1 && optional) {
			if (!push_string(st, &cfg->left_out, &cfg->n_left_out, why))
				return 0;
			continue;
		}
		if (r)
			return bad(st, "impls: %s", why);
		if (!push_string(st, &cfg->impls, &cfg->n_impls, canon))
			return 0;
	}
	if (cfg->n_impls == 0)
		return bad(st, "impls: none of these strategies is in this build (%s)",
			   cfg->left_out[0]);
	cfg->impls_line = st->line;
	return 1;
}

/* Appends v to a list of numbers unless it is there already (tok as written). */
static int push_number(struct parse_state *st, unsigned long **list, size_t *n,
		       unsigned long v, const char *tok)
{
	for (size_t i = 0; i < *n; i++)
		if ((*list)[i] == v)
			return bad(st, "%s: %s is listed twice", st->key_name, tok);
	unsigned long *grown = realloc(*list, (*n + 1) * sizeof(*grown));
	if (!grown)
		return bad(st, "out of memory");
	*list = grown;
	grown[(*n)++] = v;
	return 1;
}

/* A whole number in [1, max], the shape parse_count has, for number lists. */
static int parse_thread_count(const char *s, unsigned long *out)
{
	return parse_count(s, CLIENT_THREADS_MAX, out);
}

/* Parses value's items with parse into a list of numbers: `noun` names one
 * item, `example` shows a list, `expected` says what a good item is. */
static int parse_number_list(struct parse_state *st, const char *value,
			     int (*parse)(const char *, unsigned long *), const char *noun,
			     const char *example, const char *expected, unsigned long **list,
			     size_t *n)
{
	char tok[SWEEP_LIST_MAX][LIST_ITEM_MAX];
	size_t ntok;
	if (!split_list(st, value, tok, SWEEP_LIST_MAX, &ntok))
		return 0;
	if (ntok == 0)
		return bad(st, "%s: expected at least one %s (e.g. %s)", st->key_name, noun,
			   example);
	for (size_t i = 0; i < ntok; i++) {
		unsigned long v;
		if (parse(tok[i], &v))
			return bad(st, "%s: %s: expected a %s", st->key_name, tok[i], expected);
		if (!push_number(st, list, n, v, tok[i]))
			return 0;
	}
	return 1;
}

static int key_sizes(struct parse_state *st, const char *value)
{
	return parse_number_list(st, value, sweep_parse_size, "message size", "256 1K 64K 1M",
				 "size in bytes from 8 to 64M (256, 1K, 64K, 1M)", &st->cfg->sizes,
				 &st->cfg->n_sizes);
}

static int key_threads(struct parse_state *st, const char *value)
{
	char expected[64];
	snprintf(expected, sizeof(expected), "thread count from 1 to %u", CLIENT_THREADS_MAX);
	return parse_number_list(st, value, parse_thread_count, "thread count", "1 2 4 8",
				 expected, &st->cfg->threads, &st->cfg->n_threads);
}

static int key_modes(struct parse_state *st, const char *value)
{
	static const char *const allowed[] = {"stream", "rr", NULL};
	return parse_choice_list(st, value, allowed, "stream or rr", &st->cfg->modes,
				 &st->cfg->n_modes);
}

static int key_layouts(struct parse_state *st, const char *value)
{
	static const char *const allowed[] = {"scattered", "contiguous", NULL};
	return parse_choice_list(st, value, allowed, "scattered or contiguous", &st->cfg->layouts,
				 &st->cfg->n_layouts);
}

static int key_topologies(struct parse_state *st, const char *value)
{
	static const char *const allowed[] = {"loopback", "netns", "remote", NULL};
	return parse_choice_list(st, value, allowed, "loopback, netns or remote", &st->cfg->topologies,
				 &st->cfg->n_topologies);
}

static int key_placement(struct parse_state *st, const char *value)
{
	return parse_choice_list(st, value, placement_names, PLACEMENT_CHOICES, &st->cfg->placements,
				 &st->cfg->n_placements);
}

static int key_busy_poll(struct parse_state *st, const char *value)
{
	struct sweep_config *cfg = st->cfg;
	if (!strcmp(value, "off"))
		cfg->busy_poll[0] = 0, cfg->n_busy_poll = 1;
	else if (!strcmp(value, "on"))
		cfg->busy_poll[0] = 1, cfg->n_busy_poll = 1;
	else if (!strcmp(value, "both"))
		cfg->busy_poll[0] = 0, cfg->busy_poll[1] = 1, cfg->n_busy_poll = 2;
	else
		return bad(st, "busy_poll: %s: expected off, on or both", value);
	return 1;
}

static int key_reps(struct parse_state *st, const char *value)
{
	unsigned long r;
	if (!strcmp(value, SWEEP_REPS_AUTO)) {
		st->cfg->reps_auto = 1;
		return 1;
	}
	if (parse_count(value, SWEEP_REPS_MAX, &r))
		return bad(st,
			   "reps: %s: expected a repetition count from 1 to %d, or auto (until "
			   "sure)",
			   value, SWEEP_REPS_MAX);
	st->cfg->reps = (unsigned)r;
	return 1;
}

static int key_rep_bound(struct parse_state *st, const char *value, const char *key,
			 unsigned *out)
{
	unsigned long r;
	if (parse_count(value, SWEEP_REPS_MAX, &r) || r < SWEEP_AUTO_MIN_REPS)
		return bad(st, "%s: %s: expected a repetition count from %d to %d", key, value,
			   SWEEP_AUTO_MIN_REPS, SWEEP_REPS_MAX);
	*out = (unsigned)r;
	return 1;
}

static int key_min_reps(struct parse_state *st, const char *value)
{
	return key_rep_bound(st, value, "min_reps", &st->cfg->min_reps);
}

static int key_max_reps(struct parse_state *st, const char *value)
{
	return key_rep_bound(st, value, "max_reps", &st->cfg->max_reps);
}

/* "5%" or "0.05": the half-width of the interval, relative to the median. */
static int key_target(struct parse_state *st, const char *value)
{
	char *end;
	errno = 0;
	double v = strtod(value, &end);
	if (end != value && !strcmp(end, "%"))
		v /= 100;
	else if (end == value || *end)
		v = NAN;
	if (errno || !(v >= SWEEP_TARGET_MIN && v <= SWEEP_TARGET_MAX))
		return bad(st, "target: %s: expected a relative half-width from %g%% to %g%% (5%%, "
			       "0.05)",
			   value, SWEEP_TARGET_MIN * 100, SWEEP_TARGET_MAX * 100);
	st->cfg->target = v;
	return 1;
}

static int key_budget(struct parse_state *st, const char *value)
{
	double s;
	if (parse_seconds(value, 1, SWEEP_BUDGET_MAX_S, &s))
		return bad(st, "budget: %s: expected a wall time from 1 s to %.0f h (660, 11m)",
			   value, SWEEP_BUDGET_MAX_S / 3600);
	st->cfg->budget_s = s;
	return 1;
}

static int key_duration(struct parse_state *st, const char *value)
{
	double s;
	if (parse_seconds(value, DURATION_MIN_S, SECONDS_MAX_S, &s))
		return bad(st,
			   "duration: %s: expected seconds from %g (the client's shortest window) "
			   "to %.0f (1.0, 1s, 500ms)",
			   value, DURATION_MIN_S, SECONDS_MAX_S);
	st->cfg->duration_s = s;
	return 1;
}

static int key_warmup(struct parse_state *st, const char *value)
{
	double s;
	if (parse_seconds(value, 0, SECONDS_MAX_S, &s))
		return bad(st, "warmup: %s: expected seconds from 0 to %.0f (0.2, 200ms)", value,
			   SECONDS_MAX_S);
	st->cfg->warmup_s = s;
	return 1;
}

static int key_events(struct parse_state *st, const char *value)
{
	if (!*value || strpbrk(value, " \t,"))
		return bad(st, "events: expected one event file (e.g. parte.events)");
	free(st->cfg->events_path);
	if (!(st->cfg->events_path = strdup(value)))
		return bad(st, "out of memory");
	st->cfg->events_line = st->line;
	return 1;
}

/* sample = on | off: where the CPU goes (sampler.h), for every run. */
static int key_sample(struct parse_state *st, const char *value)
{
	if (!strcmp(value, "on"))
		st->cfg->sample = 1;
	else if (!strcmp(value, "off"))
		st->cfg->sample = 0;
	else
		return bad(st, "sample: %s: expected on or off", value);
	st->cfg->sample_line = st->line;
	return 1;
}

static int key_categories(struct parse_state *st, const char *value)
{
	if (!*value || strpbrk(value, " \t,"))
		return bad(st, "categories: expected one category file (e.g. default.cat)");
	free(st->cfg->categories_path);
	if (!(st->cfg->categories_path = strdup(value)))
		return bad(st, "out of memory");
	return 1;
}

/* remote = HOST[:PORT]: checked for its shape here, contacted by the sweep. */
static int key_remote(struct parse_state *st, const char *value)
{
	if (!*value || strpbrk(value, " \t,"))
		return bad(st, "remote: expected one HOST[:PORT] (an agent's)");
	free(st->cfg->remote);
	if (!(st->cfg->remote = strdup(value)))
		return bad(st, "out of memory");
	st->cfg->remote_line = st->line;
	return 1;
}

/* key_file = FILE: the key shared with the agent. Relative to the current
 * folder, not to the sweep file: --resume reads the copy in the results folder. */
static int key_key_file(struct parse_state *st, const char *value)
{
	if (!*value || strpbrk(value, " \t,"))
		return bad(st, "key_file: expected one file (the key shared with the agent)");
	free(st->cfg->key_file);
	if (!(st->cfg->key_file = strdup(value)))
		return bad(st, "out of memory");
	return 1;
}

static int set_cpus(struct parse_state *st, const char *value, char **out)
{
	char why[256];
	if (!cpu_list_valid(value))
		return bad(st, "%s: %s: expected a CPU list such as 0, 0-1 or 0,2-3", st->key_name,
			   value);
	if (cpu_list_available(value, why, sizeof(why)))
		return bad(st, "%s: %s: %s", st->key_name, value, why);
	if (!(*out = strdup(value)))
		return bad(st, "out of memory");
	return 1;
}

static int key_server_cpus(struct parse_state *st, const char *value)
{
	return set_cpus(st, value, &st->cfg->server_cpus);
}

static int key_client_cpus(struct parse_state *st, const char *value)
{
	return set_cpus(st, value, &st->cfg->client_cpus);
}

static int key_order(struct parse_state *st, const char *value)
{
	if (!strcmp(value, "shuffled"))
		st->cfg->shuffled = 1;
	else if (!strcmp(value, "sequential"))
		st->cfg->shuffled = 0;
	else
		return bad(st, "order: %s: expected shuffled or sequential", value);
	return 1;
}

static int key_seed(struct parse_state *st, const char *value)
{
	errno = 0;
	char *end;
	unsigned long long v = strtoull(value, &end, 10);
	if (!isdigit((unsigned char)*value) || *end || errno)
		return bad(st, "seed: %s: expected a whole number from 0 to 2^64-1", value);
	st->cfg->seed = v;
	st->cfg->seed_given = 1;
	return 1;
}

static const struct key_def keys[K_COUNT] = {
    [K_IMPLS] = {"impls", key_impls, 1},
    [K_SIZES] = {"sizes", key_sizes, 1},
    [K_THREADS] = {"threads", key_threads, 1},
    [K_MODES] = {"modes", key_modes, 1},
    [K_LAYOUTS] = {"layouts", key_layouts, 1},
    [K_BUSY_POLL] = {"busy_poll", key_busy_poll, 0},
    [K_TOPOLOGIES] = {"topologies", key_topologies, 1},
    [K_REPS] = {"reps", key_reps, 0},
    [K_DURATION] = {"duration", key_duration, 0},
    [K_WARMUP] = {"warmup", key_warmup, 0},
    [K_EVENTS] = {"events", key_events, 0},
    [K_SERVER_CPUS] = {"server_cpus", key_server_cpus, 0},
    [K_CLIENT_CPUS] = {"client_cpus", key_client_cpus, 0},
    [K_ORDER] = {"order", key_order, 0},
    [K_SEED] = {"seed", key_seed, 0},
    [K_PLACEMENT] = {"placement", key_placement, 1},
    [K_MIN_REPS] = {"min_reps", key_min_reps, 0},
    [K_MAX_REPS] = {"max_reps", key_max_reps, 0},
    [K_TARGET] = {"target", key_target, 0},
    [K_BUDGET] = {"budget", key_budget, 0},
    [K_SAMPLE] = {"sample", key_sample, 0},
    [K_CATEGORIES] = {"categories", key_categories, 0},
    [K_REMOTE] = {"remote", key_remote, 0},
    [K_KEY_FILE] = {"key_file", key_key_file, 0},
};

/* --- libinih glue --------------------------------------------------------------- */

/* fgets for the text, counting lines; a line that does not fit is an error. */
/* A "[section]" line other than [sweep] is refused on its own line, even
 * when no key follows it (libinih calls back only for keys). */
static void check_section(struct parse_state *st, const char *line)
{
	line += strspn(line, " \t");
	if (*line != '[')
		return;
	size_t n = strcspn(line + 1, "]\n");
	if (line[1 + n] == ']' && !(n == 5 && !strncasecmp(line + 1, "sweep", 5)))
		bad(st, "[%.*s]: unknown section (expected keys at the top or in [sweep])", (int)n,
		    line + 1);
}

static char *read_line(char *str, int num, void *stream)
{
	struct parse_state *st = stream;
	if (!st->text[st->pos] || num < 2)
		return NULL;
	const char *start = st->text + st->pos;
	size_t len = strcspn(start, "\n");
	size_t next = len + (start[len] == '\n');
	st->line++;
	st->line_indented = (*start == ' ' || *start == '\t');
	if (len >= (size_t)num - 1) {
		bad(st, "line longer than %d characters", num - 2);
		len = (size_t)num - 2;
	}
	memcpy(str, start, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	st->pos += next;
	check_section(st, str);
	return str;
}

/* Cuts a "# comment" that follows a space (libinih only cuts ';' ones). */
static void cut_hash_comment(char *v)
{
	for (char *p = v; *p; p++)
		if (*p == '#' && (p == v || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			break;
		}
	size_t n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		v[--n] = '\0';
}

#if INI_HANDLER_LINENO
static int on_pair(void *user, const char *section, const char *name, const char *value, int lineno)
#else
static int on_pair(void *user, const char *section, const char *name, const char *value)
#endif
{
	struct parse_state *st = user;
#if INI_HANDLER_LINENO
	(void)lineno; /* our reader counts lines in every build */
#endif
	if (*section && strcasecmp(section, "sweep"))
		return bad(st, "[%s]: unknown section (expected keys at the top or in [sweep])",
			   section);
	char v[4096];
	snprintf(v, sizeof(v), "%s", value);
	cut_hash_comment(v);

	int k = 0;
	while (k < K_COUNT && strcmp(keys[k].name, name))
		k++;
	if (k == K_COUNT)
		return bad(st,
			   "%s: unknown key (expected impls, sizes, threads, modes, layouts, "
			   "busy_poll, topologies, placement, reps, min_reps, max_reps, target, "
			   "budget, duration, warmup, events, server_cpus, client_cpus, order, "
			   "seed, sample, categories, remote or key_file)",
			   name);
	st->key_name = keys[k].name;
	int continued = st->line_indented && k == st->last_key && keys[k].is_list;
	if (st->line_indented && k == st->last_key && !keys[k].is_list)
		return bad(st, "%s: an indented line continues only a list key", name);
	if (continued && strchr(v, '='))
		return bad(st,
			   "%s: an indented line continues the list above it; start KEY = VALUE "
			   "at the beginning of a line",
			   name);
	if (!continued && st->seen[k])
		return bad(st, "%s: given twice (first on line %d)", name, st->seen[k]);
	if (!continued)
		st->seen[k] = st->line;
	st->last_key = k;
	return keys[k].parse(st, v);
}

/* --- after the file: required keys, defaults, the event file --------------------- */

static int set_default_list(char ***list, size_t *n, const char *value)
{
	if (*n)
		return 0;
	if (!(*list = malloc(sizeof(char *))) || !((*list)[0] = strdup(value)))
		return -1;
	*n = 1;
	return 0;
}

/* <dir of sweep_path>/../events/NAME[.events], with "x/sweeps/.." folded to "x". */
static char *resolve_events(const char *sweep_path, const char *name)
{
	if (strchr(name, '/'))
		return strdup(name);
	const char *ext = strchr(name, '.') ? "" : ".events";
	char *dir = strdup(sweep_path), *out;
	if (!dir)
		return NULL;
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	const char *last = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
	int r;
	if (!strcmp(last, ".") || !strcmp(last, "..") || !*last)
		r = asprintf(&out, "%s/../events/%s%s", dir, name, ext);
	else if (last == dir)
		r = asprintf(&out, "events/%s%s", name, ext);
	else
		r = asprintf(&out, "%.*sevents/%s%s", (int)(last - dir), dir, name, ext);
	free(dir);
	if (r < 0)
		return NULL;
	/* not beside the sweep file (one of the user's, elsewhere): where
	 * `copyscope run` looks, the current folder's perfcfg/ or the installed one */
	char found[4400];
	eventfile_find(name, NULL, found, sizeof(found));
	if (access(out, F_OK) && !access(found, F_OK)) {
		free(out);
		return strdup(found);
	}
	return out;
}

/* sample's default, and the category file it names (beside the sweep file's
 * folder, as events are, else where copyscope run looks): it must exist. */
static int finish_sampling(struct parse_state *st)
{
	struct sweep_config *cfg = st->cfg;
	if (!st->seen[K_SAMPLE])
		cfg->sample = SWEEP_SAMPLE_DEFAULT;
	if (st->seen[K_CATEGORIES] && !cfg->sample)
		return errmsg_set(st->err, st->errlen, "%s:%d: categories: only with sample = on",
				  st->path, st->seen[K_CATEGORIES]);
	if (!cfg->sample)
		return 0;
	char *dir = strdup(st->path), found[4400];
	if (!dir)
		return errmsg_set(st->err, st->errlen, "%s: out of memory", st->path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	categories_find(cfg->categories_path ? cfg->categories_path : CATEGORY_DEFAULT,
			slash ? dir : ".", found, sizeof(found));
	free(dir);
	free(cfg->categories_path);
	if (!(cfg->categories_path = strdup(found)))
		return errmsg_set(st->err, st->errlen, "%s: out of memory", st->path);
	cfg->categories_line = st->seen[K_CATEGORIES];
	struct stat sb;
	if (stat(found, &sb) || !S_ISREG(sb.st_mode)) {
		const char *why = errno && !S_ISREG(sb.st_mode) ? strerror(errno) : "not a regular file";
		if (cfg->categories_line)
			return errmsg_set(st->err, st->errlen,
					  "%s:%d: categories: %s: %s (expected a category file)",
					  st->path, cfg->categories_line, found, why);
		return errmsg_set(st->err, st->errlen,
				  "%s:%d: sample: %s: %s (expected the default category file)",
				  st->path, cfg->sample_line, found, why);
	}
	return 0;
}

/* remote and key_file go together, with topology remote, which takes neither
 * placement nor server CPUs nor sampling: those are this host's. */
static int finish_remote(struct parse_state *st)
{
	struct sweep_config *cfg = st->cfg;
	int has_remote_topology = 0;
	for (size_t i = 0; i < cfg->n_topologies; i++)
		has_remote_topology |= !strcmp(cfg->topologies[i], "remote");
	if (!cfg->remote && has_remote_topology)
		return errmsg_set(st->err, st->errlen,
				  "%s:%d: topologies: remote needs remote = HOST[:PORT] (an agent's)",
				  st->path, st->seen[K_TOPOLOGIES]);
	if (!cfg->remote && st->seen[K_KEY_FILE])
		return errmsg_set(st->err, st->errlen, "%s:%d: key_file: only with remote",
				  st->path, st->seen[K_KEY_FILE]);
	if (!cfg->remote)
		return 0;
	if (!has_remote_topology)
		return errmsg_set(st->err, st->errlen,
				  "%s:%d: remote: topologies does not list remote (line %d)",
				  st->path, cfg->remote_line, st->seen[K_TOPOLOGIES]);
	if (!cfg->key_file)
		return errmsg_set(st->err, st->errlen,
				  "%s:%d: remote: needs key_file = FILE (the key the agent shares)",
				  st->path, cfg->remote_line);
	for (size_t i = 0; i < cfg->n_placements; i++)
		if (strcmp(cfg->placements[i], "free"))
			return errmsg_set(st->err, st->errlen,
					  "%s:%d: placement %s: not with topology remote (two hosts "
					  "share no CPU; use placement = free and client_cpus)",
					  st->path, st->seen[K_PLACEMENT], cfg->placements[i]);
	if (cfg->server_cpus)
		return errmsg_set(st->err, st->errlen,
				  "%s:%d: server_cpus: not with topology remote (the far host's "
				  "CPUs are not checked here)",
				  st->path, st->seen[K_SERVER_CPUS]);
	if (cfg->sample)
		return errmsg_set(st->err, st->errlen,
				  "%s:%d: sample: not with topology remote (the agent counts, it "
				  "does not sample)",
				  st->path, st->seen[K_SAMPLE]);
	return 0;
}

static int finish(struct parse_state *st)
{
	struct sweep_config *cfg = st->cfg;
	static const int required[] = {K_IMPLS, K_SIZES, K_THREADS, K_DURATION};
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!st->seen[required[i]])
			return errmsg_set(st->err, st->errlen,
					  "%s: no %s key (required: impls, sizes, threads, "
					  "duration)",
					  st->path, keys[required[i]].name);
	if (set_default_list(&cfg->modes, &cfg->n_modes, "stream") ||
	    set_default_list(&cfg->layouts, &cfg->n_layouts, "scattered") ||
	    set_default_list(&cfg->topologies, &cfg->n_topologies,
			     cfg->remote ? "remote" : "loopback") ||
	    set_default_list(&cfg->placements, &cfg->n_placements, "free"))
		return errmsg_set(st->err, st->errlen, "%s: out of memory", st->path);
	static const int auto_only[] = {K_MIN_REPS, K_MAX_REPS, K_TARGET, K_BUDGET};
	for (size_t i = 0; i < sizeof(auto_only) / sizeof(auto_only[0]); i++)
		if (st->seen[auto_only[i]] && !cfg->reps_auto)
			return errmsg_set(st->err, st->errlen, "%s:%d: %s: only with reps = auto",
					  st->path, st->seen[auto_only[i]],
					  keys[auto_only[i]].name);
	if (cfg->reps_auto) {
		if (cfg->min_reps > cfg->max_reps)
			return errmsg_set(st->err, st->errlen,
					  "%s:%d: min_reps %u is above max_reps %u", st->path,
					  st->seen[K_MIN_REPS] ? st->seen[K_MIN_REPS]
							       : st->seen[K_MAX_REPS],
					  cfg->min_reps, cfg->max_reps);
		cfg->reps = cfg->min_reps; /* the rounds every point gets */
	}
	int pinned = st->seen[K_SERVER_CPUS] ? K_SERVER_CPUS
		     : st->seen[K_CLIENT_CPUS] ? K_CLIENT_CPUS
					       : -1;
	for (size_t i = 0; pinned >= 0 && i < cfg->n_placements; i++)
		if (strcmp(cfg->placements[i], "free"))
			return errmsg_set(st->err, st->errlen,
					  "%s:%d: placement %s pins the threads itself: drop %s, "
					  "or use placement = free",
					  st->path, st->seen[K_PLACEMENT], cfg->placements[i],
					  keys[pinned].name);
	if (!cfg->n_busy_poll)
		cfg->n_busy_poll = 1, cfg->busy_poll[0] = 0;

	if (finish_sampling(st) || finish_remote(st))
		return -1;
	char *events;
	cfg->events_auto = cfg->events_path && !strcmp(cfg->events_path, SWEEP_EVENTS_AUTO);
	if (st->opts && st->opts->events_path)
		events = strdup(st->opts->events_path);
	else if (cfg->events_auto && st->opts && st->opts->auto_events_path)
		events = strdup(st->opts->auto_events_path);
	else
		events = resolve_events(st->path, cfg->events_path && !cfg->events_auto
							  ? cfg->events_path
							  : "parte");
	if (!events)
		return errmsg_set(st->err, st->errlen, "%s: out of memory", st->path);
	free(cfg->events_path);
	cfg->events_path = events;
	struct stat sb;
	int missing = stat(events, &sb);
	if (missing || !S_ISREG(sb.st_mode)) {
		const char *why = missing ? strerror(errno) : "not a regular file";
		if (cfg->events_line)
			return errmsg_set(st->err, st->errlen,
					  "%s:%d: events: %s: %s (expected an event file)",
					  st->path, cfg->events_line, events, why);
		return errmsg_set(st->err, st->errlen,
				  "%s: events: %s: %s (expected an event file)", st->path, events,
				  why);
	}
	return 0;
}

/* --- the module's functions -------------------------------------------------------- */

static int set_names(struct sweep_config *cfg, const char *path, const char *text)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t len = strlen(base);
	if (len > 4 && !strcmp(base + len - 4, ".ini"))
		len -= 4;
	cfg->path = strdup(path);
	cfg->name = strndup(base, len);
	cfg->text_len = strlen(text);
	cfg->text = strdup(text);
	return cfg->path && cfg->name && cfg->text ? 0 : -1;
}

int sweepfile_parse(const char *text, const char *path, const struct sweepfile_options *opts,
		    struct sweep_config *cfg, char *err, size_t errlen)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->reps = 1;
	cfg->min_reps = SWEEP_AUTO_DEFAULT_MIN;
	cfg->max_reps = SWEEP_AUTO_DEFAULT_MAX;
	cfg->target = SWEEP_AUTO_DEFAULT_TARGET;
	cfg->warmup_s = 0.2;
	cfg->shuffled = 1;
	if (set_names(cfg, path, text)) {
		sweepfile_free(cfg);
		return errmsg_set(err, errlen, "%s: out of memory", path);
	}
	struct parse_state st = {
	    .cfg = cfg,
	    .opts = opts,
	    .path = path,
	    .err = err,
	    .errlen = errlen,
	    .last_key = -1,
	    .text = text,
	};
	int rc = ini_parse_stream(read_line, &st, on_pair, &st);
	if (rc > 0 && (!st.err_line || rc < st.err_line)) {
		/* libinih's own complaint: a line that is neither a section nor a pair */
		snprintf(err, errlen, "%s:%d: expected KEY = VALUE, a [section] or a # comment",
			 path, rc);
		st.err_line = rc;
	} else if (rc < 0 && !st.err_line) {
		snprintf(err, errlen, "%s: out of memory", path);
		st.err_line = -1;
	}
	if (st.err_line || finish(&st)) {
		sweepfile_free(cfg);
		return -1;
	}
	return 0;
}

int sweepfile_load(const char *path, const struct sweepfile_options *opts, struct sweep_config *cfg,
		   char *err, size_t errlen)
{
	memset(cfg, 0, sizeof(*cfg));
	FILE *f = fopen(path, "r");
	if (!f)
		return errmsg_set(err, errlen, "%s: %s (expected a sweep file)", path,
				  strerror(errno));
	char *text = malloc(SWEEPFILE_MAX_BYTES + 1);
	if (!text) {
		fclose(f);
		return errmsg_set(err, errlen, "%s: out of memory", path);
	}
	size_t len = fread(text, 1, SWEEPFILE_MAX_BYTES + 1, f);
	int rerr = ferror(f);
	fclose(f);
	int rc;
	if (rerr)
		rc = errmsg_set(err, errlen, "%s: read error (expected a sweep file)", path);
	else if (len > SWEEPFILE_MAX_BYTES)
		rc = errmsg_set(err, errlen, "%s: larger than 1 MiB (expected a sweep file)", path);
	else if (memchr(text, '\0', len))
		rc = errmsg_set(err, errlen, "%s: binary data (expected a text sweep file)", path);
	else {
		text[len] = '\0';
		rc = sweepfile_parse(text, path, opts, cfg, err, errlen);
	}
	free(text);
	return rc;
}

size_t sweep_config_points(const struct sweep_config *cfg)
{
	return cfg->n_impls * cfg->n_modes * cfg->n_topologies * cfg->n_layouts * cfg->n_busy_poll *
	       cfg->n_placements * cfg->n_sizes * cfg->n_threads;
}

static void free_list(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

void sweepfile_free(struct sweep_config *cfg)
{
	free(cfg->path);
	free(cfg->name);
	free(cfg->text);
	free_list(cfg->impls, cfg->n_impls);
	free_list(cfg->left_out, cfg->n_left_out);
	free(cfg->sizes);
	free(cfg->threads);
	free_list(cfg->modes, cfg->n_modes);
	free_list(cfg->layouts, cfg->n_layouts);
	free_list(cfg->topologies, cfg->n_topologies);
	free_list(cfg->placements, cfg->n_placements);
	free(cfg->events_path);
	free(cfg->categories_path);
	free(cfg->remote);
	free(cfg->key_file);
	free(cfg->server_cpus);
	free(cfg->client_cpus);
	memset(cfg, 0, sizeof(*cfg));
}
