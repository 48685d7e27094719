/*
 * bufrender_test.c — unit tests of preload/render/bufrender.c: which buffers show as
 * text, the exact base64 (RFC 4648's test vectors) and hex forms, the truncated
 * object, and a buffer cut inside a UTF-8 character.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "render/bufrender.h"
#include "check.h"
#include "jb_expect.h"

#define PUT(data, n, full, mode) bufrender_put(VALW_JSON_TMP(&b), (data), (n), (full), (mode))
#define B64 CFG_BINARY_BASE64
#define HEX CFG_BINARY_HEX

static void test_base64_vectors(void)
{
	static const char *const want[] = {
		"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy",
	};
	struct jbuf b = { 0 };

	/* RFC 4648 section 10: BASE64("foobar"[0..n)) */
	for (size_t n = 0; n <= 6; n++) {
		bufrender_base64(&b, "foobar", n);
		jb_putc(&b, '\0');
		CHECK(strcmp(b.p, want[n]) == 0, "base64 of %zu bytes of foobar: [%s], expected [%s]",
		      n, b.p, want[n]);
		b.len = 0;
	}
	/* every alphabet character, and both padding cases after a long run */
	{
		static const unsigned char all[] = {
			0x00, 0x10, 0x83, 0x10, 0x51, 0x87, 0x20, 0x92, 0x8b, 0x30, 0xd3, 0x8f,
			0x41, 0x14, 0x93, 0x51, 0x55, 0x97, 0x61, 0x96, 0x9b, 0x71, 0xd7, 0x9f,
			0x82, 0x18, 0xa3, 0x92, 0x59, 0xa7, 0xa2, 0x9a, 0xab, 0xb2, 0xdb, 0xaf,
			0xc3, 0x1c, 0xb3, 0xd3, 0x5d, 0xb7, 0xe3, 0x9e, 0xbb, 0xf3, 0xdf, 0xbf,
		};

		bufrender_base64(&b, all, sizeof(all));
		jb_putc(&b, '\0');
		CHECK(strcmp(b.p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") == 0,
		      "base64 alphabet: [%s]", b.p);
		b.len = 0;
		bufrender_base64(&b, "\xff\xfe", 2);
		jb_putc(&b, '\0');
		CHECK(strcmp(b.p, "//4=") == 0, "base64 of ff fe: [%s]", b.p);
		b.len = 0;
	}
	jb_free(&b);
}

static void test_text(void)
{
	struct jbuf b = { 0 };

	PUT("hello", 5, 5, B64);
	EXPECT_JB(&b, "\"hello\"");
	PUT("", 0, 0, B64);
	EXPECT_JB(&b, "\"\"");
	PUT("a\tb\nc\r\n", 7, 7, HEX);
	EXPECT_JB(&b, "\"a\\tb\\nc\\r\\n\"");
	PUT("say \"hi\" \\", 10, 10, B64);
	EXPECT_JB(&b, "\"say \\\"hi\\\" \\\\\"");
	/* UTF-8: é, €, 😀 */
	PUT("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14, 14, B64);
	EXPECT_JB(&b, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	jb_free(&b);
}

static void test_binary(void)
{
	struct jbuf b = { 0 };

	/* a NUL, a control character, DEL, a C1 control, invalid UTF-8 */
	PUT("ab\0cd", 5, 5, B64);
	EXPECT_JB(&b, "{\"base64\":\"YWIAY2Q=\"}");
	PUT("ab\0cd", 5, 5, HEX);
	EXPECT_JB(&b, "{\"hex\":\"6162006364\"}");
	PUT("\x01", 1, 1, B64);
	EXPECT_JB(&b, "{\"base64\":\"AQ==\"}");
	PUT("a\x7f", 2, 2, HEX);
	EXPECT_JB(&b, "{\"hex\":\"617f\"}");
	PUT("\xc2\x85", 2, 2, HEX);
	EXPECT_JB(&b, "{\"hex\":\"c285\"}");
	PUT("\xc2\xa0", 2, 2, HEX);
	EXPECT_JB(&b, "\"\xc2\xa0\"");
	PUT("\xff\xfe\x00\x01", 4, 4, HEX);
	EXPECT_JB(&b, "{\"hex\":\"fffe0001\"}");
	PUT("\xff\xfe\x00\x01", 4, 4, B64);
	EXPECT_JB(&b, "{\"base64\":\"//4AAQ==\"}");
	PUT("\xc3(", 2, 2, B64);
	EXPECT_JB(&b, "{\"base64\":\"wyg=\"}");
	PUT("\xed\xa0\x80", 3, 3, HEX);		/* a UTF-16 surrogate */
	EXPECT_JB(&b, "{\"hex\":\"eda080\"}");
	PUT("\xc3\xa9", 1, 1, HEX);		/* a complete buffer ending mid-character */
	EXPECT_JB(&b, "{\"hex\":\"c3\"}");
	jb_free(&b);
}

static void test_truncated(void)
{
	struct jbuf b = { 0 };

	PUT("hello world", 5, 11, B64);
	EXPECT_JB(&b, "{\"value\":\"hello\",\"length\":11,\"truncated\":true}");
	PUT("hello", 0, 5, HEX);
	EXPECT_JB(&b, "{\"value\":\"\",\"length\":5,\"truncated\":true}");
	PUT("ab\0cd", 4, 1000, B64);
	EXPECT_JB(&b, "{\"base64\":\"YWIAYw==\",\"length\":1000,\"truncated\":true}");
	PUT("ab\0cd", 4, 1000, HEX);
	EXPECT_JB(&b, "{\"hex\":\"61620063\",\"length\":1000,\"truncated\":true}");
	PUT("x", 1, UINT64_MAX, HEX);
	EXPECT_JB(&b, "{\"value\":\"x\",\"length\":18446744073709551615,\"truncated\":true}");

	/* cut inside a character: the partial sequence is left out of the text */
	PUT("caf\xc3\xa9", 4, 5, B64);
	EXPECT_JB(&b, "{\"value\":\"caf\",\"length\":5,\"truncated\":true}");
	PUT("\xe2\x82\xac\xe2\x82\xac", 5, 6, B64);
	EXPECT_JB(&b, "{\"value\":\"\xe2\x82\xac\",\"length\":6,\"truncated\":true}");
	PUT("a\xf0\x9f\x98\x80", 4, 5, B64);
	EXPECT_JB(&b, "{\"value\":\"a\",\"length\":5,\"truncated\":true}");
	PUT("a\xf0\x9f\x98\x80", 2, 5, B64);
	EXPECT_JB(&b, "{\"value\":\"a\",\"length\":5,\"truncated\":true}");
	/* a complete character at the cut is kept */
	PUT("a\xf0\x9f\x98\x80!", 5, 6, B64);
	EXPECT_JB(&b, "{\"value\":\"a\xf0\x9f\x98\x80\",\"length\":6,\"truncated\":true}");
	/* stray continuation bytes at the cut are not text */
	PUT("ab\x80\x80\x80\x80", 6, 7, HEX);
	EXPECT_JB(&b, "{\"hex\":\"616280808080\",\"length\":7,\"truncated\":true}");
	/* binary content before the cut: every copied byte is shown */
	PUT("\x01\xc3\xa9", 2, 3, HEX);
	EXPECT_JB(&b, "{\"hex\":\"01c3\",\"length\":3,\"truncated\":true}");
	jb_free(&b);
}

static void test_large(void)
{
	struct jbuf b = { 0 };
	size_t n = 100000;
	unsigned char *data = malloc(n);

	if (!data)
		abort();
	for (size_t i = 0; i < n; i++)
		data[i] = (unsigned char)(i * 7);
	bufrender_put(VALW_JSON_TMP(&b), data, n, n, B64);
	CHECK(b.len == strlen("{\"base64\":\"\"}") + (n + 2) / 3 * 4,
	      "base64 of %zu bytes is %zu long", n, b.len);
	b.len = 0;
	bufrender_put(VALW_JSON_TMP(&b), data, n, n, HEX);
	CHECK(b.len == strlen("{\"hex\":\"\"}") + 2 * n, "hex of %zu bytes is %zu long", n, b.len);
	CHECK(!jb_failed(&b), "jb_failed after large buffers");
	free(data);
	jb_free(&b);
}

/* Base64 bit by bit (RFC 4648 section 4), written unlike bufrender's. */
static void ref_base64(char *out, const unsigned char *u, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t bits = 0, o = 0;
	unsigned acc = 0;

	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | u[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[o++] = a[(acc >> bits) & 63];
		}
	}
	if (bits)
		out[o++] = a[(acc << (6 - bits)) & 63];
	while (o % 4)
		out[o++] = '=';
	out[o] = '\0';
}

/* Every 3-byte group (all 2^24), and every length up to 700 of pseudo-random bytes. */
static void test_base64_all_groups(void)
{
	enum { GROUPS = 65536 };
	unsigned char *in = malloc(3 * GROUPS + 700);
	char *want = malloc(4 * GROUPS + 1000);
	struct jbuf b = { 0 };
	unsigned long bad = 0;
	uint32_t x = 12345;

	if (!in || !want)
		abort();
	for (unsigned hi = 0; hi < 256; hi++) {
		for (unsigned g = 0; g < GROUPS; g++) {
			in[3 * g] = (unsigned char)hi;
			in[3 * g + 1] = (unsigned char)(g >> 8);
			in[3 * g + 2] = (unsigned char)g;
		}
		b.len = 0;
		bufrender_base64(&b, in, 3 * GROUPS);
		ref_base64(want, in, 3 * GROUPS);
		if (b.len != 4 * GROUPS || memcmp(b.p, want, b.len) != 0)
			bad++;
	}
	CHECK(bad == 0, "base64 of the 3-byte groups: %lu of 256 runs differ from the reference", bad);
	for (size_t n = 0; n < 700; n++) {
		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			in[i] = (unsigned char)(x >> 16);
		}
		b.len = 0;
		bufrender_base64(&b, in, n);
		ref_base64(want, in, n);
		CHECK(b.len == strlen(want) && memcmp(b.p, want, b.len) == 0,
		      "base64 of %zu random bytes: [%.*s], expected [%s]", n, (int)b.len, b.p, want);
	}
	jb_free(&b);
	free(in);
	free(want);
}

int main(void)
{
	test_base64_vectors();
	test_base64_all_groups();
	test_text();
	test_binary();
	test_truncated();
	test_large();
	return check_summary("bufrender_test");
}
