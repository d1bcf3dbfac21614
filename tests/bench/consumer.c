// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace consumer benchmark: a synthetic event stream, as the BPF side
 * would deliver it, through the same decoding, state, rules and metrics
 * code that live events use; no kernel involved.
 *
 * Usage: consumer [EVENTS [GROUPS...]]   (defaults: 2000000, 1000 10000)
 * Prints events/s on one core against a decode-only floor, peak RSS, and
 * the /metrics render time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include "metrics.h"
#include "pipeline.h"

#define RENDER_ROUNDS	21
/* Events are generated once into a pool and replayed round robin, so that
 * the peak RSS measures the consumer, not the input. */
#define POOL		65536

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

static const __u32 types[] = { 11, 4, 3, 0, 1 };	/* dma-fq identity dma blocked unmanaged */

/* A plausible mix: RID attaches on every path, PASIDs, releases, frees. */
static void make_events(struct iw_event *ev, long n, int groups)
{
	for (long i = 0; i < n; i++) {
		struct iw_event *e = &ev[i];
		int g = i % groups;

		memset(e, 0, sizeof(*e));
		e->ts_ns = 1000 + i;
		e->latency_ns = 1000 + (i % 5000);
		e->kind = IW_EV_ATTACH;
		e->hook = IW_HOOK_ATTACH_OP + (i % 3);
		e->path = 1 + (i % (IW_PATH_MAX - 1));
		e->flags = IW_F_FLAGS_KNOWN | IW_F_MUTEX_HELD | IW_F_HAS_OLD;
		e->group = g;
		e->pasid = IW_NO_PASID;
		e->new_dom = (struct iw_domain_ref){ 1 + g * 2 + (i & 1),
						     types[i % 5] };
		e->old_dom = (struct iw_domain_ref){ 1 + g * 2 + !(i & 1),
						     types[(i + 1) % 5] };
		snprintf(e->comm, sizeof(e->comm), "kworker/%d", (int)(i % 8));
		device_name(e->dev, sizeof(e->dev), g);
		if (i % 10 == 7) {
			e->kind = IW_EV_SET_PASID;
			e->pasid = 1 + i % 4;
		} else if (i % 50 == 13) {
			e->kind = IW_EV_RELEASE;
		} else if (i % 50 == 29) {
			/* Freed domains are ones no longer in use. */
			e->kind = IW_EV_DOMAIN_FREE;
			e->new_dom.id = 1000000 + i;
		}
	}
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
	double render_ms;	/* median /metrics render */
	size_t render_bytes;
	long rss_kib;
};

static double decode_only(const struct iw_event *ev, long n)
{
	struct iw_record rec;
	volatile __u32 sink = 0;
	double t = now_sec();

	for (long i = 0; i < n; i++) {
		record_from_event(&rec, &ev[i % POOL], "intel_iommu_attach_device");
		sink += rec.to.id;
	}
	return n / (now_sec() - t);
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

static void run(long n, int groups, struct result *r)
{
	struct metrics_info mi = { .version = "bench", .kernel = "none" };
	struct iw_event *ev = malloc(sizeof(*ev) * POOL);
	struct iw_state *st = state_new();
	struct metrics *m = metrics_new(&mi);
	struct pipeline pl;
	struct iw_record rec;
	struct rusage ru;
	double t;

	make_events(ev, POOL, groups);
	seed(st, groups);
	pipeline_init(&pl, st, NULL);
	pl.sink = metrics_record;
	pl.sink_arg = m;
	r->floor_eps = decode_only(ev, n);
	t = now_sec();
	for (long i = 0; i < n; i++) {
		record_from_event(&rec, &ev[i % POOL], "intel_iommu_attach_device");
		pipeline_feed(&pl, &rec);
	}
	r->full_eps = n / (now_sec() - t);
	free(ev);
	r->render_ms = render_ms(m, st, &r->render_bytes);
	getrusage(RUSAGE_SELF, &ru);
	r->rss_kib = ru.ru_maxrss;
	metrics_free(m);
	state_free(st);
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
	for (int i = 0; i < n_groups; i++) {
		run(n, groups[i], &r);
		printf("groups=%-6d full=%.2f M events/s  decode-only floor=%.2f M/s  ratio=%.2fx  render=%.2f ms (%zu bytes)  peak_rss=%.1f MiB\n",
		       groups[i], r.full_eps / 1e6, r.floor_eps / 1e6,
		       r.floor_eps / r.full_eps, r.render_ms, r.render_bytes,
		       r.rss_kib / 1024.0);
		printf("bench consumer_g%d: events_per_sec=%.0f goal=2000000 (%s) render_ms=%.2f goal=50 (%s) peak_rss_mib=%.1f goal=16 (%s)\n",
		       groups[i], r.full_eps, r.full_eps >= 2e6 ? "met" : "missed",
		       r.render_ms, r.render_ms <= 50 ? "met" : "missed",
		       r.rss_kib / 1024.0, r.rss_kib <= 16 * 1024 ? "met" : "missed");
	}
	return 0;
}
