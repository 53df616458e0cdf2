#include "report/gnuplot.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/common/error.h"

namespace sp::report {

namespace {

// gnuplot single-quoted strings are literal except for '' (one quote).
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// Data files hold categories in double quotes; a double quote inside cannot be escaped there.
std::string category(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? '\'' : c;
  return out + "\"";
}

std::string number(double v) { return std::isfinite(v) ? fmt::format("{:.9g}", v) : std::string("NaN"); }

std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Palette with enough contrast on white; series past its end reuse it.
constexpr const char* kColours[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1", "#9c755f",
                                    "#edc948"};

std::string colour(size_t i) { return kColours[i % std::size(kColours)]; }

}  // namespace

bool gnuplot_available() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

std::string gnuplot_data(const Plot& p) {
  std::string out;
  if (p.kind == PlotKind::scatter) {
    // One block per series, two blank lines apart, so `index i` selects series i.
    for (size_t s = 0; s < p.series.size(); ++s) {
      out += fmt::format("# {}\n", p.series[s].name);
      const auto& se = p.series[s];
      for (size_t i = 0; i < se.x.size() && i < se.y.size(); ++i) {
        out += number(se.x[i]) + " " + number(se.y[i]);
        // Appended piecewise: GCC 12 warns falsely (-Wrestrict) on `" " + std::string`.
        if (i < se.point_labels.size()) out.append(" ").append(category(se.point_labels[i]));
        out += "\n";
      }
      // An empty block would shift every later index, so it gets one missing point.
      if (se.x.empty()) out += "NaN NaN\n";
      out += "\n\n";
    }
    return out;
  }
  for (size_t c = 0; c < p.categories.size(); ++c) {
    out += category(p.categories[c]);
    for (const auto& se : p.series) out.append(" ").append(number(c < se.y.size() ? se.y[c] : NAN));
    out += "\n";
  }
  return out;
}

std::string gnuplot_script(const Plot& p) {
  std::ostringstream s;
  const size_t wide = p.kind == PlotKind::scatter ? 0 : p.categories.size();
  s << "# " << p.title << " (shardplan report; run `gnuplot " << p.id << ".gp` here to redraw)\n";
  s << fmt::format("set terminal svg size {},440 dynamic noenhanced font 'sans,11' background rgb 'white'\n",
                   std::max<size_t>(720, 160 + 56 * wide));
  s << "set output " << quoted(p.id + ".svg") << "\n";
  s << "set title " << quoted(p.title) << "\n";
  s << "set xlabel " << quoted(p.x_label) << "\n";
  s << "set ylabel " << quoted(p.y_label) << "\n";
  s << "set datafile missing 'NaN'\n";
  s << "set grid ytics lc rgb '#dddddd'\n";
  s << "set key outside right top\n";
  if (p.log_x) s << "set logscale x\n";
  if (p.log_y) s << "set logscale y\n";
  const std::string dat = quoted(p.id + ".dat");
  std::vector<std::string> parts;
  if (p.kind == PlotKind::scatter) {
    for (size_t i = 0; i < p.series.size(); ++i) {
      const auto& se = p.series[i];
      parts.push_back(fmt::format("{} index {} using 1:2 with {} pt 7 ps 1.1 lc rgb '{}' title {}", i == 0 ? dat : "''",
                                  i, se.lines ? "linespoints lw 2" : "points", colour(i), quoted(se.name)));
      if (!se.point_labels.empty()) {
        parts.push_back(fmt::format("'' index {} using 1:2:3 with labels left offset char 0.6,0.6 font ',9' notitle", i));
      }
    }
  } else {
    s << "set style data histograms\n";
    s << (p.kind == PlotKind::stacked_bars ? "set style histogram rowstacked\n" : "set style histogram clustered gap 1\n");
    s << "set style fill solid 0.85 border rgb '#333333'\n";
    s << "set boxwidth 0.7 relative\n";
    if (!p.log_y) s << "set yrange [0:*]\n";
    s << "set xtics rotate by -30 left nomirror\n";
    bool first = true;
    for (size_t i = 0; i < p.series.size(); ++i) {
      const auto& se = p.series[i];
      const size_t col = i + 2;
      if (se.marker) {
        // Histogram bars sit at x = 0, 1, ... (the row number), so points there mark each bar.
        parts.push_back(fmt::format("{} using 0:{} with points pt 9 ps 1.6 lc rgb '#000000' title {}",
                                    first ? dat : "''", col, quoted(se.name)));
      } else {
        parts.push_back(fmt::format("{} using {}{} lc rgb '{}' title {}", first ? dat : "''", col,
                                    first ? ":xtic(1)" : "", colour(i), quoted(se.name)));
      }
      first = false;
    }
  }
  s << "plot ";
  for (size_t i = 0; i < parts.size(); ++i) s << (i ? ", \\\n     " : "") << parts[i];
  s << "\n";
  return s.str();
}

std::string gnuplot_render(const Plot& p, const std::filesystem::path& where) {
  // The command changes into the folder, so every path in it must not depend on the caller's.
  const std::filesystem::path dir = std::filesystem::absolute(where);
  if (!gnuplot_available()) {
    throw InputError("report: gnuplot not found on PATH; install Debian's gnuplot-nox (scripts/install-deps.sh)");
  }
  SP_ASSERT(!p.series.empty(), ("a plot without series: " + p.id).c_str());
  std::filesystem::create_directories(dir);
  std::ofstream(dir / (p.id + ".dat")) << gnuplot_data(p);
  std::ofstream(dir / (p.id + ".gp")) << gnuplot_script(p);
  const auto log = dir / (p.id + ".log");
  const std::string cmd = fmt::format("cd {} && gnuplot {} 2>{}", shell_quoted(dir.string()),
                                      shell_quoted(p.id + ".gp"), shell_quoted(log.string()));
  const int rc = std::system(cmd.c_str());
  std::ifstream errs(log);
  std::string first_error;
  std::getline(errs, first_error);
  if (rc != 0) {
    throw std::runtime_error(fmt::format("gnuplot failed on {}: {}", (dir / (p.id + ".gp")).string(), first_error));
  }
  std::filesystem::remove(log);
  std::ifstream in(dir / (p.id + ".svg"));
  std::stringstream svg;
  svg << in.rdbuf();
  return svg.str();
}

}  // namespace sp::report
