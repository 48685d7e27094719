/*
 * gold_main: calls each libgold function with fixed values (extremes, digit-count
 * boundaries, signs, short and long doubles), in a fixed order, so that the test
 * can give the exact text of every record's arguments and output. Prints nothing.
 */
#include <math.h>
#include <stdint.h>

#include "libgold.h"

static volatile uint64_t sink;

int main(void)
{
	static const int64_t i64s[] = { 0, 1, -1, 9, 10, -10, 99, 100, 12345, -12345,
					INT64_MAX, INT64_MIN, 999999999999999999, 1000000000000000000 };
	static const double f64s[] = { 0.0, -0.0, 0.5, -3.25, 100, 1e15, 1e-5, 0.0001, 0.1,
					1.0 / 3, 1e300, 123456.789, -2.5e-7, 4503599627370496.5 };

	sink += (uint64_t)gold_i8(INT8_MIN, INT8_MAX);
	sink += gold_u8(0, UINT8_MAX);
	sink += (uint64_t)gold_i16(INT16_MIN, -1);
	sink += gold_u16(UINT16_MAX, 10);
	sink += (uint64_t)gold_i32(INT32_MIN, INT32_MAX);
	sink += gold_u32(UINT32_MAX, 1000000000);
	for (unsigned i = 0; i < sizeof(i64s) / sizeof(i64s[0]); i++)
		sink += (uint64_t)gold_i64(i64s[i], -i64s[i]);
	sink += gold_u64(UINT64_MAX, 10000000000000000000u);
	for (unsigned i = 0; i < sizeof(f64s) / sizeof(f64s[0]); i++)
		sink += (uint64_t)gold_f64(f64s[i]);
	sink += (uint64_t)gold_f32(0.1f);
	sink += (uint64_t)gold_f32(-1.5f);
	sink += gold_hex(0x1f);
	sink += gold_id(0xfedcba9876543210ul);
	return 0;
}
