/* stacks — raw call chains while the window runs, folded ones after; see stacks.h. */
#include "stacks.h"
#include "atomicfile.h"
#include "errmsg.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>

static uint64_t fnv1a(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* An open-addressing index of entry numbers (0: empty, else number + 1). */
struct hash_index {
	size_t cap; /* a power of two */
	uint32_t *slot;
};

/* Rebuilds ix twice as large over n entries of stride bytes at base, each
 * starting with its 64-bit hash. */
static int index_grow(struct hash_index *ix, size_t n, const void *base, size_t stride)
{
	size_t cap = ix->cap ? ix->cap * 2 : 1024;
	uint32_t *slot = calloc(cap, sizeof(*slot));
	if (!slot)
		return -1;
	for (size_t e = 0; e < n; e++) {
		uint64_t h;
		memcpy(&h, (const char *)base + e * stride, sizeof(h));
		size_t i = (size_t)h & (cap - 1);
		while (slot[i])
			i = (i + 1) & (cap - 1);
		slot[i] = (uint32_t)e + 1;
	}
	free(ix->slot);
	ix->slot = slot;
	ix->cap = cap;
	return 0;
}

/* --- raw -------------------------------------------------------------------- */

struct raw_chain {
	uint64_t hash; /* first: index_grow reads it */
	size_t off;    /* in pool */
	size_t n;
	uint64_t count;
};

struct stack_table {
	uint64_t *pool;
	size_t pool_len, pool_cap;
	struct raw_chain *e;
	size_t n, cap;
	struct hash_index ix;
	uint64_t samples;
};

struct stack_table *stack_table_new(void)
{
	return calloc(1, sizeof(struct stack_table));
}

void stack_table_free(struct stack_table *t)
{
	if (!t)
		return;
	free(t->pool);
	free(t->e);
	free(t->ix.slot);
	free(t);
}

static int raw_append(struct stack_table *t, const uint64_t *chain, size_t n, uint64_t h)
{
	if (t->n == STACKS_UNIQUE_MAX || t->pool_len + n > STACKS_POOL_MAX)
		return -1;
	if (t->pool_len + n > t->pool_cap) {
		size_t cap = t->pool_cap ? t->pool_cap * 2 : 1 << 14;
		while (cap < t->pool_len + n)
			cap *= 2;
		uint64_t *p = realloc(t->pool, cap * sizeof(*p));
		if (!p)
			return -1;
		t->pool = p, t->pool_cap = cap;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct raw_chain *e = realloc(t->e, cap * sizeof(*e));
		if (!e)
			return -1;
		t->e = e, t->cap = cap;
	}
	memcpy(t->pool + t->pool_len, chain, n * sizeof(*chain));
	t->e[t->n++] = (struct raw_chain){h, t->pool_len, n, 1};
	t->pool_len += n;
	return 0;
}

int stack_table_add(struct stack_table *t, const uint64_t *chain, size_t n)
{
	if (n == 0 || n > STACKS_FRAMES_MAX)
		return -1;
	if ((t->n + 1) * 2 > t->ix.cap && index_grow(&t->ix, t->n, t->e, sizeof(*t->e)))
		return -1;
	uint64_t h = fnv1a(chain, n * sizeof(*chain));
	size_t i = (size_t)h & (t->ix.cap - 1);
	for (; t->ix.slot[i]; i = (i + 1) & (t->ix.cap - 1)) {
		struct raw_chain *c = &t->e[t->ix.slot[i] - 1];
		if (c->hash == h && c->n == n &&
		    !memcmp(t->pool + c->off, chain, n * sizeof(*chain))) {
			c->count++;
			t->samples++;
			return 0;
		}
	}
	if (raw_append(t, chain, n, h))
		return -1;
	t->ix.slot[i] = (uint32_t)t->n;
	t->samples++;
	return 0;
}

uint64_t stack_table_samples(const struct stack_table *t)
{
	return t ? t->samples : 0;
}

size_t stack_table_unique(const struct stack_table *t)
{
	return t ? t->n : 0;
}

/* --- folded ----------------------------------------------------------------- */

struct folded_chain {
	uint64_t hash;		    /* first: index_grow reads it */
	char *line;		    /* "a;b_[k];c" without the count */
	char *names;		    /* the frames, NUL-separated, suffixes cut */
	struct chain_frame *frames; /* leaf first */
	size_t nframes;
	uint64_t count;
};

struct folded {
	struct folded_chain *e;
	size_t n, cap;
	struct hash_index ix;
	uint64_t samples;
};

struct folded *folded_new(void)
{
	return calloc(1, sizeof(struct folded));
}

void folded_free(struct folded *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->e[i].line);
		free(f->e[i].names);
		free(f->e[i].frames);
	}
	free(f->e);
	free(f->ix.slot);
	free(f);
}

/* line's frames, leaf first, into c. */
static int split_frames(struct folded_chain *c)
{
	size_t n = 1;
	for (const char *p = c->line; *p; p++)
		n += *p == ';';
	c->names = strdup(c->line);
	c->frames = calloc(n, sizeof(*c->frames));
	if (!c->names || !c->frames)
		return -1;
	size_t k = n;
	for (char *save = NULL, *tok = strtok_r(c->names, ";", &save); tok && k;
	     tok = strtok_r(NULL, ";", &save)) {
		size_t len = strlen(tok), sl = strlen(STACKS_KERNEL_SUFFIX);
		int kernel = len > sl && !strcmp(tok + len - sl, STACKS_KERNEL_SUFFIX);
		if (kernel)
			tok[len - sl] = '\0';
		c->frames[--k] = (struct chain_frame){tok, kernel};
	}
	c->nframes = n - k; /* empty frames ("a;;b") were skipped */
	memmove(c->frames, c->frames + k, c->nframes * sizeof(*c->frames));
	return 0;
}

/* Adds count samples of the chain line (taken over when new: freed on error). */
static int folded_insert(struct folded *f, char *line, uint64_t count)
{
	if ((f->n + 1) * 2 > f->ix.cap && index_grow(&f->ix, f->n, f->e, sizeof(*f->e))) {
		free(line);
		return -1;
	}
	uint64_t h = fnv1a(line, strlen(line));
	size_t i = (size_t)h & (f->ix.cap - 1);
	for (; f->ix.slot[i]; i = (i + 1) & (f->ix.cap - 1)) {
		struct folded_chain *c = &f->e[f->ix.slot[i] - 1];
		if (c->hash == h && !strcmp(c->line, line)) {
			c->count += count;
			f->samples += count;
			free(line);
			return 0;
		}
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 256;
		struct folded_chain *e = realloc(f->e, cap * sizeof(*e));
		if (!e) {
			free(line);
			return -1;
		}
		f->e = e, f->cap = cap;
	}
	struct folded_chain *c = &f->e[f->n];
	*c = (struct folded_chain){.hash = h, .line = line, .count = count};
	if (split_frames(c)) {
		free(c->line);
		free(c->names);
		free(c->frames);
		return -1;
	}
	f->n++;
	f->ix.slot[i] = (uint32_t)f->n;
	f->samples += count;
	return 0;
}

/* A growing string. */
struct text {
	char *s;
	size_t len, cap;
};

static int text_put(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		while (cap < t->len + n + 1)
			cap *= 2;
		char *p = realloc(t->s, cap);
		if (!p)
			return -1;
		t->s = p, t->cap = cap;
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
	return 0;
}

/* A frame's name as a folded line holds it: no ';' nor white space. */
static int put_frame(struct text *t, const char *name, int kernel)
{
	if (t->len && text_put(t, ";", 1))
		return -1;
	size_t at = t->len;
	if (text_put(t, name, strlen(name)))
		return -1;
	for (char *p = t->s + at; *p; p++)
		if (*p == ';' || isspace((unsigned char)*p))
			*p = '_';
	return kernel ? text_put(t, STACKS_KERNEL_SUFFIX, strlen(STACKS_KERNEL_SUFFIX)) : 0;
}

enum { CTX_NONE, CTX_KERNEL, CTX_USER };

/* The line of one raw chain: user frames outermost first, then kernel frames. */
static int fold_one(const uint64_t *chain, size_t n, const struct ksyms *k, struct usyms *u,
		    struct text *t)
{
	const uint64_t *kern = NULL, *user = NULL;
	size_t nk = 0, nu = 0;
	int ctx = CTX_NONE;
	for (size_t i = 0; i < n; i++) {
		uint64_t a = chain[i];
		if (a >= (uint64_t)PERF_CONTEXT_MAX) {
			ctx = a == (uint64_t)PERF_CONTEXT_KERNEL ? CTX_KERNEL
			      : a == (uint64_t)PERF_CONTEXT_USER ? CTX_USER
								 : CTX_NONE;
			if (ctx == CTX_KERNEL && !kern)
				kern = chain + i + 1;
			if (ctx == CTX_USER && !user)
				user = chain + i + 1;
			continue;
		}
		if (ctx == CTX_KERNEL && kern + nk == chain + i)
			nk++;
		else if (ctx == CTX_USER && user + nu == chain + i)
			nu++;
	}
	t->len = 0;
	/* beyond the leaf, an address is where a call returns to: look up the call */
	for (size_t i = nu; i-- > 0;)
		if (put_frame(t, usyms_lookup(u, i ? user[i] - 1 : user[i]), 0))
			return -1;
	for (size_t i = nk; i-- > 0;) {
		const char *name = ksyms_lookup(k, i ? kern[i] - 1 : kern[i], NULL);
		if (put_frame(t, name ? name : SYMBOLS_KERNEL_UNKNOWN, 1))
			return -1;
	}
	return 0;
}

int stacks_fold(const struct stack_table *t, const struct ksyms *k, struct usyms *u,
		struct folded **out, char *err, size_t errlen)
{
	struct folded *f = folded_new();
	struct text line = {0};
	int rc = f ? 0 : -1;
	for (size_t i = 0; t && i < t->n && !rc; i++) {
		const struct raw_chain *c = &t->e[i];
		rc = fold_one(t->pool + c->off, c->n, k, u, &line);
		if (!rc && line.len) {
			char *copy = strdup(line.s);
			rc = copy ? folded_insert(f, copy, c->count) : -1;
		}
	}
	free(line.s);
	if (rc) {
		folded_free(f);
		*out = NULL;
		return errmsg_set(err, errlen, "folding the call chains: out of memory");
	}
	*out = f;
	return 0;
}

int folded_add_line(struct folded *f, const char *line, char *err, size_t errlen)
{
	size_t len = strcspn(line, "\r\n");
	while (len && isspace((unsigned char)line[len - 1]))
		len--;
	size_t sp = len;
	while (sp && isdigit((unsigned char)line[sp - 1]))
		sp--;
	if (sp == len || sp == 0 || (line[sp - 1] != ' ' && line[sp - 1] != '\t'))
		return errmsg_set(err, errlen, "expected 'frame;frame;... COUNT'");
	errno = 0;
	uint64_t count = strtoull(line + sp, NULL, 10);
	size_t end = sp - 1;
	while (end && isspace((unsigned char)line[end - 1]))
		end--;
	if (errno || end == 0)
		return errmsg_set(err, errlen, "expected 'frame;frame;... COUNT'");
	char *chain = strndup(line, end);
	if (!chain || folded_insert(f, chain, count))
		return errmsg_set(err, errlen, "out of memory");
	return 0;
}

int folded_read(struct folded *f, const char *path, char *err, size_t errlen)
{
	FILE *in = fopen(path, "r");
	if (!in)
		return errmsg_set(err, errlen, "%s: %s", path, strerror(errno));
	char *line = NULL, why[128];
	size_t cap = 0;
	int rc = 0, n = 0;
	while (!rc && getline(&line, &cap, in) >= 0) {
		n++;
		if (line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if (folded_add_line(f, line, why, sizeof(why)))
			rc = errmsg_set(err, errlen, "%s:%d: %s", path, n, why);
	}
	free(line);
	fclose(in);
	return rc;
}

static int by_line(const void *a, const void *b)
{
	return strcmp((*(const struct folded_chain *const *)a)->line,
		      (*(const struct folded_chain *const *)b)->line);
}

int folded_write(const struct folded *f, FILE *out)
{
	const struct folded_chain **order = malloc((f->n ? f->n : 1) * sizeof(*order));
	if (!order) {
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < f->n; i++)
		order[i] = &f->e[i];
	qsort(order, f->n, sizeof(*order), by_line);
	int rc = 0;
	for (size_t i = 0; i < f->n && !rc; i++)
		rc = fprintf(out, "%s %" PRIu64 "\n", order[i]->line, order[i]->count) < 0 ? -1 : 0;
	free(order);
	return rc;
}

int folded_write_file(const struct folded *f, const char *path, char *err, size_t errlen)
{
	struct atomic_file af;
	if (atomic_open(&af, path, err, errlen))
		return -1;
	if (folded_write(f, af.f)) {
		int e = errno;
		atomic_abort(&af);
		return errmsg_set(err, errlen, "%s: %s", path, strerror(e));
	}
	return atomic_commit(&af, err, errlen);
}

size_t folded_count(const struct folded *f)
{
	return f ? f->n : 0;
}

uint64_t folded_samples(const struct folded *f)
{
	return f ? f->samples : 0;
}

void folded_entry(const struct folded *f, size_t i, const struct chain_frame **frames,
		  size_t *nframes, uint64_t *count)
{
	*frames = f->e[i].frames;
	*nframes = f->e[i].nframes;
	*count = f->e[i].count;
}

void folded_categorize(const struct folded *f, const struct category_set *cats,
		       uint64_t *per_category, uint64_t *unmatched)
{
	size_t nc = categories_count(cats);
	memset(per_category, 0, nc * sizeof(*per_category));
	if (unmatched)
		*unmatched = 0;
	for (size_t i = 0; f && i < f->n; i++) {
		size_t decided;
		size_t c = categories_match(cats, f->e[i].frames, f->e[i].nframes, &decided);
		per_category[c] += f->e[i].count;
		if (unmatched && decided == f->e[i].nframes)
			*unmatched += f->e[i].count;
	}
}
