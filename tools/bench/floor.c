// SPDX-License-Identifier: GPL-2.0
/*
 * floor: attach empty fentry/fexit programs to kernel functions and stay
 * attached until SIGINT/SIGTERM. The floor of the probe-cost benchmark.
 *
 * Usage: floor FUNC[:entry|:exit]...
 *   FUNC alone hooks entry and exit. For each program attached it prints
 *   "prog ID NAME entry|exit FUNC" on stdout, then "Attached N" on stderr.
 *   Functions not in the kernel's BTF are skipped with a warning.
 *
 *        floor --stats
 *   One line per fentry/fexit link in the system, whoever owns it:
 *   "link PROG_ID entry|exit FUNC RUN_CNT RUN_TIME_NS PROG_NAME"
 *   (the target comes from the link's BTF id, which bpftool 7.1 does not
 *   show; the counters need kernel.bpf_stats_enabled=1).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "empty.skel.h"

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

struct want {
	char func[128];
	struct bpf_program *prog;
	int is_exit;
};

/* The next unused program of the kind asked for. */
static struct bpf_program *next_prog(struct empty_bpf *skel, int is_exit,
				     struct bpf_program **used, int nused)
{
	struct bpf_program *p;
	const char *pfx = is_exit ? "empty_exit_" : "empty_entry_";

	bpf_object__for_each_program(p, skel->obj) {
		int taken = 0;

		if (strncmp(bpf_program__name(p), pfx, strlen(pfx)))
			continue;
		for (int i = 0; i < nused; i++)
			taken |= used[i] == p;
		if (!taken)
			return p;
	}
	return NULL;
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
	return 0;
}

int main(int argc, char **argv)
{
	struct want wants[256];
	struct bpf_program *used[256];
	struct empty_bpf *skel;
	struct bpf_program *p;
	struct btf *vmlinux;
	int n = 0, err;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FUNC[:entry|:exit]...\n", argv[0]);
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
		return 1;
	}
	for (int a = 1; a < argc; a++) {
		char func[128], *colon;
		int entry = 1, exit_ = 1;

		snprintf(func, sizeof(func), "%s", argv[a]);
		colon = strchr(func, ':');
		if (colon) {
			*colon++ = '\0';
			entry = !strcmp(colon, "entry");
			exit_ = !strcmp(colon, "exit");
			if (!entry && !exit_) {
				fprintf(stderr, "floor: bad hook '%s'\n", argv[a]);
				return 64;
			}
		}
		if (btf__find_by_name_kind(vmlinux, func, BTF_KIND_FUNC) < 0) {
			fprintf(stderr, "floor: %s: not in kernel BTF, skipped\n",
				func);
			continue;
		}
		for (int k = 0; k < 2; k++) {
			if (!(k ? exit_ : entry))
				continue;
			p = next_prog(skel, k, used, n);
			if (!p || n >= 256) {
				fprintf(stderr, "floor: out of slots\n");
				return 1;
			}
			err = bpf_program__set_attach_target(p, 0, func);
			if (err) {
				fprintf(stderr, "floor: %s: %s\n", func,
					strerror(-err));
				return 1;
			}
			used[n] = p;
			snprintf(wants[n].func, sizeof(wants[n].func), "%s",
				 func);
			wants[n].prog = p;
			wants[n].is_exit = k;
			n++;
		}
	}
	/* Slots with no target are not loaded. */
	bpf_object__for_each_program(p, skel->obj) {
		int taken = 0;

		for (int i = 0; i < n; i++)
			taken |= used[i] == p;
		if (!taken)
			bpf_program__set_autoload(p, false);
	}
	err = empty_bpf__load(skel);
	if (err) {
		fprintf(stderr, "floor: load: %s\n", strerror(-err));
		return 1;
	}
	for (int i = 0; i < n; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		struct bpf_link *link = bpf_program__attach(wants[i].prog);

		if (!link) {
			fprintf(stderr, "floor: attach %s: %s\n",
				wants[i].func, strerror(errno));
			return 1;
		}
		bpf_obj_get_info_by_fd(bpf_program__fd(wants[i].prog), &info,
				       &len);
		printf("prog %u %s %s %s\n", info.id,
		       bpf_program__name(wants[i].prog),
		       wants[i].is_exit ? "exit" : "entry", wants[i].func);
	}
	fflush(stdout);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "Attached %d\n", n);
	while (!stop)
		pause();
	empty_bpf__destroy(skel);
	btf__free(vmlinux);
	return 0;
}
