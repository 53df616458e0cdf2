// Writes a simulated timeline in Chrome trace event format (open it in Perfetto or
// chrome://tracing): one process per replica, one thread per GPU and per link.
#pragma once

#include <ostream>

#include "sim/serving/simulator.h"

namespace sp {

void timeline_write(std::ostream& out, const SimResult& result, int tp, int pp);

}  // namespace sp
