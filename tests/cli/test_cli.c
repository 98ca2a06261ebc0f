// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the xnicctl binary itself, run as a subprocess ($XNICCTL is
 * its path): help, version, and rejection of bad command lines with one
 * line on stderr and the documented exit status. The child runs under a
 * seccomp filter that kills it if it creates a socket, enters a netns or
 * makes a bpf() call, which proves a bad command line never reaches the
 * network or a BPF map (the tc commands read the hook over rtnetlink, so
 * a socket is as telling as bpf() there).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xnicctl.h"

#define ARGV(...) ((const char *[]){ "xnicctl", __VA_ARGS__, NULL })

struct run {
	int status;		/* exit status, or 128 + signal */
	char out[65536];	/* the help text is past 16 KiB */
	char err[4096];
};

static struct run r;

/*
 * Kill the process on socket(), setns() or bpf(). No architecture check:
 * the filter only ever guards this native test child.
 */
static void forbid_network(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_setns, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_bpf, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	struct sock_fprog prog = {
		.len = ARRAY_SIZE(filter),
		.filter = filter,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		_exit(126);
}

static void read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while ((n = read(fd, buf + len, size - 1 - len)) > 0 ||
	       (n < 0 && errno == EINTR))
		if (n > 0)
			len += n;
	buf[len] = '\0';
}

static void run(const char **argv)
{
	const char *bin = getenv("XNICCTL");
	int out[2], err[2], status;
	pid_t pid;

	if (!bin)
		fail_msg("XNICCTL is not set to the xnicctl binary");
	assert_int_equal(pipe(out), 0);
	assert_int_equal(pipe(err), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		unsetenv("XNICCTL_KIND");
		forbid_network();
		execv(bin, (char **)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	/* Outputs are far below a pipe's capacity: read one, then the other. */
	read_all(out[0], r.out, sizeof(r.out));
	read_all(err[0], r.err, sizeof(r.err));
	close(out[0]);
	close(err[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		fail_msg("xnicctl touched the network or BPF (socket/setns/bpf)");
	r.status = WIFEXITED(status) ? WEXITSTATUS(status) :
		   128 + WTERMSIG(status);
}

/* Expect success with @text somewhere on stdout and nothing on stderr. */
static void ok(const char **argv, const char *text)
{
	run(argv);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_non_null(strstr(r.out, text));
}

/* Expect @status, nothing on stdout and exactly @line on stderr. */
static void fails(const char **argv, int status, const char *line)
{
	char want[XERR_MAX + 64];

	run(argv);
	snprintf(want, sizeof(want), "%s\n", line);
	assert_string_equal(r.err, want);
	assert_string_equal(r.out, "");
	assert_int_equal(r.status, status);
}

static void test_help(void **state)
{
	(void)state;
	ok(ARGV("--help"), "Usage: xnicctl");
	ok(ARGV("-h"), "xnicctl link add NAME peer PEER");
	assert_non_null(strstr(r.out, "xnicctl link del NAME"));
	assert_non_null(strstr(r.out, "xnicctl link show [NAME]"));
	assert_non_null(strstr(r.out, "Exit status:"));
	assert_non_null(strstr(r.out, "  5  no such xnic link"));
	assert_non_null(strstr(r.out, "xnicctl attach DEV [--xdp native|generic|off] [--tc]"));
	assert_non_null(strstr(r.out, "xnicctl detach DEV [--tc]"));
	assert_non_null(strstr(r.out, "xnicctl policy add DEV ingress|egress allow|deny"));
	assert_non_null(strstr(r.out, "xnicctl policy identity DEV N"));
	assert_non_null(strstr(r.out, "xnicctl prefilter add|del PREFIX..."));
	assert_non_null(strstr(r.out, "xnicctl arp-block add|del ADDR..."));
	assert_non_null(strstr(r.out, "xnicctl stats [DEV] [--json | --prometheus] [--watch SECONDS]"));
	assert_non_null(strstr(r.out, "xnicctl status [--json]"));
	assert_non_null(strstr(r.out, "xnicctl monitor [--json] [--count N] [--dev DEV]"));
	assert_non_null(strstr(r.out, "xnicctl monitor limit [--rate N] [--burst N] [--json]"));
	assert_non_null(strstr(r.out, "  6  the device's XDP hook is held"));
	assert_non_null(strstr(r.out, "  7  no BPF filesystem"));
	assert_non_null(strstr(r.out, "xnicctl service attach [--cgroup PATH]"));
	assert_non_null(strstr(r.out, "xnicctl service list [--json]"));
	assert_non_null(strstr(r.out,
			       "xnicctl service nodeport attach DEV [--node-addr ADDR]"));
}

static void test_command_help(void **state)
{
	(void)state;
	ok(ARGV("link", "--help"), "xnicctl link show");
	ok(ARGV("link", "add", "--help"), "peer-address MAC");
	assert_null(strstr(r.out, "link show"));
	/* The range the help states is the one the parser enforces. */
	assert_non_null(strstr(r.out, "both ends, 1..16\n"));
	ok(ARGV("link", "del", "-h"), "xnicctl link del NAME [netns NS]");
	ok(ARGV("link", "show", "x", "--help"), "--json");
	ok(ARGV("attach", "--help"), "--xdp generic");
	ok(ARGV("detach", "x", "-h"), "xnicctl detach DEV");
	ok(ARGV("prefilter", "--help"), "xnicctl prefilter list [--json]");
	ok(ARGV("prefilter", "add", "bogus", "-h"), "host bits");
	ok(ARGV("arp-block", "-h"), "ar_sip");
	ok(ARGV("stats", "-h"), "drop_arp_sender");
	ok(ARGV("status", "--help"), "ENTRIES");
	ok(ARGV("policy", "--help"), "xnicctl policy list DEV [--json]");
	ok(ARGV("policy", "add", "pb", "bogus", "-h"), "family ipv4|ipv6");
	ok(ARGV("attach", "-h"), "--tc");
	ok(ARGV("stats", "--help"), "--watch SECONDS");
	ok(ARGV("service", "--help"), "ECONNREFUSED");
	ok(ARGV("service", "add", "x", "-h"), "weight=N");
	ok(ARGV("monitor", "--help"), "rate_limited");
	ok(ARGV("monitor", "limit", "-h"), "burst 100");
	ok(ARGV("limit", "--help"), "xnicctl limit list [--json]");
	ok(ARGV("limit", "add", "dev", "-h"), "drop_edt_horizon");
}

static void test_version(void **state)
{
	(void)state;
	ok(ARGV("--version"), "xnicctl ");
	assert_non_null(strstr(r.out, " (libbpf v"));
}

/* Words as ip and bpftool take them: prefixes, help, show/list, -j first. */
static void test_grammar(void **state)
{
	(void)state;
	ok(ARGV("help"), "Usage: xnicctl");
	ok(ARGV("lin", "help"), "xnicctl link show");
	ok(ARGV("link", "a", "-h"), "peer-address MAC");
	ok(ARGV("serv", "nodep", "sh", "--help"), "nodeport show DEV");
	ok(ARGV("-j", "-p", "-v", "--help"), "-p, --pretty");
	ok(ARGV("-v", "--version"), "xnicctl ");
	fails(ARGV("l"), XNIC_EXIT_USAGE,
	      "xnicctl: ambiguous command 'l': link, limit (try 'xnicctl --help')");
	fails(ARGV("service", "a", "x"), XNIC_EXIT_USAGE,
	      "xnicctl: service: ambiguous subcommand 'a': attach, add "
	      "(try 'xnicctl service --help')");
	/* A prefix reaches the same parser, and so the same error. */
	fails(ARGV("-j", "pre", "a", "bogus"), XNIC_EXIT_USAGE,
	      "xnicctl: prefilter add: invalid prefix 'bogus' (expected an "
	      "IPv4 or IPv6 address, optionally /LEN)");
	fails(ARGV("-p", "-j"), XNIC_EXIT_USAGE,
	      "xnicctl: missing command (try 'xnicctl --help')");
	fails(ARGV("-j", "--frob", "link"), XNIC_EXIT_USAGE,
	      "xnicctl: unknown option '--frob' (try 'xnicctl --help')");
	/* The bash completion's question: words for the last one's place. */
	ok(ARGV("--complete", "-j", "link", ""), "add");
	assert_string_equal(r.out, "add\ndel\nshow\nhelp\n");
	ok(ARGV("--complete", "service", "backend", "d"), "del");
	assert_string_equal(r.out, "del\n");
	run(ARGV("--complete", "link", "show", ""));
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	/* -j given both before and after is asked twice, not a mistake. */
	fails(ARGV("-j", "redirect", "list", "--json", "-p", "extra", "x"),
	      XNIC_EXIT_USAGE, "xnicctl: redirect list: unknown keyword 'x'");
}

static void test_bad_command(void **state)
{
	(void)state;
	fails((const char *[]){ "xnicctl", NULL }, XNIC_EXIT_USAGE,
	      "xnicctl: missing command (try 'xnicctl --help')");
	fails(ARGV("frob"), XNIC_EXIT_USAGE,
	      "xnicctl: unknown command 'frob' (try 'xnicctl --help')");
	fails(ARGV("--frob"), XNIC_EXIT_USAGE,
	      "xnicctl: unknown option '--frob' (try 'xnicctl --help')");
	fails(ARGV("link"), XNIC_EXIT_USAGE,
	      "xnicctl: link: missing subcommand (try 'xnicctl link --help')");
	fails(ARGV("link", "frob"), XNIC_EXIT_USAGE,
	      "xnicctl: link: unknown subcommand 'frob' (try 'xnicctl link --help')");
}

static void test_add_rejects(void **state)
{
	(void)state;
	fails(ARGV("link", "add"), XNIC_EXIT_USAGE,
	      "xnicctl: link add: missing interface name");
	fails(ARGV("link", "add", "a"), XNIC_EXIT_USAGE,
	      "xnicctl: link add: missing 'peer PEER'");
	fails(ARGV("link", "add", "a", "peer", "b", "queues", "abc"),
	      XNIC_EXIT_USAGE,
	      "xnicctl: link add: invalid queue count 'abc' (expected 1..16)");
	fails(ARGV("link", "add", "a", "peer", "b", "queues", "17"),
	      XNIC_EXIT_USAGE,
	      "xnicctl: link add: invalid queue count '17' (expected 1..16)");
	fails(ARGV("link", "add", "a", "peer", "b", "address", "1:2:3"),
	      XNIC_EXIT_USAGE,
	      "xnicctl: link add: invalid MAC address '1:2:3' (expected xx:xx:xx:xx:xx:xx)");
	fails(ARGV("link", "add", "a", "peer", "0123456789abcdef"),
	      XNIC_EXIT_USAGE,
	      "xnicctl: link add: invalid interface name '0123456789abcdef' (longer than 15 characters)");
	fails(ARGV("link", "add", "a", "peer", "b", "speed", "1"),
	      XNIC_EXIT_USAGE, "xnicctl: link add: unknown keyword 'speed'");
	fails(ARGV("link", "add", "a", "peer", "b", "peer", "b"),
	      XNIC_EXIT_USAGE, "xnicctl: link add: duplicate keyword 'peer'");
}

static void test_add_unknown_netns(void **state)
{
	(void)state;
	fails(ARGV("link", "add", "a", "peer", "b", "peer-netns",
		   "xnicctl-test-no-such-netns"), XNIC_EXIT_USAGE,
	      "xnicctl: link add: unknown netns 'xnicctl-test-no-such-netns' "
	      "(no /run/netns/xnicctl-test-no-such-netns)");
}

static void test_del_show_reject(void **state)
{
	(void)state;
	fails(ARGV("link", "del"), XNIC_EXIT_USAGE,
	      "xnicctl: link del: missing interface name");
	fails(ARGV("link", "del", "a/b"), XNIC_EXIT_USAGE,
	      "xnicctl: link del: invalid interface name 'a/b' (contains '/')");
	fails(ARGV("link", "del", "a", "netns", "xnicctl-test-no-such-netns"),
	      XNIC_EXIT_USAGE,
	      "xnicctl: link del: unknown netns 'xnicctl-test-no-such-netns' "
	      "(no /run/netns/xnicctl-test-no-such-netns)");
	fails(ARGV("link", "show", "--yaml"), XNIC_EXIT_USAGE,
	      "xnicctl: link show: unknown option '--yaml'");
	fails(ARGV("link", "show", "a", "b"), XNIC_EXIT_USAGE,
	      "xnicctl: link show: unknown keyword 'b'");
}

/* Bad datapath arguments: exit 1 before any bpf() call (seccomp). */
static void test_datapath_rejects(void **state)
{
	(void)state;
	fails(ARGV("prefilter", "add", "192.0.2.1", "10.0.0.1/8"),
	      XNIC_EXIT_USAGE,
	      "xnicctl: prefilter add: invalid prefix '10.0.0.1/8' (host bits set: did you mean 10.0.0.0/8?)");
	fails(ARGV("prefilter", "del", "::1", "0:0::1"), XNIC_EXIT_USAGE,
	      "xnicctl: prefilter del: duplicate entry '0:0::1' (same as '::1')");
	fails(ARGV("prefilter", "add"), XNIC_EXIT_USAGE,
	      "xnicctl: prefilter add: missing PREFIX");
	fails(ARGV("prefilter"), XNIC_EXIT_USAGE,
	      "xnicctl: prefilter: missing subcommand (try 'xnicctl prefilter --help')");
	fails(ARGV("arp-block", "add", "192.0.2.0/24"), XNIC_EXIT_USAGE,
	      "xnicctl: arp-block add: invalid address '192.0.2.0/24' (expected an IPv4 address, e.g. 192.0.2.1)");
	fails(ARGV("arp-block", "list", "--yaml"), XNIC_EXIT_USAGE,
	      "xnicctl: arp-block list: unknown option '--yaml'");
	fails(ARGV("attach", "x", "--xdp", "drv"), XNIC_EXIT_USAGE,
	      "xnicctl: attach: invalid XDP mode 'drv' (expected native, generic or off)");
	fails(ARGV("attach"), XNIC_EXIT_USAGE,
	      "xnicctl: attach: missing interface name");
	fails(ARGV("detach", "a", "b"), XNIC_EXIT_USAGE,
	      "xnicctl: detach: unknown keyword 'b'");
	fails(ARGV("stats", "x", "--yaml"), XNIC_EXIT_USAGE,
	      "xnicctl: stats: unknown option '--yaml'");
	fails(ARGV("status", "x"), XNIC_EXIT_USAGE,
	      "xnicctl: status: unknown keyword 'x'");
	fails(ARGV("-v"), XNIC_EXIT_USAGE,
	      "xnicctl: missing command (try 'xnicctl --help')");
	fails(ARGV("monitor", "--count", "0"), XNIC_EXIT_USAGE,
	      "xnicctl: monitor: invalid count '0' (expected 1..4294967295)");
	fails(ARGV("monitor", "--dev", "a/b"), XNIC_EXIT_USAGE,
	      "xnicctl: monitor: invalid interface name 'a/b' (contains '/')");
	fails(ARGV("monitor", "xnic0"), XNIC_EXIT_USAGE,
	      "xnicctl: monitor: unknown keyword 'xnic0'");
	fails(ARGV("monitor", "--json", "--rate", "5"), XNIC_EXIT_USAGE,
	      "xnicctl: monitor: unknown option '--rate'");
	/* The limit is not set at all when one value is bad. */
	fails(ARGV("monitor", "limit", "--rate", "10", "--burst", "x"),
	      XNIC_EXIT_USAGE,
	      "xnicctl: monitor limit: invalid burst 'x' (expected 0..4294967295)");
	fails(ARGV("monitor", "limit", "--rate", "4294967296"), XNIC_EXIT_USAGE,
	      "xnicctl: monitor limit: invalid rate '4294967296' (expected 0..4294967295)");
	fails(ARGV("monitor", "limit", "--burst"), XNIC_EXIT_USAGE,
	      "xnicctl: monitor limit: missing value after '--burst'");
}

/* Bad tc policy arguments: exit 1 before any socket or bpf() call. */
static void test_policy_rejects(void **state)
{
	(void)state;
	fails(ARGV("policy"), XNIC_EXIT_USAGE,
	      "xnicctl: policy: missing subcommand (try 'xnicctl policy --help')");
	fails(ARGV("policy", "add", "pb", "ingress", "allow", "src",
		   "10.0.0.1/8"), XNIC_EXIT_USAGE,
	      "xnicctl: policy add: invalid prefix '10.0.0.1/8' (host bits set: did you mean 10.0.0.0/8?)");
	fails(ARGV("policy", "add", "pb", "ingress", "allow", "proto", "tcp"),
	      XNIC_EXIT_USAGE,
	      "xnicctl: policy add: a rule is for one family: give src or dst, or family ipv4|ipv6");
	fails(ARGV("policy", "add", "pb", "egress", "deny", "src", "10.0.0.0/8",
		   "dst", "::1"), XNIC_EXIT_USAGE,
	      "xnicctl: policy add: dst '::1' is IPv6 but src is IPv4: a rule is for one family");
	fails(ARGV("policy", "add", "pb", "egress", "deny", "family", "ipv4",
		   "dport", "80-70"), XNIC_EXIT_USAGE,
	      "xnicctl: policy add: invalid port range '80-70' (80 > 70)");
	fails(ARGV("policy", "del", "pb", "ingress", "64"), XNIC_EXIT_USAGE,
	      "xnicctl: policy del: invalid rule index '64' (expected 0..63)");
	fails(ARGV("policy", "list", "pb", "extra"), XNIC_EXIT_USAGE,
	      "xnicctl: policy list: unknown keyword 'extra'");
	fails(ARGV("policy", "default", "pb", "both", "deny"), XNIC_EXIT_USAGE,
	      "xnicctl: policy default: invalid direction 'both' (expected ingress or egress)");
	fails(ARGV("policy", "identity", "pb", "0x100000000"), XNIC_EXIT_USAGE,
	      "xnicctl: policy identity: invalid identity '0x100000000' (expected 0..4294967295, decimal or 0x hex)");
	fails(ARGV("attach", "pb", "--tc", "--xdp", "tc"), XNIC_EXIT_USAGE,
	      "xnicctl: attach: invalid XDP mode 'tc' (expected native, generic or off)");
	fails(ARGV("detach", "pb", "--tc", "--json"), XNIC_EXIT_USAGE,
	      "xnicctl: detach: unknown option '--json'");
	fails(ARGV("stats", "pb", "--watch", "0"), XNIC_EXIT_USAGE,
	      "xnicctl: stats: invalid interval '0' (expected 1..86400 seconds)");
}

/* Bad service arguments: exit 1 before any bpf() call (seccomp). */
static void test_service_rejects(void **state)
{
	(void)state;
	fails(ARGV("service"), XNIC_EXIT_USAGE,
	      "xnicctl: service: missing subcommand (try 'xnicctl service --help')");
	fails(ARGV("service", "add", "198.51.100.1:80/sctp"), XNIC_EXIT_USAGE,
	      "xnicctl: service add: invalid service '198.51.100.1:80/sctp' (protocol must be tcp or udp)");
	fails(ARGV("service", "add", "198.51.100.1:0/tcp"), XNIC_EXIT_USAGE,
	      "xnicctl: service add: invalid service '198.51.100.1:0/tcp' (expected VIP:PORT/tcp or VIP:PORT/udp, port 1..65535, IPv6 as [VIP]:PORT)");
	fails(ARGV("service", "add", "198.51.100.1:80/tcp", "--backend",
		   "192.0.2.1:80", "--backend", "192.0.2.1:80"), XNIC_EXIT_USAGE,
	      "xnicctl: service add: duplicate backend '192.0.2.1:80' (same as '192.0.2.1:80')");
	fails(ARGV("service", "backend", "add", "198.51.100.1:80/tcp",
		   "192.0.2.1:80,weight=x"), XNIC_EXIT_USAGE,
	      "xnicctl: service backend add: invalid backend '192.0.2.1:80,weight=x' (weight=N with N in 1..100)");
	fails(ARGV("service", "del", "bogus/tcp"), XNIC_EXIT_USAGE,
	      "xnicctl: service del: invalid service 'bogus/tcp' (expected VIP:PORT/tcp or VIP:PORT/udp, port 1..65535, IPv6 as [VIP]:PORT)");
	fails(ARGV("service", "attach", "--cgroup", "/proc"), XNIC_EXIT_USAGE,
	      "xnicctl: service attach: '/proc' is not a cgroup v2 directory");
	fails(ARGV("service", "list", "--yaml"), XNIC_EXIT_USAGE,
	      "xnicctl: service list: unknown option '--yaml'");
	fails(ARGV("service", "nodeport", "attach", "xa", "--node-addr",
		   "198.51.100.300"), XNIC_EXIT_USAGE,
	      "xnicctl: service nodeport attach: invalid node address '198.51.100.300' (expected an IPv4 address)");
	fails(ARGV("service", "nodeport", "detach"), XNIC_EXIT_USAGE,
	      "xnicctl: service nodeport detach: missing interface name");
}

/* A file of batch lines; its path in @path (unlinked by the caller). */
static void batch_file(char path[32], const char *text)
{
	int fd;

	snprintf(path, 32, "/tmp/xnicctl-batch-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/*
 * Run `xnicctl batch` on @text: exactly @line on stderr and @status.
 * The seccomp filter proves that no line after the failing one ran
 * (each would make a bpf() call), nor the failing one itself.
 */
static void batch_fails(const char *text, int status, const char *line)
{
	char path[32], want[XERR_MAX + 64];

	batch_file(path, text);
	run(ARGV("batch", path));
	unlink(path);
	snprintf(want, sizeof(want), "%s\n", line);
	assert_string_equal(r.err, want);
	assert_int_equal(r.status, status);
}

static void test_batch_rejects(void **state)
{
	char path[32];

	(void)state;
	ok(ARGV("batch", "--help"), "xnicctl batch FILE");
	fails(ARGV("batch"), XNIC_EXIT_USAGE,
	      "xnicctl: batch: missing FILE (or '-' for standard input)");
	fails(ARGV("batch", "a", "b"), XNIC_EXIT_USAGE,
	      "xnicctl: batch: unknown keyword 'b'");
	fails(ARGV("batch", "/nonexistent/xnic"), XNIC_EXIT_USAGE,
	      "xnicctl: batch: cannot open /nonexistent/xnic: No such file or directory");
	/* Unknown command on line 3: lines 1-2 ran, line 4 did not. */
	batch_fails("link --help\n\n  frob  x # comment\n"
		    "service add 198.51.100.1:80/tcp\n",
		    XNIC_EXIT_USAGE,
		    "xnicctl: batch: line 3: unknown command 'frob' (try 'xnicctl --help')");
	assert_non_null(strstr(r.out, "xnicctl link show"));
	/* A bad line stops before its own command touches anything. */
	batch_fails("# services\n"
		    "service add 198.51.100.1:80/tcp --backend 192.0.2.1:80,weight=0\n"
		    "service add 198.51.100.2:80/tcp\n",
		    XNIC_EXIT_USAGE,
		    "xnicctl: batch: line 2: service add: invalid backend '192.0.2.1:80,weight=0' (weight=N with N in 1..100)");
	assert_string_equal(r.out, "");
	batch_fails("status --help\nservice add '198.51.100.1:80/tcp\n",
		    XNIC_EXIT_USAGE,
		    "xnicctl: batch: line 2: unterminated single quote");
	batch_fails("batch /dev/null\n", XNIC_EXIT_USAGE,
		    "xnicctl: batch: line 1: a batch cannot run 'batch'");
	batch_fails("link add\n", XNIC_EXIT_USAGE,
		    "xnicctl: batch: line 1: link add: missing interface name");
	/* Blank and comment lines only: nothing to do, success. */
	batch_file(path, "\n  # nothing\n\n");
	ok(ARGV("batch", path), "");
	unlink(path);
	assert_string_equal(r.out, "");
}

/* Bad redirect arguments: exit 1 before any socket or bpf() call. */
static void test_redirect_rejects(void **state)
{
	(void)state;
	ok(ARGV("redirect", "--help"), "mode egress|ingress|peer");
	ok(ARGV("redirect", "add", "x", "-h"), "ndo_get_peer_dev");
	fails(ARGV("redirect"), XNIC_EXIT_USAGE,
	      "xnicctl: redirect: missing subcommand (try 'xnicctl redirect --help')");
	fails(ARGV("redirect", "add", "pa", "egress", "family", "ipv4", "to",
		   "pc", "mode", "peer"), XNIC_EXIT_USAGE,
	      "xnicctl: redirect add: mode peer works on ingress redirects only (the kernel drops a bpf_redirect_peer() from tc egress)");
	fails(ARGV("redirect", "add", "pa", "ingress", "family", "ipv4"),
	      XNIC_EXIT_USAGE,
	      "xnicctl: redirect add: missing 'to TARGET' (the interface to redirect to)");
	fails(ARGV("redirect", "add", "pa", "ingress", "family", "ipv4", "to",
		   "pc", "at", "99"), XNIC_EXIT_USAGE,
	      "xnicctl: redirect add: invalid rule index '99' (expected 0..63)");
	fails(ARGV("redirect", "del", "pa", "ingress", "-1"), XNIC_EXIT_USAGE,
	      "xnicctl: redirect del: unknown option '-1'");
	fails(ARGV("redirect", "list", "--yaml"), XNIC_EXIT_USAGE,
	      "xnicctl: redirect list: unknown option '--yaml'");
}

/* Bad limit arguments: exit 1 before any socket or bpf() call. */
static void test_limit_rejects(void **state)
{
	(void)state;
	fails(ARGV("limit"), XNIC_EXIT_USAGE,
	      "xnicctl: limit: missing subcommand (try 'xnicctl limit --help')");
	fails(ARGV("limit", "add", "dev", "pb", "20"), XNIC_EXIT_USAGE,
	      "xnicctl: limit add: invalid rate '20' (no unit: write e.g. 20mbit, or kbit, gbit, bit, kbps, mbps, gbps, bps)");
	fails(ARGV("limit", "add", "dev", "pb", "0kbit"), XNIC_EXIT_USAGE,
	      "xnicctl: limit add: invalid rate '0kbit' (must be at least 8bit, one byte per second)");
	fails(ARGV("limit", "add", "dev", "pb", "999999999999999999999gbit"),
	      XNIC_EXIT_USAGE,
	      "xnicctl: limit add: invalid rate '999999999999999999999gbit' (more than 100gbit)");
	fails(ARGV("limit", "add", "dev", "pb", "1mbit", "horizon", "0s"),
	      XNIC_EXIT_USAGE,
	      "xnicctl: limit add: invalid duration '0s' (expected 1ms..10s)");
	fails(ARGV("limit", "add", "cgroup", "/proc", "1mbit"), XNIC_EXIT_USAGE,
	      "xnicctl: limit add: '/proc' is not a cgroup v2 directory");
	fails(ARGV("limit", "del", "cgroup", "/proc", "port", "x"),
	      XNIC_EXIT_USAGE,
	      "xnicctl: limit del: invalid port 'x' (expected 1..65535)");
	fails(ARGV("limit", "list", "--yaml"), XNIC_EXIT_USAGE,
	      "xnicctl: limit list: unknown option '--yaml'");
}

static void test_one_line_errors(void **state)
{
	(void)state;
	fails(ARGV("link", "add", "a\nb", "peer", "c"), XNIC_EXIT_USAGE,
	      "xnicctl: link add: invalid interface name 'a?b' (contains whitespace)");
	fails(ARGV("link", "add", "a", "peer", "b", "queues", "1\n2"),
	      XNIC_EXIT_USAGE,
	      "xnicctl: link add: invalid queue count '1?2' (expected 1..16)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_command_help),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_grammar),
		cmocka_unit_test(test_bad_command),
		cmocka_unit_test(test_add_rejects),
		cmocka_unit_test(test_add_unknown_netns),
		cmocka_unit_test(test_del_show_reject),
		cmocka_unit_test(test_datapath_rejects),
		cmocka_unit_test(test_policy_rejects),
		cmocka_unit_test(test_service_rejects),
		cmocka_unit_test(test_limit_rejects),
		cmocka_unit_test(test_one_line_errors),
		cmocka_unit_test(test_redirect_rejects),
		cmocka_unit_test(test_batch_rejects),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
