/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SA table benchmark (figures for BENCHMARKS.md, never asserted):
 *  1. inbound lookups/s with N SAs installed (default 1,000,000), for SPIs
 *     allocated by the table (slot-encoding, direct path) and for SPIs
 *     chosen elsewhere (lock-free hash), random order;
 *  2. a worker lcore encapsulating packets (the ESP outbound path on the
 *     real SA records) while the control lcore adds, deletes and replaces
 *     outer addresses of SAs at a target rate (default 100,000 ops/s),
 *     compared with the same worker while control is idle, interleaved.
 *
 * Usage: bench_sa [-n SAS] [-r OPS_PER_S] [-t SECONDS] [-k ROUNDS] -- EAL args
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_rcu_qsbr.h>

#include "esp.h"
#include "sa.h"

#define INNER_LEN 46        /* 64-byte frame: 14 Ethernet + 46 IP + padding */
#define N_CHURN 4096        /* SAs the control lcore cycles through */

static struct {
	unsigned n_sas;
	unsigned rate;
	double secs;
	unsigned rounds;
	struct rte_rcu_qsbr *rcu;
	uint32_t *local_spis, *hash_spis;
	unsigned n_local, n_hash;
	uint32_t out_slot;
	volatile int stop;
	volatile uint64_t worker_pkts;
	volatile uint64_t lookups, lookup_hits;
	volatile int mode;          /* 0 lookups local, 1 lookups hash, 2 encap */
} b = { .n_sas = 1000000, .rate = 100000, .secs = 2.0, .rounds = 3 };

static void params(struct sgw_sa_params *p, uint32_t spi, enum sgw_sa_dir dir,
		   uint32_t v)
{
	memset(p, 0, sizeof(*p));
	p->spi = spi;
	p->dir = dir;
	p->key_len = 16;
	memset(p->key, (int)v, 16);
	p->replay_window = 1024;
	p->seq = 1;
	p->esn = true;
	p->outer.family = AF_INET;
	memcpy(p->outer.local, "\xcb\x00\x71\x01", 4);
	p->outer.remote[0] = 203;
	p->outer.remote[1] = 0;
	p->outer.remote[2] = 113;
	p->outer.remote[3] = (uint8_t)(v | 2);
}

static int worker(void *arg)
{
	const unsigned id = 0;
	struct rte_mempool *mp = arg;
	struct rte_mbuf *m;
	uint64_t n = 0, hits = 0;
	uint16_t ip_id = 0;
	unsigned ev, i = 0;

	rte_rcu_qsbr_thread_register(b.rcu, id);
	rte_rcu_qsbr_thread_online(b.rcu, id);
	while (!b.stop) {
		if (b.mode == 2) {
			/* A burst of 32, then one quiescent state, as a worker. */
			for (unsigned k = 0; k < 32; k++) {
				struct sgw_sa *sa = sgw_sa_at(b.out_slot);
				const struct sgw_sa_outer_rt *o =
					__atomic_load_n(&sa->h.outer, __ATOMIC_ACQUIRE);
				uint8_t *ip;

				m = rte_pktmbuf_alloc(mp);
				ip = m ? (uint8_t *)rte_pktmbuf_append(m, INNER_LEN) : NULL;
				if (!ip) {
					rte_pktmbuf_free(m);
					break;
				}
				memset(ip, 0, INNER_LEN);
				ip[0] = 0x45;
				ip[3] = INNER_LEN;
				ip[8] = 64;
				ip[9] = 17;
				/* An inbound lookup per packet too, as a worker would. */
				hits += sgw_sa_lookup_in(rte_cpu_to_be_32(
					b.local_spis[i++ % b.n_local])) != NULL;
				sgw_esp_encap(sa, o, m, &ip_id, &ev);
				rte_pktmbuf_free(m);
				n++;
			}
		} else {
			const uint32_t *spis = b.mode ? b.hash_spis : b.local_spis;
			unsigned cnt = b.mode ? b.n_hash : b.n_local;

			for (unsigned k = 0; k < 64; k++) {
				uint32_t s = spis[(unsigned)rte_rand_max(cnt)];

				hits += sgw_sa_lookup_in(rte_cpu_to_be_32(s)) != NULL;
			}
			n += 64;
		}
		rte_rcu_qsbr_quiescent(b.rcu, id);
	}
	b.worker_pkts = n;
	b.lookup_hits = hits;
	rte_rcu_qsbr_thread_offline(b.rcu, id);
	rte_rcu_qsbr_thread_unregister(b.rcu, id);
	return 0;
}

/* Control: add, replace the outer block of, and delete SAs at b.rate ops/s
 * (or idle when rate is 0) while the worker runs. Returns ops done. */
static uint64_t control(unsigned rate)
{
	uint64_t hz = rte_get_tsc_hz(), start = rte_get_tsc_cycles(), end, ops = 0;
	uint32_t slots[N_CHURN];
	struct sgw_sa_params p;
	struct sgw_sa_outer o;
	unsigned i = 0, live = 0;

	end = start + (uint64_t)(b.secs * (double)hz);
	memset(slots, 0xff, sizeof(slots));
	while (rte_get_tsc_cycles() < end) {
		if (!rate) {
			rte_delay_us_sleep(1000);
			continue;
		}
		/* Pace: ops so far must not run ahead of the target. */
		if (ops * hz > (rte_get_tsc_cycles() - start) * rate)
			continue;
		switch (ops % 3) {
		case 0:                          /* add */
			params(&p, 0x80000000u | (uint32_t)(ops & 0xffffff), SGW_SA_IN,
			       (uint32_t)ops);
			if (slots[i] != SGW_SA_NONE)
				sgw_sa_del(slots[i]);
			if (sgw_sa_add(&p, &slots[i]) < 0)
				slots[i] = SGW_SA_NONE;
			else
				live++;
			break;
		case 1:                          /* replace outer addresses */
			if (slots[i] != SGW_SA_NONE) {
				params(&p, 0, SGW_SA_IN, (uint32_t)ops);
				o = p.outer;
				sgw_sa_set_outer(slots[i], &o);
			}
			break;
		default:                         /* delete */
			if (slots[i] != SGW_SA_NONE) {
				sgw_sa_del(slots[i]);
				slots[i] = SGW_SA_NONE;
			}
			i = (i + 1) % N_CHURN;
			break;
		}
		ops++;
	}
	for (i = 0; i < N_CHURN; i++)
		if (slots[i] != SGW_SA_NONE)
			sgw_sa_del(slots[i]);
	RTE_SET_USED(live);
	return ops;
}

static double run(int mode, unsigned rate, struct rte_mempool *mp, uint64_t *ops)
{
	unsigned lcore = rte_get_next_lcore(-1, 1, 0);
	uint64_t t0, t1;

	b.stop = 0;
	b.mode = mode;
	rte_eal_remote_launch(worker, mp, lcore);
	t0 = rte_get_tsc_cycles();
	*ops = control(rate);
	b.stop = 1;
	rte_eal_wait_lcore(lcore);
	t1 = rte_get_tsc_cycles();
	return (double)b.worker_pkts / ((double)(t1 - t0) / (double)rte_get_tsc_hz());
}

static int cmp_d(const void *a, const void *c)
{
	double x = *(const double *)a, y = *(const double *)c;

	return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int fill(void)
{
	struct sgw_sa_params p;
	uint64_t t0 = rte_get_tsc_cycles();
	uint32_t spi;
	double s;

	b.local_spis = malloc(b.n_sas * sizeof(uint32_t));
	b.hash_spis = malloc(b.n_sas * sizeof(uint32_t));
	for (unsigned i = 0; i < b.n_sas; i++) {
		bool local = i % 2 == 0;
		int ret;

		if (local) {
			if (sgw_sa_spi_alloc(&spi) < 0)
				return -ENOSPC;
		} else {
			spi = 0x10000000u + i;   /* not slot-encoding in general */
		}
		params(&p, spi, SGW_SA_IN, i);
		ret = sgw_sa_add(&p, NULL);
		/* A chosen SPI may equal a random local one: pick another. */
		while (ret == -EEXIST && !local) {
			p.spi = spi = (uint32_t)rte_rand() | 0x100u;
			ret = sgw_sa_add(&p, NULL);
		}
		if (ret < 0) {
			fprintf(stderr, "add %u: %s\n", i, strerror(-ret));
			return ret;
		}
		if (local)
			b.local_spis[b.n_local++] = spi;
		else
			b.hash_spis[b.n_hash++] = spi;
	}
	params(&p, 0x3000, SGW_SA_OUT, 7);
	if (sgw_sa_add(&p, &b.out_slot) < 0)
		return -ENOSPC;
	s = (double)(rte_get_tsc_cycles() - t0) / (double)rte_get_tsc_hz();
	printf("installed %u SAs in %.2f s (%.0f adds/s); %zu bytes per SA "
	       "(replay window 1024)\n", b.n_sas, s, b.n_sas / s, sgw_sa_bytes(1024));
	return 0;
}

int main(int argc, char **argv)
{
	struct rte_mempool *mp;
	double idle[16], churn[16], look_l[16], look_h[16];
	uint64_t ops = 0, o;
	int c, n;

	n = rte_eal_init(argc, argv);
	if (n < 0 || rte_lcore_count() < 2) {
		fprintf(stderr, "bench_sa: EAL init failed or fewer than 2 lcores\n");
		return 1;
	}
	argc -= n;
	argv += n;
	while ((c = getopt(argc, argv, "n:r:t:k:")) != -1) {
		switch (c) {
		case 'n': b.n_sas = (unsigned)atoi(optarg); break;
		case 'r': b.rate = (unsigned)atoi(optarg); break;
		case 't': b.secs = atof(optarg); break;
		case 'k': b.rounds = (unsigned)atoi(optarg); break;
		default: return 2;
		}
	}
	if (b.rounds < 1 || b.rounds > 16)
		b.rounds = 3;
	b.rcu = rte_zmalloc(NULL, rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	rte_rcu_qsbr_init(b.rcu, 1);
	mp = rte_pktmbuf_pool_create("bench", 1023, 64, 0, 2048 + 128, SOCKET_ID_ANY);
	if (!mp || sgw_sa_table_init(b.n_sas + N_CHURN + 16, b.rcu) < 0 || fill() < 0) {
		fprintf(stderr, "bench_sa: set-up failed\n");
		return 1;
	}
	for (unsigned r = 0; r < b.rounds; r++) {
		look_l[r] = run(0, 0, mp, &o);
		look_h[r] = run(1, 0, mp, &o);
		idle[r] = run(2, 0, mp, &o);
		churn[r] = run(2, b.rate, mp, &o);
		ops += o;
		printf("round %u: lookups %.2f M/s (local SPI) %.2f M/s (hash SPI); "
		       "encap %.3f Mpps idle control, %.3f Mpps with %.0f ops/s\n", r + 1,
		       look_l[r] / 1e6, look_h[r] / 1e6, idle[r] / 1e6, churn[r] / 1e6,
		       (double)o / b.secs);
	}
	printf("RESULT sa_lookups_local_mps=%.2f sa_lookups_hash_mps=%.2f "
	       "encap64_idle_mpps=%.3f encap64_churn_mpps=%.3f churn_ops_per_s=%.0f "
	       "sas=%u rounds=%u\n", median(look_l, b.rounds) / 1e6,
	       median(look_h, b.rounds) / 1e6, median(idle, b.rounds) / 1e6,
	       median(churn, b.rounds) / 1e6, (double)ops / b.rounds / b.secs,
	       b.n_sas, b.rounds);
	sgw_sa_table_fini();
	rte_eal_cleanup();
	return 0;
}
