// SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104), for the pseudonymised
// child key: key = HMAC-SHA-256(secret, identifier). Pure C++, no PostgreSQL
// headers; checked against the FIPS 180 examples and the RFC 4231 vectors.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "no_postgres.hpp"

namespace npda {

using Sha256Digest = std::array<std::uint8_t, 32>;

// Incremental SHA-256: update() any number of times, then finish() once.
class Sha256 {
public:
    Sha256();
    void update(const void *data, std::size_t len);
    Sha256Digest finish();

private:
    void compress(const std::uint8_t *block);
    std::array<std::uint32_t, 8> state_;
    std::array<std::uint8_t, 64> buffer_{};
    std::size_t buffered_ = 0;
    std::uint64_t total_bytes_ = 0;
};

Sha256Digest sha256(std::string_view data);

// HMAC-SHA-256 of `message` under `key` (any length: keys longer than the
// 64-byte block are hashed first, as RFC 2104 prescribes).
Sha256Digest hmac_sha256(std::string_view key, std::string_view message);

// Lower-case hexadecimal of a digest (64 characters).
std::string to_hex(const Sha256Digest &digest);

}  // namespace npda
