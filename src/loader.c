// SPDX-License-Identifier: GPL-2.0
/* Open, configure, load and attach iommuwatch.bpf.o. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <bpf/bpf.h>
#include "caps.h"
#include "hook_attach.h"
#include "iommuwatch.skel.h"
#include "loader.h"
#include "log.h"
#include "util.h"

#define VMLINUX_BTF	LOADER_BTF_DIR "/vmlinux"
#define LOCKDOWN	"/sys/kernel/security/lockdown"
#define KALLSYMS	"/proc/kallsyms"

/* "none integrity [confidentiality]": the bracketed mode is in force. */
static bool lockdown_confidentiality(void)
{
	char buf[128] = "";
	FILE *f = fopen(LOCKDOWN, "r");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strstr(buf, "[confidentiality]") != NULL;
}

int loader_preflight(const struct loader_opts *opts)
{
	const char *btf = opts->btf_path ? opts->btf_path : VMLINUX_BTF;

	if (!caps_may_trace()) {
		log_err("must run as root (or with CAP_BPF and CAP_PERFMON)");
		return -EPERM;
	}
	if (access(btf, R_OK)) {
		if (opts->btf_path)
			log_err("cannot read BTF file %s: %s", btf,
				strerror(errno));
		else
			log_err("this kernel has no BTF (%s is missing): it needs CONFIG_DEBUG_INFO_BTF=y, or pass --btf PATH",
				VMLINUX_BTF);
		return -ENOENT;
	}
	if (lockdown_confidentiality()) {
		log_err("kernel lockdown is in confidentiality mode, which forbids BPF tracing");
		return -EPERM;
	}
	return 0;
}

/* The loaded modules' BTF, split on vmlinux's; drivers may be modules. */
struct module_btfs {
	struct btf **btfs;
	char **names;
	int n;
};

static void module_btfs_free(struct module_btfs *m)
{
	for (int i = 0; i < m->n; i++) {
		btf__free(m->btfs[i]);
		free(m->names[i]);
	}
	free(m->btfs);
	free(m->names);
}

static int module_btfs_add(struct module_btfs *m, struct btf *btf,
			   const char *name)
{
	struct btf **btfs;
	char **names, *copy;

	btfs = realloc(m->btfs, (m->n + 1) * sizeof(*btfs));
	if (!btfs)
		return -ENOMEM;
	m->btfs = btfs;
	names = realloc(m->names, (m->n + 1) * sizeof(*names));
	if (!names)
		return -ENOMEM;
	m->names = names;
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	btfs[m->n] = btf;
	names[m->n++] = copy;
	return 0;
}

/* A module whose BTF cannot be read is only logged: its ops stay unseen. */
static int module_btfs_load(struct module_btfs *m, struct btf *vmlinux)
{
	DIR *d = opendir(LOADER_BTF_DIR);
	struct dirent *de;
	char path[512];
	int err = 0;

	if (!d)
		return 0;
	while (!err && (de = readdir(d))) {
		struct btf *btf;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "vmlinux"))
			continue;
		snprintf(path, sizeof(path), LOADER_BTF_DIR "/%s", de->d_name);
		btf = btf__parse_split(path, vmlinux);
		if (!btf) {
			log_debug("cannot parse %s: %s", path, strerror(errno));
			continue;
		}
		err = module_btfs_add(m, btf, de->d_name);
		if (err)
			btf__free(btf);
	}
	closedir(d);
	return err;
}

#define ENOTSUPP_KERNEL	524

/*
 * Whether this kernel attaches fentry programs at all: arm64 before 6.4
 * has no ftrace direct calls, and a kernel without BTF of its own none
 * either. Tried with an empty program on one core function, before the
 * object is loaded; the error is for the log.
 */
static int fentry_attach_error(const struct btf *kernel)
{
	const struct bpf_insn ret0[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, po,
		    .expected_attach_type = BPF_TRACE_FENTRY);
	int id, prog, link, err = 0;

	id = btf__find_by_name_kind(kernel, "iommu_domain_free", BTF_KIND_FUNC);
	if (id < 0)
		return id;
	po.attach_btf_id = id;
	prog = bpf_prog_load(BPF_PROG_TYPE_TRACING, "iw_fentry_test", "GPL",
			     ret0, ARRAY_SIZE(ret0), &po);
	if (prog < 0)
		return -errno;
	link = bpf_link_create(prog, 0, BPF_TRACE_FENTRY, NULL);
	if (link < 0)
		err = -errno;
	else
		close(link);
	close(prog);
	return err;
}

/*
 * auto: fentry where the kernel attaches it, else kprobes for all. btf is
 * the parsed running kernel's BTF (with a custom --btf file it is not, and
 * the kernel's is read here).
 */
static enum hook_attach_mode attach_mode(const struct loader_opts *opts,
					 const struct btf *btf)
{
	struct btf *kernel = NULL;
	int err;

	if (opts->attach_mode != HOOK_ATTACH_AUTO)
		return opts->attach_mode;
	if (opts->btf_path) {
		kernel = btf__load_vmlinux_btf();
		btf = kernel;
	}
	err = btf ? fentry_attach_error(btf) : -errno;
	btf__free(kernel);
	if (!err)
		return HOOK_ATTACH_AUTO;
	/* ENOTSUPP is the kernel's own number, which libc does not name. */
	if (err == -ENOTSUPP_KERNEL)
		log_info("this kernel has no BPF trampolines for kernel functions (arm64 gained them in 6.4): every hook uses kprobes");
	else
		log_info("this kernel does not attach fentry programs (%s): every hook uses kprobes",
			 strerror(-err));
	return HOOK_ATTACH_KPROBE;
}

/* Hooks from BTF (a custom --btf file stands for vmlinux, no modules). */
static int select_hooks(struct loader *ld, const struct loader_opts *opts)
{
	struct module_btfs mods = {};
	struct btf *btf;
	int err;

	btf = opts->btf_path ? btf__parse(opts->btf_path, NULL)
			     : btf__load_vmlinux_btf();
	if (!btf) {
		err = -errno;
		log_err("cannot parse kernel BTF: %s", strerror(-err));
		return err;
	}
	err = opts->btf_path ? 0 : module_btfs_load(&mods, btf);
	if (!err)
		err = hooks_select(&ld->hooks, btf, mods.btfs,
				   (const char *const *)mods.names, mods.n,
				   KALLSYMS, attach_mode(opts, btf));
	module_btfs_free(&mods);
	btf__free(btf);
	if (err)
		log_err("cannot choose the hooks: %s", strerror(-err));
	return err;
}

static int prepare(struct loader *ld, const struct loader_opts *opts)
{
	int err;

	err = select_hooks(ld, opts);
	if (err)
		return err;
	err = hooks_configure(&ld->hooks, ld->skel->obj);
	if (err) {
		log_err("BPF object does not match the hook table: %s",
			strerror(-err));
		return err;
	}
	ld->skel->rodata->targ_group = opts->targ_group;
	ld->skel->rodata->pci_bus_addr = ld->hooks.pci_bus_type;
	if (opts->ringbuf_bytes)
		err = bpf_map__set_max_entries(ld->skel->maps.events,
					       opts->ringbuf_bytes);
	ld->skel->rodata->wakeup_bytes =
		bpf_map__max_entries(ld->skel->maps.events) / 4;
	return err;
}

static void explain_load_error(int err)
{
	if (err == -EPERM || err == -EACCES)
		log_err("the kernel refused to load the BPF programs (%s): a security module or lockdown forbids BPF tracing here",
			strerror(-err));
	else
		log_err("loading the BPF programs failed: %s (run with -v for the verifier log)",
			strerror(-err));
}

int loader_open(struct loader *ld, const struct loader_opts *opts,
		ring_buffer_sample_fn on_event, void *ctx)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = opts->btf_path);
	int err;

	memset(ld, 0, sizeof(*ld));
	ld->skel = iommuwatch_bpf__open_opts(&oo);
	if (!ld->skel) {
		err = -errno;
		log_err("cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	err = prepare(ld, opts);
	if (err)
		goto out_close;
	err = iommuwatch_bpf__load(ld->skel);
	if (err) {
		explain_load_error(err);
		goto out_close;
	}
	hooks_load_copies(&ld->hooks);
	hooks_attach(&ld->hooks);
	if (!hooks_count(&ld->hooks, HOOK_ACTIVE)) {
		err = -ENOENT;
		log_err("no IOMMU hook could be attached in this kernel");
		goto out_close;
	}
	ld->rb = ring_buffer__new(bpf_map__fd(ld->skel->maps.events), on_event,
				  ctx, NULL);
	if (!ld->rb) {
		err = -errno;
		log_err("cannot set up the ring buffer: %s", strerror(-err));
		goto out_close;
	}
	return 0;

out_close:
	loader_close(ld);
	return err;
}

/*
 * Wait up to LOADER_POLL_MS for events and hand them to the callback.
 * The programs wake the reader only when the ring fills up, so a quiet
 * ring is read here, after the timeout: events reach the reader within
 * LOADER_POLL_MS. Returns the events read or a negative errno.
 */
int loader_read_events(struct loader *ld)
{
	int n, more;

	n = ring_buffer__poll(ld->rb, LOADER_POLL_MS);
	if (n < 0)
		return n;
	more = ring_buffer__consume(ld->rb);
	return more < 0 ? more : n + more;
}

__u64 loader_dropped(struct loader *ld)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *vals, sum = 0;
	__u32 key = 0;

	if (ncpu <= 0)
		return 0;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return 0;
	if (!bpf_map_lookup_elem(bpf_map__fd(ld->skel->maps.events_dropped),
				 &key, vals))
		for (int i = 0; i < ncpu; i++)
			sum += vals[i];
	free(vals);
	return sum;
}

void loader_close(struct loader *ld)
{
	ring_buffer__free(ld->rb);
	ld->rb = NULL;
	hooks_detach(&ld->hooks);
	hooks_free(&ld->hooks);
	iommuwatch_bpf__destroy(ld->skel);
	ld->skel = NULL;
}
