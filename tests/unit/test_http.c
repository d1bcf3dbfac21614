// SPDX-License-Identifier: GPL-2.0
/*
 * The HTTP endpoint on loopback: binding starts no thread (the daemon
 * drops its capabilities between the two, and credentials are per
 * thread), starting does; real requests get what http.c promises:
 * /metrics, the landing page, 404, 405 with Allow, 500, HEAD.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/time.h>
#include "http.h"
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

/* METHOD PATH over HTTP/1.0 (the server closes after it); the whole reply. */
static int http_req(int port, const char *method, const char *path, char *buf,
		    size_t size)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timeval tv = { .tv_sec = 5 };
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    dprintf(fd, "%s %s HTTP/1.0\r\nContent-Length: 0\r\n\r\n", method,
		    path) < 0)
		goto out;
	while (got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += n;
out:
	buf[got] = '\0';
	close(fd);
	return got ? 0 : -1;
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

/* A started server on a free loopback port; NULL if that failed. */
static struct http_server *serve_pages(const struct http_pages *pages,
				       int *port);

static struct http_server *serve(http_render_fn render, int *port)
{
	return serve_pages(&(struct http_pages){ .metrics = render }, port);
}

static struct http_server *serve_pages(const struct http_pages *pages,
				       int *port)
{
	struct http_server *srv = NULL;
	char listen[32];

	*port = free_port();
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", *port);
	if (*port <= 0 || http_bind(&srv, listen))
		return NULL;
	if (http_start(srv, pages)) {
		http_stop(srv);
		return NULL;
	}
	return srv;
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

UNIT_MAIN("http", UNIT_CASE(test_bind_then_start),
	  UNIT_CASE(test_landing_404_405),
	  UNIT_CASE(test_render_failure_is_500), UNIT_CASE(test_rendered_landing),
	  UNIT_CASE(test_bad_listen),
	  UNIT_CASE(test_port_in_use))
