/*
 * builtins.c — the type names every configuration knows without declaring them,
 * and the hints offered for names it does not know.
 *
 * The ABI facts (sizes, signedness) are those of x86-64 Linux, LP64, glibc.
 */
#include <stdio.h>
#include <string.h>

#include "cfg_internal.h"

/* FILE and DIR: opaque, usable only behind a pointer. size 0 marks them. */
static const struct cfg_builtin builtins[] = {
	{ "size_t", CT_INT, 8, false },     { "ssize_t", CT_INT, 8, true },
	{ "off_t", CT_INT, 8, true },       { "off64_t", CT_INT, 8, true },
	{ "pid_t", CT_INT, 4, true },       { "mode_t", CT_INT, 4, false },
	{ "uid_t", CT_INT, 4, false },      { "gid_t", CT_INT, 4, false },
	{ "time_t", CT_INT, 8, true },      { "socklen_t", CT_INT, 4, false },
	{ "ptrdiff_t", CT_INT, 8, true },   { "intptr_t", CT_INT, 8, true },
	{ "uintptr_t", CT_INT, 8, false },
	{ "int8_t", CT_INT, 1, true },      { "uint8_t", CT_INT, 1, false },
	{ "int16_t", CT_INT, 2, true },     { "uint16_t", CT_INT, 2, false },
	{ "int32_t", CT_INT, 4, true },     { "uint32_t", CT_INT, 4, false },
	{ "int64_t", CT_INT, 8, true },     { "uint64_t", CT_INT, 8, false },
	/* common glibc x86-64 typedefs of man-page prototypes */
	{ "ino_t", CT_INT, 8, false },      { "dev_t", CT_INT, 8, false },
	{ "nlink_t", CT_INT, 8, false },    { "blksize_t", CT_INT, 8, true },
	{ "blkcnt_t", CT_INT, 8, true },    { "clock_t", CT_INT, 8, true },
	{ "clockid_t", CT_INT, 4, true },   { "nfds_t", CT_INT, 8, false },
	{ "useconds_t", CT_INT, 4, false }, { "suseconds_t", CT_INT, 8, true },
	{ "id_t", CT_INT, 4, false },       { "key_t", CT_INT, 4, true },
	{ "wchar_t", CT_INT, 4, true },     { "sa_family_t", CT_INT, 2, false },
	{ "in_port_t", CT_INT, 2, false },  { "in_addr_t", CT_INT, 4, false },
	{ "FILE", CT_POINTER, 0, false },   { "DIR", CT_POINTER, 0, false },
};

/* Specifier keywords, also the first names offered as hints. */
static const char *const keywords[] = {
	"void", "bool", "_Bool", "char", "short", "int", "long", "signed", "unsigned",
	"float", "double", "enum", "struct", "union",
};

/* Spellings from other languages that are not close to their C name. */
static const struct {
	const char *word, *hint;
} aliases[] = {
	{ "uint", "unsigned int" },   { "ulong", "unsigned long" },
	{ "ushort", "unsigned short" }, { "uchar", "unsigned char" },
	{ "string", "const char *" }, { "u8", "uint8_t" },  { "u16", "uint16_t" },
	{ "u32", "uint32_t" },  { "u64", "uint64_t" },  { "i8", "int8_t" },
	{ "i16", "int16_t" },   { "i32", "int32_t" },   { "i64", "int64_t" },
	{ "s8", "int8_t" },     { "s16", "int16_t" },   { "s32", "int32_t" },
	{ "s64", "int64_t" },
};

#define HINT_MAX 32	/* longest word a hint is searched for */

const struct cfg_builtin *cfg_builtin_find(const struct cfg_token *tok)
{
	size_t i;

	for (i = 0; i < CFG_ARRAY_SIZE(builtins); i++)
		if (cfg_tok_is(tok, builtins[i].name))
			return &builtins[i];
	return NULL;
}

bool cfg_is_type_keyword(const struct cfg_token *tok)
{
	size_t i;

	for (i = 0; i < CFG_ARRAY_SIZE(keywords); i++)
		if (cfg_tok_is(tok, keywords[i]))
			return true;
	return false;
}

/* Levenshtein distance between a[0..la) and the NUL-terminated b, capped at HINT_MAX. */
static int distance(const char *a, int la, const char *b)
{
	int lb = strlen(b), i, j;
	int row[HINT_MAX + 1], prev, diag;

	if (la > HINT_MAX || lb > HINT_MAX)
		return HINT_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			prev = row[j];
			row[j] = diag + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (prev + 1 < row[j])
				row[j] = prev + 1;
			diag = prev;
		}
	}
	return row[lb];
}

/*
 * The distance from a word to a known name, where a typedef's "_t" may be left out
 * ("int33" is one edit from "int32_t", not three): people forget the suffix.
 */
static int name_distance(const struct cfg_token *tok, const char *name)
{
	char stem[HINT_MAX + 1];
	int d = distance(tok->text, tok->len, name);
	size_t n = strlen(name);

	if (n > 2 && n <= HINT_MAX && !strcmp(name + n - 2, "_t")) {
		memcpy(stem, name, n - 2);
		stem[n - 2] = '\0';
		if (distance(tok->text, tok->len, stem) < d)
			d = distance(tok->text, tok->len, stem);
	}
	return d;
}

/* A hint for an unknown type name: the closest known name, or NULL. */
static const char *closest_name(const struct cfg_parser *p, const struct cfg_token *tok)
{
	const char *best = NULL;
	int best_d = tok->len <= 5 ? 2 : 3;	/* only hint what is likely a typo: d < best_d */
	size_t i;
	int d, j;

	for (i = 0; i < CFG_ARRAY_SIZE(aliases); i++)
		if (cfg_tok_is(tok, aliases[i].word))
			return aliases[i].hint;
	for (i = 0; i < CFG_ARRAY_SIZE(keywords); i++) {
		d = name_distance(tok, keywords[i]);
		if (d < best_d) {
			best = keywords[i];
			best_d = d;
		}
	}
	for (i = 0; i < CFG_ARRAY_SIZE(builtins); i++) {
		d = name_distance(tok, builtins[i].name);
		if (d < best_d) {
			best = builtins[i].name;
			best_d = d;
		}
	}
	for (j = 0; j < p->out->ntypedefs; j++) {
		d = name_distance(tok, p->out->typedefs[j]->name);
		if (d < best_d) {
			best = p->out->typedefs[j]->name;
			best_d = d;
		}
	}
	return best;
}

int cfg_unknown_type(struct cfg_parser *p, const struct cfg_token *tok)
{
	const char *hint = closest_name(p, tok);

	if (hint)
		return cfg_tok_error(p, tok, "unknown type '%.*s' (did you mean '%s'?)",
				     CFG_SHOW(tok), hint);
	if (tok->len > 2 && !memcmp(tok->text + tok->len - 2, "_t", 2))
		return cfg_tok_error(p, tok,
				     "unknown type '%.*s' (not a built-in typedef: write the C type it stands for)",
				     CFG_SHOW(tok));
	return cfg_tok_error(p, tok,
			     "unknown type '%.*s' (declare it first, e.g. 'typedef struct %.*s %.*s;')",
			     CFG_SHOW(tok), CFG_SHOW(tok), CFG_SHOW(tok));
}
