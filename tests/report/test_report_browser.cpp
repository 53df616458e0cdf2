// The plan report's HTML in a real browser: Debian's chromium, headless, renders report.html to a
// PNG without console errors, and the DOM it built has every plot (an inline <svg> in its figure)
// and every table. Exits 77 (ctest: skipped) when chromium or gnuplot is missing;
// `scripts/install-deps.sh --with-browser` installs chromium, and CI runs it.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "report/gnuplot.h"
#include "tests/support/process.h"

namespace fs = std::filesystem;

namespace {

std::string chromium() {
  for (const char* name : {"chromium", "chromium-browser"}) {
    if (std::system((std::string("command -v ") + name + " >/dev/null 2>&1").c_str()) == 0) return name;
  }
  return "";
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The DOM holds <figure id="plot-NAME" class="plot"> whose first child is a whole <svg> element.
bool figure_has_svg(const std::string& dom, const std::string& name) {
  const std::string open = "<figure id=\"plot-" + name + "\" class=\"plot\">";
  const size_t at = dom.find(open);
  if (at == std::string::npos) return false;
  const size_t svg = dom.find_first_not_of(" \t\r\n", at + open.size());
  if (svg == std::string::npos || dom.compare(svg, 4, "<svg") != 0) return false;
  const size_t end = dom.find("</svg>", svg), close = dom.find("</figure>", svg);
  return end != std::string::npos && close != std::string::npos && end < close;
}

}  // namespace

TEST_SUITE("report_browser") {
  TEST_CASE("chromium renders the plan report with every plot and table and no console error") {
    const fs::path d = fs::temp_directory_path() / ("shardplan_browser_" + std::to_string(::getpid()));
    fs::remove_all(d);
    const auto plan = sp::test::run_command(std::string(SHARDPLAN_BIN) + " plan --model llama-3.1-8b --hardware dgx-h100 --gpus 2 --num-requests 40 "
                                    "--input-len 256 --output-len 32 --max-num-seqs 64 --max-num-batched-tokens 2048 "
                                    "--threads 2 --report " + (d / "r").string());
    REQUIRE_MESSAGE(plan.code == 0, plan.err);
    const std::string url = "file://" + (d / "r" / "report.html").string();
    // --no-sandbox: CI runs as root, where chromium refuses its sandbox. The profile folder keeps
    // runs from sharing state; console messages go to stderr with --enable-logging.
    const std::string base = "timeout 120 " + chromium() + " --headless --disable-gpu --no-sandbox --no-first-run "
                             "--user-data-dir=" + (d / "profile").string() + " --enable-logging=stderr --v=0 ";
    const auto shot = sp::test::run_command(base + "--window-size=1280,4000 --screenshot=" + (d / "shot.png").string() +
                                            " " + url);
    REQUIRE_MESSAGE(shot.code == 0, shot.err);
    const std::string png = slurp(d / "shot.png");
    REQUIRE(png.size() > 10000);
    CHECK(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
    // Chromium logs page console messages as `...:INFO:CONSOLE:LINE] "message", source: ...`
    // (older versions: `CONSOLE(LINE)]`); the bad page below proves the pattern catches them.
    const std::regex console(R"(CONSOLE[:(]\d+\)?\] "[^\n]*)");
    for (std::sregex_iterator it(shot.err.begin(), shot.err.end(), console), end; it != end; ++it) {
      FAIL_CHECK("console message: " << it->str());
    }
    CHECK(shot.err.find("Uncaught") == std::string::npos);

    // The console check itself: a page that logs an error must be caught by the same pattern.
    std::ofstream(d / "bad.html") << "<!DOCTYPE html><html><body><script>console.error('report check');"
                                     "undefined_function();</script></body></html>";
    const auto bad = sp::test::run_command(base + "--screenshot=" + (d / "bad.png").string() + " file://" +
                                           (d / "bad.html").string());
    CHECK(std::regex_search(bad.err, console));
    CHECK(bad.err.find("Uncaught") != std::string::npos);

    const auto dom = sp::test::run_command(base + "--dump-dom " + url);
    REQUIRE(dom.code == 0);
    // Plain searches, not std::regex: libstdc++'s regex matcher recurses once per character, and
    // over a DOM of several hundred KB of SVG it overflowed the stack under AddressSanitizer.
    for (const char* plot : {"pareto", "memory", "time"}) {
      CHECK_MESSAGE(figure_has_svg(dom.out, plot), plot);
    }
    for (const char* table : {"candidates", "rejected"}) {
      CHECK_MESSAGE(dom.out.find(std::string("<table id=\"table-") + table + "\"") != std::string::npos, table);
    }
    fs::remove_all(d);
  }
}

int main(int argc, char** argv) {
  if (chromium().empty()) {
    std::printf("skipped: chromium not found (scripts/install-deps.sh --with-browser installs Debian's chromium)\n");
    return 77;
  }
  if (!sp::report::gnuplot_available()) {
    std::printf("skipped: gnuplot not found (scripts/install-deps.sh installs Debian's gnuplot-nox)\n");
    return 77;
  }
  doctest::Context ctx(argc, argv);
  return ctx.run();
}
