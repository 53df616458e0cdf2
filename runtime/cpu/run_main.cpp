// shardplan-run: executes a plan.json with one MPI rank per device on the CPU backend.
//
//   mpirun -np N shardplan-run --plan plan.json [--batch B --prompt-len S --decode-steps D]
//          [--warmup W --iters I] [--out run.json] [--trace DIR] [--check]
//   mpirun -np 2 shardplan-run --bench-comm --out comm.json     (calibrate's MPI measurements)
//
// Each iteration is a prefill of B sequences of S tokens then D decode steps; phases start
// after a barrier and are timed with a steady clock, the first W iterations are warm-up. Rank
// 0 writes the measurements (docs/runtime.md describes the JSON). A failing rank prints
// "shardplan-run: rank R: <cause>" and aborts the whole job; a watchdog aborts a rank that
// makes no progress for --timeout seconds, so a dead peer never hangs the job.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <Eigen/Core>
#include <fmt/format.h>
#include <mpi.h>

#include "planner/plan_file.h"
#include "runtime/cpu/cpu_device.h"
#include "runtime/cpu/host_memory.h"
#include "runtime/cpu/mpi_comm.h"
#include "runtime/executor.h"
#include "runtime/rank_memory.h"
#include "runtime/stats.h"
#include "sim/common/error.h"

namespace {

using namespace sp;

struct Options {
  std::string plan;
  RunShape shape{.batch = 4, .prompt_len = 64, .decode_steps = 8, .microbatches = 0};
  int warmup = 1, iters = 3;
  uint64_t seed = 0;
  std::string out, trace;
  bool check = false;
  double tolerance = 1e-4;
  double timeout_s = 300;
  double memory_limit_gib = 0;  // per rank; 0 = the host's available memory shared by its ranks
  int fail_rank = -1;
  std::string fail_mode = "throw";
  bool bench_comm = false;
};

[[noreturn]] void fail(int rank, const std::string& msg, int code) {
  std::fprintf(stderr, "shardplan-run: rank %d: %s\n", rank, msg.c_str());
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

// Aborts the rank when the recorder shows no progress for `timeout_s`: a peer that died or
// hangs leaves this rank blocked inside MPI, where no error handler ever fires.
class Watchdog {
 public:
  Watchdog(const Recorder& rec, int rank, double timeout_s)
      : thread_([this, &rec, rank, timeout_s] {
          while (!stop_.load()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            const double idle = double(Recorder::now_ns() - rec.progress_ns()) * 1e-9;
            if (idle > timeout_s) {
              std::fprintf(stderr,
                           "shardplan-run: rank %d: no progress for %.0f s (last in '%s'); a peer may have died "
                           "or hung; aborting the job\n",
                           rank, idle, rec.current_op());
              std::fflush(stderr);
              std::_Exit(3);
            }
          }
        }) {}
  ~Watchdog() {
    stop_.store(true);
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::string host_name() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

std::string utc_now() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// The 1-minute load average: timings on a shared machine mean little without it.
double load_average() {
  std::ifstream f("/proc/loadavg");
  double l = -1;
  f >> l;
  return l;
}

void write_json(const std::string& path, const nlohmann::json& j, const char* flag = "--out") {
  std::ofstream f(path);
  if (!f) throw InputError(fmt::format("{} {}: cannot write the file; check the folder exists and is writable", flag, path));
  f << j.dump(2) << "\n";
}

// Per op name, the median across phases of the name's time in a phase (idle waiting left out).
// A phase during which the machine descheduled the rank inflates one name's time in that phase
// only, which the median rejects: on a shared machine this is the rank's busy time as an idle
// core would give it; the phase times include everything.
std::map<std::string, double> ops_medians(const std::vector<std::map<std::string_view, double>>& phases) {
  std::map<std::string_view, std::vector<double>> by_name;
  for (const auto& ph : phases)
    for (const auto& [name, s] : ph) by_name[name].push_back(s);
  std::map<std::string, double> out;
  for (auto& [name, v] : by_name) {
    v.resize(phases.size(), 0.0);  // a phase without the op (the last step sends no tokens)
    out[std::string(name)] = median(v);
  }
  return out;
}

double sum_of(const std::map<std::string, double>& m) {
  double s = 0;
  for (const auto& [name, v] : m) s += v;
  return s;
}

// Every rank's `text` on rank 0 (empty strings elsewhere).
std::vector<std::string> gather_strings(const std::string& text, int rank, int size) {
  int len = int(text.size());
  const auto n = static_cast<size_t>(size);
  std::vector<int> lens(n), offs(n, 0);
  mpi_check(MPI_Gather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Gather");
  int total = 0;
  for (int r = 0; r < size; ++r) {
    offs[size_t(r)] = total;
    total += lens[size_t(r)];
  }
  std::string all(rank == 0 ? size_t(total) : 0, '\0');
  mpi_check(MPI_Gatherv(text.data(), len, MPI_CHAR, all.data(), lens.data(), offs.data(), MPI_CHAR, 0, MPI_COMM_WORLD),
            "MPI_Gatherv");
  std::vector<std::string> out(n);
  if (rank == 0)
    for (int r = 0; r < size; ++r) out[size_t(r)] = all.substr(size_t(offs[size_t(r)]), size_t(lens[size_t(r)]));
  return out;
}

// Logits of every phase (prefill, then each decode step) of the reference: the same model and
// seed unsharded on one rank.
std::vector<std::vector<float>> reference_logits(const CostModel& cm, const RunShape& shape, uint64_t seed) {
  const ParallelConfig one{.tp = 1, .pp = 1, .dp = 1, .ep = 1};
  CostModel ref(cm.model(), cm.cluster(), one, cm.precision());
  CpuDevice dev;
  NullComm comm;
  Recorder rec;
  RunShape s = shape;
  s.microbatches = 1;
  Executor ex(ref, {}, seed, dev, comm);
  ex.start(s);
  std::vector<std::vector<float>> out;
  ex.prefill(rec);
  out.push_back(ex.logits());
  for (int k = 0; k < s.decode_steps; ++k) {
    ex.decode_step(k, rec);
    out.push_back(ex.logits());
  }
  return out;
}

// Exit code of a plan that does not fit: the same as bad input (the user changes the plan or
// the shape), but found by every rank together, so each exits on its own, without MPI_Abort.
constexpr int kNoFitExit = 2;

// Whether every rank's allocations fit, decided before any of them allocates. Ranks on one
// host share its available memory (MPI_COMM_TYPE_SHARED), of which 90% may be planned: MPI's
// buffers and the page cache need the rest. With --memory-limit-gib each rank has that much.
// Collective: every rank gets the same answer; rank 0 prints the one line.
bool memory_fits(const Options& o, const RankMemory& need, const PlacedRank& me, int rank, int size) {
  MPI_Comm node = MPI_COMM_NULL;
  mpi_check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node),
            "MPI_Comm_split_type");
  long long mine = need.total(), node_need = 0;
  mpi_check(MPI_Allreduce(&mine, &node_need, 1, MPI_LONG_LONG, MPI_SUM, node), "MPI_Allreduce");
  int node_ranks = 1;
  MPI_Comm_size(node, &node_ranks);
  MPI_Comm_free(&node);
  constexpr double gib = 1024.0 * 1024.0 * 1024.0;
  const int64_t host = host_available_bytes();
  bool ok = true;
  std::string why;
  if (o.memory_limit_gib > 0) {
    ok = double(mine) <= o.memory_limit_gib * gib;
    why = fmt::format("--memory-limit-gib {:g} per rank", o.memory_limit_gib);
  } else if (host > 0) {
    ok = double(node_need) <= 0.9 * double(host);
    why = fmt::format("{} rank(s) on this host need {:.2f} GiB together; 90% of the {:.2f} GiB it has available is "
                      "{:.2f} GiB",
                      node_ranks, double(node_need) / gib, double(host) / gib, 0.9 * double(host) / gib);
  }
  // Rank 0 learns the first rank that does not fit and why, in one message.
  const int bad_mine = ok ? size : rank;
  int first_bad = size;
  mpi_check(MPI_Allreduce(&bad_mine, &first_bad, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD), "MPI_Allreduce");
  if (first_bad == size) return true;
  std::string text = first_bad == rank
                         ? fmt::format("rank {} (replica {}, stage {}, TP rank {}) needs {}; {}", rank, me.replica,
                                       me.stage, me.tp_rank, rank_memory_text(need), why)
                         : std::string();
  int len = int(text.size());
  mpi_check(MPI_Bcast(&len, 1, MPI_INT, first_bad, MPI_COMM_WORLD), "MPI_Bcast");
  text.resize(size_t(len));
  mpi_check(MPI_Bcast(text.data(), len, MPI_CHAR, first_bad, MPI_COMM_WORLD), "MPI_Bcast");
  if (rank == 0) {
    std::fprintf(stderr,
                 "shardplan-run: error: the plan does not fit in memory, nothing was allocated: %s; use a smaller "
                 "--batch, --prompt-len or --decode-steps, or more ranks (TP or PP split weights and KV cache)%s\n",
                 text.c_str(), o.check ? "; the --check reference alone holds the whole model on one rank (validate always checks: pick "
                           "a smaller model there; shardplan-run runs without --check)" : "");
    std::fflush(stderr);
  }
  return false;
}

int run_plan(const Options& o, int rank, int size) {
  const PlanFile plan = plan_load(o.plan);
  const auto& pc = plan.parallel;
  if (size != pc.gpus()) {
    throw InputError(fmt::format("plan {} has {} ranks (tp {} x pp {} x dp {}) but mpirun started {}; run "
                                 "mpirun -np {}",
                                 o.plan, pc.gpus(), pc.tp, pc.pp, pc.dp, size, pc.gpus()));
  }
  const PlacedRank& me = plan.placement.at(size_t(rank));
  const Precision prec{.weights = dtype_parse(plan.dtype, "dtype"), .kv = dtype_parse(plan.kv_dtype, "kv_dtype")};
  const CostModel cm(model_load(plan.model), cluster_make(plan.hardware, plan.nodes), pc, prec);
  RunShape shape = o.shape;
  if (shape.microbatches == 0) shape.microbatches = plan.batch.microbatches > 0 ? plan.batch.microbatches : pc.pp;
  run_shape_validate(shape);
  if (o.warmup < 0 || o.iters < 1) throw InputError("--warmup must be >= 0 and --iters >= 1");

  const bool checker = o.check && me.replica == 0 && me.stage == pc.pp - 1 && me.tp_rank == 0;
  const RankMemory need =
      rank_memory(cm.model(), pc, {.replica = me.replica, .stage = me.stage, .tp_rank = me.tp_rank}, shape, checker);
  if (!memory_fits(o, need, me, rank, size)) return kNoFitExit;

  Recorder rec;
  Watchdog dog(rec, rank, o.timeout_s);
  MpiComm comm(mpi_comm_split(me.replica * pc.pp + me.stage, me.tp_rank));
  CpuDevice dev;
  Executor ex(cm, {.replica = me.replica, .stage = me.stage, .tp_rank = me.tp_rank}, o.seed, dev, comm);
  rec.touch();

  std::vector<double> prefill_s, decode_s;            // this rank's phase times
  std::vector<ClassSeconds> prefill_cls, decode_cls;  // this rank's time by class
  std::vector<std::map<std::string_view, double>> prefill_ops, decode_ops;  // and by op name
  std::vector<std::vector<float>> logits;             // last iteration, per phase
  for (int it = 0; it < o.warmup + o.iters; ++it) {
    const bool measured = it >= o.warmup, final = it + 1 == o.warmup + o.iters;
    rec.keep_trace(final && !o.trace.empty());
    ex.start(shape);
    comm.barrier();
    rec.take_totals();
    rec.take_name_totals();
    if (it == 0 && rank == o.fail_rank) {
      if (o.fail_mode == "exit") std::_Exit(5);
      if (o.fail_mode == "hang") std::this_thread::sleep_for(std::chrono::hours(1));
      throw std::runtime_error("injected failure (--fail-rank " + std::to_string(rank) + ")");
    }
    int64_t t0 = Recorder::now_ns();
    ex.prefill(rec);
    comm.wait_sends();
    if (measured) {
      prefill_s.push_back(double(Recorder::now_ns() - t0) * 1e-9);
      prefill_cls.push_back(rec.take_totals());
      prefill_ops.push_back(rec.take_name_totals());
    }
    if (final && checker) logits.push_back(ex.logits());
    for (int k = 0; k < shape.decode_steps; ++k) {
      comm.barrier();
      rec.take_totals();
      rec.take_name_totals();
      t0 = Recorder::now_ns();
      ex.decode_step(k, rec);
      comm.wait_sends();
      if (measured) {
        decode_s.push_back(double(Recorder::now_ns() - t0) * 1e-9);
        decode_cls.push_back(rec.take_totals());
        decode_ops.push_back(rec.take_name_totals());
      }
      if (final && checker) logits.push_back(ex.logits());
    }
  }
  comm.barrier();

  // Phase time of the job = the slowest rank's (the last stage finishes last).
  std::vector<double> phases = prefill_s;
  phases.insert(phases.end(), decode_s.begin(), decode_s.end());
  std::vector<double> job(phases.size());
  mpi_check(MPI_Reduce(phases.data(), job.data(), int(phases.size()), MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD),
            "MPI_Reduce");
  // Per rank: medians by class, prefill then decode step.
  std::vector<double> mine(2 * kTimeClasses);
  for (int c = 0; c < kTimeClasses; ++c) {
    std::vector<double> p, d;
    for (const auto& x : prefill_cls) p.push_back(x[size_t(c)]);
    for (const auto& x : decode_cls) d.push_back(x[size_t(c)]);
    mine[size_t(c)] = median(p);
    mine[size_t(kTimeClasses + c)] = median(d);
  }
  const auto pre_ops = ops_medians(prefill_ops), dec_ops = ops_medians(decode_ops);
  mine.push_back(sum_of(pre_ops));
  mine.push_back(sum_of(dec_ops));
  const auto ops_text = gather_strings(nlohmann::json{{"prefill", pre_ops}, {"decode", dec_ops}}.dump(), rank, size);
  std::vector<double> all(size_t(size) * mine.size());
  mpi_check(MPI_Gather(mine.data(), int(mine.size()), MPI_DOUBLE, all.data(), int(mine.size()), MPI_DOUBLE, 0,
                       MPI_COMM_WORLD),
            "MPI_Gather");

  // Numerics: the checking rank compares every phase's logits with the unsharded reference.
  double chk[4] = {0, 0, 0, 0};  // max |a - r|, elements wrong, elements compared, tokens differing
  if (checker) {
    const auto ref = reference_logits(cm, shape, o.seed);
    for (size_t p = 0; p < ref.size(); ++p) {
      for (size_t i = 0; i < ref[p].size(); ++i) {
        const double e = std::abs(double(logits[p][i]) - double(ref[p][i]));
        chk[0] = std::max(chk[0], e);
        if (e > o.tolerance * (1.0 + std::abs(double(ref[p][i])))) chk[1] += 1;
        chk[2] += 1;
      }
    }
    rec.touch();
  }
  double chk_all[4];
  mpi_check(MPI_Reduce(chk, chk_all, 4, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD), "MPI_Reduce");

  if (!o.trace.empty()) {
    std::error_code ec;  // a failure shows as the write's own message below
    std::filesystem::create_directories(o.trace, ec);
    write_json(fmt::format("{}/trace_rank{}.json", o.trace, rank), rec.chrome_trace(rank), "--trace");
  }
  if (rank != 0) return 0;

  const auto n_pre = prefill_s.size();
  std::vector<double> job_pre(job.begin(), job.begin() + ptrdiff_t(n_pre)), job_dec(job.begin() + ptrdiff_t(n_pre), job.end());
  nlohmann::json j;
  j["schema_version"] = 1;
  j["kind"] = "shardplan-measurement";
  j["backend"] = "cpu";
  j["host"] = host_name();
  j["date"] = utc_now();
  j["np"] = size;
  j["cores"] = int(std::thread::hardware_concurrency());
  j["load_average_at_end"] = load_average();
  j["plan"] = plan_to_json(plan);
  j["shape"] = {{"batch", shape.batch}, {"prompt_len", shape.prompt_len}, {"decode_steps", shape.decode_steps},
                {"microbatches", shape.microbatches}, {"warmup", o.warmup}, {"iters", o.iters}, {"seed", o.seed}};
  j["prefill_s"] = job_pre;
  j["decode_step_s"] = job_dec;
  j["prefill_median_s"] = median(job_pre);
  j["decode_step_median_s"] = median(job_dec);
  auto ranks = nlohmann::json::array();
  for (int r = 0; r < size; ++r) {
    const auto& pl = plan.placement[size_t(r)];
    nlohmann::json pre, dec;
    for (int c = 0; c < kTimeClasses; ++c) {
      const std::string name(time_class_name(TimeClass(c)));
      pre[name] = all[size_t(r) * mine.size() + size_t(c)];
      dec[name] = all[size_t(r) * mine.size() + size_t(kTimeClasses + c)];
    }
    const size_t base = size_t(r) * mine.size() + 2 * kTimeClasses;
    const auto ops = nlohmann::json::parse(ops_text[size_t(r)]);
    ranks.push_back({{"rank", r}, {"replica", pl.replica}, {"stage", pl.stage}, {"tp_rank", pl.tp_rank},
                     {"prefill_s", pre}, {"decode_step_s", dec}, {"prefill_ops_median_s", all[base]},
                     {"decode_step_ops_median_s", all[base + 1]}, {"prefill_ops_s", ops.at("prefill")},
                     {"decode_step_ops_s", ops.at("decode")}});
  }
  j["ranks"] = ranks;
  const bool passed = chk_all[1] == 0;
  if (o.check) {
    j["check"] = {{"max_abs_err", chk_all[0]}, {"wrong", int64_t(chk_all[1])}, {"compared", int64_t(chk_all[2])},
                  {"tolerance", o.tolerance}, {"passed", passed}};
  }
  if (!o.out.empty()) write_json(o.out, j);
  fmt::print("shardplan-run: {} ranks, prefill {:.3f} ms, decode step {:.3f} ms (medians of {} iterations)", size,
             median(job_pre) * 1e3, median(job_dec) * 1e3, o.iters);
  if (o.check) fmt::print(", check {}: max |err| {:.3g}, {} of {} logits wrong", passed ? "passed" : "FAILED",
                          chk_all[0], int64_t(chk_all[1]), int64_t(chk_all[2]));
  fmt::print("\n");
  return o.check && !passed ? 1 : 0;
}

// MPI AllReduce over every rank and send/recv between ranks 0 and 1 (half a ping-pong), over
// message sizes from 1 KiB to 4 MiB (the span of the tiny models' AllReduces; larger buffers
// leave the last-level cache and follow another line): what calibrate fits alpha and beta to.
int bench_comm(const Options& o, int rank, int size) {
  if (size < 2) throw InputError("--bench-comm needs at least 2 ranks: mpirun -np 2 shardplan-run --bench-comm");
  nlohmann::json ar = nlohmann::json::array(), sr = nlohmann::json::array();
  for (int64_t bytes = 1024; bytes <= (4 << 20); bytes *= 4) {
    std::vector<float> buf(size_t(bytes / 4), 1.0f);
    MPI_Barrier(MPI_COMM_WORLD);
    // Every rank makes the same number of calls (rank 0 decides), or the collectives would not match.
    int calls = 0;
    if (rank == 0) {
      std::vector<double> probe;
      for (int i = 0; i < 3; ++i) {
        const int64_t t0 = Recorder::now_ns();
        mpi_check(MPI_Allreduce(MPI_IN_PLACE, buf.data(), int(buf.size()), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");
        probe.push_back(double(Recorder::now_ns() - t0) * 1e-9);
      }
      calls = int(std::clamp(0.1 / median(probe), 9.0, 400.0));
    } else {
      for (int i = 0; i < 3; ++i)
        mpi_check(MPI_Allreduce(MPI_IN_PLACE, buf.data(), int(buf.size()), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");
    }
    mpi_check(MPI_Bcast(&calls, 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Bcast");
    const double t_ar = time_median(
        [&] { mpi_check(MPI_Allreduce(MPI_IN_PLACE, buf.data(), int(buf.size()), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce"); },
        0, calls, calls);
    MPI_Barrier(MPI_COMM_WORLD);
    const double t_rt = time_median(
        [&] {
          if (rank == 0) {
            mpi_check(MPI_Send(buf.data(), int(buf.size()), MPI_FLOAT, 1, 7, MPI_COMM_WORLD), "MPI_Send");
            mpi_check(MPI_Recv(buf.data(), int(buf.size()), MPI_FLOAT, 1, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
          } else if (rank == 1) {
            mpi_check(MPI_Recv(buf.data(), int(buf.size()), MPI_FLOAT, 0, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
            mpi_check(MPI_Send(buf.data(), int(buf.size()), MPI_FLOAT, 0, 7, MPI_COMM_WORLD), "MPI_Send");
          }
        },
        0, calls, calls);
    ar.push_back({{"bytes", bytes}, {"time_s", t_ar}});
    sr.push_back({{"bytes", bytes}, {"time_s", t_rt / 2}});
  }
  if (rank == 0) {
    nlohmann::json j{{"kind", "shardplan-comm-bench"}, {"ranks", size}, {"allreduce", ar}, {"sendrecv", sr}};
    if (o.out.empty()) fmt::print("{}\n", j.dump(2));
    else write_json(o.out, j);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  // One thread per rank: a rank stands for one device. (Eigen threads only under OpenMP,
  // which this build does not enable; this keeps it so if someone does.)
  Eigen::setNbThreads(1);

  Options o;
  CLI::App app{"shardplan-run: execute a plan.json on CPUs, one MPI rank per device (mpirun -np N shardplan-run ...)"};
  app.add_option("--plan", o.plan, "plan.json written by 'shardplan plan --out' or 'shardplan validate'");
  app.add_option("--batch", o.shape.batch, "B: sequences per iteration")->capture_default_str();
  app.add_option("--prompt-len", o.shape.prompt_len, "S: prompt tokens per sequence")->capture_default_str();
  app.add_option("--decode-steps", o.shape.decode_steps, "D: decode steps after the prefill")->capture_default_str();
  app.add_option("--microbatches", o.shape.microbatches, "m: microbatches per phase; 0 = the plan's (else one per stage)")
      ->capture_default_str();
  app.add_option("--warmup", o.warmup, "untimed iterations first")->capture_default_str();
  app.add_option("--iters", o.iters, "timed iterations (medians are reported)")->capture_default_str();
  app.add_option("--seed", o.seed, "seed of the synthetic weights and prompts")->capture_default_str();
  app.add_option("--out", o.out, "write the measurements as JSON here (rank 0)");
  app.add_option("--trace", o.trace, "write a Chrome trace per rank of the last iteration into this folder");
  app.add_flag("--check", o.check, "compare the logits with the unsharded reference computed on one rank");
  app.add_option("--tolerance", o.tolerance, "--check: |sharded - reference| <= tol * (1 + |reference|)")
      ->capture_default_str();
  app.add_option("--timeout", o.timeout_s, "abort a rank that makes no progress for this many seconds")
      ->capture_default_str();
  app.add_option("--memory-limit-gib", o.memory_limit_gib,
                 "refuse the run before allocating when a rank needs more than this (0 = the host's available "
                 "memory, shared by its ranks)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e9));
  app.add_option("--fail-rank", o.fail_rank, "testing: make this rank fail at the first prefill");
  app.add_option("--fail-mode", o.fail_mode, "testing: throw, exit or hang")->check(CLI::IsMember({"throw", "exit", "hang"}));
  app.add_flag("--bench-comm", o.bench_comm, "measure MPI AllReduce and send/recv over message sizes instead");
  try {
    app.parse(argc, argv);
    if (!o.bench_comm && o.plan.empty()) throw CLI::RequiredError("--plan");
  } catch (const CLI::CallForHelp& e) {
    if (rank == 0) app.exit(e);
    MPI_Finalize();
    return 0;
  } catch (const CLI::ParseError& e) {
    if (rank == 0) std::fprintf(stderr, "shardplan-run: error: %s (run 'shardplan-run --help')\n", e.what());
    MPI_Finalize();
    return 2;
  }
  int rc = 0;
  try {
    rc = o.bench_comm ? bench_comm(o, rank, size) : run_plan(o, rank, size);
  } catch (const InputError& e) {
    fail(rank, fmt::format("error: {}", e.what()), 2);
  } catch (const std::bad_alloc&) {
    fail(rank, "out of memory: the rank's weights, KV cache or buffers do not fit; use a smaller model, batch or "
               "context, or more ranks",
         3);
  } catch (const CommError& e) {
    fail(rank, fmt::format("communication failed: {}", e.what()), 3);
  } catch (const std::exception& e) {
    fail(rank, fmt::format("failed: {}", e.what()), 3);
  }
  MPI_Finalize();
  return rc;
}
