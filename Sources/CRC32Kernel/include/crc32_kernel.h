#ifndef HOOKCTL_CRC32_KERNEL_H
#define HOOKCTL_CRC32_KERNEL_H

#include <stddef.h>
#include <stdint.h>

/// CRC-32 (ISO-HDLC, as in ZIP and zlib) of `length` bytes at `bytes`, continuing from `crc` (0 to start).
uint32_t hookctl_crc32(uint32_t crc, const uint8_t *bytes, size_t length);

/// The CRC-32 of `a + b`, given the CRC-32 of `a`, that of `b` and the length of `b` (zlib's `crc32_combine`).
uint32_t hookctl_crc32_combine(uint32_t crc1, uint32_t crc2, int64_t length2);

#endif
