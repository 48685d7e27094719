/*
 * json.c — validates a JSON object with Jansson and returns its compact text.
 *
 * Metadata is stored as text, not as a json_t, so that the rest of the tracer can
 * copy it into records without holding Jansson objects; this is the only file of
 * config/ that includes jansson.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cfg_internal.h"

/*
 * Parses text[0..len) as one JSON object. On success stores its compact text (owned
 * by the caller, free()) in *out and returns 0. Returns -EINVAL when the text is not
 * a JSON object, with *err_offset set to the 0-based byte offset of the offending
 * place and msg holding Jansson's explanation; -ENOMEM when out of memory.
 */
int cfg_json_compact(const char *text, size_t len, char **out, int *err_offset,
		     char *msg, size_t msgsize)
{
	json_malloc_t jmalloc;
	json_free_t jfree;
	json_error_t jerr;
	json_t *value;
	char *dumped;
	const char *near;
	int toklen;

	*out = NULL;
	*err_offset = 0;
	/*
	 * JSON_REJECT_DUPLICATES: {"a": 1, "a": 2} is a mistake in a config file;
	 * JSON_DISABLE_EOF_CHECK is not set, so trailing garbage is an error too.
	 */
	value = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!value) {
		/*
		 * Jansson's position counts the bytes it read, which ends on the last
		 * byte of the offending token: that byte's 0-based offset is one less.
		 */
		*err_offset = jerr.position > 0 ? jerr.position - 1 : 0;
		/*
		 * When Jansson quotes the token ("invalid token near 'abc'"), point
		 * at its first byte instead of its last.
		 */
		near = strstr(jerr.text, "near '");
		toklen = near ? (int)strlen(near + 6) - 1 : 0;
		if (toklen > 0 && near[6 + toklen] == '\'' && jerr.position >= toklen)
			*err_offset = jerr.position - toklen;
		if ((size_t)*err_offset >= len)
			*err_offset = len ? (int)len - 1 : 0;
		snprintf(msg, msgsize, "%s", jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(value)) {
		json_decref(value);
		snprintf(msg, msgsize, "not a JSON object");
		return -EINVAL;
	}
	dumped = json_dumps(value, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(value);
	if (!dumped)
		return -ENOMEM;
	/*
	 * json_dumps() allocates with Jansson's allocator, which is malloc unless the
	 * program changed it with json_set_alloc_funcs(); copy so that free() is right.
	 */
	*out = strdup(dumped);
	json_get_alloc_funcs(&jmalloc, &jfree);
	jfree(dumped);
	return *out ? 0 : -ENOMEM;
}
