// A report as plain values: a title and a list of blocks (headings, text, tables, plots), which
// report_write (report/write.h) renders to Markdown and to a self-contained HTML page. Builders
// (plan, sweep, validation, the TP-vs-PP study) fill one; none of them formats Markdown or HTML.
#pragma once

#include <string>
#include <variant>
#include <vector>

namespace sp::report {

struct Heading {
  int level = 2;  // 2 = section, 3 = subsection (the title is level 1)
  std::string text{};
};

struct Text {
  std::string text{};
  bool preformatted = false;  // a command line or other text shown verbatim
};

struct Table {
  std::string id{};  // unique within the report; the HTML table's id
  std::vector<std::string> header{};
  std::vector<std::vector<std::string>> rows{};  // each as wide as the header
};

enum class PlotKind {
  scatter,       // series of (x, y) points; a series named with `lines` set is joined
  stacked_bars,  // one bar per category, series stacked
  grouped_bars,  // one group per category, one bar per series
};

struct Series {
  std::string name{};
  std::vector<double> x{};  // scatter only
  std::vector<double> y{};  // bars: one value per category
  std::vector<std::string> point_labels{};  // scatter: a label beside each point, or none
  bool lines = false;     // scatter: join the points
  bool marker = false;    // bars: drawn as points over the bars (a limit such as capacity)
};

struct Plot {
  std::string id{};  // file stem of its .dat/.gp/.svg, unique within the report: [a-z0-9-]+
  std::string title{}, x_label{}, y_label{};
  PlotKind kind = PlotKind::scatter;
  std::vector<std::string> categories{};  // bars
  std::vector<Series> series{};
  bool log_x = false;
  bool log_y = false;  // values spanning decades (bars then start at the smallest decade)
};

using Block = std::variant<Heading, Text, Table, Plot>;

struct Document {
  std::string title{};
  std::vector<Block> blocks{};

  void heading(std::string text, int level = 2) { blocks.emplace_back(Heading{level, std::move(text)}); }
  void text(std::string t) { blocks.emplace_back(Text{std::move(t), false}); }
  void code(std::string t) { blocks.emplace_back(Text{std::move(t), true}); }
  void table(Table t) { blocks.emplace_back(std::move(t)); }
  void plot(Plot p) { blocks.emplace_back(std::move(p)); }

  std::vector<const Plot*> plots() const;
  std::vector<const Table*> tables() const;
};

}  // namespace sp::report
