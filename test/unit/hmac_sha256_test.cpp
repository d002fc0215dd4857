// SHA-256 against the FIPS 180 examples and HMAC-SHA-256 against the test
// cases of RFC 4231 (section 4), which back the pseudonymised child key.
#include <gtest/gtest.h>

#include <string>

#include "access/hmac_sha256.hpp"

using namespace npda;

namespace {

std::string bytes_of_hex(const std::string &hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

}  // namespace

TEST(Sha256, FipsExamples) {
    EXPECT_EQ(to_hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(to_hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(to_hex(sha256(std::string(1000000, 'a'))),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalEqualsOneShot) {
    const std::string text = "The quick brown fox jumps over the lazy dog, again and again and again and again.";
    for (std::size_t split = 0; split <= text.size(); ++split) {
        Sha256 h;
        h.update(text.data(), split);
        h.update(text.data() + split, text.size() - split);
        EXPECT_EQ(h.finish(), sha256(text)) << split;
    }
    // Lengths around the padding boundary (55, 56, 63, 64 bytes).
    for (std::size_t n : {55u, 56u, 57u, 63u, 64u, 65u, 119u, 120u}) {
        const std::string s(n, 'x');
        Sha256 h;
        for (char c : s) h.update(&c, 1);
        EXPECT_EQ(h.finish(), sha256(s)) << n;
    }
}

struct Rfc4231Case {
    const char *name;
    std::string key;
    std::string data;
    const char *expected;  // full HMAC-SHA-256 unless truncated
    std::size_t hex_chars;
};

TEST(HmacSha256, Rfc4231) {
    const Rfc4231Case cases[] = {
        {"4.2", std::string(20, '\x0b'), "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
         64},
        {"4.3", "Jefe", "what do ya want for nothing?",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", 64},
        {"4.4", std::string(20, '\xaa'), std::string(50, '\xdd'),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe", 64},
        {"4.5", bytes_of_hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), std::string(50, '\xcd'),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b", 64},
        {"4.6 (truncated to 128 bits)", std::string(20, '\x0c'), "Test With Truncation",
         "a3b6167473100ee06e0c796c2955552b", 32},
        {"4.7", std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", 64},
        {"4.8", std::string(131, '\xaa'),
         "This is a test using a larger than block-size key and a larger than block-size data. "
         "The key needs to be hashed before being used by the HMAC algorithm.",
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2", 64},
    };
    for (const auto &c : cases)
        EXPECT_EQ(to_hex(hmac_sha256(c.key, c.data)).substr(0, c.hex_chars), c.expected) << "RFC 4231 " << c.name;
}

TEST(HmacSha256, KeyMatters) {
    EXPECT_NE(hmac_sha256("secret one", "N9990001234"), hmac_sha256("secret two", "N9990001234"));
    EXPECT_EQ(hmac_sha256("secret one", "N9990001234"), hmac_sha256("secret one", "N9990001234"));
    EXPECT_EQ(to_hex(hmac_sha256("", "")), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}
