/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the BPF program tests (test_*.c here) share: big-endian byte
 * access, a seedable random source for the runs against a model, and
 * the plumbing around libbpf and cmocka. Include after <cmocka.h>.
 */
#ifndef XNIC_BPFTEST_H
#define XNIC_BPFTEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bpf/libbpf.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

void put16(uint8_t *p, uint16_t v);
void put32(uint8_t *p, uint32_t v);
uint16_t get16(const uint8_t *p);
uint32_t get32(const uint8_t *p);

/* Bit i of a big-endian bit string (0 = the first byte's top bit). */
bool bit(const uint8_t *a, int i);

/* splitmix64: small, seedable, good enough to pick bytes. */
void rnd_seed(uint64_t seed);
uint64_t rnd(void);
uint32_t rndn(uint32_t n);
void rnd_bytes(uint8_t *p, size_t n);

/* A seed from the environment variable name, else from time and pid. */
uint64_t env_seed(const char *name);
unsigned long env_ul(const char *name, unsigned long def);

/* Through cmocka's print_error, 32 bytes a line. */
void hexdump(const uint8_t *f, size_t len);

/* libbpf print callback: everything but debug, so a verifier log shows. */
int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap);

#endif /* XNIC_BPFTEST_H */
