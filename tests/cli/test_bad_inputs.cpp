// The table of bad inputs (tests/bad_inputs/cases.json): every format and command, each case
// asserting its exit code and its one-line message. The table, not this file, grows.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/cli/run_cli.h"

using sp::test::lines;
using sp::test::run;

namespace {

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) s.replace(pos, from.size(), to);
  return s;
}

const char* prefix_for(int code) {
  switch (code) {
    case 1: return "shardplan: infeasible: ";
    case 2: return "shardplan: error: ";
    case 3: return "shardplan: internal error: ";
  }
  return "";
}

}  // namespace

TEST_SUITE("bad_inputs") {

TEST_CASE("every bad input gets its exit code and one clear line") {
  const std::filesystem::path dir = std::filesystem::path(SHARDPLAN_SOURCE_DIR) / "tests" / "bad_inputs";
  std::ifstream in(dir / "cases.json");
  REQUIRE(in);
  const auto doc = nlohmann::json::parse(in);
  const auto& cases = doc.at("cases");
  CHECK(cases.size() >= 40);
  std::set<std::string> names;
  for (const auto& c : cases) {
    const std::string name = c.at("name");
    CAPTURE(name);
    CHECK(names.insert(name).second);  // names identify failures, so they must be unique
#ifdef SHARDPLAN_SANITIZED
    if (c.contains("sanitizers")) {
      MESSAGE("skipped under sanitizers: " << name << " (" << c["sanitizers"].get<std::string>() << ")");
      continue;
    }
#endif
    const std::string args = replace_all(c.at("args"), "$BAD", (dir / "files").string());
    std::string env;
    const auto env_vars = c.value("env", nlohmann::json::object());
    for (const auto& [k, v] : env_vars.items()) env += k + "=" + v.get<std::string>() + " ";
    CAPTURE(args);
    const int code = c.at("exit");
    const std::string expected = c.at("stderr");
    const auto r = run(args, env);
    CHECK(r.code == code);
    CHECK(lines(r.err) == 1);
    CHECK(r.err.rfind(prefix_for(code), 0) == 0);
    CHECK_MESSAGE(r.err.find(expected) != std::string::npos, "stderr: " << r.err);
    if (code != 1) CHECK(r.out.empty());
  }
}

}  // TEST_SUITE
