#include "report/write.h"

#include <cctype>
#include <fstream>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "report/gnuplot.h"
#include "sim/common/error.h"

namespace sp::report {

std::vector<const Plot*> Document::plots() const {
  std::vector<const Plot*> out;
  for (const auto& b : blocks) {
    if (const auto* p = std::get_if<Plot>(&b)) out.push_back(p);
  }
  return out;
}

std::vector<const Table*> Document::tables() const {
  std::vector<const Table*> out;
  for (const auto& b : blocks) {
    if (const auto* t = std::get_if<Table>(&b)) out.push_back(t);
  }
  return out;
}

namespace {

std::string md_cell(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : c == '\n' ? std::string(" ") : std::string(1, c);
  return out;
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// gnuplot names the elements of every SVG alike (gpPt0, gnuplot_canvas, ...); inline in one page
// those ids would collide, so each plot's ids get the plot's id as a prefix.
std::string svg_inline(const std::string& svg, const std::string& plot_id) {
  const auto start = svg.find("<svg");
  SP_ASSERT(start != std::string::npos, ("gnuplot output without <svg> for plot " + plot_id).c_str());
  std::string s = svg.substr(start);
  s = std::regex_replace(s, std::regex(R"(id=(['"]))"), "id=$1" + plot_id + "-");
  s = std::regex_replace(s, std::regex(R"(href=(['"])#)"), "href=$1#" + plot_id + "-");
  s = std::regex_replace(s, std::regex(R"(url\(#)"), "url(#" + plot_id + "-");
  return s;
}

void check_ids(const Document& d) {
  std::set<std::string> seen;
  for (const Plot* p : d.plots()) {
    SP_ASSERT(std::regex_match(p->id, std::regex("[a-z0-9-]+")), ("plot id must be [a-z0-9-]+: " + p->id).c_str());
    SP_ASSERT(seen.insert("plot-" + p->id).second, ("duplicate plot id " + p->id).c_str());
  }
  for (const Table* t : d.tables()) {
    SP_ASSERT(seen.insert("table-" + t->id).second, ("duplicate table id " + t->id).c_str());
    for (const auto& r : t->rows) SP_ASSERT(r.size() == t->header.size(), ("table row of the wrong width in " + t->id).c_str());
  }
}

// A column of numbers is right-aligned, a column of words left-aligned: numeric when every
// non-empty cell starts like a number ("12.5", "-3%", "1 / 2").
std::vector<bool> numeric_columns(const Table& t) {
  std::vector<bool> out(t.header.size(), true);
  for (size_t c = 0; c < t.header.size(); ++c) {
    for (const auto& r : t.rows) {
      const std::string& s = r[c];
      if (!s.empty() && !(std::isdigit(static_cast<unsigned char>(s[0])) || ((s[0] == '-' || s[0] == '+') && s.size() > 1 &&
                                                                                std::isdigit(static_cast<unsigned char>(s[1]))))) {
        out[c] = false;
      }
    }
  }
  return out;
}

constexpr const char* kStyle = R"(body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}
th,td{border:1px solid #ccc;padding:0.25em 0.6em;text-align:left}
th{background:#f3f3f3}.num{text-align:right}
pre{background:#f6f6f6;padding:0.6em;overflow-x:auto}
figure.plot{margin:1em 0}figure.plot svg{max-width:100%;height:auto}
figcaption{font-size:0.85em;color:#555})";

}  // namespace

std::string report_markdown(const Document& d) {
  check_ids(d);
  std::string out = "# " + d.title + "\n";
  for (const auto& b : d.blocks) {
    out += "\n";
    if (const auto* h = std::get_if<Heading>(&b)) {
      out += std::string(size_t(h->level), '#') + " " + h->text + "\n";
    } else if (const auto* t = std::get_if<Text>(&b)) {
      out += t->preformatted ? "```\n" + t->text + "\n```\n" : t->text + "\n";
    } else if (const auto* tb = std::get_if<Table>(&b)) {
      auto line = [](const std::vector<std::string>& cells) {
        std::string l = "|";
        for (const auto& c : cells) l.append(" ").append(md_cell(c)).append(" |");  // not `" " + s`: GCC 12 -Wrestrict
        return l + "\n";
      };
      out += line(tb->header);
      out += "|";
      for (bool num : numeric_columns(*tb)) out += num ? " ---: |" : " --- |";
      out += "\n";
      for (const auto& r : tb->rows) out += line(r);
    } else if (const auto* p = std::get_if<Plot>(&b)) {
      out += fmt::format("![{}](plots/{}.svg)\n", p->title, p->id);
    }
  }
  return out;
}

std::string report_html(const Document& d, const std::map<std::string, std::string>& svgs) {
  check_ids(d);
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
                    html_escape(d.title) + "</title>\n<style>\n" + kStyle + "\n</style>\n</head>\n<body>\n<h1>" +
                    html_escape(d.title) + "</h1>\n";
  for (const auto& b : d.blocks) {
    if (const auto* h = std::get_if<Heading>(&b)) {
      out += fmt::format("<h{0}>{1}</h{0}>\n", h->level, html_escape(h->text));
    } else if (const auto* t = std::get_if<Text>(&b)) {
      out += t->preformatted ? "<pre>" + html_escape(t->text) + "</pre>\n" : "<p>" + html_escape(t->text) + "</p>\n";
    } else if (const auto* tb = std::get_if<Table>(&b)) {
      const std::vector<bool> num = numeric_columns(*tb);
      out += fmt::format("<table id=\"table-{}\" class=\"data\">\n<thead><tr>", html_escape(tb->id));
      for (size_t c = 0; c < tb->header.size(); ++c) {
        out += (num[c] ? "<th class=\"num\">" : "<th>") + html_escape(tb->header[c]) + "</th>";
      }
      out += "</tr></thead>\n<tbody>\n";
      for (const auto& r : tb->rows) {
        out += "<tr>";
        for (size_t c = 0; c < r.size(); ++c) out += (num[c] ? "<td class=\"num\">" : "<td>") + html_escape(r[c]) + "</td>";
        out += "</tr>\n";
      }
      out += "</tbody>\n</table>\n";
    } else if (const auto* p = std::get_if<Plot>(&b)) {
      const auto it = svgs.find(p->id);
      SP_ASSERT(it != svgs.end(), ("no SVG drawn for plot " + p->id).c_str());
      out += fmt::format("<figure id=\"plot-{}\" class=\"plot\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n", p->id,
                         svg_inline(it->second, p->id), html_escape(p->title));
    }
  }
  return out + "</body>\n</html>\n";
}

void report_write(const Document& d, const std::filesystem::path& dir) {
  check_ids(d);
  std::error_code ec;
  std::filesystem::create_directories(dir / "plots", ec);
  if (ec) throw InputError(fmt::format("--out: cannot create '{}': {}", (dir / "plots").string(), ec.message()));
  std::map<std::string, std::string> svgs;
  for (const Plot* p : d.plots()) svgs[p->id] = gnuplot_render(*p, dir / "plots");
  std::ofstream md(dir / "report.md");
  md << report_markdown(d);
  std::ofstream html(dir / "report.html");
  html << report_html(d, svgs);
  if (!md || !html) throw InputError(fmt::format("--out: cannot write report.md/report.html in '{}'", dir.string()));
}

}  // namespace sp::report
