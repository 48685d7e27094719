/*
 * reader_unit.c — the record scanner's edges that are easier to state in C than
 * through files: record_str_unescape()'s lengths and truncation, surrogates, \u0000,
 * escaped keys, record_str_eq(), nesting limits, numbers at the edge of int64, the
 * RFC 3339 fallback, and a missing field per required field. Run by test_reader.py.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "reader.h"

/* A minimal record; %s is spliced at the end of payload (so its keys come later and win). */
#define REC_FMT "{\"payload\":{\"function\":{\"name\":\"f\"},\"trace_module\":{\"tracer_id\":\"t\"," \
	"\"session_id\":\"s\",\"thread_id\":\"g\",\"hook_id\":\"h\"},\"call_id\":\"c\",\"status\":\"success\"," \
	"\"timestamps\":{\"start_ns\":1,\"end_ns\":2},\"stack_trace\":{\"parents\":[]}%s}}"

static int parse(const char *text, struct record *rec, struct reader_error *err)
{
	memset(err, 0, sizeof(*err));
	return record_parse(text, strlen(text), rec, err);
}

static int parse_with(const char *splice, struct record *rec, struct reader_error *err)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), REC_FMT, splice);
	return parse(buf, rec, err);
}

static void test_unescape(void)
{
	struct record rec;
	struct reader_error err;
	char out[64];
	size_t n;

	CHECK(!parse_with(",\"exception\":\"a\\u00e9\\ud83d\\ude00\\u0000z\\n\\/\\\"\"", &rec, &err),
	      "parse: %s", err.text);
	CHECK(rec.exception.escaped, "escaped flag");
	n = record_str_unescape(&rec.exception, out, sizeof(out));
	CHECK(n == 1 + 2 + 4 + 1 + 1 + 3 && !memcmp(out, "a\xc3\xa9\xf0\x9f\x98\x80\0z\n/\"", n) &&
	      out[n] == 0, "unescape gave %zu bytes", n);
	/* truncation: the whole length back, a NUL-terminated prefix written */
	memset(out, 'X', sizeof(out));
	CHECK(record_str_unescape(&rec.exception, out, 4) == n && out[3] == 0 && !memcmp(out, "a\xc3\xa9", 3),
	      "truncated to 4");
	CHECK(record_str_unescape(&rec.exception, NULL, 0) == n, "size 0");
	/* a lone surrogate becomes U+FFFD */
	CHECK(!parse_with(",\"exception\":\"\\ud800x\"", &rec, &err), "lone: %s", err.text);
	n = record_str_unescape(&rec.exception, out, sizeof(out));
	CHECK(n == 4 && !memcmp(out, "\xef\xbf\xbdx", 4), "lone surrogate: %zu", n);
	/* absent / null */
	CHECK(!parse_with(",\"exception\":null", &rec, &err) && !rec.exception.ptr, "null");
	CHECK(record_str_unescape(&rec.exception, out, sizeof(out)) == 0 && !out[0], "null unescapes to \"\"");
	/* zero-copy: a plain string points into the line */
	CHECK(!rec.call_id.escaped && rec.call_id.len == 1 && rec.call_id.ptr[0] == 'c', "zero copy");
	CHECK(record_str_eq(&rec.status, "success") && !record_str_eq(&rec.status, "succes"), "eq");
	CHECK(rec.status_code == RECORD_SUCCESS && !rec.is_root && rec.pid == -1, "defaults");
}

static void test_keys_and_values(void)
{
	struct record rec;
	struct reader_error err;
	char buf[4096];

	/* an escaped key is its decoded name; the later of two equal keys wins */
	snprintf(buf, sizeof(buf), "{\"payload\":{\"function\":{\"name\":\"f\"},\"trace_module\":{"
		 "\"tracer_id\":\"t\",\"session_id\":\"s\",\"thread_id\":\"g\",\"hook\\u005fid\":\"h\"},"
		 "\"call_id\":\"c\",\"status\":\"success\",\"timestamps\":{\"start_ns\":1,\"end_ns\":2},"
		 "\"stack_trace\":{\"parents\":[]}}}");
	CHECK(!parse(buf, &rec, &err) && record_str_eq(&rec.hook_id, "h"), "escaped key: %s", err.text);
	CHECK(!parse_with(",\"call_id\":\"first\"", &rec, &err) && record_str_eq(&rec.call_id, "first"),
	      "the later call_id wins: %s", err.text);
	/* int64 edges */
	CHECK(!parse_with(",\"process\":{\"pid\":9223372036854775807,\"tid\":-9223372036854775808}",
			  &rec, &err) && rec.pid == INT64_MAX && rec.tid == INT64_MIN, "int64 edges: %s", err.text);
	CHECK(parse_with(",\"process\":{\"pid\":9223372036854775808}", &rec, &err) &&
	      strstr(err.text, "64 bits"), "past int64: %s", err.text);
	CHECK(parse_with(",\"process\":{\"pid\":01}", &rec, &err) && strstr(err.text, "leading zero"),
	      "leading zero: %s", err.text);
	CHECK(parse_with(",\"x\":01", &rec, &err), "leading zero skipped: %s", err.text);
	CHECK(parse_with(",\"x\":1.", &rec, &err) && parse_with(",\"x\":-", &rec, &err) &&
	      parse_with(",\"x\":1e", &rec, &err) && parse_with(",\"x\":tru", &rec, &err) &&
	      parse_with(",\"x\":[1,]", &rec, &err) && parse_with(",\"x\":{\"a\"}", &rec, &err),
	      "bad values are refused");
	CHECK(!parse_with(",\"x\":[-0.5e+10,1E-3,true,false,null,{},[],\"\",{\"a\":[{}]}]", &rec, &err),
	      "good values: %s", err.text);
	/* roots and parents */
	CHECK(!parse_with(",\"trace_id\":\"abc\",\"stack_trace\":{\"parents\":[{\"call_id\":\"p1\"},"
			  "{\"fn_name\":\"x\",\"call_id\":\"p2\"}],\"children\":[1, 2]}", &rec, &err) &&
	      rec.is_root && rec.depth == 2 && record_str_eq(&rec.parent_id, "p2") &&
	      rec.children.len == 6, "parents: %s", err.text);
	/* the RFC 3339 fallback: 2026-11-23T21:58:48.123456Z */
	snprintf(buf, sizeof(buf), "{\"payload\":{\"function\":{\"name\":\"f\"},\"trace_module\":{"
		 "\"tracer_id\":\"t\",\"session_id\":\"s\",\"thread_id\":\"g\",\"hook_id\":\"h\"},"
		 "\"call_id\":\"c\",\"status\":\"odd\",\"timestamps\":{\"start\":\"2026-11-23T21:58:48.123456Z\","
		 "\"end\":\"1970-01-01T00:00:01Z\"},\"stack_trace\":{\"parents\":[]}}}");
	CHECK(!parse(buf, &rec, &err) && rec.start_ns == 1795471128123456000LL &&
	      rec.end_ns == 1000000000LL && rec.status_code == RECORD_STATUS_OTHER,
	      "rfc3339: %s %lld %lld", err.text, (long long)rec.start_ns, (long long)rec.end_ns);
}

static void test_required(void)
{
	static const char *const fields[] = {
		"\"tracer_id\"", "\"session_id\"", "\"thread_id\"", "\"hook_id\"", "\"name\"",
		"\"call_id\"", "\"status\"", "\"parents\"", "\"start_ns\"", "\"end_ns\"",
	};
	struct record rec;
	struct reader_error err;
	char buf[4096], *at;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		snprintf(buf, sizeof(buf), REC_FMT, "");
		at = strstr(buf, fields[i]);
		at[1] = 'X';	/* renamed: an unknown key now */
		CHECK(parse(buf, &rec, &err) == -EINVAL && strstr(err.text, "missing"),
		      "without %s: %s", fields[i], err.text);
	}
}

static void test_nesting(void)
{
	struct record rec;
	struct reader_error err;
	size_t depth[] = { 500, 600 };

	for (int k = 0; k < 2; k++) {
		size_t n = depth[k], len = 0;
		char *mid = malloc(2 * n + 16), *buf = malloc(2 * n + 4096);

		len += (size_t)sprintf(mid, ",\"x\":");
		memset(mid + len, '[', n);
		memset(mid + len + n, ']', n);
		mid[len + 2 * n] = '\0';
		snprintf(buf, 2 * n + 4096, REC_FMT, mid);
		if (n < 510)
			CHECK(!parse(buf, &rec, &err), "%zu levels: %s", n, err.text);
		else
			CHECK(parse(buf, &rec, &err) && strstr(err.text, "nested deeper"),
			      "%zu levels: %s", n, err.text);
		free(buf);
		free(mid);
	}
}

int main(void)
{
	test_unescape();
	test_keys_and_values();
	test_required();
	test_nesting();
	return check_summary("reader_unit");
}
