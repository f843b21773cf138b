// C shims for what Swift cannot import directly: _GNU_SOURCE-only calls
// (epoll, eventfd, timerfd, signalfd, recvmmsg, sendmmsg) and OpenSSL macros.
#ifndef CSHIMS_H
#define CSHIMS_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/signalfd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <time.h>
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>

/// Current errno, readable from Swift without touching the thread-local macro.
int cshims_errno(void);

/// Monotonic clock in nanoseconds (CLOCK_MONOTONIC); never the wall clock.
uint64_t cshims_monotonic_ns(void);

#endif
