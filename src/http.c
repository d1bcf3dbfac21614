// SPDX-License-Identifier: GPL-2.0
/*
 * HTTP with libmicrohttpd: GET/HEAD /metrics and /, 404 elsewhere, 405 for
 * other methods. Connections, per-IP connections, memory and idle time are
 * bounded so that scrapers cannot starve the event loop or exhaust memory.
 * A request must name this server in its Host (a page elsewhere cannot
 * read it through DNS rebinding), and every answer says it is not to be
 * sniffed, cached or framed.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include "http.h"
#include "log.h"

#define MAX_CONNECTIONS		64
#define MAX_PER_IP		16
#define IDLE_TIMEOUT_SEC	10
#define CONN_MEMORY		(64 * 1024)
#define LISTEN_BACKLOG		16

#if MHD_VERSION >= 0x00097002
typedef enum MHD_Result mhd_result;
#else
typedef int mhd_result;
#endif

static const char not_allowed[] = "method not allowed\n";
static const char not_found[] = "not found\n";
static const char render_failed[] = "cannot render the page\n";
static const char misdirected[] =
	"this server answers to its --listen address, localhost and --allow-host names\n";

static const char landing_page[] =
	"<html><head><title>iommuwatch</title></head><body>\n"
	"<h1>iommuwatch</h1>\n"
	"<p>Watches the Linux IOMMU core's domain transitions.</p>\n"
	"<p><a href=\"/metrics\">Metrics</a></p>\n"
	"</body></html>\n";

struct http_server {
	int fd;
	struct MHD_Daemon *mhd;
	struct http_pages pages;
	char address[80];
	char host[64];		/* --listen's, without brackets */
	char port[8];
	char csp[320];		/* Content-Security-Policy of every answer */
};

/* "ADDR:PORT" or "[V6]:PORT" into host and port strings. */
static int split_listen(const char *listen, char *host, size_t hlen,
			char *port, size_t plen)
{
	const char *colon = strrchr(listen, ':');
	const char *h = listen;
	size_t n;

	if (!colon || !colon[1] || strspn(colon + 1, "0123456789") !=
				      strlen(colon + 1))
		return -EINVAL;
	n = colon - listen;
	if (n >= 2 && listen[0] == '[' && listen[n - 1] == ']') {
		h++;
		n -= 2;
	}
	if (!n || n >= hlen || strlen(colon + 1) >= plen ||
	    atoi(colon + 1) < 1 || atoi(colon + 1) > 65535)
		return -EINVAL;
	memcpy(host, h, n);
	host[n] = '\0';
	snprintf(port, plen, "%s", colon + 1);
	return 0;
}

static int open_socket(const struct addrinfo *ai)
{
	int fd, one = 1;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) ||
	    listen(fd, LISTEN_BACKLOG)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int http_bind(struct http_server **out, const char *listen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE }, *res;
	char host[64], port[8];
	struct http_server *srv;
	int fd, gai;

	if (split_listen(listen, host, sizeof(host), port, sizeof(port))) {
		log_err("bad --listen '%s': expected ADDR:PORT, e.g. %s or [::1]:7389",
			listen, IW_DEFAULT_LISTEN);
		return -EINVAL;
	}
	gai = getaddrinfo(host, port, &hints, &res);
	if (gai) {
		log_err("bad --listen '%s': %s", listen, gai_strerror(gai));
		return -EINVAL;
	}
	fd = open_socket(res);
	freeaddrinfo(res);
	if (fd < 0) {
		log_err("cannot listen on %s: %s", listen, strerror(-fd));
		return fd;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv) {
		close(fd);
		return -ENOMEM;
	}
	srv->fd = fd;
	snprintf(srv->address, sizeof(srv->address), "%s", listen);
	snprintf(srv->host, sizeof(srv->host), "%s", host);
	snprintf(srv->port, sizeof(srv->port), "%s", port);
	*out = srv;
	return 0;
}

/*
 * A Host header's name and port ("" if none): "name", "name:port",
 * "[v6]" or "[v6]:port". 0, or -EINVAL for anything else.
 */
static int split_host(const char *host, char *name, size_t len,
		      const char **port)
{
	const char *end;
	size_t n;

	if (host[0] == '[') {
		end = strchr(++host, ']');
		if (!end)
			return -EINVAL;
		n = end++ - host;
	} else {
		n = strcspn(host, ":");
		end = host + n;
	}
	if (!n || n >= len || (*end && (*end != ':' || !end[1])))
		return -EINVAL;
	memcpy(name, host, n);
	name[n] = '\0';
	*port = *end ? end + 1 : "";
	return 0;
}

/* The port, if the Host has one, is the one listened on. */
static bool port_matches(const struct http_server *srv, const char *port)
{
	return !*port || (strspn(port, "0123456789") == strlen(port) &&
			  strlen(port) < 6 && atoi(port) == atoi(srv->port));
}

/* A name --listen or --allow-host gave. */
static bool name_allowed(const struct http_server *srv, const char *name)
{
	if (!strcasecmp(name, srv->host))
		return true;
	for (int i = 0; i < srv->pages.n_hosts; i++)
		if (!strcasecmp(name, srv->pages.hosts[i]))
			return true;
	return false;
}

/* name is a, or localhost when a is a loopback address. */
static bool v4_allowed(const struct in_addr *a, const char *name)
{
	struct in_addr in;

	if (inet_pton(AF_INET, name, &in) == 1)
		return in.s_addr == a->s_addr;
	return !strcasecmp(name, "localhost") && ntohl(a->s_addr) >> 24 == 127;
}

/* The same for IPv6, where an IPv4 client comes in v4-mapped. */
static bool v6_allowed(const struct in6_addr *a, const char *name)
{
	struct in6_addr in;

	if (IN6_IS_ADDR_V4MAPPED(a))
		return v4_allowed((const struct in_addr *)&a->s6_addr[12], name);
	if (inet_pton(AF_INET6, name, &in) == 1)
		return !memcmp(&in, a, sizeof(in));
	return !strcasecmp(name, "localhost") && IN6_IS_ADDR_LOOPBACK(a);
}

/* name is the address the connection came in on (wildcard listens too). */
static bool address_allowed(int fd, const char *name)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return false;
	if (ss.ss_family == AF_INET6)
		return v6_allowed(&((struct sockaddr_in6 *)&ss)->sin6_addr,
				  name);
	return ss.ss_family == AF_INET &&
	       v4_allowed(&((struct sockaddr_in *)&ss)->sin_addr, name);
}

/*
 * Whether the request names this server. A browser always sends Host, so
 * an HTTP/1.0 client without one (a probe, a script) is no page elsewhere
 * and is answered; libmicrohttpd refuses HTTP/1.1 without Host itself.
 */
static bool host_allowed(const struct http_server *srv,
			 struct MHD_Connection *conn, const char *version)
{
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							MHD_HTTP_HEADER_HOST);
	const union MHD_ConnectionInfo *ci;
	const char *port;
	char name[256];

	if (!host)
		return !strcmp(version, MHD_HTTP_VERSION_1_0);
	if (split_host(host, name, sizeof(name), &port) ||
	    !port_matches(srv, port))
		return false;
	if (name_allowed(srv, name))
		return true;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	return ci && address_allowed(ci->connect_fd, name);
}

static mhd_result respond(const struct http_server *srv,
			  struct MHD_Connection *conn, unsigned int status,
			  const char *type, void *body, size_t len,
			  enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp;
	mhd_result ret;

	resp = MHD_create_response_from_buffer(len, body, mode);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "Content-Security-Policy", srv->csp);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* A static text: libmicrohttpd only reads it (MHD_RESPMEM_PERSISTENT). */
static mhd_result respond_const(const struct http_server *srv,
				struct MHD_Connection *conn,
				unsigned int status, const char *type,
				const char *body)
{
	return respond(srv, conn, status, type, (void *)body, strlen(body),
		       MHD_RESPMEM_PERSISTENT);
}

static mhd_result respond_rendered(const struct http_server *srv,
				   struct MHD_Connection *conn,
				   http_render_fn render, const char *type)
{
	size_t len;
	char *body = render(srv->pages.arg, &len);

	if (!body)
		return respond_const(srv, conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				     "text/plain", render_failed);
	return respond(srv, conn, MHD_HTTP_OK, type, body, len,
		       MHD_RESPMEM_MUST_FREE);
}

static mhd_result handle(void *cls, struct MHD_Connection *conn,
			 const char *url, const char *method,
			 const char *version, const char *upload,
			 size_t *upload_size, void **con_cls)
{
	static int first_call;
	struct http_server *srv = cls;

	(void)upload;
	(void)upload_size;
	/* The first call only announces the headers; answer on the next. */
	if (!*con_cls) {
		*con_cls = &first_call;
		return MHD_YES;
	}
	if (!host_allowed(srv, conn, version))
		return respond_const(srv, conn, MHD_HTTP_MISDIRECTED_REQUEST,
				     "text/plain", misdirected);
	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return respond_const(srv, conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				     "text/plain", not_allowed);
	if (!strcmp(url, "/") && !srv->pages.landing)
		return respond_const(srv, conn, MHD_HTTP_OK,
				     "text/html; charset=utf-8", landing_page);
	if (!strcmp(url, "/"))
		return respond_rendered(srv, conn, srv->pages.landing,
					"text/html; charset=utf-8");
	if (strcmp(url, "/metrics"))
		return respond_const(srv, conn, MHD_HTTP_NOT_FOUND, "text/plain",
				     not_found);
	return respond_rendered(srv, conn, srv->pages.metrics,
				"text/plain; version=0.0.4; charset=utf-8");
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("http: %s", msg);
}

int http_start(struct http_server *srv, const struct http_pages *pages)
{
	srv->pages = *pages;
	/* frame-ancestors: a header's alone, a <meta> cannot carry it. */
	snprintf(srv->csp, sizeof(srv->csp), "%s; frame-ancestors 'none'",
		 pages->csp ? pages->csp : "default-src 'none'");
	srv->mhd = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL,
		NULL, handle, srv,
		MHD_OPTION_LISTEN_SOCKET, srv->fd,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)MAX_CONNECTIONS,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)MAX_PER_IP,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)IDLE_TIMEOUT_SEC,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_END);
	if (!srv->mhd) {
		log_err("cannot start the HTTP server on %s", srv->address);
		return -EIO;
	}
	return 0;
}

void http_stop(struct http_server *srv)
{
	if (!srv)
		return;
	/* A running daemon owns the listening socket and closes it. */
	if (srv->mhd)
		MHD_stop_daemon(srv->mhd);
	else
		close(srv->fd);
	free(srv);
}

const char *http_address(const struct http_server *srv)
{
	return srv->address;
}
