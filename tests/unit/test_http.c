// SPDX-License-Identifier: GPL-2.0
/*
 * The HTTP endpoint on loopback: binding starts no thread (the daemon
 * drops its capabilities between the two, and credentials are per
 * thread), starting does; real requests get what http.c promises:
 * /metrics, the landing page, 404, 405 with Allow, 500, HEAD, 421 for a
 * Host that is not this server's, and the security headers on each, the
 * CSP's hashes those of the page's inline style and script.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netdb.h>
#include <gnutls/crypto.h>
#include "http.h"
#include "report_html.h"
#include "unit.h"
#include "util.h"

static const char exposition[] = "iw_test_up 1\n";

static char *render(void *arg, size_t *len)
{
	(void)arg;
	*len = sizeof(exposition) - 1;
	return strdup(exposition);
}

static int thread_count(void)
{
	DIR *dir = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!dir)
		return -1;
	while ((e = readdir(dir)))
		n += e->d_name[0] != '.';
	closedir(dir);
	return n;
}

/* A port nobody listens on: the kernel's pick for port 0, released. */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd < 0)
		return -1;
	if (!bind(fd, (struct sockaddr *)&a, len) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* A raw request to ADDR (a numeric address) and port; the whole reply. */
static int http_send(const char *addr, int port, const char *req, char *buf,
		     size_t size)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST }, *ai;
	struct timeval tv = { .tv_sec = 5 };
	char service[8];
	size_t got = 0;
	ssize_t n;
	int fd = -1;

	buf[0] = '\0';
	snprintf(service, sizeof(service), "%d", port);
	if (getaddrinfo(addr, service, &hints, &ai))
		return -1;
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0)
		goto out;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		goto out;
	while (got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += n;
out:
	buf[got] = '\0';
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return got ? 0 : -1;
}

/* METHOD PATH over HTTP/1.0 (the server closes after it); the whole reply. */
static int http_req(int port, const char *method, const char *path, char *buf,
		    size_t size)
{
	char req[256];

	snprintf(req, sizeof(req), "%s %s HTTP/1.0\r\nContent-Length: 0\r\n\r\n",
		 method, path);
	return http_send("127.0.0.1", port, req, buf, size);
}

/* GET PATH over HTTP/1.1 to ADDR with this Host (NULL: none). */
static int http_get_host(const char *addr, int port, const char *path,
			 const char *host, char *buf, size_t size)
{
	char req[512];

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\n%s%s%sConnection: close\r\n\r\n",
		 path, host ? "Host: " : "", host ? host : "",
		 host ? "\r\n" : "");
	return http_send(addr, port, req, buf, size);
}

/* The status code of a reply, -1 if it is not HTTP. */
static int status_of(const char *reply)
{
	int code;

	if (sscanf(reply, "HTTP/1.%*d %d ", &code) != 1)
		return -1;
	return code;
}

static const char *body_of(const char *reply)
{
	const char *p = strstr(reply, "\r\n\r\n");

	return p ? p + 4 : "";
}

/* A header line, case-insensitive name; its value or NULL. */
static const char *header(const char *reply, const char *name, char *buf,
			  size_t len)
{
	const char *end = strstr(reply, "\r\n\r\n");
	size_t n = strlen(name);

	for (const char *p = strstr(reply, "\r\n"); p && p < end;
	     p = strstr(p + 2, "\r\n")) {
		const char *v = p + 3 + n;

		if (strncasecmp(p + 2, name, n) || p[2 + n] != ':')
			continue;
		v += strspn(v, " ");
		snprintf(buf, len, "%.*s", (int)strcspn(v, "\r"), v);
		return buf;
	}
	return NULL;
}

/* A started server on HOST and a free port; NULL if that failed. */
static struct http_server *serve_on(const char *host,
				    const struct http_pages *pages, int *port)
{
	struct http_server *srv = NULL;
	char listen[64];

	*port = free_port();
	snprintf(listen, sizeof(listen), "%s:%d", host, *port);
	if (*port <= 0 || http_bind(&srv, listen))
		return NULL;
	if (http_start(srv, pages)) {
		http_stop(srv);
		return NULL;
	}
	return srv;
}

/* ... on the IPv4 loopback. */
static struct http_server *serve_pages(const struct http_pages *pages,
				       int *port)
{
	return serve_on("127.0.0.1", pages, port);
}

static struct http_server *serve(http_render_fn render, int *port)
{
	return serve_pages(&(struct http_pages){ .metrics = render }, port);
}

static void test_bind_then_start(void)
{
	struct http_server *srv = NULL;
	char listen[32], reply[4096], hv[128];
	int port = free_port();

	CHECK(port > 0);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	CHECK(thread_count() == 1);
	CHECK(http_bind(&srv, listen) == 0);
	if (!srv)
		return;
	CHECK_STR(http_address(srv), listen);
	CHECK(thread_count() == 1);
	CHECK(http_start(srv, &(struct http_pages){ .metrics = render }) == 0);
	CHECK(thread_count() > 1);
	CHECK(http_req(port, "GET", "/metrics", reply, sizeof(reply)) == 0);
	CHECK(status_of(reply) == 200);
	CHECK_STR(header(reply, "Content-Type", hv, sizeof(hv)),
		  "text/plain; version=0.0.4; charset=utf-8");
	CHECK_STR(body_of(reply), exposition);
	http_stop(srv);
}

static void test_landing_404_405(void)
{
	char reply[4096], hv[128];
	struct http_server *srv;
	int port;

	srv = serve(render, &port);
	CHECK(srv);
	if (!srv)
		return;
	CHECK(http_req(port, "GET", "/", reply, sizeof(reply)) == 0);
	CHECK(status_of(reply) == 200);
	CHECK(strstr(body_of(reply), "<a href=\"/metrics\">"));
	CHECK(http_req(port, "GET", "/metrics/x", reply, sizeof(reply)) == 0);
	CHECK(status_of(reply) == 404);
	CHECK_STR(body_of(reply), "not found\n");
	CHECK(http_req(port, "POST", "/metrics", reply, sizeof(reply)) == 0);
	CHECK(status_of(reply) == 405);
	CHECK_STR(header(reply, "Allow", hv, sizeof(hv)), "GET, HEAD");
	CHECK_STR(body_of(reply), "method not allowed\n");
	CHECK(http_req(port, "HEAD", "/metrics", reply, sizeof(reply)) == 0);
	CHECK(status_of(reply) == 200);
	CHECK_STR(body_of(reply), "");
	http_stop(srv);
}

static char *render_fails(void *arg, size_t *len)
{
	(void)arg;
	*len = 0;
	return NULL;
}

static void test_render_failure_is_500(void)
{
	struct http_server *srv;
	char reply[4096];
	int port;

	srv = serve(render_fails, &port);
	CHECK(srv);
	if (!srv)
		return;
	CHECK(http_req(port, "GET", "/metrics", reply, sizeof(reply)) == 0);
	CHECK(status_of(reply) == 500);
	CHECK_STR(body_of(reply), "cannot render the page\n");
	http_stop(srv);
}

static char *render_page(void *arg, size_t *len)
{
	(void)arg;
	*len = strlen("<p>page</p>");
	return strdup("<p>page</p>");
}

/* A landing renderer replaces the static page; /metrics is unchanged. */
static void test_rendered_landing(void)
{
	struct http_pages pages = { .metrics = render, .landing = render_page };
	char reply[4096], hv[128];
	struct http_server *srv;
	int port;

	srv = serve_pages(&pages, &port);
	CHECK(srv);
	if (!srv)
		return;
	CHECK(http_req(port, "GET", "/", reply, sizeof(reply)) == 0);
	CHECK(status_of(reply) == 200);
	CHECK_STR(header(reply, "Content-Type", hv, sizeof(hv)),
		  "text/html; charset=utf-8");
	CHECK_STR(body_of(reply), "<p>page</p>");
	CHECK(http_req(port, "GET", "/metrics", reply, sizeof(reply)) == 0);
	CHECK_STR(body_of(reply), exposition);
	http_stop(srv);
}

static void test_bad_listen(void)
{
	static const char *const bad[] = {
		"127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
		"127.0.0.1:80x", ":7389", "[::1]7389", "no.such.host.invalid:7389",
	};
	struct http_server *srv = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK(http_bind(&srv, bad[i]) == -EINVAL);
		CHECK(!srv);
	}
}

/* A port already taken: one error, nothing left open. */
static void test_port_in_use(void)
{
	struct http_server *a = NULL, *b = NULL;
	char listen[32];
	int port = free_port();

	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	CHECK(http_bind(&a, listen) == 0);
	CHECK(http_bind(&b, listen) == -EADDRINUSE);
	CHECK(!b);
	http_stop(a);
	http_stop(NULL);
}

/* The status GET / gets with this Host (fmt: %d is the port) over ADDR. */
static int host_status(const char *addr, int port, const char *fmt)
{
	char host[128], reply[8192];

	snprintf(host, sizeof(host), fmt, port);
	if (http_get_host(addr, port, "/", host, reply, sizeof(reply)))
		return -1;
	/* A refused request gets one line, never the page. */
	if (status_of(reply) != 200 && strstr(reply, "<p>page</p>"))
		return -2;
	return status_of(reply);
}

struct host_case {
	const char *host;	/* %d: the port */
	int want;		/* the status */
};

static void check_hosts(const char *addr, int port,
			const struct host_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int got = host_status(addr, port, c[i].host);

		if (got != c[i].want)
			fprintf(stderr, "  Host: %s got %d\n", c[i].host, got);
		CHECK(got == c[i].want);
	}
}

static const char *const allowed[] = { "metrics.example" };

/* DNS rebinding: a page elsewhere reaches us under its own name. */
static void test_host_checked(void)
{
	static const struct host_case cases[] = {
		{ "127.0.0.1:%d", 200 }, { "127.0.0.1", 200 },
		{ "localhost:%d", 200 }, { "LocalHost", 200 },
		{ "metrics.example:%d", 200 }, { "METRICS.example", 200 },
		{ "evil.example:%d", 421 }, { "localhost.evil.example:%d", 421 },
		{ "127.0.0.2:%d", 421 }, { "[::1]:%d", 421 },
		{ "metrics.example:%d0", 421 }, { "127.0.0.1:%d:1", 421 },
		{ "127.0.0.1:", 421 }, { "[127.0.0.1", 421 }, { "", 421 },
	};
	struct http_pages pages = { .metrics = render, .landing = render_page,
				    .hosts = allowed, .n_hosts = 1 };
	char reply[4096];
	struct http_server *srv;
	int port;

	srv = serve_pages(&pages, &port);
	CHECK(srv);
	if (!srv)
		return;
	check_hosts("127.0.0.1", port, cases, ARRAY_SIZE(cases));
	CHECK(http_get_host("127.0.0.1", port, "/metrics", "evil.example",
			    reply, sizeof(reply)) == 0);
	CHECK(status_of(reply) == 421);
	CHECK_STR(body_of(reply), "this server answers to its --listen address, localhost and --allow-host names\n");
	/* HTTP/1.1 needs a Host; HTTP/1.0 (no browser) may go without. */
	CHECK(http_get_host("127.0.0.1", port, "/", NULL, reply,
			    sizeof(reply)) == 0);
	CHECK(status_of(reply) != 200 && !strstr(reply, "<p>page</p>"));
	CHECK(http_req(port, "GET", "/", reply, sizeof(reply)) == 0);
	CHECK(status_of(reply) == 200);
	http_stop(srv);
}

/*
 * Listening everywhere, the address a connection came in on is ours;
 * on [::1], IPv6 addresses compare as addresses.
 */
static void test_host_wildcard_and_ipv6(void)
{
	static const struct host_case any[] = {
		{ "127.0.0.1:%d", 200 }, { "localhost:%d", 200 },
		{ "10.1.2.3:%d", 421 }, { "evil.example:%d", 421 },
	};
	static const struct host_case v6[] = {
		{ "[::1]:%d", 200 }, { "[0:0:0:0:0:0:0:1]:%d", 200 },
		{ "[::1]", 200 }, { "localhost:%d", 200 },
		{ "127.0.0.1:%d", 421 }, { "[::2]:%d", 421 }, { "::1", 421 },
	};
	struct http_pages pages = { .metrics = render, .landing = render_page };
	struct http_server *srv;
	int port;

	srv = serve_on("0.0.0.0", &pages, &port);
	CHECK(srv);
	if (srv)
		check_hosts("127.0.0.1", port, any, ARRAY_SIZE(any));
	http_stop(srv);
	srv = serve_on("[::1]", &pages, &port);
	if (!srv)
		fprintf(stderr, "  no IPv6 loopback here: not tested\n");
	else
		check_hosts("::1", port, v6, ARRAY_SIZE(v6));
	http_stop(srv);
}

/* nosniff, no-store and the CSP on every answer, errors included. */
static void test_security_headers(void)
{
	struct http_pages pages = { .metrics = render, .landing = render_page,
				    .csp = "default-src 'none'; style-src 'x'" };
	static const char *const paths[] = { "/", "/metrics", "/x" };
	char reply[4096], hv[512];
	struct http_server *srv;
	int port;

	srv = serve_pages(&pages, &port);
	CHECK(srv);
	if (!srv)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(paths) + 2; i++) {
		if (i < ARRAY_SIZE(paths))
			http_req(port, "GET", paths[i], reply, sizeof(reply));
		else if (i == ARRAY_SIZE(paths))
			http_req(port, "POST", "/", reply, sizeof(reply));
		else
			http_get_host("127.0.0.1", port, "/", "evil.example",
				      reply, sizeof(reply));
		CHECK(status_of(reply) > 0);
		CHECK_STR(header(reply, "X-Content-Type-Options", hv,
				 sizeof(hv)), "nosniff");
		CHECK_STR(header(reply, "Cache-Control", hv, sizeof(hv)),
			  "no-store");
		CHECK_STR(header(reply, "Content-Security-Policy", hv,
				 sizeof(hv)),
			  "default-src 'none'; style-src 'x'; frame-ancestors 'none'");
	}
	http_stop(srv);
}

static char *render_report(void *arg, size_t *len)
{
	struct report_page page = { .title = "t", .live = true };
	struct timeline *tl = timeline_new(4, 4);
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	int err;

	(void)arg;
	err = f && tl ? report_html_write(f, tl, &page) : -ENOMEM;
	if (f)
		fclose(f);
	timeline_free(tl);
	if (err) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* "'sha256-...'" of the bytes between open and close in page, or "". */
static void hash_between(const char *page, const char *open,
			 const char *close, char *buf, size_t len)
{
	const char *a = strstr(page, open), *b;
	unsigned char digest[32];
	gnutls_datum_t raw = { digest, sizeof(digest) }, b64 = { 0 };

	buf[0] = '\0';
	if (!a || !(b = strstr(a += strlen(open), close)) ||
	    gnutls_hash_fast(GNUTLS_DIG_SHA256, a, b - a, digest) ||
	    gnutls_base64_encode2(&raw, &b64))
		return;
	snprintf(buf, len, "'sha256-%.*s'", (int)b64.size, b64.data);
	gnutls_free(b64.data);
}

/*
 * The page as the daemon serves it: its CSP allows exactly the bytes of
 * its inline style and script (a browser refuses them otherwise), in
 * the header and in the page's <meta>.
 */
static void test_csp_matches_page(void)
{
	char reply[64 * 1024], csp[512], want[512], style[64], script[64];
	struct http_pages pages = { .metrics = render, .landing = render_report,
				    .csp = want };
	struct http_server *srv;
	int port;

	CHECK(report_html_csp(want, sizeof(want)) == 0);
	srv = serve_pages(&pages, &port);
	CHECK(srv);
	if (!srv)
		return;
	CHECK(http_req(port, "GET", "/", reply, sizeof(reply)) == 0);
	CHECK(status_of(reply) == 200);
	hash_between(body_of(reply), "<style>", "</style>", style, sizeof(style));
	hash_between(body_of(reply), "<script>", "</script>", script,
		     sizeof(script));
	CHECK(strlen(style) == 53 && strlen(script) == 53);
	snprintf(want, sizeof(want), "default-src 'none'; style-src %s; "
		 "script-src %s; base-uri 'none'; form-action 'none'", style,
		 script);
	CHECK(header(reply, "Content-Security-Policy", csp, sizeof(csp)));
	CHECK(!strncmp(csp, want, strlen(want)));
	CHECK_STR(csp + strlen(want), "; frame-ancestors 'none'");
	snprintf(csp, sizeof(csp), "<meta http-equiv=\"Content-Security-Policy\" "
		 "content=\"%s\">", want);
	CHECK(strstr(body_of(reply), csp));
	http_stop(srv);
}

UNIT_MAIN("http", UNIT_CASE(test_bind_then_start),
	  UNIT_CASE(test_landing_404_405),
	  UNIT_CASE(test_render_failure_is_500), UNIT_CASE(test_rendered_landing),
	  UNIT_CASE(test_bad_listen),
	  UNIT_CASE(test_port_in_use), UNIT_CASE(test_host_checked),
	  UNIT_CASE(test_host_wildcard_and_ipv6),
	  UNIT_CASE(test_security_headers), UNIT_CASE(test_csp_matches_page))
