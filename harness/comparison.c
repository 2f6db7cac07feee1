/*
 * comparison — two results folders point by point (comparison.h): reading
 * their runs into points, ordering them into slices, the statistics of each
 * point, and each folder's answers with whether they flip.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comparison.h"
#include "errmsg.h"
#include "metrics.h"
#include "schema.h"
#include "strategy_info.h"

static const struct comparison_metric metrics[] = {
    {"rr", "lat_p50_us", "p50 latency", "µs", 1},
    {NULL, "throughput_gbps", "throughput", "Gbit/s", 0},
};
#define NMETRICS (sizeof(metrics) / sizeof(metrics[0]))

/* ---- reading the two folders --------------------------------------------- */

static int check_runs(const struct results_dir *rd, const char *dir, char *err, size_t errlen)
{
	static const char *const need[] = {"impl", "mode", "msg_size", "threads"};
	const struct dataset *runs = &rd->runs;
	if (runs->ncols == 0)
		return errmsg_set(err, errlen,
				  "%s/runs.csv: missing (expected a results folder of copyscope "
				  "sweep: compare reads every run)",
				  dir);
	int rep = dataset_col(runs, SCHEMA_REP);
	if (rep < 0 || dataset_col(runs, "status") < 0)
		return errmsg_set(
		    err, errlen,
		    "%s/runs.csv: expected a column '%s' (the runs of copyscope sweep)", dir,
		    rep < 0 ? SCHEMA_REP : "status");
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		int col = dataset_col(runs, need[i]);
		if (col < 0 || col > rep)
			return errmsg_set(err, errlen,
					  "%s/runs.csv: expected a column '%s' before rep (the "
					  "runs of copyscope sweep)",
					  dir, need[i]);
	}
	return 0;
}

static int id_index(const struct comparison *c, const char *name)
{
	for (size_t i = 0; i < c->nid; i++)
		if (!strcmp(c->id[i].name, name))
			return (int)i;
	return -1;
}

/* More than one value in column col of runs? */
static int varies(const struct dataset *runs, int col)
{
	for (size_t r = 1; r < runs->nrows; r++)
		if (strcmp(dataset_cell(runs, r, col), dataset_cell(runs, 0, col)))
			return 1;
	return 0;
}

/* The identity columns: every column before rep in either folder. */
static int identity_columns(struct comparison *c, char *err, size_t errlen)
{
	for (int f = FOLDER_A; f <= FOLDER_B; f++) {
		const struct dataset *runs = &c->rd[f].runs;
		int rep = dataset_col(runs, SCHEMA_REP);
		for (int col = 0; col < rep; col++) {
			int i = id_index(c, runs->cols[col]);
			if (i < 0) {
				if (c->nid == COMPARISON_ID_MAX)
					return errmsg_set(err, errlen,
							  "%s/runs.csv: more than %d columns "
							  "before rep",
							  c->arg[f], COMPARISON_ID_MAX);
				i = (int)c->nid++;
				c->id[i] = (struct identity_column){
				    .name = runs->cols[col], .col = {-1, -1}, .matched = 1};
			}
			c->id[i].col[f] = col;
		}
	}
	for (size_t i = 0; i < c->nid; i++) {
		struct identity_column *id = &c->id[i];
		int f = id->col[FOLDER_A] >= 0 ? FOLDER_A : FOLDER_B;
		if (id->col[!f] >= 0 || varies(&c->rd[f].runs, id->col[f]))
			continue; /* in both, or points differ by it where it is */
		id->matched = 0;
		if (c->nnote < COMPARISON_NOTE_MAX)
			snprintf(c->note[c->nnote++], sizeof(c->note[0]),
				 "`%s` is only in %s's runs.csv, where every run has `%s`: "
				 "points are matched without it.",
				 id->name, f == FOLDER_A ? "A" : "B",
				 dataset_cell(&c->rd[f].runs, 0, id->col[f]));
	}
	c->impl_id = id_index(c, "impl");
	c->mode_id = id_index(c, "mode");
	c->size_id = id_index(c, "msg_size");
	c->threads_id = id_index(c, "threads");
	for (size_t i = 0; i < c->nid; i++)
		c->id[i].slice_key = c->id[i].matched && (int)i != c->impl_id &&
				     (int)i != c->size_id && (int)i != c->threads_id;
	return 0;
}

static const struct comparison_metric *metric_of(const char *mode)
{
	for (size_t i = 0; i < NMETRICS; i++)
		if (!metrics[i].mode || !strcmp(metrics[i].mode, mode))
			return &metrics[i];
	return &metrics[NMETRICS - 1];
}

static const char *key_cell(const struct comparison *c, int f, size_t row, size_t i)
{
	int col = c->id[i].col[f];
	return col < 0 ? "" : dataset_cell(&c->rd[f].runs, row, col);
}

static struct compared_point *find_or_add(struct comparison *c, int f, size_t row)
{
	for (size_t p = 0; p < c->npt; p++) {
		size_t i = 0;
		while (i < c->nid &&
		       (!c->id[i].matched || !strcmp(c->pt[p].cell[i], key_cell(c, f, row, i))))
			i++;
		if (i == c->nid)
			return &c->pt[p];
	}
	if (c->npt == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		struct compared_point *pt = realloc(c->pt, cap * sizeof(*pt));
		if (!pt)
			return NULL;
		c->pt = pt;
		c->cap = cap;
	}
	struct compared_point *p = &c->pt[c->npt++];
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < c->nid; i++)
		p->cell[i] = key_cell(c, f, row, i);
	p->impl = p->cell[c->impl_id];
	p->mode = p->cell[c->mode_id];
	p->size = atol(p->cell[c->size_id]);
	p->threads = atol(p->cell[c->threads_id]);
	p->m = metric_of(p->mode);
	return p;
}

static int add_value(struct folder_runs *r, double v)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 8;
		double *nv = realloc(r->v, cap * sizeof(*nv));
		if (!nv)
			return -1;
		r->v = nv;
		r->cap = cap;
	}
	r->v[r->n++] = v;
	return 0;
}

/* Every run of folder f into its point: ok runs' values, every row counted. */
static int collect_runs(struct comparison *c, int f)
{
	const struct dataset *runs = &c->rd[f].runs;
	int status = dataset_col(runs, "status");
	for (size_t r = 0; r < runs->nrows; r++) {
		struct compared_point *p = find_or_add(c, f, r);
		if (!p)
			return -1;
		p->in[f].rows++;
		if (strcmp(dataset_cell(runs, r, status), "ok"))
			continue;
		double v = dataset_num(runs, r, dataset_col(runs, p->m->column));
		if (!isnan(v) && add_value(&p->in[f], v))
			return -1;
	}
	return 0;
}

/* ---- ordering: slice, threads, strategy, size ---------------------------- */

static int cmp_cell(const char *x, const char *y)
{
	char *ex, *ey;
	double dx = strtod(x, &ex), dy = strtod(y, &ey);
	int nx = *x && !*ex, ny = *y && !*ey;
	if (nx && ny)
		return (dx > dy) - (dx < dy);
	if (nx != ny)
		return nx ? -1 : 1; /* numbers first */
	return strcmp(x, y);
}

static size_t impl_rank(const char *impl)
{
	for (size_t i = 0; i < strategy_ninfos; i++)
		if (!strcmp(strategy_infos[i].name, impl))
			return i;
	return strategy_ninfos;
}

/* stream, then rr, then any other mode by name: as the report and the figures go */
static int cmp_mode(const char *x, const char *y)
{
	int rx = !strcmp(x, "stream") ? 0 : !strcmp(x, "rr") ? 1 : 2;
	int ry = !strcmp(y, "stream") ? 0 : !strcmp(y, "rr") ? 1 : 2;
	return rx != ry ? rx - ry : strcmp(x, y);
}

static int cmp_slice(const struct comparison *c, const struct compared_point *p,
		     const struct compared_point *q)
{
	for (size_t i = 0; i < c->nid; i++) {
		int r = !c->id[i].slice_key    ? 0
			: (int)i == c->mode_id ? cmp_mode(p->cell[i], q->cell[i])
					       : cmp_cell(p->cell[i], q->cell[i]);
		if (r)
			return r;
	}
	return 0;
}

static int cmp_points(const void *x, const void *y, void *ctx)
{
	const struct comparison *c = ctx;
	const struct compared_point *p = x, *q = y;
	int r = cmp_slice(c, p, q);
	if (r)
		return r;
	if (p->threads != q->threads)
		return (p->threads > q->threads) - (p->threads < q->threads);
	size_t rp = impl_rank(p->impl), rq = impl_rank(q->impl);
	if (rp != rq)
		return (rp > rq) - (rp < rq);
	if ((r = strcmp(p->impl, q->impl)))
		return r;
	return (p->size > q->size) - (p->size < q->size);
}

static void mark_shown(struct comparison *c)
{
	for (size_t i = 0; i < c->nid; i++) {
		struct identity_column *id = &c->id[i];
		id->shown = (int)i == c->impl_id || (int)i == c->mode_id || (int)i == c->size_id ||
			    (int)i == c->threads_id;
		for (size_t p = 1; p < c->npt && id->matched && !id->shown; p++)
			id->shown = strcmp(c->pt[p].cell[i], c->pt[0].cell[i]) != 0;
	}
}

static void slice_label(const struct comparison *c, const struct compared_point *p, char *buf,
			size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%s", p->mode);
	for (size_t i = 0; i < c->nid && n < len; i++)
		if (c->id[i].slice_key && (int)i != c->mode_id && c->id[i].shown)
			n += (size_t)snprintf(buf + n, len - n, ", %s %s", c->id[i].name,
					      p->cell[i][0] ? p->cell[i] : "-");
}

static int make_slices(struct comparison *c)
{
	c->sl = calloc(c->npt ? c->npt : 1, sizeof(*c->sl));
	if (!c->sl)
		return -1;
	for (size_t p = 0; p < c->npt; p++) {
		if (p == 0 || cmp_slice(c, &c->pt[p - 1], &c->pt[p])) {
			struct comparison_slice *s = &c->sl[c->nsl++];
			s->first = p;
			slice_label(c, &c->pt[p], s->label, sizeof(s->label));
		}
		c->pt[p].slice = c->nsl - 1;
		c->sl[c->nsl - 1].end = p + 1;
	}
	return 0;
}

static int point_stats(struct comparison *c)
{
	for (size_t p = 0; p < c->npt; p++) {
		struct compared_point *pt = &c->pt[p];
		if (stats_median_ci(pt->in[FOLDER_A].v, pt->in[FOLDER_A].n,
				    &pt->in[FOLDER_A].med) ||
		    stats_median_ci(pt->in[FOLDER_B].v, pt->in[FOLDER_B].n,
				    &pt->in[FOLDER_B].med) ||
		    stats_ratio_ci(pt->in[FOLDER_A].v, pt->in[FOLDER_A].n, pt->in[FOLDER_B].v,
				   pt->in[FOLDER_B].n, &pt->ratio))
			return -1;
		pt->side = stats_ratio_side(&pt->ratio);
	}
	return 0;
}

/* ---- the answers in each folder ------------------------------------------ */

static const struct compared_point *find(const struct comparison *c, size_t s, const char *impl,
					 long size, long threads)
{
	for (size_t p = c->sl[s].first; p < c->sl[s].end; p++)
		if (c->pt[p].size == size && c->pt[p].threads == threads &&
		    !strcmp(c->pt[p].impl, impl))
			return &c->pt[p];
	return NULL;
}

/* The distinct sizes, thread counts or strategies of slice s, in order. */
struct axes {
	long *sizes, *threads;
	const char **impls;
	size_t ns, nt, ni;
};

static void add_long(long *v, size_t *n, long x)
{
	size_t i = 0;
	while (i < *n && v[i] < x)
		i++;
	if (i < *n && v[i] == x)
		return;
	memmove(v + i + 1, v + i, (*n - i) * sizeof(*v));
	v[i] = x;
	(*n)++;
}

static void slice_axes(const struct comparison *c, size_t s, struct axes *ax)
{
	ax->ns = ax->nt = ax->ni = 0;
	for (size_t p = c->sl[s].first; p < c->sl[s].end; p++) {
		const struct compared_point *pt = &c->pt[p];
		add_long(ax->sizes, &ax->ns, pt->size);
		add_long(ax->threads, &ax->nt, pt->threads);
		if (!ax->ni || strcmp(ax->impls[ax->ni - 1], pt->impl))
			ax->impls[ax->ni++] = pt->impl; /* sorted by threads, then impl */
	}
	/* strategies repeat once per thread count: keep the first listing */
	size_t k = 0;
	for (size_t i = 0; i < ax->ni; i++) {
		size_t j = 0;
		while (j < k && strcmp(ax->impls[j], ax->impls[i]))
			j++;
		if (j == k)
			ax->impls[k++] = ax->impls[i];
	}
	ax->ni = k;
}

/* Is p's median in folder f better than q's (want_best), or worse? */
static int ahead(const struct compared_point *p, const struct compared_point *q, int f,
		 int want_best)
{
	double x = p->in[f].med.est, y = q->in[f].med.est;
	int better = p->m->lower_better ? x < y : x > y;
	int worse = p->m->lower_better ? x > y : x < y;
	return want_best ? better : worse;
}

/* Measured in folder f, or, when common, in both folders. */
static int usable(const struct compared_point *p, int f, int common)
{
	return p && (common ? p->in[FOLDER_A].n && p->in[FOLDER_B].n : p->in[f].n);
}

/* Whether at least two of cand[0..n-1] were measured in both folders: then
 * both folders answer from those alone, so that a strategy (or thread count,
 * or size) one folder lacks cannot make an answer flip. */
static int common_of(const struct compared_point *const *cand, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += usable(cand[i], FOLDER_A, 1);
	return k >= 2;
}

/*
 * The best (or worst) of cand[0..n-1] by its median in folder f; significant
 * when the 95% interval of its ratio to the runner-up leaves out 1. Needs two
 * candidates measured there. Sets *win; -1 on ENOMEM.
 */
static int rank(const struct compared_point *const *cand, size_t n, int f, int want_best,
		struct folder_verdict *v, const struct compared_point **win)
{
	const struct compared_point *w = NULL, *r = NULL;
	int common = common_of(cand, n);
	*win = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct compared_point *p = cand[i];
		if (!usable(p, f, common))
			continue;
		if (!w || ahead(p, w, f, want_best)) {
			r = w;
			w = p;
		} else if (!r || ahead(p, r, f, want_best)) {
			r = p;
		}
	}
	if (!w || !r)
		return 0;
	struct interval iv;
	if (stats_ratio_ci(r->in[f].v, r->in[f].n, w->in[f].v, w->in[f].n, &iv))
		return -1;
	v->answered = 1;
	v->significant = stats_ratio_side(&iv) != 0;
	*win = w;
	return 0;
}

static int same_verdict(const struct comparison_answer *a)
{
	const struct folder_verdict *x = &a->v[FOLDER_A], *y = &a->v[FOLDER_B];
	switch (a->q) {
	case QUESTION_FASTEST:
	case QUESTION_SLOWEST:
		return !strcmp(x->impl, y->impl);
	case QUESTION_BEST_THREADS:
		return x->threads == y->threads;
	case QUESTION_CROSSOVER:
		if (x->crossing != y->crossing)
			return 0;
		if (x->upward != y->upward)
			return 0; /* the direction, or for none the side */
		return !x->crossing || (x->lo <= y->hi && y->lo <= x->hi);
	}
	return 1;
}

static int add_answer(struct comparison *c, const struct comparison_answer *a)
{
	if (!a->v[FOLDER_A].answered && !a->v[FOLDER_B].answered)
		return 0;
	if (c->nan == c->cap_an) {
		size_t cap = c->cap_an ? 2 * c->cap_an : 64;
		struct comparison_answer *an = realloc(c->an, cap * sizeof(*an));
		if (!an)
			return -1;
		c->an = an;
		c->cap_an = cap;
	}
	struct comparison_answer *n = &c->an[c->nan++];
	*n = *a;
	n->flips = n->v[FOLDER_A].answered && n->v[FOLDER_B].answered && !same_verdict(n);
	n->disagrees = n->flips && (n->v[FOLDER_A].significant || n->v[FOLDER_B].significant);
	return 0;
}

/* Fastest and slowest strategy at one size and thread count. */
static int answer_ranks(struct comparison *c, size_t s, const struct axes *ax, long th, long size,
			const struct compared_point **cand)
{
	for (size_t i = 0; i < ax->ni; i++)
		cand[i] = find(c, s, ax->impls[i], size, th);
	for (int best = 1; best >= 0; best--) {
		struct comparison_answer a = {.q = best ? QUESTION_FASTEST : QUESTION_SLOWEST,
					      .slice = s,
					      .threads = th,
					      .size = size};
		for (int f = FOLDER_A; f <= FOLDER_B; f++) {
			const struct compared_point *w;
			if (rank(cand, ax->ni, f, best, &a.v[f], &w))
				return -1;
			a.v[f].impl = w ? w->impl : NULL;
		}
		if (add_answer(c, &a))
			return -1;
	}
	return 0;
}

/* The best thread count of one strategy at one size. */
static int answer_threads(struct comparison *c, size_t s, const struct axes *ax, const char *impl,
			  long size, const struct compared_point **cand)
{
	for (size_t t = 0; t < ax->nt; t++)
		cand[t] = find(c, s, impl, size, ax->threads[t]);
	struct comparison_answer a = {
	    .q = QUESTION_BEST_THREADS, .slice = s, .size = size, .impl = impl};
	for (int f = FOLDER_A; f <= FOLDER_B; f++) {
		const struct compared_point *w;
		if (rank(cand, ax->nt, f, 1, &a.v[f], &w))
			return -1;
		a.v[f].threads = w ? w->threads : 0;
	}
	return add_answer(c, &a);
}

/* ---- crossovers over two-copy -------------------------------------------- */

struct series { /* impl ÷ two-copy in one folder, oriented so that > 1 is better */
	long *sizes;
	struct interval *g;
	size_t n;
	struct crossing *cr;
	size_t ncr;
};

/* The sizes of the series in folder f: those where both folders measured
 * impl and two-copy, when there are two such, else those of folder f. */
static int series_has(const struct compared_point *x, const struct compared_point *b, int f,
		      int common)
{
	return usable(x, f, common) && usable(b, f, common);
}

static int make_series(const struct comparison *c, size_t s, const struct axes *ax, long th,
		       const char *impl, int f, struct series *se)
{
	size_t ncommon = 0;
	for (size_t z = 0; z < ax->ns; z++)
		ncommon += series_has(find(c, s, impl, ax->sizes[z], th),
				      find(c, s, COMPARISON_BASE_IMPL, ax->sizes[z], th), f, 1);
	se->n = 0;
	for (size_t z = 0; z < ax->ns; z++) {
		const struct compared_point *x = find(c, s, impl, ax->sizes[z], th);
		const struct compared_point *b = find(c, s, COMPARISON_BASE_IMPL, ax->sizes[z], th);
		if (!series_has(x, b, f, ncommon >= 2))
			continue;
		const struct folder_runs *num = x->m->lower_better ? &b->in[f] : &x->in[f];
		const struct folder_runs *den = x->m->lower_better ? &x->in[f] : &b->in[f];
		if (stats_ratio_ci(den->v, den->n, num->v, num->n, &se->g[se->n]))
			return -1;
		se->sizes[se->n++] = ax->sizes[z];
	}
	double *est = malloc((se->n ? se->n : 1) * sizeof(*est));
	if (!est)
		return -1;
	for (size_t i = 0; i < se->n; i++)
		est[i] = se->g[i].est;
	se->ncr = se->n < 2 ? 0 : metric_crossings(se->sizes, est, se->n, se->cr, se->n);
	free(est);
	return 0;
}

/*
 * Crossing k's interval: from the last size before it where the strategy is
 * significantly on its old side of two-copy to the first size after it where
 * it is significantly on its new side, looking no further than the crossings
 * around it. An end not found is open (0 or INFINITY), and the crossing is
 * then not significant.
 */
static void crossing_verdict(const struct series *se, size_t k, struct folder_verdict *v)
{
	const struct crossing *cr = &se->cr[k];
	size_t lo_stop = k ? se->cr[k - 1].before + 1 : 0;
	size_t hi_stop = k + 1 < se->ncr ? se->cr[k + 1].before : se->n - 1;
	int old_side = cr->upward ? -1 : 1;
	v->crossing = 1;
	v->upward = cr->upward;
	v->at = cr->size;
	v->lo = 0;
	v->hi = INFINITY;
	for (size_t x = cr->before + 1; x-- > lo_stop;)
		if (stats_ratio_side(&se->g[x]) == old_side) {
			v->lo = (double)se->sizes[x];
			break;
		}
	for (size_t x = cr->before + 1; x <= hi_stop && x < se->n; x++)
		if (stats_ratio_side(&se->g[x]) == -old_side) {
			v->hi = (double)se->sizes[x];
			break;
		}
	v->significant = v->lo > 0 && !isinf(v->hi);
}

/* No crossing: significant when the strategy is significantly on one side at every size. */
static int same_side_everywhere(const struct series *se)
{
	int side = stats_ratio_side(&se->g[0]);
	for (size_t i = 1; i < se->n && side; i++)
		if (stats_ratio_side(&se->g[i]) != side)
			return 0;
	return side != 0;
}

static int answer_crossovers(struct comparison *c, size_t s, const struct axes *ax, long th,
			     const char *impl, struct series *se)
{
	for (int f = FOLDER_A; f <= FOLDER_B; f++)
		if (make_series(c, s, ax, th, impl, f, &se[f]))
			return -1;
	size_t kmax = se[FOLDER_A].ncr > se[FOLDER_B].ncr ? se[FOLDER_A].ncr : se[FOLDER_B].ncr;
	for (size_t k = 0; k < (kmax ? kmax : 1); k++) {
		struct comparison_answer a = {
		    .q = QUESTION_CROSSOVER, .slice = s, .threads = th, .impl = impl, .k = k};
		for (int f = FOLDER_A; f <= FOLDER_B; f++) {
			struct folder_verdict *v = &a.v[f];
			if (se[f].n < 2)
				continue;
			v->answered = 1;
			v->first = se[f].sizes[0];
			v->last = se[f].sizes[se[f].n - 1];
			if (k < se[f].ncr) {
				crossing_verdict(&se[f], k, v);
			} else { /* none: which side it stays on (after its last crossing) */
				v->upward = se[f].g[se[f].n - 1].est > 1;
				v->significant = se[f].ncr == 0 && same_side_everywhere(&se[f]);
			}
		}
		if (add_answer(c, &a))
			return -1;
	}
	return 0;
}

static int slice_has(const struct comparison *c, size_t s, const char *impl)
{
	for (size_t p = c->sl[s].first; p < c->sl[s].end; p++)
		if (!strcmp(c->pt[p].impl, impl))
			return 1;
	return 0;
}

static int answer_slice(struct comparison *c, size_t s, struct axes *ax,
			const struct compared_point **cand, struct series *se)
{
	slice_axes(c, s, ax);
	for (size_t t = 0; t < ax->nt; t++)
		for (size_t z = 0; z < ax->ns; z++)
			if (answer_ranks(c, s, ax, ax->threads[t], ax->sizes[z], cand))
				return -1;
	for (size_t i = 0; i < ax->ni; i++)
		for (size_t z = 0; z < ax->ns; z++)
			if (answer_threads(c, s, ax, ax->impls[i], ax->sizes[z], cand))
				return -1;
	if (!slice_has(c, s, COMPARISON_BASE_IMPL))
		return 0;
	for (size_t t = 0; t < ax->nt; t++)
		for (size_t i = 0; i < ax->ni; i++)
			if (strcmp(ax->impls[i], COMPARISON_BASE_IMPL) &&
			    answer_crossovers(c, s, ax, ax->threads[t], ax->impls[i], se))
				return -1;
	return 0;
}

static int answer_all(struct comparison *c)
{
	size_t n = c->npt ? c->npt : 1;
	struct axes ax = {malloc(n * sizeof(long)),
			  malloc(n * sizeof(long)),
			  malloc(n * sizeof(char *)),
			  0,
			  0,
			  0};
	const struct compared_point **cand = malloc(n * sizeof(*cand));
	struct series se[2];
	int rc = ax.sizes && ax.threads && ax.impls && cand ? 0 : -1;
	for (int f = FOLDER_A; f <= FOLDER_B; f++) {
		se[f] =
		    (struct series){malloc(n * sizeof(long)), malloc(n * sizeof(struct interval)),
				    0, malloc(n * sizeof(struct crossing)), 0};
		if (!se[f].sizes || !se[f].g || !se[f].cr)
			rc = -1;
	}
	for (size_t s = 0; s < c->nsl && !rc; s++)
		rc = answer_slice(c, s, &ax, cand, se);
	for (int f = FOLDER_A; f <= FOLDER_B; f++) {
		free(se[f].sizes);
		free(se[f].g);
		free(se[f].cr);
	}
	free(ax.sizes);
	free(ax.threads);
	free(ax.impls);
	free(cand);
	return rc;
}

/* ---- the comparison as a whole ------------------------------------------- */

void comparison_free(struct comparison *c)
{
	for (size_t p = 0; p < c->npt; p++) {
		free(c->pt[p].in[FOLDER_A].v);
		free(c->pt[p].in[FOLDER_B].v);
	}
	free(c->pt);
	free(c->sl);
	free(c->an);
	results_dir_free(&c->rd[FOLDER_A]);
	results_dir_free(&c->rd[FOLDER_B]);
}

int comparison_load(struct comparison *c, const char *a, const char *b, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->arg[FOLDER_A] = a;
	c->arg[FOLDER_B] = b;
	for (int f = FOLDER_A; f <= FOLDER_B; f++)
		if (results_dir_load(c->arg[f], &c->rd[f], err, errlen) ||
		    check_runs(&c->rd[f], c->arg[f], err, errlen)) {
			comparison_free(c);
			return -1;
		}
	if (identity_columns(c, err, errlen)) {
		comparison_free(c);
		return -1;
	}
	return 0;
}

int comparison_build(struct comparison *c, char *err, size_t errlen)
{
	if (collect_runs(c, FOLDER_A) || collect_runs(c, FOLDER_B))
		return errmsg_set(err, errlen, "out of memory");
	qsort_r(c->pt, c->npt, sizeof(*c->pt), cmp_points, c);
	mark_shown(c);
	if (make_slices(c) || point_stats(c) || answer_all(c))
		return errmsg_set(err, errlen, "out of memory");
	return 0;
}

size_t comparison_disagreements(const struct comparison *c, size_t *checked)
{
	size_t n = 0;
	*checked = 0;
	for (size_t i = 0; i < c->nan; i++) {
		const struct comparison_answer *a = &c->an[i];
		*checked += a->v[FOLDER_A].answered && a->v[FOLDER_B].answered &&
			    (a->v[FOLDER_A].significant || a->v[FOLDER_B].significant);
		n += a->disagrees;
	}
	return n;
}
