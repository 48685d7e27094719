/* libbr.h — the calls br_main makes for the redact_pattern test of format = binary. */
#ifndef LIBBR_H
#define LIBBR_H

#include <stddef.h>

int br_put(const char *key, const char *value);
int br_fill(char *buf, size_t n);
const char *br_token(int which);

#endif
