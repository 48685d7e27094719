/*
 * redact.c — masks what redact_pattern names in every string the logger writes.
 *
 * Installed as valw_redact (valw.h), so the one place each back end writes a
 * string value, JSON text or BSON, goes through it; off (a NULL pointer, one
 * predictable branch per string) when no pattern is set. Logger side only: the
 * allocation a match costs is never on the program's hot path.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "render/redact.h"
#include "render/valw.h"
#include "redact_pattern.h"

struct pattern {
	const char *text;
	size_t len;
};

static struct pattern patterns[REDACT_PATTERNS_MAX];
static size_t npatterns;

/*
 * valw_redact: s itself when nothing matched; else a masked copy (in *owned). cut:
 * s is the start of a longer text, so a secret may begin in its last line and go on
 * past its end: that beginning is masked too (patterns match the whole value; only
 * the copied part can be shown, so the mask covers what may be a cut secret).
 */
static const char *redact_string(const char *s, size_t n, bool cut, size_t *out_n, char **owned)
{
	const size_t mask = sizeof(REDACT_MASK) - 1;
	char *cur = NULL;

	*owned = NULL;
	*out_n = n;
	for (size_t i = 0; i < npatterns; i++) {
		size_t pos = 0, start, end;

		while (redact_find(patterns[i].text, patterns[i].len, cur ? cur : s, n, pos, &start, &end)) {
			const char *src = cur ? cur : s;
			char *next = malloc(n - (end - start) + mask + 1);

			if (!next) {
				/* Never let the secret out for want of memory: hide all of it. */
				free(cur);
				*out_n = mask;
				return REDACT_MASK;
			}
			memcpy(next, src, start);
			memcpy(next + start, REDACT_MASK, mask);
			memcpy(next + start + mask, src + end, n - end);
			n = n - (end - start) + mask;
			next[n] = '\0';
			free(cur);
			cur = next;
			pos = start + mask;
		}
	}
	for (size_t i = 0; cut && i < npatterns; i++) {
		const char *src = cur ? cur : s;
		size_t start;
		char *next;

		if (!redact_find_cut(patterns[i].text, patterns[i].len, src, n, 0, &start))
			continue;
		next = malloc(start + mask + 1);
		if (!next) {
			free(cur);
			*out_n = mask;
			return REDACT_MASK;
		}
		memcpy(next, src, start);
		memcpy(next + start, REDACT_MASK, mask);
		n = start + mask;
		next[n] = '\0';
		free(cur);
		cur = next;
	}
	*out_n = n;
	*owned = cur;
	return cur ? cur : s;
}

void redact_setup(const char *list)
{
	npatterns = 0;
	for (const char *p = list; p && *p && npatterns < REDACT_PATTERNS_MAX;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		patterns[npatterns++] = (struct pattern){ p, len };
		p += len + (nl != NULL);
	}
	valw_redact = npatterns ? redact_string : NULL;
}

bool redact_can_fill(void)
{
	for (size_t i = 0; i < npatterns; i++) {
		const struct pattern *p = &patterns[i];
		size_t slashes = 0;

		if (!p->len || p->text[p->len - 1] != '*')
			return false;
		/* "\\*" ends in a literal '*': an odd run of '\' before it escapes it */
		while (slashes + 1 < p->len && p->text[p->len - 2 - slashes] == '\\')
			slashes++;
		if (slashes % 2)
			return false;
	}
	return true;
}

size_t redact_fill(char *s, size_t n)
{
	size_t filled = 0;

	/* The order and the restart point are redact_string()'s: a later pattern sees
	 * the earlier ones' fill where it would see their mask. */
	for (size_t i = 0; i < npatterns; i++) {
		size_t pos = 0, start, end;

		while (pos <= n && redact_find(patterns[i].text, patterns[i].len, s, n, pos, &start, &end)) {
			memset(s + start, REDACT_FILL, end - start);
			filled++;
			/* nothing after the text at the end of a line: step on, as the
			 * mask redact_string() inserts there does */
			pos = end > pos ? end : pos + 1;
		}
	}
	return filled;
}

void redact_json(json_t *v)
{
	const char *key;
	json_t *item;
	size_t i;

	if (!npatterns || !v)
		return;
	switch (json_typeof(v)) {
	case JSON_STRING: {
		char *owned;
		size_t n;
		const char *s = redact_string(json_string_value(v), json_string_length(v), false, &n, &owned);

		if (s != json_string_value(v))
			json_string_setn(v, s, n);
		free(owned);
		break;
	}
	case JSON_OBJECT: {
		/* A key can hold a secret too ({"sk-…": 1}): masked keys replace theirs,
		 * after the walk (the object is not changed while it is iterated). */
		json_t *renamed = NULL, *gone = NULL;

		json_object_foreach(v, key, item) {
			char *owned;
			size_t n;
			const char *k = redact_string(key, strlen(key), false, &n, &owned);

			redact_json(item);
			if (k == key)
				continue;
			if (!renamed) {
				renamed = json_object();
				gone = json_array();
			}
			json_array_append_new(gone, json_string(key));
			/* out of memory for the masked key: the member is dropped, never kept */
			if (owned && renamed)
				json_object_setn(renamed, k, n, item);
			free(owned);
		}
		json_array_foreach(gone, i, item)
			json_object_del(v, json_string_value(item));
		if (renamed)
			json_object_update(v, renamed);
		json_decref(renamed);
		json_decref(gone);
		break;
	}
	case JSON_ARRAY:
		json_array_foreach(v, i, item)
			redact_json(item);
		break;
	default:
		break;
	}
}

char *redact_json_text(const char *json)
{
	json_error_t err;
	json_t *v;
	char *text;

	if (!npatterns || !json)
		return NULL;
	v = json_loads(json, JSON_DECODE_ANY, &err);
	if (!v)
		return NULL;
	redact_json(v);
	text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(v);
	return text;
}

/* *json masked in place: replaced by its masked text, or freed and NULL. */
static void mask_owned(char **json)
{
	char *masked;

	if (!*json)
		return;
	masked = redact_json_text(*json);
	free(*json);
	*json = masked;
}

void redact_config_metadata(struct cfg *cfg)
{
	if (!npatterns)
		return;
	mask_owned(&cfg->settings.tracer_metadata);
	mask_owned(&cfg->settings.session_metadata);
	for (int i = 0; i < cfg->nhooks; i++)
		mask_owned(&cfg->hooks[i].metadata_json);
	for (int i = 0; i < cfg->nprotos; i++)
		mask_owned(&cfg->protos[i].metadata_json);
}
