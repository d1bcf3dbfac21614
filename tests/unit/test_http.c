// SPDX-License-Identifier: GPL-2.0
/*
 * The HTTP endpoint on loopback: binding starts no thread (the daemon
 * drops its capabilities between the two, and credentials are per
 * thread), starting does, and a real request gets /metrics.
 */
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/time.h>
#include "http.h"
#include "unit.h"

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

/* GET PATH over HTTP/1.0 (the server closes after it); the whole reply. */
static int http_get(int port, const char *path, char *buf, size_t size)
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
	    dprintf(fd, "GET %s HTTP/1.0\r\n\r\n", path) < 0)
		goto out;
	while (got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += n;
out:
	buf[got] = '\0';
	close(fd);
	return got ? 0 : -1;
}

static void test_bind_then_start(void)
{
	struct http_server *srv = NULL;
	char listen[32], reply[4096];
	int port = free_port();

	CHECK(port > 0);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	CHECK(thread_count() == 1);
	CHECK(http_bind(&srv, listen) == 0);
	if (!srv)
		return;
	CHECK(thread_count() == 1);
	CHECK(http_start(srv, render, NULL) == 0);
	CHECK(thread_count() > 1);
	CHECK(http_get(port, "/metrics", reply, sizeof(reply)) == 0);
	CHECK(!strncmp(reply, "HTTP/1.0 200 ", 13) ||
	      !strncmp(reply, "HTTP/1.1 200 ", 13));
	CHECK(strstr(reply, "\r\n\r\n") &&
	      !strcmp(strstr(reply, "\r\n\r\n") + 4, exposition));
	http_stop(srv);
}

UNIT_MAIN("http", UNIT_CASE(test_bind_then_start))
