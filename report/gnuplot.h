// Plots drawn by gnuplot (Debian's gnuplot-nox) as SVG: each plot becomes a data file and a
// script beside the SVG, so a reader can edit and re-run them (`gnuplot ID.gp`).
#pragma once

#include <filesystem>
#include <string>

#include "report/document.h"

namespace sp::report {

// Whether a `gnuplot` executable is on PATH.
bool gnuplot_available();

// The data file (ID.dat) and script (ID.gp) of a plot; the script writes ID.svg in its folder.
std::string gnuplot_data(const Plot& p);
std::string gnuplot_script(const Plot& p);

// Writes DIR/ID.dat and DIR/ID.gp, runs gnuplot there and returns the SVG text. Throws InputError
// when gnuplot is missing (with how to install it) and std::runtime_error when gnuplot fails.
std::string gnuplot_render(const Plot& p, const std::filesystem::path& dir);

}  // namespace sp::report
