/* categories — category files and the rule that decides a chain's category; see categories.h. */
#include "categories.h"
#include "perfcfg.h"
#include "errmsg.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PASS_INDEX ((size_t)-1)

enum glob_kind { GLOB_EXACT, GLOB_PREFIX, GLOB_FNMATCH };

struct category_rule {
	char *glob;
	enum glob_kind kind;
	size_t prefix_len; /* GLOB_PREFIX: "tcp_*" compares 4 characters */
	int side;	   /* -1 either, 0 user, 1 kernel */
	int leaf_only;	   /* '^': the first frame not passed only */
	size_t category;   /* index, or PASS_INDEX */
};

struct category_set {
	char source[512];
	size_t n;
	char names[CATEGORY_MAX][CATEGORY_NAME_MAX + 1];
	size_t nrules;
	struct category_rule *rules;
};

static int valid_name(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > CATEGORY_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_'))
			return 0;
	return 1;
}

/* The index of category name, added when new (other stays out until the end). */
static int category_index(struct category_set *set, const char *name, int line, size_t *idx,
			  char *err, size_t errlen)
{
	if (!strcmp(name, CATEGORY_PASS)) {
		*idx = PASS_INDEX;
		return 0;
	}
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->names[i], name)) {
			*idx = i;
			return 0;
		}
	if (set->n == CATEGORY_MAX - 1 && strcmp(name, CATEGORY_OTHER))
		return errmsg_set(err, errlen, "%s:%d: more than %d categories", set->source, line,
				  CATEGORY_MAX);
	snprintf(set->names[set->n], sizeof(set->names[0]), "%s", name);
	*idx = set->n++;
	return 0;
}

static int add_rule(struct category_set *set, const char *pattern, size_t category, int line,
		    char *err, size_t errlen)
{
	struct category_rule r = {.side = -1, .category = category};
	const char *p = pattern;
	if (*p == '^')
		r.leaf_only = 1, p++;
	if ((p[0] == 'k' || p[0] == 'u') && p[1] == ':')
		r.side = p[0] == 'k', p += 2;
	size_t n = strlen(p);
	if (!n || strlen(pattern) > CATEGORY_PATTERN_MAX)
		return errmsg_set(err, errlen,
				  "%s:%d: pattern '%.60s': expected [^][k:|u:]GLOB, at most %d "
				  "characters",
				  set->source, line, pattern, CATEGORY_PATTERN_MAX);
	if (set->nrules == CATEGORY_RULES_MAX)
		return errmsg_set(err, errlen, "%s:%d: more than %d patterns", set->source, line,
				  CATEGORY_RULES_MAX);
	size_t special = strcspn(p, "*?[\\");
	r.kind = special == n			       ? GLOB_EXACT
		 : special == n - 1 && p[n - 1] == '*' ? GLOB_PREFIX
						       : GLOB_FNMATCH;
	r.prefix_len = special;
	struct category_rule *rules = realloc(set->rules, (set->nrules + 1) * sizeof(*rules));
	if (!rules || !(r.glob = strdup(p))) {
		if (rules)
			set->rules = rules;
		return errmsg_set(err, errlen, "%s: out of memory", set->source);
	}
	set->rules = rules;
	set->rules[set->nrules++] = r;
	return 0;
}

/* One line, comment cut: "category pattern...". */
static int parse_line(struct category_set *set, char *text, int line, char *err, size_t errlen)
{
	char *save = NULL, *name = strtok_r(text, " \t\r", &save);
	if (!name)
		return 0;
	if (!valid_name(name))
		return errmsg_set(
		    err, errlen,
		    "%s:%d: category '%.60s': expected [a-z0-9_], at most %d characters",
		    set->source, line, name, CATEGORY_NAME_MAX);
	size_t idx = 0;
	if (category_index(set, name, line, &idx, err, errlen))
		return -1;
	int patterns = 0;
	for (char *tok = strtok_r(NULL, " \t\r", &save); tok;
	     tok = strtok_r(NULL, " \t\r", &save)) {
		if (add_rule(set, tok, idx, line, err, errlen))
			return -1;
		patterns++;
	}
	if (!patterns)
		return errmsg_set(err, errlen,
				  "%s:%d: category %s: expected at least one pattern after it",
				  set->source, line, name);
	return 0;
}

/* other last, whether or not the file named it. */
static int place_other(struct category_set *set)
{
	size_t at = set->n;
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->names[i], CATEGORY_OTHER))
			at = i;
	if (at == set->n) {
		snprintf(set->names[set->n++], sizeof(set->names[0]), "%s", CATEGORY_OTHER);
		return 0;
	}
	size_t last = set->n - 1;
	for (size_t i = at; i < last; i++)
		memcpy(set->names[i], set->names[i + 1], sizeof(set->names[0]));
	snprintf(set->names[last], sizeof(set->names[0]), "%s", CATEGORY_OTHER);
	for (size_t r = 0; r < set->nrules; r++) {
		size_t *c = &set->rules[r].category;
		if (*c == at)
			*c = last;
		else if (*c != PASS_INDEX && *c > at)
			(*c)--;
	}
	return 0;
}

int categories_parse(const char *text, size_t len, const char *source, struct category_set **out,
		     char *err, size_t errlen)
{
	*out = NULL;
	struct category_set *set = calloc(1, sizeof(*set));
	if (!set)
		return errmsg_set(err, errlen, "%s: out of memory", source);
	snprintf(set->source, sizeof(set->source), "%s", source);
	int line = 0, rc = 0;
	for (size_t pos = 0; pos < len && !rc;) {
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		line++;
		char *buf = strndup(text + pos, end - pos);
		if (!buf)
			rc = errmsg_set(err, errlen, "%s: out of memory", source);
		else if (strlen(buf) != end - pos)
			rc = errmsg_set(err, errlen, "%s:%d: NUL byte in a category file", source,
					line);
		else {
			char *hash = strchr(buf, '#');
			if (hash)
				*hash = '\0';
			rc = parse_line(set, buf, line, err, errlen);
		}
		free(buf);
		pos = end + 1;
	}
	if (!rc && set->nrules == 0)
		rc = errmsg_set(err, errlen, "%s: no rules (expected lines 'category pattern...')",
				source);
	if (rc) {
		categories_free(set);
		return -1;
	}
	place_other(set);
	*out = set;
	return 0;
}

int categories_load(const char *path, struct category_set **set, char *err, size_t errlen)
{
	*set = NULL;
	FILE *f = fopen(path, "r");
	if (!f)
		return errmsg_set(err, errlen, "%s: %s (expected a category file)", path,
				  strerror(errno));
	char *text = malloc(CATEGORY_FILE_MAX + 1);
	size_t len = text ? fread(text, 1, CATEGORY_FILE_MAX + 1, f) : 0;
	int bad = text ? ferror(f) : ENOMEM;
	fclose(f);
	int rc;
	if (bad)
		rc = errmsg_set(err, errlen, "%s: %s (expected a category file)", path,
				strerror(text ? EIO : ENOMEM));
	else if (len > CATEGORY_FILE_MAX)
		rc = errmsg_set(err, errlen, "%s: larger than 1 MiB (expected a category file)",
				path);
	else
		rc = categories_parse(text, len, path, set, err, errlen);
	free(text);
	return rc;
}

void categories_free(struct category_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->nrules; i++)
		free(set->rules[i].glob);
	free(set->rules);
	free(set);
}

const char *categories_source(const struct category_set *set)
{
	return set->source;
}

size_t categories_count(const struct category_set *set)
{
	return set->n;
}

const char *categories_name(const struct category_set *set, size_t i)
{
	return i < set->n ? set->names[i] : NULL;
}

size_t categories_other(const struct category_set *set)
{
	return set->n - 1;
}

static int rule_matches(const struct category_rule *r, const struct chain_frame *f, int at_leaf)
{
	if ((r->side >= 0 && r->side != (f->kernel != 0)) || (r->leaf_only && !at_leaf))
		return 0;
	switch (r->kind) {
	case GLOB_EXACT:
		return !strcmp(r->glob, f->name);
	case GLOB_PREFIX:
		return !strncmp(r->glob, f->name, r->prefix_len);
	default:
		return fnmatch(r->glob, f->name, 0) == 0;
	}
}

/* The first rule that matches frame f, or set->nrules. */
static size_t first_rule(const struct category_set *set, const struct chain_frame *f, int at_leaf)
{
	size_t r = 0;
	while (r < set->nrules && !rule_matches(&set->rules[r], f, at_leaf))
		r++;
	return r;
}

size_t categories_match(const struct category_set *set, const struct chain_frame *frames, size_t n,
			size_t *decided)
{
	int at_leaf = 1; /* until a frame is not passed */
	for (size_t i = 0; i < n; i++) {
		size_t r = first_rule(set, &frames[i], at_leaf);
		if (r < set->nrules && set->rules[r].category == PASS_INDEX)
			continue;
		if (r < set->nrules) {
			if (decided)
				*decided = i;
			return set->rules[r].category;
		}
		at_leaf = 0;
	}
	if (decided)
		*decided = n;
	return categories_other(set);
}

size_t categories_self(const struct category_set *set, const struct chain_frame *frames, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t r = first_rule(set, &frames[i], 1);
		if (r == set->nrules || set->rules[r].category != PASS_INDEX)
			break;
		i++;
	}
	return i;
}

void categories_find(const char *name, const char *near, char *path, size_t len)
{
	perfcfg_find("categories", ".cat", name, near, path, len);
}
