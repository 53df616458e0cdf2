#include "planner/plan_file.h"

#include <fstream>

#include <fmt/format.h>

#include "sim/common/error.h"
#include "sim/common/json_reader.h"

namespace sp {

std::vector<PlacedRank> placement_make(const ParallelConfig& pc, int gpus_per_node) {
  SP_ASSERT(gpus_per_node > 0, "a node has GPUs");
  std::vector<PlacedRank> out;
  out.reserve(size_t(pc.gpus()));
  for (int replica = 0; replica < pc.dp; ++replica) {
    for (int stage = 0; stage < pc.pp; ++stage) {
      for (int t = 0; t < pc.tp; ++t) {
        const int rank = pc.rank(replica, stage, t);
        out.push_back({.rank = rank, .replica = replica, .stage = stage, .tp_rank = t,
                       .node = rank / gpus_per_node, .gpu = rank % gpus_per_node});
      }
    }
  }
  return out;
}

nlohmann::json plan_to_json(const PlanFile& p) {
  nlohmann::json placement = nlohmann::json::array();
  for (const auto& r : p.placement) {
    placement.push_back({{"rank", r.rank}, {"replica", r.replica}, {"stage", r.stage},
                         {"tp_rank", r.tp_rank}, {"node", r.node}, {"gpu", r.gpu}});
  }
  const auto& b = p.batch;
  const auto& w = p.workload;
  return {
      {"schema_version", kPlanSchemaVersion},
      {"kind", "shardplan-plan"},
      {"model", p.model},
      {"hardware", p.hardware},
      {"nodes", p.nodes},
      {"engine", p.engine},
      {"precision", {{"weights", p.dtype}, {"kv", p.kv_dtype}}},
      {"parallel", {{"tp", p.parallel.tp}, {"pp", p.parallel.pp}, {"dp", p.parallel.dp}, {"ep", p.parallel.ep}}},
      {"placement", std::move(placement)},
      {"batch", {{"scheduler", b.scheduler}, {"max_num_seqs", b.max_num_seqs},
                 {"max_num_batched_tokens", b.max_num_batched_tokens}, {"microbatches", b.microbatches},
                 {"gpu_memory_utilization", b.gpu_memory_utilization}, {"max_model_len", b.max_model_len},
                 {"kv_cache_free_fraction", b.kv_cache_free_fraction}}},
      {"workload", {{"input_len", w.input_len}, {"output_len", w.output_len}, {"num_requests", w.num_requests},
                    {"arrival", w.arrival}, {"request_rate", w.request_rate}, {"concurrency", w.concurrency},
                    {"trace", w.trace}, {"seed", w.seed}}},
      {"prediction", p.prediction},
  };
}

namespace {

std::string one_of(ObjectReader& r, std::string_view key, std::initializer_list<std::string_view> allowed) {
  std::string v = r.string(key);
  for (auto a : allowed) {
    if (v == a) return v;
  }
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  throw InputError(fmt::format("{}: '{}' is not one of {}", r.where(key), v, list));
}

}  // namespace

PlanFile plan_from_json(const nlohmann::json& j, const std::string& origin) {
  if (!j.is_object()) throw InputError(origin + ": a plan must be a JSON object");
  ObjectReader r(j, origin);
  const int64_t version = r.integer("schema_version", 1, 1000);
  if (version != kPlanSchemaVersion) {
    throw InputError(fmt::format("{}: schema_version {} is not supported (this shardplan reads version {}; "
                                 "re-run 'shardplan plan --out')", r.where("schema_version"), version,
                                 kPlanSchemaVersion));
  }
  one_of(r, "kind", {"shardplan-plan"});
  PlanFile p;
  p.model = r.string("model");
  p.hardware = r.string("hardware");
  p.nodes = int(r.integer("nodes", 1, 4096));
  p.engine = one_of(r, "engine", {"vllm", "sglang", "trtllm"});
  {
    ObjectReader pr = r.object("precision");
    p.dtype = one_of(pr, "weights", {"bf16", "fp8"});
    p.kv_dtype = one_of(pr, "kv", {"bf16", "fp8"});
    pr.finish();
  }
  {
    ObjectReader pc = r.object("parallel");
    const int64_t kMax = 1 << 20;
    p.parallel.tp = int(pc.integer("tp", 1, kMax));
    p.parallel.pp = int(pc.integer("pp", 1, kMax));
    p.parallel.dp = int(pc.integer("dp", 1, kMax));
    p.parallel.ep = int(pc.integer("ep", 1, kMax));
    pc.finish();
    if (int64_t(p.parallel.tp) * p.parallel.pp * p.parallel.dp > 4096LL * 64) {
      throw InputError(fmt::format("{}: tp*pp*dp = {} GPUs is beyond any cluster shardplan plans (at most {})",
                                   r.where("parallel"), int64_t(p.parallel.tp) * p.parallel.pp * p.parallel.dp,
                                   4096 * 64));
    }
  }
  {
    const json& pl = r.raw("placement");
    if (!pl.is_array()) throw InputError(r.where("placement") + ": expected an array of ranks");
    if (int64_t(pl.size()) != int64_t(p.parallel.gpus())) {
      throw InputError(fmt::format("{}: {} ranks placed but tp*pp*dp = {}", r.where("placement"), pl.size(),
                                   p.parallel.gpus()));
    }
    for (size_t i = 0; i < pl.size(); ++i) {
      ObjectReader e(pl[i], origin, fmt::format("/placement/{}", i));
      PlacedRank pr;
      pr.rank = int(e.integer("rank", 0, p.parallel.gpus() - 1));
      pr.replica = int(e.integer("replica", 0, p.parallel.dp - 1));
      pr.stage = int(e.integer("stage", 0, p.parallel.pp - 1));
      pr.tp_rank = int(e.integer("tp_rank", 0, p.parallel.tp - 1));
      pr.node = int(e.integer("node", 0, p.nodes - 1));
      pr.gpu = int(e.integer("gpu", 0, 1 << 16));
      e.finish();
      if (pr.rank != int(i) || p.parallel.rank(pr.replica, pr.stage, pr.tp_rank) != pr.rank) {
        throw InputError(fmt::format("{}: rank {} with replica {}, stage {}, tp_rank {} disagrees with the rank "
                                     "order (rank = replica*tp*pp + stage*tp + tp_rank, listed in rank order)",
                                     e.where("rank"), pr.rank, pr.replica, pr.stage, pr.tp_rank));
      }
      p.placement.push_back(pr);
    }
  }
  {
    ObjectReader b = r.object("batch");
    p.batch.scheduler = one_of(b, "scheduler", {"continuous", "static"});
    p.batch.max_num_seqs = b.integer("max_num_seqs", 1, 1 << 20);
    p.batch.max_num_batched_tokens = b.integer("max_num_batched_tokens", 1, 1 << 24);
    p.batch.microbatches = int(b.integer("microbatches", 0, 4096));
    p.batch.gpu_memory_utilization = b.number("gpu_memory_utilization", 0.01, 1.0);
    p.batch.max_model_len = b.integer("max_model_len", 0, 1 << 24);
    p.batch.kv_cache_free_fraction = b.number_opt("kv_cache_free_fraction", 0.0, 1.0).value_or(0.0);
    b.finish();
  }
  {
    ObjectReader w = r.object("workload");
    p.workload.input_len = w.string("input_len");
    p.workload.output_len = w.string("output_len");
    p.workload.num_requests = w.integer("num_requests", 0, 100'000'000);
    p.workload.arrival = one_of(w, "arrival", {"offline", "poisson", "closed_loop", "trace"});
    p.workload.request_rate = w.number("request_rate", 0, 1e9);
    p.workload.concurrency = w.integer("concurrency", 0, 100'000'000);
    p.workload.trace = w.string("trace");
    p.workload.seed = uint64_t(w.integer("seed", 0, INT64_MAX));
    w.finish();
  }
  if (r.has("prediction")) p.prediction = r.raw("prediction");
  r.finish();
  return p;
}

PlanFile plan_load(const std::filesystem::path& path) {
  return plan_from_json(json_load_file(path), path.string());
}

void plan_save(const PlanFile& p, const std::filesystem::path& path) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp);
    if (!out) throw InputError(fmt::format("--out: cannot write '{}' (check the folder exists and is writable)", path.string()));
    out << plan_to_json(p).dump(2) << '\n';
    if (!out) throw InputError(fmt::format("--out: writing '{}' failed", tmp.string()));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw InputError(fmt::format("--out: cannot rename '{}' to '{}': {}", tmp.string(), path.string(), ec.message()));
}

}  // namespace sp
