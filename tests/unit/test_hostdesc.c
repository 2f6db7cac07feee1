/*
 * hostdesc (hostdesc.h) on this machine's loopback: the lines, their shape,
 * the interface that holds an address, the route's source address; and
 * env.txt's part of it (env.h): this machine's facts from hostdesc, a far
 * host's lines as remote_<key> (a bad key dropped, a value made printable,
 * a value's newline splitting it), the link toward it.
 */
#include <criterion/criterion.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "env.h"
#include "hostdesc.h"
#include "sweepfile.h"
#include "version.h"

static char text[HOSTDESC_TEXT_MAX];
static char err[256];

/* The value of key in key=value lines, or NULL when no line has it. */
static const char *value_of(const char *lines, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);
	for (const char *p = lines; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0)) {
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			size_t n = strcspn(p + klen + 1, "\n");
			snprintf(buf, len, "%.*s", (int)n, p + klen + 1);
			return buf;
		}
	}
	return NULL;
}

/* Every line of lines (up to the first empty one) is key=printable ASCII. */
static void assert_line_shape(const char *lines)
{
	regex_t re;
	cr_assert_eq(regcomp(&re, "^[a-z0-9_]+=[ -~]*$", REG_EXTENDED | REG_NOSUB), 0);
	for (const char *p = lines; *p && *p != '\n';) {
		size_t n = strcspn(p, "\n");
		char line[2048];
		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		cr_assert_eq(regexec(&re, line, 0, NULL, 0), 0, "bad line: %s", line);
		p += n + (p[n] == '\n');
	}
	regfree(&re);
}

Test(hostdesc, loopback_address_names_lo_with_its_mtu_and_no_driver)
{
	char v[256];
	cr_assert_eq(hostdesc_write("127.0.0.1", text, sizeof(text), err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_str_eq(value_of(text, "iface", v, sizeof(v)), "lo", "%s", text);
	cr_assert_str_eq(value_of(text, "driver", v, sizeof(v)), "", "%s", text);
	cr_assert_str_eq(value_of(text, "speed_mbps", v, sizeof(v)), "", "%s", text);
	const char *mtu = value_of(text, "mtu", v, sizeof(v));
	cr_assert(mtu && *mtu && strspn(mtu, "0123456789") == strlen(mtu), "%s", text);
	cr_assert(strstr(value_of(text, "offloads", v, sizeof(v)), "tso="), "%s", text);
}

Test(hostdesc, no_address_writes_the_machine_without_interface_lines)
{
	char v[256];
	struct utsname u;
	cr_assert_eq(uname(&u), 0);
	cr_assert_eq(hostdesc_write(NULL, text, sizeof(text), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(value_of(text, "kernel", v, sizeof(v)), u.release);
	cr_assert_str_eq(value_of(text, "copyscope", v, sizeof(v)), COPYSCOPE_VERSION);
	char online[32];
	snprintf(online, sizeof(online), "%ld", sysconf(_SC_NPROCESSORS_ONLN));
	cr_assert_str_eq(value_of(text, "cpus_online", v, sizeof(v)), online);
	static const char *const iface_keys[] = {"iface", "driver",   "driver_version",
						 "mtu",	  "offloads", "speed_mbps"};
	for (size_t i = 0; i < sizeof(iface_keys) / sizeof(iface_keys[0]); i++)
		cr_assert_null(value_of(text, iface_keys[i], v, sizeof(v)), "%s in %s",
			       iface_keys[i], text);
}

Test(hostdesc, a_buffer_too_small_is_refused_and_left_empty)
{
	char small[40];
	memset(small, 'x', sizeof(small));
	cr_assert_eq(hostdesc_write("127.0.0.1", small, sizeof(small), err, sizeof(err)), -1);
	cr_assert_eq(small[0], '\0');
	cr_assert(strstr(err, "needs") && strstr(err, "40"), "%s", err);
}

Test(hostdesc, every_line_is_a_key_and_one_printable_line)
{
	cr_assert_eq(hostdesc_write("127.0.0.1", text, sizeof(text), err, sizeof(err)), 0, "%s",
		     err);
	cr_assert(strlen(text) > 0 && text[strlen(text) - 1] == '\n');
	assert_line_shape(text);
}

Test(hostdesc, a_dual_stack_name_of_an_ipv4_address_finds_its_interface)
{
	char v[64];
	cr_assert_eq(hostdesc_write("::ffff:127.0.0.1", text, sizeof(text), err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_str_eq(value_of(text, "iface", v, sizeof(v)), "lo", "%s", text);
}

Test(hostdesc, an_address_no_interface_holds_gives_empty_interface_lines)
{
	char v[64];
	/* TEST-NET-3 (RFC 5737): for documentation, on no interface of ours */
	cr_assert_eq(hostdesc_write("203.0.113.254", text, sizeof(text), err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_str_eq(value_of(text, "iface", v, sizeof(v)), "", "%s", text);
	cr_assert_str_eq(value_of(text, "mtu", v, sizeof(v)), "", "%s", text);
	/* a scope that names no interface holds nothing either */
	cr_assert_eq(hostdesc_write("127.0.0.1%no-such-if", text, sizeof(text), err, sizeof(err)),
		     0, "%s", err);
	cr_assert_str_eq(value_of(text, "iface", v, sizeof(v)), "", "%s", text);
}

Test(hostdesc, what_is_not_an_address_is_refused)
{
	cr_assert_eq(hostdesc_write("localhost", text, sizeof(text), err, sizeof(err)), -1);
	cr_assert(strstr(err, "localhost") && strstr(err, "expected"), "%s", err);
}

Test(hostdesc, the_route_to_loopback_leaves_from_loopback)
{
	char addr[HOSTDESC_ADDR_MAX];
	cr_assert_eq(hostdesc_route_addr("127.0.0.1", addr, sizeof(addr), err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_str_eq(addr, "127.0.0.1");
	cr_assert_eq(hostdesc_route_addr("127.0.0.1", addr, 4, err, sizeof(err)), -1);
	cr_assert_eq(hostdesc_route_addr("", addr, sizeof(addr), err, sizeof(err)), -1);
}

Test(hostdesc, clean_makes_one_printable_line)
{
	char s[] = "  Intel(R)\tXeon\r\n\x01 caf\xc3\xa9  ";
	hostdesc_clean(s);
	cr_assert_str_eq(s, "Intel(R) Xeon ? caf??");
}

/* --- env.txt ---------------------------------------------------------------- */

static char dir[] = "/tmp/copyscope-hostdesc-XXXXXX";
static char env_path[300], events_path[300];
static char *topologies[] = {"remote"}, *placements[] = {"free"};
static char sweep_text[] = "impls = two-copy\nsizes = 4K\n";

static void setup_dir(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(env_path, sizeof(env_path), "%s/env.txt", dir);
	snprintf(events_path, sizeof(events_path), "%s/x.events", dir);
	FILE *f = fopen(events_path, "w");
	cr_assert_not_null(f);
	fputs("task_clock = task-clock\n", f);
	fclose(f);
}

static void remove_dir(void)
{
	unlink(env_path);
	unlink(events_path);
	rmdir(dir);
}

/* env.txt for a sweep whose remote is remote (NULL: none) and far host says desc. */
static char *env_of(const char *remote, const char *desc)
{
	struct sweep_config cfg = {
	    .path = "remote.ini",
	    .events_path = events_path,
	    .text = sweep_text,
	    .text_len = sizeof(sweep_text) - 1,
	    .topologies = topologies,
	    .n_topologies = 1,
	    .placements = placements,
	    .n_placements = 1,
	    .reps = 1,
	    .duration_s = 1,
	    .warmup_s = 0.2,
	    .remote = (char *)remote,
	};
	char *argv[] = {"sweep", "remote.ini"};
	cr_assert_eq(env_write(env_path, &cfg, 42, 2, argv, desc, err, sizeof(err)), 0, "%s", err);
	static char buf[65536];
	FILE *f = fopen(env_path, "r");
	cr_assert_not_null(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* env_read_key's answer, "(absent)" when it has none. */
static const char *key(const char *name)
{
	static char buf[ENV_VALUE_MAX];
	if (env_read_key(env_path, name, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "(absent)");
	return buf;
}

TestSuite(env, .init = setup_dir, .fini = remove_dir);

Test(env, a_local_sweep_has_one_host_and_no_remote_lines)
{
	char *env = env_of(NULL, NULL);
	struct utsname u;
	cr_assert_eq(uname(&u), 0);
	cr_assert_str_eq(key("hosts"), "1");
	cr_assert_str_eq(key("kernel"), u.release);
	cr_assert_str_eq(key("copyscope"), COPYSCOPE_VERSION);
	cr_assert_str_eq(key("link_iface"), "(absent)");
	cr_assert_null(strstr(env, "\nremote_"), "%s", env);
	cr_assert_str_eq(key("seed"), "42"); /* the block goes on after the machine */
	assert_line_shape(env);
}

Test(env, far_host_lines_come_out_prefixed_and_sanitised)
{
	const char *desc = "host=far\n"
			   "kernel=6.1.0-18-amd64\r\n"
			   "Bad-Key=dropped\n"
			   "cpu_model=AMD\tEPYC\x01 7B13\n"
			   "driver_version=1.0\nspilled over\n"
			   "=no key\n"
			   "\n"
			   "host=again\n"
			   "speed_mbps=";
	char *env = env_of("127.0.0.1:7190", desc);
	cr_assert_str_eq(key("hosts"), "2");
	cr_assert_str_eq(key("remote_host"), "far");
	cr_assert_str_eq(key("remote_kernel"), "6.1.0-18-amd64");
	cr_assert_str_eq(key("remote_cpu_model"), "AMD EPYC? 7B13");
	cr_assert_str_eq(key("remote_driver_version"), "1.0");
	cr_assert_str_eq(key("remote_speed_mbps"), ""); /* the last line needs no newline */
	cr_assert_null(strstr(env, "Bad"), "%s", env);
	cr_assert_null(strstr(env, "spilled"), "%s", env);
	cr_assert_null(strstr(env, "again"), "%s", env);
	cr_assert_null(strstr(env, "no key"), "%s", env);
	cr_assert_str_eq(key("seed"), "42"); /* no far-host line ended the block */
	assert_line_shape(env);
}

Test(env, the_link_is_the_interface_toward_the_remote_host)
{
	env_of("127.0.0.1:7190", "host=far\n");
	cr_assert_str_eq(key("link_iface"), "lo");
	cr_assert_str_eq(key("link_driver"), "");
	char mtu[ENV_VALUE_MAX];
	snprintf(mtu, sizeof(mtu), "%s", key("link_mtu"));
	cr_assert(mtu[0] && strspn(mtu, "0123456789") == strlen(mtu), "%s", mtu);
	cr_assert_str_eq(key("lo_mtu"), mtu); /* one reader of an MTU: the same value */
	cr_assert_str_eq(key("link_speed_mbps"), "");
}

Test(env, a_bracketed_ipv6_remote_is_routed_by_its_address)
{
	char addr[HOSTDESC_ADDR_MAX];
	if (hostdesc_route_addr("::1", addr, sizeof(addr), err, sizeof(err)))
		cr_skip_test("no IPv6 loopback here: %s", err);
	env_of("[::1]:7190", "host=far\n");
	cr_assert_str_eq(key("link_iface"), "lo");
}

Test(env, an_unreachable_remote_leaves_the_link_empty)
{
	env_of("no-such-host.invalid:7190", "host=far\n");
	cr_assert_str_eq(key("link_iface"), "");
	cr_assert_str_eq(key("link_mtu"), "");
	cr_assert_str_eq(key("remote_host"), "far");
}
