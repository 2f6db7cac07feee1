/*
 * hostdesc — what a machine is, as key=value lines: for env.txt, and for the
 * agent's MACHINE message (agentwire.h), so that a row measured across two
 * hosts says what both were.
 *
 * The lines, in this order, each best effort (a value that cannot be read is
 * empty, never guessed): host (uname's node name), kernel (uname -r), arch,
 * cpu_model (/proc/cpuinfo's "model name"; empty where the CPU does not say,
 * as on most Arm machines), cpus_online, mem_total_kib (/proc/meminfo's
 * MemTotal), copyscope (COPYSCOPE_VERSION); then, when a local address is
 * asked about, for the network interface that holds it (getifaddrs): iface,
 * driver and driver_version (SIOCETHTOOL ETHTOOL_GDRVINFO; "" for lo, whose
 * driver does not say), mtu and offloads (netns_link_info: "tso=on;gso=on;
 * gro=off"), speed_mbps (ETHTOOL_GLINKSETTINGS, else the legacy ETHTOOL_GSET;
 * empty when the driver does not know, as on lo; veth reports a nominal
 * 10000, and that is what is written). An address no interface holds gives
 * the six interface lines with empty values.
 *
 * Keys are [a-z0-9_]; values one line of printable ASCII (0x20..0x7e, see
 * hostdesc_clean); a value is everything after the first '='.
 *
 * No ioctl here needs privileges: reading a driver's name and link speed is
 * open to any user. Memory: everything is the caller's (fixed arrays).
 * Errors: -1 with one line in err.
 */
#ifndef COPYSCOPE_HOSTDESC_H
#define COPYSCOPE_HOSTDESC_H

#include <stddef.h>

#include "netns.h" /* NETNS_OFFLOADS_MAX */

#define HOSTDESC_TEXT_MAX 2048 /* hostdesc_write's lines always fit a buffer this large */
#define HOSTDESC_ADDR_MAX 64   /* an address in text, "%scope" included */

/* The machine's lines; "" where unknown. Sizes hold what the kernel can say. */
struct hostdesc_machine {
	char host[72]; /* utsname's fields are 65 bytes */
	char kernel[72];
	char arch[72];
	char cpu_model[256];
	char cpus_online[24];
	char mem_total_kib[24];
	char copyscope[24];
};

/* One interface's lines; "" where unknown. */
struct hostdesc_iface {
	char iface[16];	 /* IFNAMSIZ */
	char driver[32]; /* ethtool_drvinfo's sizes */
	char driver_version[32];
	char mtu[16];
	char offloads[NETNS_OFFLOADS_MAX];
	char speed_mbps[16];
};

/* Reads this machine's lines (never fails: what cannot be read stays ""). */
void hostdesc_machine_read(struct hostdesc_machine *m);

/* Reads the interface dev's lines (iface is dev); "" for what it does not say. */
void hostdesc_iface_read(const char *dev, struct hostdesc_iface *ifc);

/*
 * Reads the lines of the interface that holds local_addr (IPv4, IPv6,
 * "fe80::1%eth0" with its scope, or "::ffff:a.b.c.d" as a dual-stack socket
 * names an IPv4 peer). 0, with every field "" when no interface holds it; -1
 * when local_addr is not an address.
 */
int hostdesc_iface_of_addr(const char *local_addr, struct hostdesc_iface *ifc, char *err,
			   size_t errlen);

/*
 * Describes this machine and the interface holding local_addr (NULL: no
 * interface lines) into buf as key=value lines, "\n" after each. 0, or -1
 * when buf is too small or local_addr is not an address (err says which).
 */
int hostdesc_write(const char *local_addr, char *buf, size_t len, char *err, size_t errlen);

/*
 * The local address this machine would use to reach host (a name or an
 * address), into addr (HOSTDESC_ADDR_MAX is enough): a UDP socket
 * connect()ed to it gives its name, and no packet is sent. An IPv6 link-local
 * address carries its scope ("fe80::1%eth0"). The route is the one to port 9;
 * policy routing by port is not considered. 0 or -1 (err names host).
 */
int hostdesc_route_addr(const char *host, char *addr, size_t len, char *err, size_t errlen);

/*
 * The interface this machine's packets to host leave from (hostdesc_route_addr,
 * then hostdesc_iface_of_addr): every field "" when it cannot be told. 0 or -1.
 */
int hostdesc_iface_towards(const char *host, struct hostdesc_iface *ifc, char *err, size_t errlen);

/*
 * Makes s one line of printable ASCII in place: tabs, CRs and newlines become
 * spaces, runs of spaces one, leading and trailing spaces go, any other byte
 * outside 0x20..0x7e becomes '?'.
 */
void hostdesc_clean(char *s);

#endif
