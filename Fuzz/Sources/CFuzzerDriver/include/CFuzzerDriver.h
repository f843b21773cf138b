#ifndef CFUZZERDRIVER_H
#define CFUZZERDRIVER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry for programs with their own main (compiler-rt FuzzerInterface.h).
/// SwiftPM links every executable with `main` bound to the module's own entry point,
/// so libFuzzer's main is never pulled in; the targets call this instead.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
