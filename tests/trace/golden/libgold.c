/* libgold: the values the golden test renders; no logic to speak of. */
#include "libgold.h"

int8_t gold_i8(int8_t a, int8_t b) { return (int8_t)(a ^ b); }
uint8_t gold_u8(uint8_t a, uint8_t b) { return (uint8_t)(a ^ b); }
int16_t gold_i16(int16_t a, int16_t b) { return (int16_t)(a ^ b); }
uint16_t gold_u16(uint16_t a, uint16_t b) { return (uint16_t)(a ^ b); }
int32_t gold_i32(int32_t a, int32_t b) { return a ^ b; }
uint32_t gold_u32(uint32_t a, uint32_t b) { return a ^ b; }
int64_t gold_i64(int64_t a, int64_t b) { return a ^ b; }
uint64_t gold_u64(uint64_t a, uint64_t b) { return a ^ b; }
double gold_f64(double a) { return a; }
float gold_f32(float a) { return a; }
unsigned gold_hex(unsigned a) { return a; }
unsigned long gold_id(unsigned long a) { return a; }
