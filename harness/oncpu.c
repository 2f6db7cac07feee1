/* oncpu — a workload's on-CPU time per CPU; see oncpu.h. */
#include "oncpu.h"

#include <linux/perf_event.h>
#include <math.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "perfopen.h"

struct oncpu {
	size_t n;
	int cpu[ONCPU_MAX];
	int fd[ONCPU_MAX]; /* -1: not opened */
};

static int open_task_clock(pid_t pid, int cpu)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	a.disabled = 1;
	a.inherit = 1;
	return perf_open(&a, pid, cpu, -1);
}

struct oncpu *oncpu_open(pid_t pid)
{
	struct oncpu *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	cpu_set_t set;
	CPU_ZERO(&set);
	int ncpus = sched_getaffinity(0, sizeof(set), &set) ? 0 : CPU_COUNT(&set);
	if (ncpus <= ONCPU_MAX)
		for (int c = 0; c < CPU_SETSIZE && o->n < ONCPU_MAX; c++)
			if (CPU_ISSET(c, &set)) {
				o->cpu[o->n] = c;
				o->fd[o->n++] = open_task_clock(pid, c);
			}
	return o;
}

static int switch_all(struct oncpu *o, unsigned long request)
{
	int rc = 0;
	for (size_t i = 0; i < o->n; i++)
		if (o->fd[i] >= 0 && ioctl(o->fd[i], request, 0) < 0)
			rc = -1;
	return rc;
}

int oncpu_enable(struct oncpu *o)
{
	return o ? switch_all(o, PERF_EVENT_IOC_ENABLE) : 0;
}

int oncpu_disable(struct oncpu *o)
{
	return o ? switch_all(o, PERF_EVENT_IOC_DISABLE) : 0;
}

static double read_count(int fd)
{
	uint64_t v;
	return fd >= 0 && read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v) ? (double)v : NAN;
}

void oncpu_read(const struct oncpu *o, struct oncpu_sample *s)
{
	s->n = 0;
	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++) {
		double ns = read_count(o->fd[i]);
		if (isnan(ns)) { /* one CPU unknown: the shares would lie */
			s->n = 0;
			break;
		}
		s->cpu[s->n] = o->cpu[i];
		s->ns[s->n++] = ns;
	}
}

void oncpu_close(struct oncpu *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++)
		if (o->fd[i] >= 0)
			close(o->fd[i]);
	free(o);
}
