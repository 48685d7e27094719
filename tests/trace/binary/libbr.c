/*
 * libbr.c — calls whose arguments, [out] parameter and output hold secrets, for the
 * redact_pattern test of format = binary (test_binary.py).
 */
#include <string.h>

#include "libbr.h"

int br_put(const char *key, const char *value)
{
	return (int)(strlen(key) + strlen(value));
}

/* An [out] string: only after the call do its bytes hold the secret. */
int br_fill(char *buf, size_t n)
{
	static const char text[] = "user=bob password=OUTPARAMsecret9";

	if (n < sizeof(text))
		return -1;
	memcpy(buf, text, sizeof(text));
	return (int)sizeof(text) - 1;
}

/* A returned string. */
const char *br_token(int which)
{
	return which ? "Authorization: Bearer RETURNEDsecret7" : "none";
}
