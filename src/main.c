// SPDX-License-Identifier: GPL-2.0
/* iommuwatch: watch the Linux IOMMU core change devices' translation. */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/libbpf.h>
#include "commands.h"
#include "escape.h"
#include "http.h"
#include "iommuwatch.h"
#include "log.h"
#include "util.h"

enum cmd_id {
	CMD_TRACE,
	CMD_STATUS,
	CMD_PROBE,
	CMD_REPLAY,
	CMD_DAEMON,
	CMD_REPORT,
};

enum long_only_opts {
	OPT_BTF = 0x100,
	OPT_SYSFS,
	OPT_LISTEN,
	OPT_TEXTFILE_INTERVAL,
	OPT_JOURNAL,
	OPT_JOURNAL_MAX,
	OPT_DEVICE_LABELS,
	OPT_ALLOW_HOST,
	OPT_USER,
	OPT_CHECK,
	OPT_RINGBUF,
	OPT_TEXTFILE,
	OPT_ATTACH,
	OPT_REQUIRE_GROUPS,
};

struct args {
	enum cmd_id cmd;
	bool cmd_given;
	struct trace_opts trace;
	bool all;
	const char *output;
	char **files;
	int n_files;
	struct daemon_opts daemon;
	bool daemon_opt_given;
	bool attach_given;
};

static void print_version(FILE *f, struct argp_state *state)
{
	(void)state;
	fprintf(f, "iommuwatch %s (libbpf %u.%u)\n", IOMMUWATCH_VERSION,
		libbpf_major_version(), libbpf_minor_version());
}

void (*argp_program_version_hook)(FILE *, struct argp_state *) = print_version;
const char *argp_program_bug_address = NULL;

static const char doc[] =
"Watch the Linux IOMMU core change devices' DMA translation.\n"
"\n"
"COMMANDS:\n"
"  trace    print every domain transition as it happens (default)\n"
"  status   show the IOMMU groups, their domain type and devices now\n"
"  probe    load and attach, then list every hook as active/missing/failed\n"
"  replay   run the violation rules over recorded JSON Lines (FILE, - for\n"
"           stdin); exit 0: clean, 3: violations found, 1: bad input\n"
"  report   draw recorded JSON Lines (FILE..., - for stdin) as one\n"
"           self-contained HTML page: a lane per group, violations listed\n"
"  daemon   keep watching; Prometheus metrics on --listen (default\n"
"           " IW_DEFAULT_LISTEN "), its picture on /, optional textfile and\n"
"           JSON Lines journal\n"
"\n"
"EXAMPLES:\n"
"  iommuwatch trace                   # every transition, as a table\n"
"  iommuwatch trace --json -d 60      # JSON Lines for a minute\n"
"  iommuwatch trace -g 5              # only iommu_group 5\n"
"  iommuwatch trace -D 0000:00:03.0   # only this device\n"
"  iommuwatch status --json           # groups as JSON Lines\n"
"  iommuwatch probe                   # what this kernel lets us watch\n"
"  iommuwatch trace --json > rec.jsonl; iommuwatch replay rec.jsonl\n"
"  iommuwatch report -o host.html /var/log/iommuwatch.jsonl.1 /var/log/iommuwatch.jsonl\n"
"  iommuwatch daemon --textfile /var/lib/node_exporter/textfile_collector/iommuwatch.prom\n"
"  iommuwatch daemon --journal /var/log/iommuwatch.jsonl --listen [::1]:7389\n";

static const struct argp_option options[] = {
	{ "json", 'j', NULL, 0, "JSON Lines output", 0 },
	{ "duration", 'd', "SEC", 0, "trace: stop after SEC seconds", 0 },
	{ "group", 'g', "N", 0, "trace, replay, report: only iommu_group N", 0 },
	{ "device", 'D', "BDF", 0,
	  "trace, replay, report: only this device (e.g. 0000:00:03.0)", 0 },
	{ "all", 'a', NULL, 0, "replay: print every record, not only violations",
	  0 },
	{ "output", 'o', "PATH", 0,
	  "report: write the page to PATH (default: standard output)", 0 },
	{ "verbose", 'v', NULL, 0, "say which hooks are used, and libbpf's log",
	  0 },
	{ "btf", OPT_BTF, "PATH", 0, "kernel BTF to use instead of the running one's",
	  0 },
	{ "sysfs", OPT_SYSFS, "DIR", OPTION_HIDDEN, "sysfs root (tests)", 0 },
	{ "attach", OPT_ATTACH, "MODE", 0,
	  "trace, daemon, probe: auto (fentry, kprobes where it cannot reach), fentry or kprobe",
	  0 },
	{ "ringbuf-size", OPT_RINGBUF, "BYTES", 0,
	  "trace, daemon: event ring buffer size, a power of two of at least 4096 (default " STRINGIFY(IW_RINGBUF_BYTES) ")",
	  0 },
	{ "require-groups", OPT_REQUIRE_GROUPS, NULL, 0,
	  "trace, daemon: exit 1 at start when the host has no IOMMU group (default: say so, and watch for groups that appear later)",
	  0 },
	{ "listen", OPT_LISTEN, "ADDR:PORT", 0,
	  "daemon: serve /metrics here (default " IW_DEFAULT_LISTEN ")", 0 },
	{ "allow-host", OPT_ALLOW_HOST, "NAME", 0,
	  "daemon: answer requests whose Host is NAME too (repeatable; by default only the address listened on, and localhost on loopback)",
	  0 },
	{ "textfile", OPT_TEXTFILE, "PATH", 0,
	  "daemon, trace: write metrics for node_exporter's textfile collector (trace: at the end)",
	  0 },
	{ "textfile-interval", OPT_TEXTFILE_INTERVAL, "SEC", 0,
	  "daemon: rewrite the textfile every SEC seconds (default 15)", 0 },
	{ "journal", OPT_JOURNAL, "PATH", 0,
	  "daemon: append every record as JSON Lines (SIGHUP reopens)", 0 },
	{ "journal-max-bytes", OPT_JOURNAL_MAX, "N", 0,
	  "daemon: rotate the journal to PATH.1 past N bytes (default 64 MiB, 0: never)",
	  0 },
	{ "device-labels", OPT_DEVICE_LABELS, NULL, 0,
	  "daemon: add a device label to transition series (more series)", 0 },
	{ "user", OPT_USER, "USER[:GROUP]", 0,
	  "daemon run as root: become USER (a name or uid, default nobody) once attached; its files are opened as USER",
	  0 },
	{ "check", OPT_CHECK, NULL, 0,
	  "daemon: attach, report the hooks, detach and exit (1 if any failed)",
	  0 },
	{},
};

static int parse_attach(const char *arg, enum hook_attach_mode *mode)
{
	static const char *const names[] = {
		[HOOK_ATTACH_AUTO] = "auto",
		[HOOK_ATTACH_FENTRY] = "fentry",
		[HOOK_ATTACH_KPROBE] = "kprobe",
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(arg, names[i])) {
			*mode = i;
			return 0;
		}
	}
	return -1;
}

static long parse_long(struct argp_state *state, const char *arg,
		       const char *what, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max)
		argp_error(state, "invalid %s: '%s' (expected %ld..%ld)", what,
			   arg, min, max);
	return v;
}

/* A Host name as a browser sends it, less the port: a name or an address. */
static void add_allow_host(struct argp_state *state, struct daemon_opts *d,
			   const char *arg)
{
	static const char name_chars[] = "abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_";
	size_t n = strlen(arg);
	struct in6_addr a;
	char shown[128];

	if (!n || n > 253 || (strspn(arg, name_chars) != n &&
			      inet_pton(AF_INET6, arg, &a) != 1))
		argp_error(state, "invalid --allow-host '%s' (a host name or address, without port or brackets)",
			   esc_str(shown, sizeof(shown), arg, ESC_TEXT));
	if (d->n_allow_hosts == IW_MAX_ALLOW_HOSTS)
		argp_error(state, "at most %d --allow-host", IW_MAX_ALLOW_HOSTS);
	d->allow_hosts[d->n_allow_hosts++] = arg;
}

static error_t parse_daemon_opt(int key, char *arg, struct argp_state *state,
				struct daemon_opts *d)
{
	const char *why;

	switch (key) {
	case OPT_ALLOW_HOST:
		add_allow_host(state, d, arg);
		break;
	case OPT_LISTEN:
		d->listen = arg;
		break;
	case OPT_TEXTFILE_INTERVAL:
		d->textfile_interval = parse_long(state, arg, "interval", 1, 86400);
		break;
	case OPT_JOURNAL:
		d->journal = arg;
		break;
	case OPT_JOURNAL_MAX:
		d->journal_max_bytes = parse_long(state, arg, "size", 0, LONG_MAX);
		break;
	case OPT_DEVICE_LABELS:
		d->device_labels = true;
		break;
	case OPT_USER:
		if (runas_parse(arg, &d->user, &why))
			argp_error(state, "invalid --user '%s': %s", arg, why);
		break;
	default:
		d->check = true;
		break;
	}
	return 0;
}

static int parse_cmd(struct args *a, const char *arg)
{
	static const char *const names[] = { "trace", "status", "probe",
					     "replay", "daemon", "report" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(arg, names[i])) {
			a->cmd = (enum cmd_id)i;
			return 0;
		}
	}
	return -EINVAL;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct args *a = state->input;
	struct trace_opts *t = &a->trace;

	switch (key) {
	case 'j':
		t->c.json = true;
		break;
	case 'd':
		t->duration = parse_long(state, arg, "duration", 1, INT_MAX);
		break;
	case 'g':
		t->group = parse_long(state, arg, "group", 0, INT_MAX);
		break;
	case 'D':
		t->device = arg;
		break;
	case 'v':
		t->c.verbose = true;
		break;
	case 'a':
		a->all = true;
		break;
	case 'o':
		a->output = arg;
		break;
	case OPT_BTF:
		t->c.btf_path = arg;
		break;
	case OPT_SYSFS:
		t->c.sysfs_root = arg;
		break;
	case OPT_ATTACH:
		a->attach_given = true;
		if (parse_attach(arg, &t->c.attach))
			argp_error(state, "invalid --attach '%s' (auto, fentry or kprobe)",
				   arg);
		break;
	case OPT_RINGBUF:
		t->c.ringbuf_bytes = parse_long(state, arg, "ring buffer size",
						4096, 1L << 30);
		if (t->c.ringbuf_bytes & (t->c.ringbuf_bytes - 1))
			argp_error(state, "invalid ring buffer size: '%s' (a power of two)",
				   arg);
		break;
	case OPT_TEXTFILE:
		a->daemon.textfile = arg;
		break;
	case OPT_REQUIRE_GROUPS:
		t->c.require_groups = true;
		break;
	case OPT_LISTEN ... OPT_CHECK:
		a->daemon_opt_given = true;
		return parse_daemon_opt(key, arg, state, &a->daemon);
	case ARGP_KEY_ARG:
		if (!a->cmd_given) {
			if (parse_cmd(a, arg))
				argp_error(state, "unknown command '%s'", arg);
			a->cmd_given = true;
			break;
		}
		if (a->cmd != CMD_REPLAY && a->cmd != CMD_REPORT)
			argp_error(state, "unexpected argument '%s'", arg);
		a->files = &state->argv[state->next - 1];
		a->n_files = state->argc - state->next + 1;
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if ((a->cmd == CMD_REPLAY || a->cmd == CMD_REPORT) && !a->n_files)
			argp_error(state, "%s needs a FILE (- for stdin)",
				   a->cmd == CMD_REPLAY ? "replay" : "report");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* Options that only make sense for trace are refused elsewhere. */
static void check_cmd_opts(const struct args *a, const struct argp *argp)
{
	const struct trace_opts *t = &a->trace;
	struct argp_state st = { .root_argp = argp, .name = "iommuwatch",
				 .err_stream = stderr, .out_stream = stdout };
	bool filters = t->group >= 0 || t->device;

	if (a->cmd != CMD_TRACE && t->duration)
		argp_error(&st, "--duration is for 'trace'");
	if (a->cmd != CMD_TRACE && a->cmd != CMD_DAEMON && a->cmd != CMD_PROBE &&
	    a->attach_given)
		argp_error(&st, "--attach is for 'trace', 'daemon' and 'probe'");
	if (a->cmd != CMD_TRACE && a->cmd != CMD_DAEMON && t->c.ringbuf_bytes)
		argp_error(&st, "--ringbuf-size is for 'trace' and 'daemon'");
	if (a->cmd != CMD_TRACE && a->cmd != CMD_DAEMON && t->c.require_groups)
		argp_error(&st, "--require-groups is for 'trace' and 'daemon'");
	if (a->cmd != CMD_TRACE && a->cmd != CMD_REPLAY &&
	    a->cmd != CMD_REPORT && filters)
		argp_error(&st, "--group and --device are for 'trace', 'replay' and 'report'");
	if (a->cmd != CMD_REPLAY && a->all)
		argp_error(&st, "--all is for 'replay'");
	if (a->cmd != CMD_REPORT && a->output)
		argp_error(&st, "--output is for 'report'");
	if (a->cmd == CMD_REPORT && t->c.json)
		argp_error(&st, "--json is not for 'report' (it writes HTML)");
	if (a->cmd != CMD_DAEMON && a->daemon_opt_given)
		argp_error(&st, "--listen, --allow-host, --journal, --user, --device-labels and --check are for 'daemon'");
	if (a->cmd != CMD_DAEMON && a->cmd != CMD_TRACE && a->daemon.textfile)
		argp_error(&st, "--textfile is for 'daemon' and 'trace'");
	if (a->cmd == CMD_DAEMON && (filters || t->c.json))
		argp_error(&st, "--group, --device and --json are not for 'daemon'");
}

static int run_daemon(struct args *a)
{
	a->daemon.c = a->trace.c;
	if (!a->daemon.user.given)
		runas_default(&a->daemon.user);
	return cmd_daemon(&a->daemon);
}

static int run_replay(const struct args *a)
{
	struct replay_opts r = {
		.c = a->trace.c, .group = a->trace.group,
		.device = a->trace.device, .all = a->all,
		.files = a->files, .n_files = a->n_files,
	};

	return cmd_replay(&r);
}

static int run_report(const struct args *a)
{
	struct report_opts r = {
		.group = a->trace.group, .device = a->trace.device,
		.output = a->output, .files = a->files, .n_files = a->n_files,
	};

	return cmd_report(&r);
}

int main(int argc, char **argv)
{
	const struct argp argp = { options, parse_opt, "[COMMAND] [FILE...]", doc,
				   NULL, NULL, NULL };
	struct args a = {
		.cmd = CMD_TRACE,
		.trace = { .group = -1, .c = { .sysfs_root = "/sys" } },
		.daemon = { .listen = IW_DEFAULT_LISTEN, .textfile_interval = 15,
			    .journal_max_bytes = 64L << 20 },
	};
	int err;

	err = argp_parse(&argp, argc, argv, 0, NULL, &a);
	if (err)
		return EXIT_FAILURE;
	check_cmd_opts(&a, &argp);
	log_set_level(a.trace.c.verbose ? LOG_DEBUG : LOG_INFO);
	log_setup_libbpf();

	switch (a.cmd) {
	case CMD_STATUS:
		return cmd_status(&a.trace.c);
	case CMD_PROBE:
		return cmd_probe(&a.trace.c);
	case CMD_REPLAY:
		return run_replay(&a);
	case CMD_DAEMON:
		return run_daemon(&a);
	case CMD_REPORT:
		return run_report(&a);
	default:
		a.trace.textfile = a.daemon.textfile;
		return cmd_trace(&a.trace);
	}
}
