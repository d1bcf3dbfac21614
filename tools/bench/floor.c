// SPDX-License-Identifier: GPL-2.0
/*
 * floor: attach empty fentry/fexit programs to kernel functions and stay
 * attached until SIGINT/SIGTERM. The floors of the probe-cost benchmark.
 *
 * Usage: floor FUNC[:entry|:exit|:event|:kprobe]...
 *   FUNC alone hooks entry and exit with empty programs; :event adds an
 *   fexit program that only reports the call (an event of iommuwatch's
 *   size, read and dropped here every 100 ms); :kprobe attaches the empty
 *   kprobe/kretprobe pair and an event kretprobe at every address
 *   kallsyms has for FUNC (the copies of a duplicate name, which
 *   iommuwatch hooks so). For each
 *   program attached it prints "prog ID NAME entry|exit|event|kprobe FUNC"
 *   on stdout, then "Attached N" on stderr. Functions not in the kernel's
 *   BTF are skipped with a warning.
 *
 *        floor --stats
 *   One line per fentry/fexit link in the system, whoever owns it:
 *   "link PROG_ID entry|exit FUNC RUN_CNT RUN_TIME_NS PROG_NAME"
 *   (the target comes from the link's BTF id, which bpftool 7.1 does not
 *   show), and one per kprobe program as "kprobes" (a program serves all
 *   its kprobes: the stats are theirs together; exit if its name says
 *   kretprobe). The counters need kernel.bpf_stats_enabled=1.
 */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "empty.skel.h"
#include "kallsyms.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

enum slot_kind { SLOT_ENTRY, SLOT_EXIT, SLOT_EVENT, SLOT_KINDS };

static const char *const slot_prefix[SLOT_KINDS] = {
	"empty_entry_", "empty_exit_", "event_exit_",
};
static const char *const slot_name[SLOT_KINDS] = { "entry", "exit", "event" };

#define MAX_WANTS	256

struct want {
	char func[128];
	struct bpf_program *prog;
	enum slot_kind kind;
};

static bool taken(const struct want *wants, int n, const struct bpf_program *p)
{
	for (int i = 0; i < n; i++)
		if (wants[i].prog == p)
			return true;
	return false;
}

/* The next program of this kind no want has taken yet. */
static struct bpf_program *next_prog(struct empty_bpf *skel,
				     enum slot_kind kind,
				     const struct want *wants, int n)
{
	const char *pfx = slot_prefix[kind];
	struct bpf_program *p;

	bpf_object__for_each_program(p, skel->obj)
		if (!strncmp(bpf_program__name(p), pfx, strlen(pfx)) &&
		    !taken(wants, n, p))
			return p;
	return NULL;
}

/* A function's kprobes: the empty pair at each of its addresses. */
#define KPROBE_BIT	(1 << SLOT_KINDS)

/* The slot kinds FUNC[:entry|:exit|:event|:kprobe] asks for, as a mask. */
static int parse_target(const char *arg, char *func, size_t len)
{
	const char *colon = strchr(arg, ':');

	snprintf(func, len, "%.*s", colon ? (int)(colon - arg) : (int)len - 1,
		 arg);
	if (!colon)
		return 1 << SLOT_ENTRY | 1 << SLOT_EXIT;
	if (!strcmp(colon + 1, "kprobe"))
		return KPROBE_BIT;
	for (int k = 0; k < SLOT_KINDS; k++)
		if (!strcmp(colon + 1, slot_name[k]))
			return 1 << k;
	return -1;
}

static void print_prog(const struct bpf_program *p, const char *kind,
		       const char *func)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len);
	printf("prog %u %s %s %s\n", info.id, bpf_program__name(p), kind, func);
}

#define MAX_KPROBE_FUNCS	16

/* The :kprobe targets, and their copies as iommuwatch's kallsyms pass sees them. */
struct kprobe_targets {
	char func[MAX_KPROBE_FUNCS][128];
	struct ksym sym[MAX_KPROBE_FUNCS];
	int n;
};

/*
 * Every target's addresses, in one pass over kallsyms (src/kallsyms.c, as
 * iommuwatch finds them); how many copies in all, or -1 if one is unusable.
 */
static int resolve_kprobes(struct kprobe_targets *kt)
{
	int copies = 0;

	for (int i = 0; i < kt->n; i++)
		kt->sym[i] = (struct ksym){ .name = kt->func[i] };
	if (kallsyms_resolve("/proc/kallsyms", kt->sym, kt->n) < 0) {
		fprintf(stderr, "floor: cannot read /proc/kallsyms\n");
		return -1;
	}
	for (int i = 0; i < kt->n; i++) {
		const struct ksym *s = &kt->sym[i];

		if (!s->count || s->count > KSYM_MAX_ADDRS || !s->addrs[0]) {
			fprintf(stderr, "floor: %s: %s in kallsyms\n", s->name,
				!s->count ? "not" : "no address (or too many)");
			return -1;
		}
		copies += s->count;
	}
	return copies;
}

/* The empty pair and the event kretprobe at one address. */
static int attach_kprobe_copy(struct empty_bpf *skel, const char *func,
			      __u64 addr)
{
	struct bpf_program *progs[3] = { skel->progs.empty_kprobe,
					 skel->progs.empty_kretprobe,
					 skel->progs.event_kretprobe };

	for (int k = 0; k < 3; k++) {
		LIBBPF_OPTS(bpf_kprobe_opts, opts, .offset = addr,
			    .retprobe = k > 0);

		/* No name, offset = address: this very copy. */
		if (!bpf_program__attach_kprobe_opts(progs[k], NULL, &opts)) {
			fprintf(stderr, "floor: kprobe %s: %s\n", func,
				strerror(errno));
			return -errno;
		}
		print_prog(progs[k], "kprobe", func);
	}
	return 0;
}

static int attach_kprobes(struct empty_bpf *skel,
			  const struct kprobe_targets *kt)
{
	for (int i = 0; i < kt->n; i++)
		for (int c = 0; c < kt->sym[i].count; c++)
			if (attach_kprobe_copy(skel, kt->func[i],
					       kt->sym[i].addrs[c]))
				return -1;
	return 0;
}

/* Point one free slot per kind asked for at each function. */
static int pick_slots(struct empty_bpf *skel, const struct btf *vmlinux,
		      int argc, char **argv, struct want *wants,
		      struct kprobe_targets *kt)
{
	int n = 0;

	for (int a = 0; a < argc; a++) {
		char func[128];
		int kinds = parse_target(argv[a], func, sizeof(func));

		if (kinds < 0) {
			fprintf(stderr, "floor: bad hook '%s'\n", argv[a]);
			return -EINVAL;
		}
		if (kinds == KPROBE_BIT) {
			if (kt->n >= MAX_KPROBE_FUNCS) {
				fprintf(stderr, "floor: too many kprobe targets\n");
				return -ENOSPC;
			}
			snprintf(kt->func[kt->n++], sizeof(kt->func[0]), "%s",
				 func);
			continue;
		}
		if (btf__find_by_name_kind(vmlinux, func, BTF_KIND_FUNC) < 0) {
			fprintf(stderr, "floor: %s: not in kernel BTF, skipped\n",
				func);
			continue;
		}
		for (int k = 0; k < SLOT_KINDS; k++) {
			struct bpf_program *p;
			int err;

			if (!(kinds & 1 << k))
				continue;
			p = next_prog(skel, k, wants, n);
			if (!p || n >= MAX_WANTS) {
				fprintf(stderr, "floor: out of slots\n");
				return -ENOSPC;
			}
			err = bpf_program__set_attach_target(p, 0, func);
			if (err) {
				fprintf(stderr, "floor: %s: %s\n", func,
					strerror(-err));
				return err;
			}
			snprintf(wants[n].func, sizeof(wants[n].func), "%s",
				 func);
			wants[n].prog = p;
			wants[n].kind = k;
			n++;
		}
	}
	return n;
}

/* Slots with no target are not loaded; the kprobe pair only if used. */
static void skip_unused(struct empty_bpf *skel, const struct want *wants,
			int n, bool kprobes)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, skel->obj) {
		bool kp = p == skel->progs.empty_kprobe ||
			  p == skel->progs.empty_kretprobe ||
			  p == skel->progs.event_kretprobe;

		if (kp ? !kprobes : !taken(wants, n, p))
			bpf_program__set_autoload(p, false);
	}
}

static int attach_all(const struct want *wants, int n)
{
	for (int i = 0; i < n; i++) {
		/* The links are never destroyed: they go with the process. */
		if (!bpf_program__attach(wants[i].prog)) {
			fprintf(stderr, "floor: attach %s: %s\n",
				wants[i].func, strerror(errno));
			return -errno;
		}
		print_prog(wants[i].prog, slot_name[wants[i].kind],
			   wants[i].func);
	}
	return 0;
}

static int drop_event(void *ctx, void *data, size_t size)
{
	(void)ctx;
	(void)data;
	(void)size;
	return 0;
}

/* The kprobe programs' stats, one "kprobes" line each (see the top). */
static void print_kprobe_stats(void)
{
	__u32 id = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info pi = {};
		__u32 len = sizeof(pi);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &pi, &len) &&
		    pi.type == BPF_PROG_TYPE_KPROBE)
			printf("link %u %s kprobes %llu %llu %s\n", pi.id,
			       strstr(pi.name, "kret") ? "exit" : "entry",
			       (unsigned long long)pi.run_cnt,
			       (unsigned long long)pi.run_time_ns, pi.name);
		close(fd);
	}
}

static int print_stats(void)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	__u32 id = 0;

	while (!bpf_link_get_next_id(id, &id)) {
		struct bpf_link_info li = {};
		struct bpf_prog_info pi = {};
		__u32 len = sizeof(li);
		const struct btf_type *t = NULL;
		const char *func = "?";
		int fd = bpf_link_get_fd_by_id(id), pfd;

		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &li, &len) ||
		    li.type != BPF_LINK_TYPE_TRACING ||
		    (li.tracing.attach_type != BPF_TRACE_FENTRY &&
		     li.tracing.attach_type != BPF_TRACE_FEXIT)) {
			close(fd);
			continue;
		}
		close(fd);
		/* Object id 1 is vmlinux; module targets stay "?". */
		if (vmlinux && li.tracing.target_obj_id == 1)
			t = btf__type_by_id(vmlinux, li.tracing.target_btf_id);
		if (t)
			func = btf__name_by_offset(vmlinux, t->name_off);
		pfd = bpf_prog_get_fd_by_id(li.prog_id);
		if (pfd < 0)
			continue;
		len = sizeof(pi);
		if (!bpf_obj_get_info_by_fd(pfd, &pi, &len))
			printf("link %u %s %s %llu %llu %s\n", li.prog_id,
			       li.tracing.attach_type == BPF_TRACE_FEXIT ?
			       "exit" : "entry", func,
			       (unsigned long long)pi.run_cnt,
			       (unsigned long long)pi.run_time_ns, pi.name);
		close(pfd);
	}
	btf__free(vmlinux);
	print_kprobe_stats();
	return 0;
}

int main(int argc, char **argv)
{
	struct want wants[MAX_WANTS];
	struct kprobe_targets kt = { .n = 0 };
	int copies = 0;
	struct empty_bpf *skel = NULL;
	struct ring_buffer *rb = NULL;
	struct btf *vmlinux = NULL;
	int n, err = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FUNC[:entry|:exit|:event|:kprobe]...\n",
			argv[0]);
		return 64;
	}
	libbpf_set_print(libbpf_quiet);
	if (!strcmp(argv[1], "--stats"))
		return print_stats();
	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux) {
		fprintf(stderr, "floor: no kernel BTF\n");
		return 1;
	}
	skel = empty_bpf__open();
	if (!skel) {
		fprintf(stderr, "floor: cannot open the BPF object\n");
		goto out;
	}
	n = pick_slots(skel, vmlinux, argc - 1, argv + 1, wants, &kt);
	if (n < 0) {
		err = n == -EINVAL ? 64 : 1;
		goto out;
	}
	if (kt.n && (copies = resolve_kprobes(&kt)) < 0)
		goto out;
	skip_unused(skel, wants, n, kt.n > 0);
	if (empty_bpf__load(skel)) {
		fprintf(stderr, "floor: load: %s\n", strerror(errno));
		goto out;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), drop_event,
			      NULL, NULL);
	if (!rb || attach_all(wants, n) || attach_kprobes(skel, &kt))
		goto out;
	fflush(stdout);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "Attached %d\n", n + 3 * copies);
	/* Read as iommuwatch does: on a timeout, not woken per event. */
	while (!stop)
		ring_buffer__poll(rb, 100);
	err = 0;
out:
	ring_buffer__free(rb);
	empty_bpf__destroy(skel);
	btf__free(vmlinux);
	return err;
}
