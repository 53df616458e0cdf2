// Fuzz target: a system profile (hardware_profiles/systems/*.json), read strictly as if it sat
// beside the bundled ones (so "gpu": "h100-sxm" and relative GPU paths resolve), then built into
// a two-node topology whose collective times must be finite and positive.
#include <cmath>
#include <numeric>

#include "sim/common/data_dir.h"
#include "sim/common/json_reader.h"
#include "sim/cost/collective.h"
#include "sim/hardware/system_profile.h"
#include "sim/hardware/topology.h"
#include "tests/fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sp;
  return fuzz::run(data, size, [](std::string_view text) {
    static const std::string origin = (data_dir() / "hardware_profiles" / "systems" / "fuzz.json").string();
    const SystemProfile s = system_profile_from_json(json_parse_text(text, origin), origin);
    FUZZ_CHECK(s.gpus_per_node >= 1 && s.intra.switches >= 1 && s.gpus_per_node % s.intra.switches == 0);
    // Two nodes need a network; a profile without NICs is for one node (Topology says so).
    const Cluster c{.system = s, .nodes = s.inter.nics_per_node > 0 ? 2 : 1};
    const Topology topo(c);
    FUZZ_CHECK(topo.num_gpus() == c.total_gpus());
    std::vector<int> all(size_t(c.total_gpus()));
    std::iota(all.begin(), all.end(), 0);
    const GroupLinks l = topo.group_links(all);
    FUZZ_CHECK(l.ranks == c.total_gpus() && l.nodes == c.nodes);
    for (Collective op : {Collective::allreduce, Collective::allgather, Collective::alltoall}) {
      const double t = collective_time_s(op, 1 << 20, l);
      FUZZ_CHECK(std::isfinite(t) && t > 0);
    }
  });
}
