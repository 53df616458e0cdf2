// Reports drawn with gnuplot: `shardplan report` on plan, sweep and validation documents,
// `plan --report`, and the TP-vs-PP study on a small grid, whose verdicts must agree with the
// numbers in their own tables. Exits 77 (ctest: skipped) when gnuplot is missing.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "report/claims.h"
#include "report/gnuplot.h"
#include "report/study.h"
#include "report/study_report.h"
#include "report/write.h"
#include "tests/cli/run_cli.h"

namespace fs = std::filesystem;
using namespace sp::report;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("shardplan_report_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// Every plot of the page is an inline <svg> in its figure, and nothing is fetched from elsewhere.
void check_pages(const fs::path& dir, const std::vector<std::string>& plots, const std::vector<std::string>& tables) {
  const std::string md = slurp(dir / "report.md"), html = slurp(dir / "report.html");
  for (const auto& p : plots) {
    CHECK_MESSAGE(md.find("](plots/" + p + ".svg)") != std::string::npos, p);
    CHECK_MESSAGE(fs::file_size(dir / "plots" / (p + ".svg")) > 1000, p);
    CHECK(fs::exists(dir / "plots" / (p + ".gp")));
    CHECK(fs::exists(dir / "plots" / (p + ".dat")));
    CHECK_MESSAGE(html.find("<figure id=\"plot-" + p + "\" class=\"plot\">\n<svg ") != std::string::npos, p);
  }
  CHECK(count(html, "<svg ") == plots.size());
  for (const auto& t : tables) CHECK_MESSAGE(html.find("<table id=\"table-" + t + "\"") != std::string::npos, t);
  for (const char* external : {"<script", "<link", "<img", "src=\"http", "@import"}) CHECK(html.find(external) == std::string::npos);
}

double num(const std::string& cell) { return std::stod(cell); }  // "12.5" or "12.5%"

}  // namespace

TEST_SUITE("report_cli") {
  TEST_CASE("plan result JSON and plan --report give the same report with front, memory and time plots") {
    const fs::path d = fresh_dir("plan");
    const std::string plan = "plan --model llama-3.1-8b --hardware dgx-h100 --gpus 2 --num-requests 40 --input-len 256 "
                             "--output-len 32 --max-num-seqs 64 --max-num-batched-tokens 2048 --threads 2";
    const auto r = sp::test::run(plan + " --format json > " + (d / "plan-result.json").string());
    REQUIRE(r.code == 0);
    const auto rep = sp::test::run("report " + (d / "plan-result.json").string() + " --out " + (d / "a").string());
    REQUIRE_MESSAGE(rep.code == 0, rep.err);
    CHECK(rep.out == "report written to " + (d / "a").string() + "/report.md and " + (d / "a").string() + "/report.html\n");
    check_pages(d / "a", {"pareto", "memory", "time"}, {"candidates", "rejected"});
    const auto direct = sp::test::run(plan + " --report " + (d / "b").string());
    REQUIRE(direct.code == 0);
    CHECK(slurp(d / "a" / "report.md") == slurp(d / "b" / "report.md"));
    CHECK(slurp(d / "a" / "report.md").find("Recommended: tp") != std::string::npos);
    // A plan.json holds one deployment: memory and time, no front, and the page says why.
    REQUIRE(sp::test::run(plan + " --out " + (d / "plan.json").string() + " > /dev/null").code == 0);
    REQUIRE(sp::test::run("report " + (d / "plan.json").string() + " --out " + (d / "c").string()).code == 0);
    check_pages(d / "c", {"memory", "time"}, {});
    CHECK(slurp(d / "c" / "report.md").find("A plan.json holds one deployment") != std::string::npos);
    fs::remove_all(d);
  }

  TEST_CASE("sweep and validation documents") {
    const fs::path d = fresh_dir("sweep");
    std::ofstream(d / "s.json") << R"({"schema_version": 1, "name": "tiny",
      "base": {"model": "llama-3.1-8b", "hardware": "dgx-h100", "num_requests": 30, "input_len": "256",
               "output_len": "32", "max_num_seqs": [64], "max_num_batched_tokens": [2048]},
      "grid": {"gpus": [1, 2]}})";
    REQUIRE(sp::test::run("sweep " + (d / "s.json").string() + " --threads 2 --format json > " + (d / "sweep.json").string()).code == 0);
    REQUIRE(sp::test::run("report " + (d / "sweep.json").string() + " --out " + (d / "r").string()).code == 0);
    check_pages(d / "r", {"sweep-throughput", "sweep-latency", "memory", "time"}, {"rows"});

    // The keys runtime/validate.cpp writes (validation_to_json).
    std::ofstream(d / "validation.json") << R"({"schema_version": 1, "kind": "shardplan-validation", "backend": "cpu",
      "profile": "cpu.json", "command": "mpirun -np 2 shardplan-run", "passed": true, "verdict": "within 15%",
      "comparison": [{"metric": "prefill_ms", "predicted": 10.0, "measured": 12.5, "error_pct": -20.0},
                     {"metric": "decode_step_ms", "predicted": 2.0, "measured": 1.9, "error_pct": 5.26}],
      "ops": [{"phase": "decode_step", "stage": 1, "op": "lm_head", "predicted_ms": 1.5, "measured_ms": 2.0,
               "error_pct": -25.0},
              {"phase": "decode_step", "stage": 1, "op": "pp_recv", "predicted_ms": 0, "measured_ms": 0.05,
               "error_pct": null}],
      "measurement": {}})";
    REQUIRE(sp::test::run("report " + (d / "validation.json").string() + " --out " + (d / "v").string()).code == 0);
    check_pages(d / "v", {"predicted-measured", "error"}, {"comparison", "ops"});
    const std::string md = slurp(d / "v" / "report.md");
    CHECK(md.find("| prefill_ms | 10 | 12.5 | -20.0% |") != std::string::npos);
    CHECK(md.find("| decode_step | 1 | lm_head | 1.5 | 2 | -25.0% |") != std::string::npos);
    CHECK(md.find("| decode_step | 1 | pp_recv | 0 | 0.05 | - |") != std::string::npos);
    fs::remove_all(d);
  }

  TEST_CASE("bad input: one line, exit 2") {
    const fs::path d = fresh_dir("bad");
    auto r = sp::test::run("report " + (d / "nope.json").string() + " --out " + (d / "o").string());
    CHECK(r.code == 2);
    CHECK(r.err == "shardplan: error: " + (d / "nope.json").string() + ": no such file\n");
    r = sp::test::run(std::string("report ") + SHARDPLAN_SOURCE_DIR + "/models/llama-3.1-8b.json --out " + (d / "o").string());
    CHECK(r.code == 2);
    CHECK(r.err.find("not a shardplan document a report is made of") != std::string::npos);
    CHECK(count(r.err, "\n") == 1);
    std::ofstream(d / "study.json") << R"({"schema_version": 1, "name": "x", "models": ["llama-3.1-8b"],
      "systems": [{"hardware": "dgx-h100", "nodes": [1], "gpus": 2}]})";
    r = sp::test::run("report --study " + (d / "study.json").string() + " --out " + (d / "o").string());
    CHECK(r.code == 2);
    CHECK(r.err == "shardplan: error: " + (d / "study.json").string() +
                       ": /systems/0/gpus: unknown key (known keys here: hardware, nodes; extensions start with x-)\n");
    r = sp::test::run("report --out " + (d / "o").string());
    CHECK(r.code == 2);
    CHECK(r.err == "shardplan: error: report: give a JSON document to report on, or --study FILE (see 'shardplan report --help')\n");
    fs::remove_all(d);
  }
}

TEST_SUITE("study") {
  TEST_CASE("the small study's verdicts agree with the numbers in their own tables") {
    const StudyResult r = study_run(study_load(fs::path(SHARDPLAN_SOURCE_DIR) / "tests/report/small-study.json"), 2);
    const auto claims = claims_check(r);
    REQUIRE(claims.size() == 8);
    for (const auto& c : claims) {
      INFO("claim " << c.number);
      // The verdict follows the table's last column.
      std::vector<Case> from_table;
      for (const auto& row : c.evidence.rows) {
        REQUIRE((row.back() == "yes" || row.back() == "no"));
        from_table.push_back({row.front(), row.back() == "yes"});
      }
      CHECK(verdict_of(from_table).verdict == c.verdict.verdict);
      CHECK(verdict_of(from_table).text == c.verdict.text);
      // Each row's "holds" follows from the numbers beside it, read back from the table's text.
      for (const auto& row : c.evidence.rows) {
        INFO(row.front());
        const bool holds = row.back() == "yes";
        switch (c.number) {
          case 1: CHECK(holds == (num(row[2]) < num(row[4]))); break;
          case 2: CHECK(holds == (num(row[2]) > num(row[4]))); break;
          case 3: CHECK(holds == (num(row[3]) >= kFarLessBytesRatio)); break;
          case 4: CHECK(holds == (std::abs(num(row[1]) - 1) <= kPerfectSplitTolerance && num(row[4]) > num(row[3]))); break;
          case 5: CHECK(holds == (num(row[2]) < 100 * kPcieCommFineFraction && num(row[1]) > 100 * kPcieCommBadFraction)); break;
          case 6: {
            bool ok = true;
            for (size_t k = 0; k < r.spec.inflight_per_stage.size(); ++k) {
              if (r.spec.inflight_per_stage[k] >= kPpMicrobatchesPerStage) ok = ok && num(row[2 + k]) > 100 * kPpEfficiencyTarget;
            }
            CHECK(holds == ok);
            break;
          }
          case 7: CHECK(holds == (row[4] == "none" && row[2] == row[3])); break;
          case 8: CHECK(holds == (num(row[2]) >= kLongContextTp)); break;
          default: FAIL("unexpected claim");
        }
      }
    }
    // The small grid tests every claim (70B fits one node both ways, and a PCIe server is in it).
    for (const auto& c : claims) CHECK_MESSAGE(c.verdict.verdict != Verdict::not_tested, c.number);

    const fs::path d = fresh_dir("study");
    report_write(study_report(r, claims), d);
    std::vector<std::string> plots{"bubble"}, tables{"verdicts", "bubble"};  // one node only: no cross-node table
    for (const auto& g : r.groups) {
      std::string id;
      for (char ch : g.name()) id += std::isalnum(static_cast<unsigned char>(ch)) ? char(std::tolower(ch)) : '-';
      while (id.find("--") != std::string::npos) id.erase(id.find("--"), 1);
      tables.push_back(id);
      for (const char* k : {"-tradeoff", "-memory", "-time"}) plots.push_back(id + k);
    }
    for (int i = 1; i <= 8; ++i) tables.push_back("claim-" + std::to_string(i));
    check_pages(d, plots, tables);
    const std::string md = slurp(d / "report.md");
    for (const auto& c : claims) {
      CHECK(md.find(fmt::format("Verdict: {} ({}).", verdict_name(c.verdict.verdict), c.verdict.text)) != std::string::npos);
    }
    fs::remove_all(d);
  }
}

int main(int argc, char** argv) {
  if (!gnuplot_available()) {
    std::printf("skipped: gnuplot not found (scripts/install-deps.sh installs Debian's gnuplot-nox)\n");
    return 77;
  }
  doctest::Context ctx(argc, argv);
  return ctx.run();
}
