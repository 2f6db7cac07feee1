/*
 * netns — two namespaces and a veth pair for one run (see netns.h).
 */
#include "netns.h"
#include "errmsg.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"

#define IP_TIMEOUT_S 10.0 /* one ip command; they take milliseconds */
#define NAME_PREFIX  "cs-"

/* Links of this process not yet destroyed: while 0, a cs-<our pid>-* name is stale. */
static unsigned links_alive;
static unsigned links_made;

/* --- privileges ---------------------------------------------------------------- */

static int has_cap(const struct __user_cap_data_struct data[2], int cap)
{
	return (data[cap / 32].effective >> (cap % 32)) & 1;
}

int netns_check_privileges(char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2] = {{0}};
	if (syscall(SYS_capget, &hdr, data))
		return errmsg_set(err, errlen, "--topology netns: cannot read capabilities: %s",
				  strerror(errno));
	/* NET_ADMIN makes the link; SYS_ADMIN mounts the names and setns()es into them. */
	const char *missing = !has_cap(data, CAP_NET_ADMIN)   ? "CAP_NET_ADMIN"
			      : !has_cap(data, CAP_SYS_ADMIN) ? "CAP_SYS_ADMIN"
							      : NULL;
	if (missing)
		return errmsg_set(
		    err, errlen,
		    "--topology netns: needs %s (run as root); loopback works unprivileged",
		    missing);
	return 0;
}

/* --- iproute2 ------------------------------------------------------------------ */

static const char *ip_program(void)
{
	const char *hook = getenv("COPYSCOPE_IP");
	if (hook && *hook)
		return hook;
	static const char *const candidates[] = {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip",
						 "/bin/ip"};
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (access(candidates[i], X_OK) == 0)
			return candidates[i];
	return candidates[0]; /* its exec error says it is missing */
}

/* The last non-empty line of text, as "%.*s" arguments. */
static int last_line(const char *text, const char **start)
{
	const char *end = text ? text + strlen(text) : NULL;
	if (!end)
		return *start = "", 0;
	while (end > text && end[-1] == '\n')
		end--;
	const char *s = end;
	while (s > text && s[-1] != '\n')
		s--;
	*start = s;
	return (int)(end - s);
}

/* Runs `ip ARGS...` (NULL-terminated) to completion; -1 with its words and last stderr line. */
static int run_ip(char *err, size_t errlen, ...)
{
	char *argv[24];
	int n = 0;
	argv[n++] = (char *)ip_program();
	va_list ap;
	va_start(ap, errlen);
	while (n < 23 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	char words[256] = "ip";
	for (int i = 1; i < n; i++)
		snprintf(words + strlen(words), sizeof(words) - strlen(words), " %s", argv[i]);

	struct spawn_child c;
	spawn_init(&c, "ip");
	char why[256];
	int rc = 0;
	if (spawn_prepare(&c, argv[0], argv, 0, NULL, why, sizeof(why)) ||
	    spawn_release(&c, why, sizeof(why)))
		rc = errmsg_set(err, errlen, "%s: %s (%s)", words, why, argv[0]);
	else if (!spawn_wait(&c, IP_TIMEOUT_S))
		rc = errmsg_set(err, errlen, "%s: no answer within %.0f s", words, IP_TIMEOUT_S);
	else if (!WIFEXITED(c.status) || WEXITSTATUS(c.status) != 0) {
		char text[48];
		const char *line;
		int len = last_line(c.err.data, &line);
		rc = errmsg_set(err, errlen, "%s: %s%s%.*s", words,
				spawn_status_text(c.status, text, sizeof(text)), len ? ": " : "",
				len, line);
	}
	spawn_end(&c);
	return rc;
}

/* --- names --------------------------------------------------------------------- */

/* The pid of a name this module makes (cs-<pid>-<n>-srv|cli), or 0 for any other name. */
static pid_t own_name_pid(const char *name)
{
	if (strncmp(name, NAME_PREFIX, strlen(NAME_PREFIX)))
		return 0;
	const char *p = name + strlen(NAME_PREFIX);
	size_t pid_digits = strspn(p, "0123456789");
	if (pid_digits == 0 || pid_digits > 10 || p[pid_digits] != '-')
		return 0;
	const char *q = p + pid_digits + 1;
	size_t n_digits = strspn(q, "0123456789");
	if (n_digits == 0 || n_digits > 10 ||
	    (strcmp(q + n_digits, "-srv") && strcmp(q + n_digits, "-cli")))
		return 0;
	long pid = strtol(p, NULL, 10);
	return pid > 0 && pid <= 0x7fffffff ? (pid_t)pid : 0;
}

/* Removes the name the way `ip netns del` does; an absent name is fine. */
static void remove_name(const char *name)
{
	char path[sizeof(NETNS_DIR) + 256];
	snprintf(path, sizeof(path), "%s/%s", NETNS_DIR, name);
	umount2(path, MNT_DETACH);
	unlink(path);
}

int netns_sweep_stale(void)
{
	DIR *d = opendir(NETNS_DIR);
	if (!d)
		return 0;
	int removed = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		pid_t pid = own_name_pid(e->d_name);
		if (!pid)
			continue;
		int dead = pid == getpid() ? links_alive == 0 : kill(pid, 0) < 0 && errno == ESRCH;
		if (!dead)
			continue;
		remove_name(e->d_name);
		removed++;
	}
	closedir(d);
	return removed;
}

/* --- building ---------------------------------------------------------------- */

static int build(struct netns_link *l, const char *mtu, char *err, size_t errlen)
{
	char addr_srv[32], addr_cli[32];
	snprintf(addr_srv, sizeof(addr_srv), "%s/30", NETNS_SRV_ADDR);
	snprintf(addr_cli, sizeof(addr_cli), "%s/30", NETNS_CLI_ADDR);
	if (run_ip(err, errlen, "netns", "add", l->srv_name, NULL) ||
	    run_ip(err, errlen, "netns", "add", l->cli_name, NULL))
		return -1;
	/* Born inside the server's namespace, its peer inside the client's: never in ours. */
	if (run_ip(err, errlen, "-n", l->srv_name, "link", "add", NETNS_SRV_DEV, "mtu", mtu, "type",
		   "veth", "peer", "name", NETNS_CLI_DEV, "mtu", mtu, "netns", l->cli_name, NULL))
		return -1;
	if (run_ip(err, errlen, "-n", l->srv_name, "addr", "add", addr_srv, "dev", NETNS_SRV_DEV,
		   NULL) ||
	    run_ip(err, errlen, "-n", l->cli_name, "addr", "add", addr_cli, "dev", NETNS_CLI_DEV,
		   NULL))
		return -1;
	if (run_ip(err, errlen, "-n", l->srv_name, "link", "set", "lo", "up", NULL) ||
	    run_ip(err, errlen, "-n", l->cli_name, "link", "set", "lo", "up", NULL) ||
	    run_ip(err, errlen, "-n", l->srv_name, "link", "set", NETNS_SRV_DEV, "up", NULL) ||
	    run_ip(err, errlen, "-n", l->cli_name, "link", "set", NETNS_CLI_DEV, "up", NULL))
		return -1;
	return netns_link_info(l->srv_path, NETNS_SRV_DEV, &l->mtu, l->offloads,
			       sizeof(l->offloads), err, errlen);
}

int netns_create(struct netns_link *l, unsigned mtu, char *err, size_t errlen)
{
	memset(l, 0, sizeof(*l));
	netns_sweep_stale();
	if (!mtu)
		mtu = NETNS_DEFAULT_MTU;
	if (mtu < NETNS_MIN_MTU || mtu > NETNS_MAX_MTU)
		return errmsg_set(err, errlen, "--mtu %u: expected %u..%u", mtu, NETNS_MIN_MTU,
				  NETNS_MAX_MTU);
	unsigned n = links_made++;
	long pid = (long)getpid();
	snprintf(l->srv_name, sizeof(l->srv_name), NAME_PREFIX "%ld-%u-srv", pid, n);
	snprintf(l->cli_name, sizeof(l->cli_name), NAME_PREFIX "%ld-%u-cli", pid, n);
	snprintf(l->srv_path, sizeof(l->srv_path), "%s/%s", NETNS_DIR, l->srv_name);
	snprintf(l->cli_path, sizeof(l->cli_path), "%s/%s", NETNS_DIR, l->cli_name);
	links_alive++;
	char mtu_text[16];
	snprintf(mtu_text, sizeof(mtu_text), "%u", mtu);
	if (build(l, mtu_text, err, errlen)) {
		netns_destroy(l);
		return -1;
	}
	return 0;
}

void netns_destroy(struct netns_link *l)
{
	if (!l->srv_name[0] && !l->cli_name[0])
		return;
	if (l->srv_name[0])
		remove_name(l->srv_name);
	if (l->cli_name[0])
		remove_name(l->cli_name);
	memset(l, 0, sizeof(*l));
	if (links_alive)
		links_alive--;
}

/* --- reading a device ------------------------------------------------------- */

struct link_query {
	const char *ns_path, *dev;
	unsigned mtu;
	int tso, gso, gro; /* 1 on, 0 off, -1 not reported */
	char err[160];
};

static int ethtool_flag(int sock, const char *dev, __u32 cmd)
{
	struct ethtool_value v = {.cmd = cmd};
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	ifr.ifr_data = (void *)&v;
	return ioctl(sock, SIOCETHTOOL, &ifr) ? -1 : v.data != 0;
}

/* A thread of its own: setns() moves only the calling thread, and this one then ends. */
static void *query_link(void *arg)
{
	struct link_query *q = arg;
	if (q->ns_path) {
		int fd = open(q->ns_path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWNET)) {
			snprintf(q->err, sizeof(q->err), "%s: %s", q->ns_path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return NULL;
		}
		close(fd);
	}
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0) {
		snprintf(q->err, sizeof(q->err), "socket: %s", strerror(errno));
		return NULL;
	}
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", q->dev);
	if (ioctl(sock, SIOCGIFMTU, &ifr))
		snprintf(q->err, sizeof(q->err), "%s: %s", q->dev, strerror(errno));
	else
		q->mtu = (unsigned)ifr.ifr_mtu;
	q->tso = ethtool_flag(sock, q->dev, ETHTOOL_GTSO);
	q->gso = ethtool_flag(sock, q->dev, ETHTOOL_GGSO);
	q->gro = ethtool_flag(sock, q->dev, ETHTOOL_GGRO);
	close(sock);
	return NULL;
}

static const char *on_off(int v)
{
	return v < 0 ? "?" : v ? "on" : "off";
}

int netns_link_info(const char *ns_path, const char *dev, unsigned *mtu, char *offloads, size_t len,
		    char *err, size_t errlen)
{
	struct link_query q = {.ns_path = ns_path, .dev = dev};
	pthread_t t;
	int rc = pthread_create(&t, NULL, query_link, &q);
	if (rc)
		return errmsg_set(err, errlen, "%s: cannot start a thread: %s", dev, strerror(rc));
	pthread_join(t, NULL);
	if (q.err[0])
		return errmsg_set(err, errlen, "%s", q.err);
	*mtu = q.mtu;
	snprintf(offloads, len, "tso=%s;gso=%s;gro=%s", on_off(q.tso), on_off(q.gso),
		 on_off(q.gro));
	return 0;
}
