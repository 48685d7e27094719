/*
 * valw_test.c — unit tests of the value writer (preload/render/valw.h) and its two back
 * ends: the same sequence of calls is rendered as JSON, compared with the exact
 * text, and as BSON, compared with libbson's canonical extended JSON of the
 * document (and, for strings, the exact bytes read back with bson_iter). The
 * renderers that write through it (display, bufrender, fmtscan, status) are run
 * through the BSON back end too. The JSON writer's own output is the file
 * logger's: the trace tests check it stays byte for byte what it was.
 *
 * The preload code reaches libbson through vwb_api (dlopen); this test also links
 * libbson, for bson_as_canonical_extended_json and bson_iter.
 */
#include <bson/bson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/bufrender.h"
#include "check.h"
#include "render/display.h"
#include "hooks/fmtscan.h"
#include "render/fmt_value.h"
#include "jb_expect.h"
#include "render/status.h"
#include "render/valw.h"
#include "render/valw_bson.h"

/* ---- helpers ---- */

typedef void (*writer_fn)(struct valw *w);

/* fn's output as JSON must be want. */
#define EXPECT_JSON(fn, want)						\
	do {								\
		struct jbuf b_ = { 0 };					\
		struct valw w_ = valw_json(&b_);			\
		(fn)(&w_);						\
		EXPECT_JB(&b_, (want));					\
		jb_free(&b_);						\
	} while (0)

/* fn's output as BSON, in canonical extended JSON, must be want; ok: the writer's verdict. */
static void expect_bson(writer_fn fn, const char *want, bool ok, const char *file, int line)
{
	struct valw_bson b;
	struct valw w = valw_bson(&b);
	bson_t doc;
	char *got;
	int err;

	bson_init(&doc);
	valw_bson_init(&b, &doc);
	fn(&w);
	err = valw_bson_done(&b);
	checks_run++;
	if ((err == 0) != ok)
		check_fail(file, line, "valw_bson_done returned %d", err);
	got = bson_as_canonical_extended_json(&doc, NULL);
	checks_run++;
	if (!got || strcmp(got, want))
		check_fail(file, line, "BSON is\n    %s\nexpected\n    %s", got ? got : "(null)", want);
	bson_free(got);
	bson_destroy(&doc);
}

#define EXPECT_BSON(fn, want) expect_bson((fn), (want), true, __FILE__, __LINE__)
#define EXPECT_BSON_FAILED(fn, want) expect_bson((fn), (want), false, __FILE__, __LINE__)

/* Runs fn into a fresh document and gives its bytes (caller frees with bson_destroy). */
static void render_bson(writer_fn fn, bson_t *doc)
{
	struct valw_bson b;
	struct valw w = valw_bson(&b);

	bson_init(doc);
	valw_bson_init(&b, doc);
	fn(&w);
	CHECK(valw_bson_done(&b) == 0, "render_bson: incomplete document");
}

/* ---- nested containers, keys, null and booleans ---- */

static void write_nested(struct valw *w)
{
	vw_begin_object(w);
	vw_klit(w, "a");
	vw_begin_object(w);
	vw_klit(w, "b");
	vw_begin_array(w);
	vw_elem(w);
	vw_i64(w, 1);
	vw_elem(w);
	vw_i64(w, -2);
	vw_elem(w);
	vw_begin_object(w);
	vw_klit(w, "c");
	vw_null(w);
	vw_end_object(w);
	vw_elem(w);
	vw_begin_array(w);
	vw_end_array(w);
	vw_end_array(w);
	vw_klit(w, "t");
	vw_bool(w, true);
	vw_key(w, "f", 1);
	vw_bool(w, false);
	vw_end_object(w);
	vw_key_cstr(w, "empty");
	vw_begin_object(w);
	vw_end_object(w);
	vw_klit(w, "after");
	vw_alit(w, "x");
	vw_end_object(w);
}

static void test_nested(void)
{
	EXPECT_JSON(write_nested,
		    "{\"a\":{\"b\":[1,-2,{\"c\":null},[]],\"t\":true,\"f\":false},\"empty\":{},\"after\":\"x\"}");
	EXPECT_BSON(write_nested,
		    "{ \"a\" : { \"b\" : [ { \"$numberLong\" : \"1\" }, { \"$numberLong\" : \"-2\" }, "
		    "{ \"c\" : null }, [  ] ], \"t\" : true, \"f\" : false }, \"empty\" : {  }, "
		    "\"after\" : \"x\" }");
}

/* ---- integers ---- */

static void write_integers(struct valw *w)
{
	vw_begin_object(w);
	vw_klit(w, "i");
	vw_begin_array(w);
	vw_elem(w);
	vw_i64(w, 0);
	vw_elem(w);
	vw_i64(w, INT64_MIN);
	vw_elem(w);
	vw_i64(w, INT64_MAX);
	vw_end_array(w);
	vw_klit(w, "u");
	vw_begin_array(w);
	vw_elem(w);
	vw_u64(w, 0);
	vw_elem(w);
	vw_u64(w, INT64_MAX);
	vw_elem(w);
	vw_u64(w, (uint64_t)INT64_MAX + 1);
	vw_elem(w);
	vw_u64(w, UINT64_MAX);
	vw_end_array(w);
	vw_klit(w, "ns");
	vw_ns(w, UINT64_C(1795479297034401931));
	vw_end_object(w);
}

static void test_integers(void)
{
	EXPECT_JSON(write_integers,
		    "{\"i\":[0,-9223372036854775808,9223372036854775807],"
		    "\"u\":[0,9223372036854775807,9223372036854775808,18446744073709551615],"
		    "\"ns\":1795479297034401931}");
	/* Above INT64_MAX: Decimal128, exact. */
	EXPECT_BSON(write_integers,
		    "{ \"i\" : [ { \"$numberLong\" : \"0\" }, { \"$numberLong\" : \"-9223372036854775808\" }, "
		    "{ \"$numberLong\" : \"9223372036854775807\" } ], "
		    "\"u\" : [ { \"$numberLong\" : \"0\" }, { \"$numberLong\" : \"9223372036854775807\" }, "
		    "{ \"$numberDecimal\" : \"9223372036854775808\" }, "
		    "{ \"$numberDecimal\" : \"18446744073709551615\" } ], "
		    "\"ns\" : { \"$numberLong\" : \"1795479297034401931\" } }");
}

/* ---- doubles, NaN and infinities ---- */

static void write_doubles(struct valw *w)
{
	vw_begin_array(w);
	vw_elem(w);
	vw_double(w, 1.5);
	vw_elem(w);
	vw_double(w, -0.25);
	vw_elem(w);
	vw_double(w, 1e300);
	vw_elem(w);
	vw_double(w, 0.1);
	vw_elem(w);
	vw_double(w, NAN);
	vw_elem(w);
	vw_double(w, INFINITY);
	vw_elem(w);
	vw_double(w, -INFINITY);
	vw_elem(w);
	vw_seconds(w, 12345);
	vw_end_array(w);
}

static void test_doubles(void)
{
	EXPECT_JSON(write_doubles,
		    "[1.5,-0.25,1e+300,0.1,\"nan\",\"inf\",\"-inf\",0.000012345]");
	/* A top-level array is a document with keys "0", "1", … in BSON; libbson shows
	 * doubles with 20 significant digits. */
	EXPECT_BSON(write_doubles,
		    "{ \"0\" : { \"$numberDouble\" : \"1.5\" }, \"1\" : { \"$numberDouble\" : \"-0.25\" }, "
		    "\"2\" : { \"$numberDouble\" : \"1.0000000000000000525e+300\" }, "
		    "\"3\" : { \"$numberDouble\" : \"0.10000000000000000555\" }, "
		    "\"4\" : { \"$numberDouble\" : \"NaN\" }, \"5\" : { \"$numberDouble\" : \"Infinity\" }, "
		    "\"6\" : { \"$numberDouble\" : \"-Infinity\" }, "
		    "\"7\" : { \"$numberDouble\" : \"1.2344999999999999542e-05\" } }");
}

/* ---- strings: unicode, escapes, invalid UTF-8, NUL ---- */

static const struct {
	const char *in;
	size_t n;
	const char *json;	/* what the JSON writer writes */
	const char *text;	/* what a reader gets: the BSON string's bytes */
	size_t text_n;
} strings[] = {
	{ "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80", 15, "\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\"",
	  "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80", 15 },
	{ "a\"b\\c\n\t\r", 8, "\"a\\\"b\\\\c\\n\\t\\r\"", "a\"b\\c\n\t\r", 8 },
	{ "\x01\x1f", 2, "\"\\u0001\\u001f\"", "\x01\x1f", 2 },
	{ "a\0b", 3, "\"a\\u0000b\"", "a\0b", 3 },
	{ "\xff\xfe", 2, "\"\\\\xff\\\\xfe\"", "\\xff\\xfe", 8 },
	{ "ok\xc3", 3, "\"ok\\\\xc3\"", "ok\\xc3", 6 },
	{ "\xed\xa0\x80z", 4, "\"\\\\xed\\\\xa0\\\\x80z\"", "\\xed\\xa0\\x80z", 13 },	/* a surrogate */
	{ "\xc0\xaf", 2, "\"\\\\xc0\\\\xaf\"", "\\xc0\\xaf", 8 },	/* overlong */
	{ "", 0, "\"\"", "", 0 },
};

static size_t string_case;

static void write_one_string(struct valw *w)
{
	vw_begin_object(w);
	vw_klit(w, "s");
	vw_string(w, strings[string_case].in, strings[string_case].n);
	vw_end_object(w);
}

static void test_strings(void)
{
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		struct jbuf b = { 0 };
		struct valw w = valw_json(&b);
		bson_t doc;
		bson_iter_t it;
		const char *got;
		uint32_t len = 0;

		string_case = i;
		vw_string(&w, strings[i].in, strings[i].n);
		if (memchr(strings[i].in, 0, strings[i].n)) {
			/* \u0000: JSON, but Jansson's reader refuses it by default. */
			CHECK(b.len == strlen(strings[i].json) && !memcmp(b.p, strings[i].json, b.len),
			      "string %zu: wrote [%.*s]", i, (int)b.len, b.p);
		} else {
			EXPECT_JB(&b, strings[i].json);
		}
		jb_free(&b);

		render_bson(write_one_string, &doc);
		CHECK(bson_iter_init_find(&it, &doc, "s") && BSON_ITER_HOLDS_UTF8(&it),
		      "string %zu: no utf8 \"s\"", i);
		got = bson_iter_utf8(&it, &len);
		CHECK(got && len == strings[i].text_n && !memcmp(got, strings[i].text, len),
		      "string %zu: BSON has %u bytes [%.*s], expected %zu", i, len, (int)len,
		      got ? got : "", strings[i].text_n);
		CHECK(bson_utf8_validate(got, len, true), "string %zu: BSON string is not UTF-8", i);
		bson_destroy(&doc);
	}
}

/* ---- dates, addresses, ASCII ---- */

static void write_dates(struct valw *w)
{
	vw_begin_object(w);
	vw_klit(w, "epoch");
	vw_date(w, 0);
	vw_klit(w, "t");
	vw_date(w, UINT64_C(1795479297034401931));
	vw_klit(w, "addr");
	vw_hex(w, UINT64_C(0x7ffc1234abcd));
	vw_klit(w, "max");
	vw_hex(w, UINT64_MAX);
	vw_klit(w, "zero");
	vw_hex(w, 0);
	vw_end_object(w);
}

static void test_dates_and_addresses(void)
{
	EXPECT_JSON(write_dates,
		    "{\"epoch\":\"1970-01-01T00:00:00.000000Z\",\"t\":\"2026-11-24T00:14:57.034401Z\","
		    "\"addr\":\"0x7ffc1234abcd\",\"max\":\"0xffffffffffffffff\",\"zero\":\"0x0\"}");
	/* BSON dates are milliseconds: the nanoseconds go in the _ns fields beside them. */
	EXPECT_BSON(write_dates,
		    "{ \"epoch\" : { \"$date\" : { \"$numberLong\" : \"0\" } }, "
		    "\"t\" : { \"$date\" : { \"$numberLong\" : \"1795479297034\" } }, "
		    "\"addr\" : \"0x7ffc1234abcd\", \"max\" : \"0xffffffffffffffff\", \"zero\" : \"0x0\" }");
}

/* ---- buffers (bufrender): text, binary, truncated ---- */

static void write_buffers(struct valw *w)
{
	static const unsigned char bin[] = { 0, 1, 2, 0xff };

	vw_begin_object(w);
	vw_klit(w, "text");
	bufrender_put(w, "hi\n", 3, 3, CFG_BINARY_BASE64);
	vw_klit(w, "cut");
	bufrender_put(w, "hello", 5, 9, CFG_BINARY_BASE64);
	vw_klit(w, "b64");
	bufrender_put(w, bin, 4, 4, CFG_BINARY_BASE64);
	vw_klit(w, "hex");
	bufrender_put(w, bin, 4, 10, CFG_BINARY_HEX);
	vw_end_object(w);
}

static void test_buffers(void)
{
	EXPECT_JSON(write_buffers,
		    "{\"text\":\"hi\\n\",\"cut\":{\"value\":\"hello\",\"length\":9,\"truncated\":true},"
		    "\"b64\":{\"base64\":\"AAEC/w==\"},"
		    "\"hex\":{\"hex\":\"000102ff\",\"length\":10,\"truncated\":true}}");
	/* Not text: BSON binary, subtype 0, under "binary" whatever the binary setting. */
	EXPECT_BSON(write_buffers,
		    "{ \"text\" : \"hi\\n\", \"cut\" : { \"value\" : \"hello\", \"length\" : "
		    "{ \"$numberLong\" : \"9\" }, \"truncated\" : true }, "
		    "\"b64\" : { \"binary\" : { \"$binary\" : { \"base64\" : \"AAEC/w==\", \"subType\" : \"00\" } } }, "
		    "\"hex\" : { \"binary\" : { \"$binary\" : { \"base64\" : \"AAEC/w==\", \"subType\" : \"00\" } }, "
		    "\"length\" : { \"$numberLong\" : \"10\" }, \"truncated\" : true } }");
}

/* ---- raw JSON: metadata and impulse_log_json payloads ---- */

static void write_raw(struct valw *w)
{
	static const char obj[] = "{\"user\":\"abc\",\"n\":[1,2.5,true,null],\"big\":12345678901}";

	vw_begin_object(w);
	vw_klit(w, "obj");
	vw_raw_json(w, obj, sizeof(obj) - 1);
	vw_klit(w, "num");
	vw_raw_json(w, "42", 2);
	vw_klit(w, "str");
	vw_raw_json(w, "\"x\"", 3);
	vw_klit(w, "arr");
	vw_begin_array(w);
	vw_elem(w);
	vw_raw_json(w, "[]", 2);
	vw_elem(w);
	vw_raw_json(w, "{\"$date\":\"soon\"}", 16);	/* libbson's extended JSON: refused */
	vw_elem(w);
	vw_i64(w, 7);
	vw_end_array(w);
	vw_end_object(w);
}

static void test_raw_json(void)
{
	EXPECT_JSON(write_raw,
		    "{\"obj\":{\"user\":\"abc\",\"n\":[1,2.5,true,null],\"big\":12345678901},"
		    "\"num\":42,\"str\":\"x\",\"arr\":[[],{\"$date\":\"soon\"},7]}");
	/* The user's JSON as libbson reads it: int32 when it fits; text it refuses stays text. */
	EXPECT_BSON(write_raw,
		    "{ \"obj\" : { \"user\" : \"abc\", \"n\" : [ { \"$numberInt\" : \"1\" }, "
		    "{ \"$numberDouble\" : \"2.5\" }, true, null ], "
		    "\"big\" : { \"$numberLong\" : \"12345678901\" } }, "
		    "\"num\" : { \"$numberInt\" : \"42\" }, \"str\" : \"x\", "
		    "\"arr\" : [ [  ], \"{\\\"$date\\\":\\\"soon\\\"}\", { \"$numberLong\" : \"7\" } ] }");
}

/* ---- limits and misuse: never a crash, and the verdict says so ---- */

static void write_too_deep(struct valw *w)
{
	vw_begin_object(w);
	vw_klit(w, "deep");
	for (int i = 0; i < VWB_MAX_DEPTH + 10; i++) {
		if (i)
			vw_elem(w);
		vw_begin_array(w);
	}
	vw_elem(w);
	vw_i64(w, 1);
	for (int i = 0; i < VWB_MAX_DEPTH + 10; i++)
		vw_end_array(w);
	vw_klit(w, "next");
	vw_i64(w, 2);
	vw_end_object(w);
}

static void test_too_deep(void)
{
	struct jbuf want = { 0 };
	char *text;

	/* The document is complete up to the limit, a null there, and goes on after. */
	jb_lit(&want, "{ \"deep\" : ");
	for (int i = 1; i < VWB_MAX_DEPTH; i++)
		jb_lit(&want, "[ ");
	jb_lit(&want, "null");
	for (int i = 1; i < VWB_MAX_DEPTH; i++)
		jb_lit(&want, " ]");
	jb_lit(&want, ", \"next\" : { \"$numberLong\" : \"2\" } }");
	jb_putc(&want, '\0');
	text = want.p;
	/* Nothing was lost but what was too deep: the writer does not call it failed. */
	expect_bson(write_too_deep, text, true, __FILE__, __LINE__);
	jb_free(&want);
}

static void write_value_without_key(struct valw *w)
{
	vw_begin_object(w);
	vw_i64(w, 1);		/* no key: dropped */
	vw_klit(w, "k");
	vw_i64(w, 2);
	vw_end_object(w);
}

static void test_misuse(void)
{
	EXPECT_BSON_FAILED(write_value_without_key, "{ \"k\" : { \"$numberLong\" : \"2\" } }");
}

/* ---- the renderers, through BSON ---- */

static const struct cfg_enumerator seek_items[] = {
	{ .name = (char *)"SEEK_SET", .value = 0 }, { .name = (char *)"SEEK_END", .value = 2 },
};
static const struct cfg_enum seek_enum = { .name = (char *)"whence", .items = (struct cfg_enumerator *)seek_items, .nitems = 2 };
static const struct cfg_enumerator open_items[] = {
	{ .name = (char *)"O_RDONLY", .value = 0, .mask = 3 }, { .name = (char *)"O_WRONLY", .value = 1, .mask = 3 },
	{ .name = (char *)"O_CREAT", .value = 0100 },
};
static const struct cfg_enum open_flags = { .name = (char *)"oflags", .items = (struct cfg_enumerator *)open_items, .nitems = 3,
					    .is_flags = true };

static void write_display(struct valw *w)
{
	struct cfg_type i32 = { .kind = CT_INT, .size = 4, .align = 4, .is_signed = true };
	struct cfg_type u64 = { .kind = CT_INT, .size = 8, .align = 8 };
	struct cfg_type hex = { .kind = CT_INT, .size = 4, .align = 4, .display = CD_HEX };
	struct cfg_type oct = { .kind = CT_INT, .size = 4, .align = 4, .display = CD_OCT };
	struct cfg_type chr = { .kind = CT_INT, .size = 1, .align = 1, .is_signed = true, .display = CD_CHAR };
	struct cfg_type en = { .kind = CT_INT, .size = 4, .align = 4, .is_signed = true, .display = CD_ENUM,
			       .names = (struct cfg_enum *)&seek_enum };
	struct cfg_type fl = { .kind = CT_INT, .size = 4, .align = 4, .display = CD_FLAGS,
			       .names = (struct cfg_enum *)&open_flags };
	struct cfg_type bl = { .kind = CT_BOOL, .size = 1, .align = 1 };
	struct cfg_type fl32 = { .kind = CT_FLOAT, .size = 4, .align = 4 };
	struct cfg_type dbl = { .kind = CT_DOUBLE, .size = 8, .align = 8 };
	struct cfg_type ld = { .kind = CT_LONG_DOUBLE, .size = 16, .align = 16 };
	struct cfg_type ptr = { .kind = CT_POINTER, .size = 8, .align = 8 };
	float f = 0.5f;
	uint32_t fbits;
	double d = -2.75;
	uint64_t dbits;
	struct fmt_conv pc = { .arg = FA_INT, .size = 1, .spec = 'c' };
	struct fmt_conv lld = { .arg = FA_INT, .size = 8, .is_signed = true, .spec = 'd' };

	memcpy(&fbits, &f, 4);
	memcpy(&dbits, &d, 8);
	vw_begin_array(w);
	vw_elem(w);
	display_put(w, &i32, 0xffffffffu);
	vw_elem(w);
	display_put(w, &u64, UINT64_MAX);
	vw_elem(w);
	display_put(w, &hex, 0x1f);
	vw_elem(w);
	display_put(w, &oct, 0644);
	vw_elem(w);
	display_put(w, &chr, '\n');
	vw_elem(w);
	display_put(w, &en, 2);
	vw_elem(w);
	display_put(w, &en, 7);
	vw_elem(w);
	display_put(w, &fl, 0101 | 0x80000);
	vw_elem(w);
	display_put(w, &bl, 1);
	vw_elem(w);
	display_put(w, &fl32, fbits);
	vw_elem(w);
	display_put(w, &dbl, dbits);
	vw_elem(w);
	display_put(w, &ld, 0);
	vw_elem(w);
	display_put(w, &ptr, 0);
	vw_elem(w);
	display_put(w, &ptr, 0x1000);
	vw_elem(w);
	fmt_put_value(w, &pc, 'A');
	vw_elem(w);
	fmt_put_value(w, &lld, (uint64_t)-5);
	vw_end_array(w);
}

static void test_display(void)
{
	EXPECT_JSON(write_display,
		    "[-1,18446744073709551615,\"0x1f\",\"0644\",\"\\\\n\",\"SEEK_END\",7,"
		    "\"O_WRONLY|O_CREAT|0x80000\",true,0.5,-2.75,{\"unsupported\":\"long double\"},"
		    "null,\"0x1000\",\"A\",-5]");
	EXPECT_BSON(write_display,
		    "{ \"0\" : { \"$numberLong\" : \"-1\" }, \"1\" : { \"$numberDecimal\" : \"18446744073709551615\" }, "
		    "\"2\" : \"0x1f\", \"3\" : \"0644\", \"4\" : \"\\\\n\", \"5\" : \"SEEK_END\", "
		    "\"6\" : { \"$numberLong\" : \"7\" }, \"7\" : \"O_WRONLY|O_CREAT|0x80000\", \"8\" : true, "
		    "\"9\" : { \"$numberDouble\" : \"0.5\" }, \"10\" : { \"$numberDouble\" : \"-2.75\" }, "
		    "\"11\" : { \"unsupported\" : \"long double\" }, \"12\" : null, \"13\" : \"0x1000\", "
		    "\"14\" : \"A\", \"15\" : { \"$numberLong\" : \"-5\" } }");
}

static void write_exception(struct valw *w)
{
	struct cfg_hook h = { .ret = { .kind = CT_INT, .size = 4, .align = 4, .is_signed = true } };

	h.error.errno_source = CE_ERRNO;
	vw_begin_object(w);
	vw_klit(w, "exception");
	status_put_exception(w, &h, 0xffffffffu, 2);
	h.error.errno_source = CE_NONE;
	vw_klit(w, "returned");
	status_put_exception(w, &h, 0xffffffffu, 0);
	vw_end_object(w);
}

static void test_exception(void)
{
	EXPECT_JSON(write_exception,
		    "{\"exception\":\"ENOENT: No such file or directory\",\"returned\":\"returned -1\"}");
	EXPECT_BSON(write_exception,
		    "{ \"exception\" : \"ENOENT: No such file or directory\", \"returned\" : \"returned -1\" }");
}

int main(void)
{
	if (valw_bson_load()) {
		printf("cannot load libbson\n");
		return 1;
	}
	test_nested();
	test_integers();
	test_doubles();
	test_strings();
	test_dates_and_addresses();
	test_buffers();
	test_raw_json();
	test_too_deep();
	test_misuse();
	test_display();
	test_exception();
	return check_summary("valw_test");
}
