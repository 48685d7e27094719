/*
 * libdemo.c — the toy LLM pipeline behind the demo (see libdemo.h).
 *
 * It speaks to libimpulse through include/impulse.h only: its notes land in the
 * trace of the hooked call they are made in when the tracer is preloaded, and cost
 * a null test when it is not. It never prints: the program decides what to show.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impulse.h"
#include "libdemo.h"

static const char *const corpus[] = {
	"A call tracer records arguments, results and timing.",
	"LD_PRELOAD loads a library first: its symbols win.",
	"JSON Lines: one JSON object per line, easy to append.",
	"Temperature flattens scores: every answer gets likelier.",
};

#define NDOCS ((int)(sizeof(corpus) / sizeof(corpus[0])))

int fetch_context(int doc_id, char *out, size_t outlen)
{
	size_t len;

	if (doc_id < 0 || doc_id >= NDOCS) {
		impulse_logf("no document %d", doc_id);
		return -1;
	}
	len = strlen(corpus[doc_id]);
	snprintf(out, outlen, "%s", corpus[doc_id]);
	impulse_logf("document %d: %zu bytes", doc_id, len);
	return (int)len;
}

char *tokenize(const char *text)
{
	char *tokens = malloc(strlen(text) + 1), *p = tokens;

	if (!tokens)
		return NULL;
	/* Words are runs of letters and digits; everything else separates them. */
	for (const char *s = text; *s; s++) {
		if (isalnum((unsigned char)*s))
			*p++ = (char)tolower((unsigned char)*s);
		else if (p > tokens && p[-1] != '|')
			*p++ = '|';
	}
	if (p > tokens && p[-1] == '|')
		p--;
	*p = '\0';
	return tokens;
}

double score(const char *text, double temperature)
{
	uint32_t h = 2166136261u;	/* FNV-1a: a stable stand-in for a model */

	for (const char *s = text; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return 0.5 + ((h % 1000) / 1000.0 - 0.5) / (1.0 + temperature);
}

struct retrieval {
	int doc_id;		/* in: which document */
	char text[160];		/* out: the document */
	int len;		/* out: fetch_context()'s result */
};

static void *retrieve(void *arg)
{
	struct retrieval *r = arg;

	/* Named here rather than by the creator, so that it has its name before its first call. */
	pthread_setname_np(pthread_self(), "retriever");
	r->len = fetch_context(r->doc_id, r->text, sizeof(r->text));
	return NULL;
}

/* The document sharing the most words of four letters or more with the prompt. */
static int pick_document(const char *prompt)
{
	int best = 0, best_hits = -1;

	for (int d = 0; d < NDOCS; d++) {
		const char *s = prompt;
		int hits = 0;

		while (*s) {
			char word[32];
			size_t n = 0;

			while (*s && !isalnum((unsigned char)*s))
				s++;
			while (isalnum((unsigned char)*s) || *s == '_') {
				if (n < sizeof(word) - 1)
					word[n++] = *s;
				s++;
			}
			word[n] = '\0';
			hits += n >= 4 && strcasestr(corpus[d], word);
		}
		if (hits > best_hits) {
			best = d;
			best_hits = hits;
		}
	}
	return best;
}

int pipeline_run(const char *prompt, int max_tokens)
{
	static const double temperatures[] = { 0.2, 0.7, 1.5 };
	struct retrieval r = { .doc_id = 0 };
	size_t prompt_len = strlen(prompt);
	double best_score = -1.0, best_temp = 0.0;
	char note[128], *tokens;
	pthread_t worker;
	int ntokens = 0;

	impulse_logf("prompt of %zu bytes, at most %d tokens", prompt_len, max_tokens);
	/* Retrieval runs beside tokenization, as a real pipeline would overlap I/O. */
	r.doc_id = pick_document(prompt);
	if (pthread_create(&worker, NULL, retrieve, &r))
		return -1;
	tokens = tokenize(prompt);
	pthread_join(worker, NULL);
	if (!tokens || r.len < 0) {
		free(tokens);
		return -1;
	}
	for (size_t i = 0; i < sizeof(temperatures) / sizeof(temperatures[0]); i++) {
		double s = score(r.text, temperatures[i]);

		if (s > best_score) {
			best_score = s;
			best_temp = temperatures[i];
		}
	}
	for (const char *t = tokens; *t; t++)
		ntokens += *t == '|';
	ntokens += tokens[0] != '\0';
	free(tokens);
	snprintf(note, sizeof(note), "{\"doc_id\": %d, \"temperature\": %.1f, \"score\": %.3f}",
		 r.doc_id, best_temp, best_score);
	impulse_log_json(note);
	ntokens += r.len / 16;
	return ntokens < max_tokens ? ntokens : max_tokens;
}
