/*
 * libdemo.h — a toy "LLM pipeline" for the libimpulse demo: a prompt is tokenized,
 * a worker thread fetches a context document meanwhile, and candidate answers are
 * scored at a few temperatures. Deterministic: the same prompt gives the same output.
 */
#ifndef LIBDEMO_H
#define LIBDEMO_H

#include <stddef.h>

/*
 * Runs the pipeline on prompt, producing at most max_tokens tokens. Returns how
 * many tokens the answer has, or -1 when the worker thread cannot be started.
 */
int pipeline_run(const char *prompt, int max_tokens);

/* The prompt's words, lower-cased and joined by '|'. Returns a malloc'd string or NULL. */
char *tokenize(const char *text);

/* A relevance score in [0, 1) of text, flattened towards 0.5 as temperature grows. */
double score(const char *text, double temperature);

/*
 * Copies document doc_id of the built-in corpus into out (NUL-terminated, cut to
 * outlen). Returns its length, or -1 for an unknown doc_id.
 */
int fetch_context(int doc_id, char *out, size_t outlen);

#endif
