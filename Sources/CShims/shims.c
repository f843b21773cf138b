#define _GNU_SOURCE
#include "CShims.h"

int cshims_errno(void) { return errno; }

uint64_t cshims_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
