/*
 * demo_app.c — the program `make demo` traces: two prompts through the toy pipeline
 * in libdemo.so, then two direct calls into it.
 *
 * Built with include/impulse.h and nothing else of libimpulse, it prints the same
 * lines and exits with the same status whether or not libimpulse is preloaded;
 * only the records differ.
 */
#include <stdio.h>
#include <stdlib.h>

#include "impulse.h"
#include "libdemo.h"

int main(void)
{
	static const char *const prompts[] = {
		"What does a call tracer record?",
		"Explain LD_PRELOAD in one line.",
	};
	const char *greeting = "Hello, traced world";
	char *tokens;

	/* Outside any hooked call: the note goes to the process's root record. */
	impulse_log("demo_app: starting");
	for (size_t i = 0; i < sizeof(prompts) / sizeof(prompts[0]); i++) {
		int n = pipeline_run(prompts[i], 12);

		if (n < 0) {
			fprintf(stderr, "demo_app: the pipeline failed on prompt %zu\n", i + 1);
			return 1;
		}
		printf("prompt %zu: \"%s\" -> %d tokens\n", i + 1, prompts[i], n);
	}
	tokens = tokenize(greeting);
	printf("tokenize(\"%s\") = \"%s\"\n", greeting, tokens ? tokens : "");
	printf("score(\"%s\", 0.5) = %.3f\n", greeting, score(greeting, 0.5));
	free(tokens);
	return 0;
}
