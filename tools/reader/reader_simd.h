/*
 * reader_simd.h — the scanner's one vector step: where in the next 16 bytes a JSON
 * string's plain run stops (at '"', '\\' or a control byte). SSE2 is part of x86-64,
 * so there it is one compare per kind of byte; elsewhere, bytes one at a time.
 */
#ifndef IMPULSE_READER_SIMD_H
#define IMPULSE_READER_SIMD_H

#include <stdint.h>

#define STR_STEP 16

#ifdef __SSE2__
#include <emmintrin.h>

/* Offset of the first stopping byte in p[0..16), or 16 when there is none. */
static inline unsigned str_stop16(const char *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
	__m128i bslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
	/* v <= 0x1f, unsigned: max(v, 0x1f) == 0x1f */
	__m128i ctl = _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(0x1f)), _mm_set1_epi8(0x1f));
	unsigned mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, bslash), ctl));

	return mask ? (unsigned)__builtin_ctz(mask) : STR_STEP;
}
#else
static inline unsigned str_stop16(const char *p)
{
	for (unsigned i = 0; i < STR_STEP; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '"' || c == '\\' || c < 0x20)
			return i;
	}
	return STR_STEP;
}
#endif

#endif
