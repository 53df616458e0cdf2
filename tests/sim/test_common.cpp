// sim/common: the strict JSON reader and the error kinds every format relies on.
#include <doctest/doctest.h>

#include <string>

#include "sim/common/error.h"
#include "sim/common/json_reader.h"

using namespace sp;

TEST_SUITE("common") {

TEST_CASE("SP_ASSERT throws InternalError with file, line and condition") {
  try {
    SP_ASSERT(1 + 1 == 3, "arithmetic");
    FAIL("SP_ASSERT did not throw");
  } catch (const InternalError& e) {
    const std::string what = e.what();
    CHECK(what.find("test_common.cpp:") != std::string::npos);
    CHECK(what.find("assertion '1 + 1 == 3' failed: arithmetic") != std::string::npos);
  }
  CHECK_NOTHROW(SP_ASSERT(true, "never"));
}

TEST_CASE("message_quote keeps a message on one line and short") {
  CHECK(message_quote("plain") == "plain");
  CHECK(message_quote("a\nb\r\tc\x1b") == "a\\nb\\r\\tc\\x1b");
  CHECK(message_quote(std::string(100, 'x'), 10) == std::string(10, 'x') + "...");
  // A cut never ends inside a UTF-8 sequence: "é" is two bytes.
  CHECK(message_quote("aé", 2) == "a...");
  CHECK(message_quote("héllo", 100) == "héllo");
}

TEST_CASE("a repeated key is an error naming its JSON pointer") {
  CHECK_THROWS_WITH_AS(json_parse_text(R"({"a": {"b": 1, "b": 2}})", "f.json"),
                       "f.json: /a/b: duplicate key (JSON readers disagree on which one wins); keep one", InputError);
  CHECK_THROWS_WITH_AS(json_parse_text(R"({"l": [{"x": 1}, {"y": 1, "y": 2}]})", "f.json"),
                       "f.json: /l/1/y: duplicate key (JSON readers disagree on which one wins); keep one", InputError);
  // The same key in sibling objects is fine.
  CHECK_NOTHROW(json_parse_text(R"({"a": {"k": 1}, "b": {"k": 1}, "c": [{"k": 1}, {"k": 2}]})", "f.json"));
}

TEST_CASE("nesting and size are bounded") {
  const std::string deep = std::string(70, '[') + std::string(70, ']');
  CHECK_THROWS_WITH_AS(json_parse_text(deep, "d.json"),
                       doctest::Contains("d.json: /0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/"), InputError);
  const std::string ok = std::string(kJsonMaxDepth, '[') + std::string(kJsonMaxDepth, ']');
  CHECK_NOTHROW(json_parse_text(ok, "ok.json"));
  const std::string big(kJsonMaxBytes + 1, ' ');
  CHECK_THROWS_WITH_AS(json_parse_text(big, "big.json"),
                       "big.json: 67108865 bytes is larger than the 64 MiB a JSON input may have", InputError);
}

TEST_CASE("a number beyond a double is malformed JSON with its position") {
  CHECK_THROWS_WITH_AS(json_parse_text("{\n  \"x\": 1e400\n}", "n.json"),
                       "n.json:2:8: malformed JSON: number overflow: '1e400' is beyond the range of a double",
                       InputError);
}

TEST_CASE("ObjectReader: ranges, pointers with escaped keys, extensions") {
  const json j = json_parse_text(R"({"a/b": {"n": -1}, "big": 18446744073709551615, "f": 1e30, "x-note": 1})", "r.json");
  ObjectReader r(j, "r.json");
  ObjectReader inner = r.object("a/b");
  CHECK_THROWS_WITH_AS(inner.integer("n", 0, 10), "r.json: /a~1b/n: expected an integer in [0, 10], found -1",
                       InputError);
  CHECK_THROWS_WITH_AS(r.integer("big", 1, 1024),
                       "r.json: /big: expected an integer in [1, 1024], found 18446744073709551615", InputError);
  CHECK_THROWS_WITH_AS(r.integer("f", 1, 1024), "r.json: /f: expected an integer in [1, 1024], found 1e+30",
                       InputError);
  CHECK_THROWS_WITH_AS(r.number("f", 0, 1e6), "r.json: /f: expected a number in [0, 1000000], found 1e+30",
                       InputError);
  CHECK(json_pointer_token("a~b/c") == "a~0b~1c");
  // "x-note" is an extension: finish() lets it through although nobody read it.
  CHECK_NOTHROW(r.finish());
  const json k = json_parse_text(R"({"known": 1, "typo": 2})", "k.json");
  ObjectReader rk(k, "k.json");
  rk.integer("known", 0, 5);
  CHECK_THROWS_WITH_AS(rk.finish(), "k.json: /typo: unknown key (known keys here: known; extensions start with x-)",
                       InputError);
}

TEST_CASE("a string quoted in a message is escaped and cut") {
  const json j = json_parse_text("{\"s\": \"line1\\nline2\"}", "s.json");
  ObjectReader r(j, "s.json");
  CHECK_THROWS_WITH_AS(r.number("s", 0, 1), "s.json: /s: expected a number in [0, 1], found the string \"line1\\nline2\"",
                       InputError);
}

}  // TEST_SUITE
