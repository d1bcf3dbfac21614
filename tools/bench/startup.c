// SPDX-License-Identifier: GPL-2.0
/*
 * startup: time from exec to readiness.
 *
 * Usage: startup [-t SEC] [-g SEC] PREFIX -- COMMAND [ARG...]
 *   Runs COMMAND with its stdout and stderr on one pipe, and prints
 *   "startup_ns=N" (CLOCK_MONOTONIC, from just before fork to the first
 *   line that starts with PREFIX), then SIGINTs the command and waits for
 *   it (SIGKILL if it has not closed its output -g SEC, default 30, later: said on
 *   stderr, the time still counts). Every line the command wrote goes to
 *   our stderr prefixed "| ".
 *   Exit 0 if the line came, 1 if the command ended or -t passed first.
 *
 * startup --now: print CLOCK_MONOTONIC in ns (the storm's stopwatch).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	char buf[65536];
	size_t have = 0;
	long long t0, ready = -1, timeout_ns = 120LL * 1000000000LL;
	long long grace_ns = 30LL * 1000000000LL;
	int killed = 0;
	const char *prefix;
	int fds[2], a = 1, status;
	pid_t pid;

	if (argc == 2 && !strcmp(argv[1], "--now")) {
		printf("%lld\n", now_ns());
		return 0;
	}
	if (a + 1 < argc && !strcmp(argv[a], "-t")) {
		timeout_ns = atoll(argv[a + 1]) * 1000000000LL;
		a += 2;
	}
	if (a + 1 < argc && !strcmp(argv[a], "-g")) {
		grace_ns = atoll(argv[a + 1]) * 1000000000LL;
		a += 2;
	}
	if (a + 2 >= argc || strcmp(argv[a + 1], "--")) {
		fprintf(stderr, "usage: startup [-t SEC] [-g SEC] PREFIX -- COMMAND...\n");
		return 64;
	}
	prefix = argv[a];
	if (pipe(fds))
		return 1;
	t0 = now_ns();
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[a + 2], argv + a + 2);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		long long left;
		ssize_t n;
		char *nl;

		/* Before the line: the timeout; after it: the exit grace. */
		left = ready < 0 ? t0 + timeout_ns - now_ns() :
				   t0 + ready + grace_ns - now_ns();
		if (left <= 0) {
			if (ready < 0 || killed)
				break;
			fprintf(stderr, "startup: %s did not exit %lld s after "
				"SIGINT: SIGKILL\n", argv[a + 2],
				grace_ns / 1000000000LL);
			kill(pid, SIGKILL);
			killed = 1;
			grace_ns += 5LL * 1000000000LL;
			continue;
		}
		if (poll(&pfd, 1, (int)(left / 1000000) + 1) == 0)
			continue;
		n = read(fds[0], buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			break;
		have += n;
		buf[have] = '\0';
		while ((nl = strchr(buf, '\n'))) {
			*nl = '\0';
			fprintf(stderr, "| %s\n", buf);
			if (ready < 0 && !strncmp(buf, prefix, strlen(prefix))) {
				ready = now_ns() - t0;
				kill(pid, SIGINT);
			}
			have -= nl + 1 - buf;
			memmove(buf, nl + 1, have + 1);
		}
		if (have == sizeof(buf) - 1)
			have = 0;
	}
	if (ready < 0)
		kill(pid, SIGKILL);
	close(fds[0]);
	waitpid(pid, &status, 0);
	if (ready < 0) {
		fprintf(stderr, "startup: no line starting '%s'\n", prefix);
		return 1;
	}
	printf("startup_ns=%lld\n", ready);
	return 0;
}
