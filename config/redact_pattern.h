/*
 * redact_pattern.h — the redact_pattern language: parsing a setting's list, and finding
 * the secrets a pattern names in a text.
 *
 * A pattern is a glob matched, ASCII case-insensitively, anywhere inside one line
 * of a text: '*' is any run of characters, '?' one character, '\' makes the next
 * character literal. What is masked:
 *   - a pattern ending in '*' ("Authorization: *", "*password=*", "sk-*") keeps the
 *     text its other characters matched (so a reader sees what was hidden) and
 *     masks everything after it up to the end of the line;
 *   - any other pattern ("hunter2", "AKIA????????????????") masks the text it matched.
 * A leading '*' changes nothing (matching is never anchored). The masked bytes
 * become REDACT_MASK. Lines end at '\n' or '\r', so one header of a block is
 * masked, not those after it.
 */
#ifndef IMPULSE_CONFIG_REDACT_PATTERN_H
#define IMPULSE_CONFIG_REDACT_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

#define REDACT_MASK "[redacted]"
#define REDACT_PATTERN_MAX 256		/* bytes of one pattern */
#define REDACT_PATTERNS_MAX 64		/* patterns in all */

/*
 * Parses text[0..len): "PATTERN", "PATTERN"… (quoted; an unquoted '#' starts a
 * comment) and appends the patterns to *list, newline-separated (a pattern never
 * holds a newline). Returns 0; -EINVAL with msg and *err_offset (the byte of text
 * at fault) set; -ENOMEM.
 */
int redact_parse_list(const char *text, size_t len, char **list, int *err_offset,
		      char *msg, size_t msgsize);

/*
 * The first secret pattern pat[0..plen) names in text[from..n): true with
 * [*start, *end) the bytes to mask.
 */
bool redact_find(const char *pat, size_t plen, const char *text, size_t n, size_t from,
		 size_t *start, size_t *end);

/*
 * For a text that was cut (max_string, max_buffer, a note's 4 KiB): where, in its
 * last line, a secret pattern pat names may have begun and been cut before it could
 * match. True with [*start, n) to mask, the earliest such start at or after from.
 * "KEY=????????????????" cut after "KEY=AB" would otherwise leak "KEY=AB"; a pattern
 * ending in '*' masks only what follows its text, which a cut before that text has
 * not reached, so it never needs this.
 */
bool redact_find_cut(const char *pat, size_t plen, const char *text, size_t n, size_t from,
		     size_t *start);

#endif
