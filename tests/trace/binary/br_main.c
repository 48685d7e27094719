/*
 * br_main.c — secrets in every place a record shows a string, for the redact_pattern
 * test of format = binary (test_binary.py): string arguments (one over two lines), an
 * [out] parameter, a returned string, impulse_log text and JSON notes whose strings
 * carry escapes. Prints what the calls returned, for the untraced comparison.
 */
#include <stdio.h>

#include "impulse.h"
#include "libbr.h"

int main(void)
{
	char buf[64];

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("put %d\n", br_put("api", "sk-ARGsecret11"));
	printf("put %d\n", br_put("header", "X-A: 1\nAuthorization: Basic TWOLINEsecret3\nX-B: 2"));
	printf("fill %d\n", br_fill(buf, sizeof(buf)));
	printf("token %s\n", br_token(1));
	printf("token %s\n", br_token(0));
	impulse_log("note sk-NOTEsecret5 end");
	impulse_log_json("{\"k\\u00e9y\":\"caf\\u00e9 sk-ESCsecret\\u00e98\",\"multi\":\"a\\nAuthorization: "
			 "ESCLINEsecret6\\nb\",\"q\":\"\\\"sk-QUOTEsecret4\\\"\"}");
	return 0;
}
