// Unit tests of the report library that need no gnuplot: Markdown and HTML rendering, gnuplot
// scripts and data, the time shares, the JSON readers' errors and the claim verdicts.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "report/claims.h"
#include "report/gnuplot.h"
#include "report/json_reports.h"
#include "report/plots.h"
#include "report/write.h"
#include "sim/common/error.h"

using namespace sp::report;

TEST_SUITE("report") {
  TEST_CASE("markdown: headings, text, code, tables with escaped pipes, plots linked") {
    Document d{.title = "T"};
    d.heading("Section");
    d.text("Some text.");
    d.code("vllm serve x");
    d.table({.id = "t", .header = {"a", "b"}, .rows = {{"x|y", "1"}}});
    d.plot({.id = "p1", .title = "P", .series = {{.name = "s", .x = {1}, .y = {2}}}});
    CHECK(report_markdown(d) ==
          "# T\n\n## Section\n\nSome text.\n\n```\nvllm serve x\n```\n\n| a | b |\n| --- | ---: |\n| x\\|y | 1 |\n\n"
          "![P](plots/p1.svg)\n");
  }

  TEST_CASE("html: escaped, tables and figures carry ids, gnuplot's svg ids are made unique per plot") {
    Document d{.title = "A <b> & c"};
    d.table({.id = "t", .header = {"h"}, .rows = {{"<x>"}}});
    d.plot({.id = "p1", .title = "P", .series = {{.name = "s", .x = {1}, .y = {2}}}});
    const std::string svg = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<svg id='gnuplot_svg'><defs><path id='gpPt0'/></defs>"
                            "<use xlink:href='#gpPt0'/><g clip-path=\"url(#gpClip)\"/></svg>";
    const std::string html = report_html(d, {{"p1", svg}});
    CHECK(html.find("<title>A &lt;b&gt; &amp; c</title>") != std::string::npos);
    CHECK(html.find("<table id=\"table-t\" class=\"data\">") != std::string::npos);
    CHECK(html.find("<td>&lt;x&gt;</td>") != std::string::npos);  // words: left-aligned
    CHECK(html.find("<figure id=\"plot-p1\" class=\"plot\">\n<svg id='p1-gnuplot_svg'>") != std::string::npos);
    CHECK(html.find("<path id='p1-gpPt0'/>") != std::string::npos);
    CHECK(html.find("xlink:href='#p1-gpPt0'") != std::string::npos);
    CHECK(html.find("url(#p1-gpClip)") != std::string::npos);
    CHECK(html.find("<?xml") == std::string::npos);
    CHECK_THROWS_AS(report_html(d, {}), sp::InternalError);  // a plot without its svg is a bug
  }

  TEST_CASE("gnuplot: scatter data in index blocks, bars with categories and a capacity marker") {
    const Plot s{.id = "s", .title = "it's", .series = {{.name = "a", .x = {1, 2}, .y = {3, 4}}, {.name = "b"}}};
    CHECK(gnuplot_data(s) == "# a\n1 3\n2 4\n\n\n# b\nNaN NaN\n\n\n");
    const Plot tl = throughput_latency_plot("tl", "t", "x", "y", {{.label = "tp8 pp1", .latency_ms = 10, .throughput = 5}});
    CHECK(gnuplot_data(tl).rfind("# candidates\n10 5 \"tp8 pp1\"\n", 0) == 0);
    CHECK(gnuplot_script(tl).find("'' index 0 using 1:2:3 with labels") != std::string::npos);
    const std::string gp = gnuplot_script(s);
    CHECK(gp.find("set title 'it''s'") != std::string::npos);
    CHECK(gp.find("'s.dat' index 0 using 1:2 with points") != std::string::npos);
    CHECK(gp.find("'' index 1 using 1:2") != std::string::npos);
    CHECK(gp.find("set output 's.svg'") != std::string::npos);

    const Plot m = memory_plot("m", "mem", {{.label = "tp8 \"x\"", .weights = 16, .kv_cache = 40, .activations = 1,
                                             .overhead = 2, .capacity = 72}});
    CHECK(gnuplot_data(m) == "\"tp8 'x'\" 16 1 2 40 72\n");
    const std::string mg = gnuplot_script(m);
    CHECK(mg.find("rowstacked") != std::string::npos);
    CHECK(mg.find("'m.dat' using 2:xtic(1)") != std::string::npos);
    CHECK(mg.find("using 0:6 with points") != std::string::npos);
  }

  TEST_CASE("time shares add up to one with the bubble taken out of the busy shares") {
    const TimeShares t = time_shares("x", 3, 1, 1, 0, 0.2);
    CHECK(t.compute == doctest::Approx(0.48));
    CHECK(t.memory == doctest::Approx(0.16));
    CHECK(t.communication == doctest::Approx(0.16));
    CHECK(t.bubble == doctest::Approx(0.2));
    CHECK(t.compute + t.memory + t.communication + t.overhead + t.bubble == doctest::Approx(1));
  }

  TEST_CASE("a document that is not shardplan's is one clear error") {
    CHECK_THROWS_WITH_AS(input_kind(nlohmann::json{{"hidden_size", 1}}, "m.json"),
                         doctest::Contains("m.json: not a shardplan document"), sp::InputError);
    const nlohmann::json bad = {{"ranked", nlohmann::json::array({nlohmann::json::object()})},
                                {"pareto", nlohmann::json::array()},
                                {"search", nlohmann::json::object()}};
    CHECK_THROWS_WITH_AS(plan_report(bad, "p.json"), "p.json: /ranked/0/config/model: missing; is this a shardplan "
                                                     "plan, sweep or validation JSON?", sp::InputError);
  }

  TEST_CASE("verdicts follow the cases") {
    CHECK(verdict_of({}).verdict == Verdict::not_tested);
    CHECK(verdict_of({{"a", true}, {"b", true}}).verdict == Verdict::holds);
    CHECK(verdict_of({{"a", false}, {"b", false}}).verdict == Verdict::does_not_hold);
    const VerdictText v = verdict_of({{"a", false}, {"b", true}});
    CHECK(v.verdict == Verdict::holds_only_when);
    CHECK(v.text == "holds only when: b (1 of 2 cases)");
  }

  TEST_CASE("claim 7: dividing the heads is enough only when the KV-head rule adds nothing") {
    auto rows = [](const std::string& model, int heads, int kv) {
      std::vector<sp::report::HeadsRow> out;
      for (int tp = 1; tp <= heads; ++tp) {
        sp::report::HeadsRow h{.model = model, .heads = heads, .kv_heads = kv, .tp = tp, .divides_heads = heads % tp == 0,
                               .kv_rule = kv % tp == 0 || tp % kv == 0};
        h.allowed = h.divides_heads && h.kv_rule;
        if (h.divides_heads || h.kv_rule) out.push_back(h);
      }
      return out;
    };
    CHECK(claim_heads(rows("llama-like", 64, 8)).verdict.verdict == Verdict::holds);
    const ClaimResult odd = claim_heads(rows("odd", 48, 8));  // tp 3, 6, 12 divide 48 but break the KV rule
    CHECK(odd.verdict.verdict == Verdict::does_not_hold);
    CHECK(odd.evidence.rows.at(0).at(4) == "3 6 12");  // 24 and 48 are multiples of the 8 KV heads
    auto both = rows("llama-like", 64, 8);
    for (const auto& h : rows("odd", 48, 8)) both.push_back(h);
    CHECK(claim_heads(both).verdict.verdict == Verdict::holds_only_when);
  }
}
