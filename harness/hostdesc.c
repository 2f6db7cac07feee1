/*
 * hostdesc — what a machine is (see hostdesc.h). Every probe is best effort:
 * a value that cannot be read stays "", never guessed.
 */
#include "hostdesc.h"
#include "errmsg.h"
#include "version.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

void hostdesc_clean(char *s)
{
	char *w = s;
	for (const char *r = s; *r; r++) {
		unsigned char c = (unsigned char)*r;
		if (c == '\t' || c == '\n' || c == '\r')
			c = ' ';
		else if (c < 0x20 || c > 0x7e)
			c = '?';
		if (c == ' ' && (w == s || w[-1] == ' '))
			continue;
		*w++ = (char)c;
	}
	while (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
}

/* src, at most srclen bytes of it (a kernel field need not end in NUL), made clean into dst. */
static void set_clean(char *dst, size_t len, const char *src, size_t srclen)
{
	size_t n = strnlen(src, srclen);
	snprintf(dst, len, "%.*s", (int)(n < len ? n : len - 1), src);
	hostdesc_clean(dst);
}

/* The value after "field<blanks>:" on the first line of a /proc file that has one. */
static void proc_field(const char *path, const char *field, char *buf, size_t len)
{
	buf[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char line[512];
	size_t flen = strlen(field);
	while (fgets(line, sizeof(line), f)) {
		const char *colon = strchr(line, ':');
		if (!colon || strncmp(line, field, flen) || colon < line + flen ||
		    strspn(line + flen, " \t") != (size_t)(colon - (line + flen)))
			continue; /* "model name" must not take "model name extra:" */
		snprintf(buf, len, "%s", colon + 1);
		break;
	}
	fclose(f);
	hostdesc_clean(buf);
}

void hostdesc_machine_read(struct hostdesc_machine *m)
{
	memset(m, 0, sizeof(*m));
	struct utsname u;
	if (uname(&u) == 0) {
		set_clean(m->host, sizeof(m->host), u.nodename, sizeof(u.nodename));
		set_clean(m->kernel, sizeof(m->kernel), u.release, sizeof(u.release));
		set_clean(m->arch, sizeof(m->arch), u.machine, sizeof(u.machine));
	}
	proc_field("/proc/cpuinfo", "model name", m->cpu_model, sizeof(m->cpu_model));
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	if (online > 0)
		snprintf(m->cpus_online, sizeof(m->cpus_online), "%ld", online);
	proc_field("/proc/meminfo", "MemTotal", m->mem_total_kib, sizeof(m->mem_total_kib));
	m->mem_total_kib[strspn(m->mem_total_kib, "0123456789")] = '\0'; /* "16384000 kB" */
	snprintf(m->copyscope, sizeof(m->copyscope), "%s", COPYSCOPE_VERSION);
}

/* SIOCETHTOOL with data for dev: 0 or -1 (errno). */
static int ethtool(int sock, const char *dev, void *data)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	ifr.ifr_data = data;
	return ioctl(sock, SIOCETHTOOL, &ifr);
}

static void read_driver(int sock, const char *dev, struct hostdesc_iface *ifc)
{
	struct ethtool_drvinfo info;
	memset(&info, 0, sizeof(info));
	info.cmd = ETHTOOL_GDRVINFO;
	if (ethtool(sock, dev, &info))
		return; /* lo and the like: the driver does not say */
	set_clean(ifc->driver, sizeof(ifc->driver), info.driver, sizeof(info.driver));
	set_clean(ifc->driver_version, sizeof(ifc->driver_version), info.version,
		  sizeof(info.version));
}

static void set_speed(struct hostdesc_iface *ifc, __u32 mbps)
{
	if (mbps != 0 && mbps != (__u32)SPEED_UNKNOWN)
		snprintf(ifc->speed_mbps, sizeof(ifc->speed_mbps), "%u", (unsigned)mbps);
}

/*
 * The link speed. ETHTOOL_GLINKSETTINGS is a handshake: asked with no mask
 * words, the kernel answers how many it wants (negated), and the second call
 * carries that many. Drivers that predate it answer the legacy ETHTOOL_GSET.
 */
static void read_speed(int sock, const char *dev, struct hostdesc_iface *ifc)
{
	union {
		struct ethtool_link_settings s;
		__u32 words[sizeof(struct ethtool_link_settings) / 4 + 3 * SCHAR_MAX];
	} ls;
	memset(&ls, 0, sizeof(ls));
	ls.s.cmd = ETHTOOL_GLINKSETTINGS;
	if (ethtool(sock, dev, &ls) == 0) {
		int nwords = -ls.s.link_mode_masks_nwords;
		if (nwords <= 0 || nwords > SCHAR_MAX)
			return;
		memset(&ls, 0, sizeof(ls));
		ls.s.cmd = ETHTOOL_GLINKSETTINGS;
		ls.s.link_mode_masks_nwords = (__s8)nwords;
		if (ethtool(sock, dev, &ls) == 0 && ls.s.link_mode_masks_nwords == nwords)
			set_speed(ifc, ls.s.speed);
		return;
	}
	struct ethtool_cmd cmd;
	memset(&cmd, 0, sizeof(cmd));
	cmd.cmd = ETHTOOL_GSET;
	if (ethtool(sock, dev, &cmd) == 0)
		set_speed(ifc, ethtool_cmd_speed(&cmd));
}

void hostdesc_iface_read(const char *dev, struct hostdesc_iface *ifc)
{
	memset(ifc, 0, sizeof(*ifc));
	set_clean(ifc->iface, sizeof(ifc->iface), dev, strlen(dev));
	unsigned mtu;
	char why[160];
	/* netns_link_info reads the offloads: one reader of them in copyscope */
	if (netns_link_info(NULL, dev, &mtu, ifc->offloads, sizeof(ifc->offloads), why,
			    sizeof(why)) == 0)
		snprintf(ifc->mtu, sizeof(ifc->mtu), "%u", mtu);
	else
		ifc->offloads[0] = '\0';
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return;
	read_driver(sock, dev, ifc);
	read_speed(sock, dev, ifc);
	close(sock);
}

/* An address as getifaddrs compares it: family and bytes, and the scope's interface name. */
struct local_addr {
	int family;
	unsigned char bytes[16];
	char scope[IF_NAMESIZE]; /* "" when none was written */
	int scope_unheld;	 /* 1: the scope names no interface */
};

static int parse_local_addr(const char *text, struct local_addr *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	char addr[HOSTDESC_ADDR_MAX];
	size_t n = strcspn(text, "%");
	if (n >= sizeof(addr))
		return errmsg_set(err, errlen, "%s: expected an IPv4 or IPv6 address", text);
	memcpy(addr, text, n);
	addr[n] = '\0';
	struct in6_addr v6;
	if (inet_pton(AF_INET, addr, a->bytes) == 1) {
		a->family = AF_INET;
	} else if (inet_pton(AF_INET6, addr, &v6) == 1) {
		/* a dual-stack socket names an IPv4 peer ::ffff:a.b.c.d: held as a.b.c.d */
		a->family = IN6_IS_ADDR_V4MAPPED(&v6) ? AF_INET : AF_INET6;
		memcpy(a->bytes, a->family == AF_INET ? v6.s6_addr + 12 : v6.s6_addr,
		       a->family == AF_INET ? 4 : 16);
	} else {
		return errmsg_set(err, errlen, "%s: expected an IPv4 or IPv6 address", text);
	}
	const char *scope = text[n] ? text + n + 1 : "";
	if (!*scope)
		return 0;
	/* "%eth0" or "%2": an index or name no interface has leaves the address unheld */
	char *end;
	unsigned long index = strtoul(scope, &end, 10);
	if (*scope >= '0' && *scope <= '9' && !*end)
		a->scope_unheld =
		    index == 0 || index > UINT_MAX || !if_indextoname((unsigned)index, a->scope);
	else if (strlen(scope) < sizeof(a->scope))
		snprintf(a->scope, sizeof(a->scope), "%s", scope);
	else
		a->scope_unheld = 1;
	return 0;
}

static int holds(const struct ifaddrs *ifa, const struct local_addr *a)
{
	if (a->scope_unheld || !ifa->ifa_addr || ifa->ifa_addr->sa_family != a->family)
		return 0;
	if (a->scope[0] && strcmp(ifa->ifa_name, a->scope))
		return 0;
	if (a->family == AF_INET)
		return !memcmp(&((const struct sockaddr_in *)(const void *)ifa->ifa_addr)->sin_addr,
			       a->bytes, 4);
	return !memcmp(&((const struct sockaddr_in6 *)(const void *)ifa->ifa_addr)->sin6_addr,
		       a->bytes, 16);
}

int hostdesc_iface_of_addr(const char *local_addr, struct hostdesc_iface *ifc, char *err,
			   size_t errlen)
{
	memset(ifc, 0, sizeof(*ifc));
	struct local_addr a;
	if (parse_local_addr(local_addr, &a, err, errlen))
		return -1;
	struct ifaddrs *all;
	if (getifaddrs(&all))
		return 0; /* unknown, not wrong */
	char dev[IF_NAMESIZE] = "";
	for (const struct ifaddrs *ifa = all; ifa; ifa = ifa->ifa_next) {
		if (holds(ifa, &a)) {
			/* an IPv4 address's label ("eth0:1") names its device before the ':' */
			size_t n = strcspn(ifa->ifa_name, ":");
			snprintf(dev, sizeof(dev), "%.*s", (int)(n < sizeof(dev) ? n : 0),
				 ifa->ifa_name);
			break;
		}
	}
	freeifaddrs(all);
	if (dev[0])
		hostdesc_iface_read(dev, ifc);
	return 0;
}

/* Lines into a bounded buffer; what they need in all, fitting or not. */
struct lines {
	char *buf;
	size_t len, used, needed;
};

static void put_line(struct lines *t, const char *key, const char *value)
{
	size_t room = t->len - t->used;
	int n = snprintf(t->buf + t->used, room, "%s=%s\n", key, value);
	if (n < 0)
		return;
	t->needed += (size_t)n;
	if ((size_t)n < room)
		t->used += (size_t)n;
	else
		t->used = t->len; /* no room left: later lines only count */
}

int hostdesc_write(const char *local_addr, char *buf, size_t len, char *err, size_t errlen)
{
	struct hostdesc_iface ifc;
	if (local_addr && hostdesc_iface_of_addr(local_addr, &ifc, err, errlen))
		return -1;
	struct hostdesc_machine m;
	hostdesc_machine_read(&m);
	struct lines t = {.buf = buf, .len = len};
	put_line(&t, "host", m.host);
	put_line(&t, "kernel", m.kernel);
	put_line(&t, "arch", m.arch);
	put_line(&t, "cpu_model", m.cpu_model);
	put_line(&t, "cpus_online", m.cpus_online);
	put_line(&t, "mem_total_kib", m.mem_total_kib);
	put_line(&t, "copyscope", m.copyscope);
	if (local_addr) {
		put_line(&t, "iface", ifc.iface);
		put_line(&t, "driver", ifc.driver);
		put_line(&t, "driver_version", ifc.driver_version);
		put_line(&t, "mtu", ifc.mtu);
		put_line(&t, "offloads", ifc.offloads);
		put_line(&t, "speed_mbps", ifc.speed_mbps);
	}
	if (t.needed >= len) {
		if (len)
			buf[0] = '\0';
		return errmsg_set(err, errlen,
				  "machine description: needs %zu bytes, the buffer holds %zu",
				  t.needed + 1, len);
	}
	return 0;
}

/* The address a socket is bound to, as text (an IPv6 link-local one with its scope). */
static int sockaddr_text(const struct sockaddr_storage *ss, char *addr, size_t len)
{
	char text[INET6_ADDRSTRLEN], scope[IF_NAMESIZE] = "";
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)ss;
		if (!inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text)))
			return -1;
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)ss;
		if (!inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text)))
			return -1;
		if (in6->sin6_scope_id && !if_indextoname(in6->sin6_scope_id, scope))
			snprintf(scope, sizeof(scope), "%u", (unsigned)in6->sin6_scope_id);
	} else {
		return -1;
	}
	int n = snprintf(addr, len, "%s%s%s", text, scope[0] ? "%" : "", scope);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int hostdesc_route_addr(const char *host, char *addr, size_t len, char *err, size_t errlen)
{
	if (!host || !*host)
		return errmsg_set(err, errlen, "route: expected a host name or address");
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM}, *res;
	int rc = getaddrinfo(host, "9", &hints, &res);
	if (rc)
		return errmsg_set(err, errlen, "%s: %s", host, gai_strerror(rc));
	int last = EHOSTUNREACH;
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int sock = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (sock < 0) {
			last = errno;
			continue;
		}
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		/* a UDP connect() only chooses the route and the source address */
		if (connect(sock, ai->ai_addr, ai->ai_addrlen) ||
		    getsockname(sock, (struct sockaddr *)&ss, &sl)) {
			last = errno;
			close(sock);
			continue;
		}
		close(sock);
		freeaddrinfo(res);
		if (sockaddr_text(&ss, addr, len))
			return errmsg_set(
			    err, errlen, "%s: the local address does not fit %zu bytes", host, len);
		return 0;
	}
	freeaddrinfo(res);
	return errmsg_set(err, errlen, "%s: no route: %s", host, strerror(last));
}

int hostdesc_iface_towards(const char *host, struct hostdesc_iface *ifc, char *err, size_t errlen)
{
	char addr[HOSTDESC_ADDR_MAX];
	memset(ifc, 0, sizeof(*ifc));
	if (hostdesc_route_addr(host, addr, sizeof(addr), err, errlen))
		return -1;
	return hostdesc_iface_of_addr(addr, ifc, err, errlen);
}
