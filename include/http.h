/* SPDX-License-Identifier: GPL-2.0 */
/* The daemon's HTTP endpoint (libmicrohttpd): /metrics and a landing page. */
#ifndef __IW_HTTP_H
#define __IW_HTTP_H

#include <stddef.h>

/* Fixed default, outside the full 9100-9999 exporter port range. */
#define IW_DEFAULT_LISTEN	"127.0.0.1:7389"

struct http_server;

/* Returns a malloc'd body (*len bytes), or NULL. */
typedef char *(*http_render_fn)(void *arg, size_t *len);

struct http_pages {
	http_render_fn metrics;	/* /metrics: the text exposition */
	http_render_fn landing;	/* /: HTML; NULL: a link to /metrics */
	void *arg;
	/* landing's Content-Security-Policy; NULL: default-src 'none' */
	const char *csp;
	/* Host names answered besides the --listen address (--allow-host) */
	const char *const *hosts;
	int n_hosts;
};

/* Bind ADDR:PORT ("[::1]:PORT" for IPv6) now; 0 or -errno, logged. */
int http_bind(struct http_server **out, const char *listen);
/*
 * Serve on the bound socket from libmicrohttpd's own thread, the first one
 * the server starts; it copies the caller's credentials, so drop privileges
 * before calling this. pages->hosts must outlive the server. A request
 * whose Host names neither the address it came in on (localhost too, on
 * loopback), --listen's host nor one of pages->hosts gets 421.
 */
int http_start(struct http_server *srv, const struct http_pages *pages);
void http_stop(struct http_server *srv);
/* The address actually bound, e.g. "127.0.0.1:7389". */
const char *http_address(const struct http_server *srv);

#endif /* __IW_HTTP_H */
