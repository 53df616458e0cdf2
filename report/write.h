// Renders a Document: DIR/report.md (plots linked as DIR/plots/ID.svg) and DIR/report.html, one
// file with every plot's SVG inline and its style in the page, so it opens without a network.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "report/document.h"

namespace sp::report {

std::string report_markdown(const Document& d);
// `svgs` maps a plot id to gnuplot's SVG text; a plot missing from it is an internal error.
std::string report_html(const Document& d, const std::map<std::string, std::string>& svgs);

// Draws every plot with gnuplot into DIR/plots and writes both pages. Throws InputError when
// DIR cannot be created or gnuplot is missing.
void report_write(const Document& d, const std::filesystem::path& dir);

}  // namespace sp::report
