/* The column schema (harness/schema.c): the one declaration of runs.csv's
 * columns, checked against what the docs promise. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "eventfile.h"
#include "schema.h"

struct joined {
	char text[8192];
	size_t n;
};

static int join(const char *name, void *ctx)
{
	struct joined *j = ctx;
	int w = snprintf(j->text + j->n, sizeof(j->text) - j->n, "%s%s", j->n ? "," : "", name);
	if (w < 0 || (size_t)w >= sizeof(j->text) - j->n)
		return -1;
	j->n += (size_t)w;
	return 0;
}

/* The first line of the code block after "The full row, as written:". */
static void documented_header(char *buf, size_t len)
{
	FILE *f = fopen("docs/results.md", "r");
	cr_assert_not_null(f, "docs/results.md (run from the repository's root)");
	char line[8192];
	int state = 0;
	buf[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		if (state == 0 && strstr(line, "The full row, as written"))
			state = 1;
		else if (state == 1 && !strncmp(line, "```", 3))
			state = 2;
		else if (state == 2) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, len, "%s", line);
			break;
		}
	}
	fclose(f);
	cr_assert(buf[0], "docs/results.md has no \"The full row, as written\" block");
}

Test(schema, the_documented_row_is_the_schema_for_parte_events)
{
	struct event_set events;
	struct counter_plan *plan = NULL;
	char err[512];
	cr_assert_eq(eventfile_load("perfcfg/events/parte.events", &events, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(counter_plan_build(&events, &plan, err, sizeof(err)), 0, "%s", err);
	struct joined j = {.n = 0};
	cr_assert_eq(schema_columns(plan, join, &j), 0);
	char doc[8192];
	documented_header(doc, sizeof(doc));
	cr_expect_str_eq(j.text, doc, "docs/results.md's full row differs from schema.c");
	counter_plan_free(plan);
	eventfile_free(&events);
}

Test(schema, a_point_is_named_by_its_point_columns_then_rep)
{
	size_t point = 0;
	for (size_t i = 0; i < schema_nfixed; i++) {
		if (schema_fixed[i].kind != COL_POINT ||
		    !strcmp(schema_fixed[i].name, SCHEMA_PLACEMENT))
			continue;
		cr_assert_lt(point, schema_npoint);
		cr_expect_str_eq(schema_fixed[i].name, schema_point[point], "point column %zu", point);
		point++;
	}
	cr_expect_eq(point, schema_npoint);
}

Test(schema, placement_names_a_point_and_comes_before_rep)
{
	size_t placement = schema_nfixed, rep = schema_nfixed;
	for (size_t i = 0; i < schema_nfixed; i++) {
		if (!strcmp(schema_fixed[i].name, SCHEMA_PLACEMENT))
			placement = i;
		if (!strcmp(schema_fixed[i].name, SCHEMA_REP))
			rep = i;
	}
	cr_assert_lt(placement, rep);
	cr_expect_eq(schema_fixed[placement].kind, COL_POINT);
}

Test(schema, workload_columns_name_the_key_they_copy)
{
	for (size_t i = 0; i < schema_nfixed; i++) {
		const struct column *c = &schema_fixed[i];
		if (c->kind == COL_WORKLOAD)
			cr_expect(c->source != FROM_HARNESS && c->key && c->key[0], "%s", c->name);
		else if (c->kind == COL_MEASURED)
			cr_expect(c->source == FROM_HARNESS && !c->key && i > 0 &&
				      schema_fixed[i - 1].kind != COL_POINT,
				  "%s", c->name);
		else
			cr_expect(c->source == FROM_HARNESS && !c->key, "%s", c->name);
	}
}

static int stop_at_third(const char *name, void *ctx)
{
	(void)name;
	return ++*(int *)ctx == 3 ? 7 : 0;
}

Test(schema, an_emit_error_stops_the_walk_and_is_returned)
{
	struct event_set events = {.n = 0};
	struct counter_plan *plan = NULL;
	char err[256];
	cr_assert_eq(counter_plan_build(&events, &plan, err, sizeof(err)), 0, "%s", err);
	int n = 0;
	cr_expect_eq(schema_columns(plan, stop_at_third, &n), 7);
	cr_expect_eq(n, 3);
	counter_plan_free(plan);
}
