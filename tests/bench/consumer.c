// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace consumer benchmark: a synthetic event stream, as the BPF side
 * would deliver it, through the same decoding, state, rules and metrics
 * code that live events use; no kernel involved.
 *
 * Usage: consumer [EVENTS [GROUPS...]]   (defaults: 2000000, 1000 10000)
 * Prints events/s on one core against a decode-only floor, the same with
 * trace's table and JSON Lines printed to /dev/null, peak RSS, and the
 * /metrics render time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include "domains.h"
#include "metrics.h"
#include "pipeline.h"

#define RENDER_ROUNDS	21

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One device per group, unique up to 65536 groups. */
static void device_name(char *buf, size_t len, int g)
{
	snprintf(buf, len, "0000:%02x:%02x.%d", g / 32 % 256, g % 32,
		 g / 8192 % 8);
}

/*
 * A plausible mix. Each group goes round a cycle a host really sees:
 * default-domain switches DMA-FQ <-> identity, a PASID attached to a new
 * domain and detached, a release and a probe back, and the PASID's domain
 * freed; so each group has a handful of series.
 */
/* Names made once, so that making an event costs a few copies. */
static char (*dev_names)[IW_DEV_NAME_LEN];
static const char comms[8][IW_COMM_LEN] = {
	"kworker/0", "kworker/1", "kworker/2", "kworker/3",
	"kworker/4", "kworker/5", "kworker/6", "kworker/7",
};

/* Domain addresses as the kernel's look: the reader names them by hash. */
#define KEY(n)	(0xffff888100000000ULL + (__u64)(n) * 4096)

/* The steps of a group's cycle, below. */
#define STEPS	7

/*
 * A group's PASID domain is allocated anew each round of its cycle (as
 * SVA and VFIO domains are, per use) and freed after: new addresses and
 * new ids for as long as the stream runs, the churn of a long-lived host.
 */
static __u64 pasid_key(long i, int groups)
{
	long round = i / ((long)groups * STEPS);

	return KEY(4L * groups + round * groups + i % groups);
}

static void make_event(struct iommuwatch_event *e, long i, int groups)
{
	int g = i % groups, step = (i / groups) % STEPS;
	__u32 base = 1 + g * 4;

	memset(e, 0, sizeof(*e));
	e->ts_ns = 1000 + i;
	e->latency_ns = 1000 + (i % 5000);
	e->kind = IW_EV_ATTACH;
	e->hook = IW_HOOK_OP_BASE;	/* the first driver op */
	e->flags = IW_F_KNOWN_ALL | IW_F_MUTEX_HELD | IW_F_HAS_OLD;
	e->group = g;
	e->pasid = IW_NO_PASID;
	e->path = IW_PATH_DEFAULT;
	memcpy(e->comm, comms[i % 8], sizeof(e->comm));
	memcpy(e->dev, dev_names[g], sizeof(e->dev));
	switch (step) {
	case 0: /* DMA-FQ -> identity */
		e->old_dom = (struct iommuwatch_domain_ref){ .key = KEY(base), .type = 11 };
		e->new_dom = (struct iommuwatch_domain_ref){ .key = KEY(base + 1), .type = 4 };
		break;
	case 1: /* identity -> DMA-FQ */
		e->old_dom = (struct iommuwatch_domain_ref){ .key = KEY(base + 1), .type = 4 };
		e->new_dom = (struct iommuwatch_domain_ref){ .key = KEY(base), .type = 11 };
		break;
	case 2: /* a PASID on an unmanaged domain */
		e->kind = IW_EV_SET_PASID;
		e->path = IW_PATH_PASID;
		e->pasid = 1;
		e->old_dom = (struct iommuwatch_domain_ref){};
		e->new_dom = (struct iommuwatch_domain_ref){ .key = pasid_key(i, groups), .type = 1 };
		break;
	case 3: /* and detached (7.x: the blocked domain) */
		e->kind = IW_EV_SET_PASID;
		e->path = IW_PATH_PASID;
		e->pasid = 1;
		e->flags |= IW_F_NEW_IS_BLOCKING;
		e->old_dom = (struct iommuwatch_domain_ref){ .key = pasid_key(i, groups), .type = 1 };
		e->new_dom = (struct iommuwatch_domain_ref){ .key = KEY(1000000), .type = 0 };
		break;
	case 4: /* the device leaves: the release record */
		e->kind = IW_EV_RELEASE;
		e->path = IW_PATH_RELEASE;
		e->group_dom = (struct iommuwatch_domain_ref){ .key = KEY(base), .type = 11 };
		break;
	case 5: /* probed back onto its default domain */
		e->path = IW_PATH_PROBE;
		e->old_dom = (struct iommuwatch_domain_ref){};
		e->new_dom = (struct iommuwatch_domain_ref){ .key = KEY(base), .type = 11 };
		break;
	default: /* the PASID domain freed, its address and id gone */
		e->kind = IW_EV_DOMAIN_FREE;
		e->group = -1;
		e->new_dom = (struct iommuwatch_domain_ref){ .key = pasid_key(i, groups), .type = 1 };
		break;
	}
}

/*
 * Event i of the stream; every 50th instead frees a domain no event
 * showed (the reader drops it, as it drops most frees on a real host).
 */
static void next_event(struct iommuwatch_event *e, long i, int groups)
{
	make_event(e, i, groups);
	if (i % 50 == 49) {
		e->kind = IW_EV_DOMAIN_FREE;
		e->group = -1;
		e->new_dom = (struct iommuwatch_domain_ref){
			.key = KEY(2000000000L + i), .type = 1 };
	}
}

/* As the live reader does: name the domains, then decode. */
static bool decode(struct domain_ids *ids, const struct iommuwatch_event *e,
		   struct iw_record *rec)
{
	return domain_ids_record(ids, e, "intel_iommu_attach_device", rec);
}

static void seed(struct iw_state *st, int groups)
{
	char name[32];

	for (int g = 0; g < groups; g++) {
		struct iw_group *grp = state_group(st, g, true);

		grp->dom = (struct iw_dom){ 0, IW_DOM_DMA_FQ };
		grp->dom_known = true;
		device_name(name, sizeof(name), g);
		state_seed_device(st, grp, name);
	}
}

struct result {
	double floor_eps;	/* decode only */
	double full_eps;	/* decode + state + rules + metrics */
	double table_eps;	/* decode + state + rules + trace's table */
	double json_eps;	/* decode + state + rules + trace --json */
	double render_ms;	/* median /metrics render */
	size_t render_bytes;
	long rss_kib;
	long rss_before_render_kib;
};

/* The floor: making, naming and decoding the events, nothing else. */
static double decode_only(long n, int groups)
{
	struct domain_ids *ids = domain_ids_new();
	struct iw_record rec;
	struct iommuwatch_event ev;
	volatile __u32 sink = 0;
	double t = now_sec();

	for (long i = 0; i < n; i++) {
		next_event(&ev, i, groups);
		if (decode(ids, &ev, &rec))
			sink += rec.to.id;
	}
	t = now_sec() - t;
	domain_ids_free(ids);
	return n / t;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double render_ms(struct metrics *m, struct iw_state *st, size_t *bytes)
{
	double t[RENDER_ROUNDS];

	for (int i = 0; i < RENDER_ROUNDS; i++) {
		double t0 = now_sec();
		char *buf = metrics_render_buf(m, st, bytes);

		t[i] = (now_sec() - t0) * 1e3;
		free(buf);
	}
	qsort(t, RENDER_ROUNDS, sizeof(t[0]), cmp_double);
	return t[RENDER_ROUNDS / 2];
}

/* What trace does with each event: state, rules and a printed line. */
static double printed(long n, int groups, bool json)
{
	struct iw_state *st = state_new();
	struct domain_ids *ids = domain_ids_new();
	FILE *null = fopen("/dev/null", "w");
	struct iommuwatch_event ev;
	struct iw_record rec;
	struct pipeline pl;
	struct output out;
	double t;

	if (!st || !ids || !null) {
		perror("consumer");
		exit(1);
	}
	seed(st, groups);
	output_init(&out, null, json);
	pipeline_init(&pl, st, &out);
	t = now_sec();
	for (long i = 0; i < n; i++) {
		next_event(&ev, i, groups);
		if (decode(ids, &ev, &rec))
			pipeline_feed(&pl, &rec);
	}
	fflush(null);
	t = now_sec() - t;
	fclose(null);
	domain_ids_free(ids);
	state_free(st);
	return n / t;
}

static void run(long n, int groups, struct result *r)
{
	struct metrics_info mi = { .version = "bench", .kernel = "none" };
	struct iw_state *st = state_new();
	struct domain_ids *ids = domain_ids_new();
	struct metrics *m = metrics_new(&mi);
	struct pipeline pl;
	struct iw_record rec;
	struct iommuwatch_event ev;
	struct rusage ru;
	double t;

	dev_names = calloc(groups, sizeof(*dev_names));
	for (int g = 0; g < groups; g++)
		device_name(dev_names[g], sizeof(dev_names[g]), g);
	seed(st, groups);
	pipeline_init(&pl, st, NULL);
	pl.sink = metrics_record;
	pl.sink_arg = m;
	r->floor_eps = decode_only(n, groups);
	t = now_sec();
	for (long i = 0; i < n; i++) {
		next_event(&ev, i, groups);
		if (decode(ids, &ev, &rec))
			pipeline_feed(&pl, &rec);
	}
	r->full_eps = n / (now_sec() - t);
	getrusage(RUSAGE_SELF, &ru);
	r->rss_before_render_kib = ru.ru_maxrss;
	r->render_ms = render_ms(m, st, &r->render_bytes);
	getrusage(RUSAGE_SELF, &ru);
	r->rss_kib = ru.ru_maxrss;
	metrics_free(m);
	domain_ids_free(ids);
	state_free(st);
	/* After the peak RSS is read: it is the daemon's, not trace's. */
	r->table_eps = printed(n / 4, groups, false);
	r->json_eps = printed(n / 4, groups, true);
	free(dev_names);
}

static void report(int groups, const struct result *r)
{
	printf("groups=%-6d full=%.2f M events/s  floor (make+name+decode)=%.2f M/s  ratio=%.2fx  render=%.2f ms (%zu bytes)  peak_rss=%.1f MiB (%.1f before rendering)\n",
	       groups, r->full_eps / 1e6, r->floor_eps / 1e6,
	       r->floor_eps / r->full_eps, r->render_ms, r->render_bytes,
	       r->rss_kib / 1024.0, r->rss_before_render_kib / 1024.0);
	printf("groups=%-6d printed as by trace: table=%.2f M events/s (%.1fx the floor)  json=%.2f M events/s (%.1fx the floor)\n",
	       groups, r->table_eps / 1e6, r->floor_eps / r->table_eps,
	       r->json_eps / 1e6, r->floor_eps / r->json_eps);
	printf("bench consumer_g%d: events_per_sec=%.0f goal=2000000 (%s) render_ms=%.2f goal=50 (%s) peak_rss_mib=%.1f goal=16 (%s)\n",
	       groups, r->full_eps, r->full_eps >= 2e6 ? "met" : "missed",
	       r->render_ms, r->render_ms <= 50 ? "met" : "missed",
	       r->rss_kib / 1024.0, r->rss_kib <= 16 * 1024 ? "met" : "missed");
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	int default_groups[] = { 1000, 10000 }, *groups = default_groups;
	int n_groups = 2;
	struct result r;

	if (argc > 2) {
		n_groups = argc - 2;
		groups = calloc(n_groups, sizeof(int));
		for (int i = 0; i < n_groups; i++)
			groups[i] = atoi(argv[i + 2]);
	}
	printf("consumer: %ld synthetic events, one core, same code as live events\n", n);
	fflush(stdout);
	/* One process per size, so that each peak RSS is its own. */
	for (int i = 0; i < n_groups; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			run(n, groups[i], &r);
			report(groups[i], &r);
			fflush(stdout);
			_exit(0);
		}
		waitpid(pid, NULL, 0);
	}
	return 0;
}
