#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "sim/common/error.h"
#include "sim/cost/collective.h"

namespace sp::cli {

namespace {

// "8", "64K", "1M", "8G": binary multiples, as nccl-tests' -b/-e.
double parse_size(const std::string& s, std::string_view flag) {
  size_t pos = 0;
  double v = 0;
  try {
    v = std::stod(s, &pos);
  } catch (const std::exception&) {
    throw InputError(fmt::format("{}: '{}' is not a size (e.g. 1048576, 64K, 1M, 8G)", flag, s));
  }
  std::string unit = s.substr(pos);
  double mult = 1;
  if (unit == "K" || unit == "k") mult = 1024.0;
  else if (unit == "M" || unit == "m") mult = 1024.0 * 1024;
  else if (unit == "G" || unit == "g") mult = 1024.0 * 1024 * 1024;
  else if (!unit.empty()) throw InputError(fmt::format("{}: unknown unit in '{}' (use K, M or G)", flag, s));
  v *= mult;
  constexpr double kMax = 1e15;
  if (!std::isfinite(v) || v < 1 || v > kMax) {
    throw InputError(fmt::format("{}: {} is out of range (use 1 byte to 1e15 bytes)", flag, s));
  }
  return std::floor(v);
}

}  // namespace

Runner add_collective_command(CLI::App& app) {
  struct Flags {
    std::string hardware, op, bytes, sweep, format = "table";
    int nodes = 1, ranks = 0;
    std::vector<int> gpu_ids;
  };
  auto f = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("collective", "Modelled time and bus bandwidth of a collective, like nccl-tests");
  cmd->add_option("--hardware", f->hardware, "Bundled system or path to a system profile")->required();
  cmd->add_option("--nodes", f->nodes, "Nodes of that system")->capture_default_str();
  cmd->add_option("--op", f->op, "allreduce, allgather, reducescatter, alltoall or sendrecv")->required();
  cmd->add_option("--ranks", f->ranks, "Ranks in the group, placed on GPUs 0..R-1 (nodes filled in order)")->required();
  cmd->add_option("--gpu-ids", f->gpu_ids, "Place the ranks on these GPUs (global ids, node-major), e.g. 0,8 for a send across nodes")
      ->delimiter(',');
  auto* b = cmd->add_option("--bytes", f->bytes, "One message size (e.g. 1M)");
  auto* s = cmd->add_option("--sweep", f->sweep, "Sizes MIN:MAX doubling each step, e.g. 8:8G (as nccl-tests -b -e -f 2)");
  b->excludes(s);
  add_format_flag(cmd, f->format);
  return [f]() {
    Format format = parse_format(f->format);
    auto op = collective_parse(f->op);
    if (!op) throw InputError(fmt::format("--op: unknown collective '{}' (use allreduce, allgather, reducescatter, alltoall or sendrecv)", f->op));
    Cluster c = cluster_make(f->hardware, f->nodes);
    if (f->ranks < 2) {
      throw InputError(fmt::format("--ranks: {} is out of range: a collective needs at least 2 ranks", f->ranks));
    }
    if (f->ranks > c.total_gpus()) {
      throw InputError(fmt::format("--ranks: {} is out of range: {} node(s) of {} have {} GPUs; raise --nodes or lower --ranks",
                                   f->ranks, c.nodes, c.system.name, c.total_gpus()));
    }
    if (*op == Collective::sendrecv && f->ranks != 2) {
      throw InputError(fmt::format("--ranks: sendrecv is between 2 ranks, got {}", f->ranks));
    }
    std::vector<double> sizes;
    if (!f->sweep.empty()) {
      auto colon = f->sweep.find(':');
      if (colon == std::string::npos) throw InputError(fmt::format("--sweep: '{}' is not MIN:MAX (e.g. 8:8G)", f->sweep));
      double lo = parse_size(f->sweep.substr(0, colon), "--sweep");
      double hi = parse_size(f->sweep.substr(colon + 1), "--sweep");
      if (lo > hi) throw InputError(fmt::format("--sweep: MIN {} is larger than MAX {}", lo, hi));
      for (double x = lo; x <= hi; x *= 2) sizes.push_back(x);
    } else {
      sizes.push_back(f->bytes.empty() ? 1024.0 * 1024 : parse_size(f->bytes, "--bytes"));
    }
    Topology topo(c);
    std::vector<int> gpus(size_t(f->ranks));
    std::iota(gpus.begin(), gpus.end(), 0);
    if (!f->gpu_ids.empty()) {
      if (int(f->gpu_ids.size()) != f->ranks) {
        throw InputError(fmt::format("--gpu-ids: {} ids given for --ranks {}; give one GPU per rank", f->gpu_ids.size(), f->ranks));
      }
      std::vector<char> used(size_t(c.total_gpus()), 0);
      for (int g : f->gpu_ids) {
        if (g < 0 || g >= c.total_gpus()) {
          throw InputError(fmt::format("--gpu-ids: GPU {} does not exist (use 0 to {})", g, c.total_gpus() - 1));
        }
        if (used[size_t(g)]++) throw InputError(fmt::format("--gpu-ids: GPU {} is named twice", g));
      }
      gpus = f->gpu_ids;
    }
    GroupLinks l = topo.group_links(gpus);
    std::vector<CollectivePoint> pts;
    for (double x : sizes) pts.push_back({x, collective_time_s(*op, x, l)});
    std::string out = format == Format::json ? collective_json(c.system.name, c.nodes, *op, l, pts).dump(2) + "\n"
                                             : collective_table(c.system.name, c.nodes, *op, l, pts);
    return emit(out, true, "");
  };
}

}  // namespace sp::cli
