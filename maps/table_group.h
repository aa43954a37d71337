/*
 * table_group.h: the table's control-byte groups (maps/table.c): which of TABLE_GROUP consecutive
 * control bytes match a key's tag, and which are empty, found in a few instructions without a
 * branch per byte (the idea of Abseil's Swiss tables).
 *
 * A control byte is 0 for an empty slot and 0x80 | tag for a full one (tag: 7 bits of the key's
 * hash), so memory that comes zeroed is an empty table.  A mask has one bit per byte of the group,
 * lowest byte lowest; table_group_index turns its lowest set bit into the byte's position.  Two
 * implementations: SSE2 (16 bytes: one compare and one movemask), used wherever the compiler
 * targets SSE2 (every x86-64), and one 64-bit word (8 bytes, the classic has-zero-byte trick),
 * used elsewhere.  Both are always compiled where they can be, so tests/test_table.c checks each
 * against a byte-at-a-time loop on x86-64, the word version included.
 */
#ifndef MAPBENCH_TABLE_GROUP_H
#define MAPBENCH_TABLE_GROUP_H

#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define TABLE_CTRL_FULL 0x80u

/* The control byte of a full slot whose key hashed to `hash`: its top 7 bits, and the full bit. */
static inline uint8_t table_ctrl_of(uint64_t hash)
{
    return (uint8_t)(TABLE_CTRL_FULL | (hash >> 57));
}

/* ---- one 64-bit word: 8 control bytes, one mask bit per byte at the byte's top (bit 8i + 7) ---- */

#define TABLE_WORD_LSB 0x0101010101010101ULL
#define TABLE_WORD_MSB 0x8080808080808080ULL

static inline uint64_t table_word_load(const uint8_t *at)
{
    uint64_t word;
    memcpy(&word, at, sizeof word); /* unaligned, little-endian assumed as on every target here */
    return word;
}

/* Bytes equal to ctrl (a full byte), and possibly a byte above a true match (the borrow of the
 * has-zero-byte trick): callers compare keys anyway, so a false match only costs a compare. */
static inline uint64_t table_word_match(const uint8_t *at, uint8_t ctrl)
{
    uint64_t x = table_word_load(at) ^ (TABLE_WORD_LSB * ctrl);
    return (x - TABLE_WORD_LSB) & ~x & TABLE_WORD_MSB;
}

static inline uint64_t table_word_empty(const uint8_t *at)
{
    return ~table_word_load(at) & TABLE_WORD_MSB;
}

static inline unsigned table_word_index(uint64_t mask)
{
    return (unsigned)__builtin_ctzll(mask) >> 3;
}

/* ---- SSE2: 16 control bytes, mask bit i for byte i ---- */

#ifdef __SSE2__
static inline uint64_t table_sse2_match(const uint8_t *at, uint8_t ctrl)
{
    __m128i group = _mm_loadu_si128((const __m128i *)(const void *)at);
    return (uint64_t)_mm_movemask_epi8(_mm_cmpeq_epi8(group, _mm_set1_epi8((char)ctrl)));
}

static inline uint64_t table_sse2_empty(const uint8_t *at)
{
    __m128i group = _mm_loadu_si128((const __m128i *)(const void *)at);
    return (uint64_t)_mm_movemask_epi8(group) ^ 0xffffu; /* full bytes have their top bit set */
}

static inline unsigned table_sse2_index(uint64_t mask)
{
    return (unsigned)__builtin_ctzll(mask);
}

#define TABLE_GROUP 16 /* control bytes one group compares */
#define table_group_match table_sse2_match
#define table_group_empty table_sse2_empty
#define table_group_index table_sse2_index
#else
#define TABLE_GROUP 8
#define table_group_match table_word_match
#define table_group_empty table_word_empty
#define table_group_index table_word_index
#endif

#endif
