// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the BPF program tests; see bpftest.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bpftest.h"

void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

bool bit(const uint8_t *a, int i)
{
	return a[i / 8] >> (7 - i % 8) & 1;
}

static uint64_t rng;

void rnd_seed(uint64_t seed)
{
	rng = seed;
}

uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint32_t rndn(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

void rnd_bytes(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = (uint8_t)rnd();
}

unsigned long env_ul(const char *name, unsigned long def)
{
	const char *s = getenv(name);

	return s && *s ? strtoul(s, NULL, 0) : def;
}

uint64_t env_seed(const char *name)
{
	return env_ul(name, (unsigned long)time(NULL) ^ (unsigned long)getpid() << 16);
}

void hexdump(const uint8_t *f, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		print_error("%02x%s", f[i], (i % 32 == 31 || i + 1 == len) ? "\n" : " ");
}

int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* The verifier log comes at WARN level when a load fails. */
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}
