#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/common/error.h"
#include "sim/serving/workload.h"

using namespace sp;

// Failed comparisons of requests print their fields.
template <>
struct doctest::StringMaker<Request> {
  static String convert(const Request& r) {
    return fmt::format("{{arrival_ns {}, input {}, output {}, id {}}}", r.arrival_ns, r.input_tokens, r.output_tokens,
                       r.id)
        .c_str();
  }
};

namespace {

// The message of the InputError `f` throws, or a note that it threw none.
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError thrown)";
}

// A CSV file in the temp directory, removed at scope exit; the name is unique per run so that
// concurrent test runs do not read each other's files.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    static int counter = 0;
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path_ = std::filesystem::temp_directory_path() / fmt::format("shardplan_workload_{}_{}.csv", stamp, counter++);
    std::ofstream(path_, std::ios::binary) << text;
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string name() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

struct Moments {
  double mean = 0, sd = 0;
  int32_t min = 0, max = 0;
};

Moments input_moments(const std::vector<Request>& reqs) {
  Moments m{0, 0, reqs.front().input_tokens, reqs.front().input_tokens};
  double sum = 0, sum2 = 0;
  for (const Request& r : reqs) {
    sum += r.input_tokens;
    sum2 += double(r.input_tokens) * r.input_tokens;
    m.min = std::min(m.min, r.input_tokens);
    m.max = std::max(m.max, r.input_tokens);
  }
  const double n = double(reqs.size());
  m.mean = sum / n;
  m.sd = std::sqrt((sum2 - sum * sum / n) / (n - 1));
  return m;
}

WorkloadSpec spec_with_input(const char* input_spec, int64_t n = 100'000, uint64_t seed = 7) {
  WorkloadSpec s;
  s.input = length_dist_parse(input_spec, "--input-len");
  s.num_requests = n;
  s.seed = seed;
  return s;
}

std::vector<Request> load_text(const std::string& text, int64_t max_requests = 0) {
  TempFile f(text);
  return trace_load(f.path(), max_requests);
}

// The error trace_load reports for `text`, with the temp file's name replaced by "t.csv".
std::string trace_error(const std::string& text) {
  TempFile f(text);
  std::string msg = error_of([&] { trace_load(f.path()); });
  if (msg.rfind(f.name(), 0) == 0) msg = "t.csv" + msg.substr(f.name().size());
  return msg;
}

}  // namespace

TEST_SUITE("workload") {

TEST_CASE("the same seed gives the same workload, another seed a different one") {
  WorkloadSpec s;
  s.input = length_dist_parse("lognormal:512:256", "--input-len");
  s.output = length_dist_parse("normal:128:32", "--output-len");
  s.arrival = Arrival::poisson;
  s.rate_per_s = 10;
  s.num_requests = 1000;
  s.seed = 1;
  const auto a = workload_generate(s), b = workload_generate(s);
  CHECK(a == b);
  s.seed = 2;
  const auto c = workload_generate(s);
  REQUIRE(c.size() == a.size());
  int same_arrivals = 0, same_inputs = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    same_arrivals += a[i].arrival_ns == c[i].arrival_ns;
    same_inputs += a[i].input_tokens == c[i].input_tokens;
  }
  CHECK(same_arrivals == 0);
  CHECK(same_inputs < 50);  // lengths collide by chance (about 1 in 600 here), arrivals in ns never
}

TEST_CASE("lengths of a seed do not depend on the arrival process or the other length") {
  WorkloadSpec s = spec_with_input("uniform:1:1000", 100);
  s.output = length_dist_parse("normal:100:10", "--output-len");
  const auto offline = workload_generate(s);
  s.arrival = Arrival::poisson;
  s.rate_per_s = 3;
  const auto poisson = workload_generate(s);
  s.output = length_dist_parse("uniform:5:50", "--output-len");
  const auto other_output = workload_generate(s);
  for (size_t i = 0; i < offline.size(); ++i) {
    CHECK(offline[i].input_tokens == poisson[i].input_tokens);
    CHECK(offline[i].output_tokens == poisson[i].output_tokens);
    CHECK(offline[i].input_tokens == other_output[i].input_tokens);
  }
}

TEST_CASE("golden values pin the generator") {
  // Uniform lengths need only integer and exact double arithmetic, so they hold on every platform;
  // arrivals go through log() but are rounded to ns. An independent Python model of the streams
  // (mt19937_64 seeded with splitmix64(splitmix64(seed) + stream), top 53 bits, -log(1-u)/rate)
  // gives the same numbers.
  WorkloadSpec s = spec_with_input("uniform:1:1000", 5, 42);
  s.arrival = Arrival::poisson;
  s.rate_per_s = 2;
  const auto r = workload_generate(s);
  REQUIRE(r.size() == 5);
  CHECK(r[0] == Request{639'568'463, 795, 256, 0});
  CHECK(r[1] == Request{1'179'461'081, 136, 256, 1});
  CHECK(r[2] == Request{1'928'518'739, 914, 256, 2});
  CHECK(r[3] == Request{2'326'143'882, 935, 256, 3});
  CHECK(r[4] == Request{2'522'512'826, 11, 256, 4});
}

TEST_CASE("Poisson arrivals: mean inter-arrival 1/rate, first arrival after 0") {
  WorkloadSpec s;
  s.arrival = Arrival::poisson;
  s.rate_per_s = 50;
  s.num_requests = 100'000;
  s.seed = 11;
  const auto r = workload_generate(s);
  REQUIRE(r.size() == 100'000);
  CHECK(r.front().arrival_ns > 0);
  bool ordered = true, ids = true;
  for (size_t i = 0; i < r.size(); ++i) {
    ids = ids && r[i].id == int64_t(i);
    if (i > 0) ordered = ordered && r[i].arrival_ns >= r[i - 1].arrival_ns;
  }
  CHECK(ordered);
  CHECK(ids);
  const double mean_gap_s = double(r.back().arrival_ns) * 1e-9 / double(r.size());
  CHECK(std::abs(mean_gap_s * s.rate_per_s - 1) < 0.03);
  CHECK(r.front().input_tokens == 1024);  // the default lengths
  CHECK(r.front().output_tokens == 256);
}

TEST_CASE("offline and closed-loop requests all arrive at 0") {
  WorkloadSpec s;
  s.num_requests = 10;
  for (Arrival a : {Arrival::offline, Arrival::closed_loop}) {
    s.arrival = a;
    s.concurrency = 4;
    const auto r = workload_generate(s);
    REQUIRE(r.size() == 10);
    CHECK(std::all_of(r.begin(), r.end(), [](const Request& q) { return q.arrival_ns == 0; }));
    CHECK(r[9].id == 9);
  }
}

TEST_CASE("fixed lengths are exact") {
  const auto m = input_moments(workload_generate(spec_with_input("777", 1000)));
  CHECK(m.min == 777);
  CHECK(m.max == 777);
}

TEST_CASE("uniform lengths cover [MIN, MAX] with mean (MIN+MAX)/2") {
  const auto m = input_moments(workload_generate(spec_with_input("uniform:128:1024")));
  CHECK(m.min == 128);
  CHECK(m.max == 1024);
  CHECK(std::abs(m.mean / 576 - 1) < 0.01);
  // A discrete uniform over 897 values has sd sqrt((897^2 - 1) / 12) = 258.9.
  CHECK(std::abs(m.sd / 258.9 - 1) < 0.02);
}

TEST_CASE("normal lengths have the requested mean and sd") {
  const auto m = input_moments(workload_generate(spec_with_input("normal:512:128")));
  CHECK(std::abs(m.mean / 512 - 1) < 0.01);
  CHECK(std::abs(m.sd / 128 - 1) < 0.02);
}

TEST_CASE("lognormal mean and sd are those of the lengths, not of the underlying normal") {
  const auto m = input_moments(workload_generate(spec_with_input("lognormal:512:256")));
  CHECK(std::abs(m.mean / 512 - 1) < 0.03);
  CHECK(std::abs(m.sd / 256 - 1) < 0.05);
  CHECK(m.min >= 1);
}

TEST_CASE("lengths are clamped to [1, max_len]") {
  WorkloadSpec s = spec_with_input("normal:10:100", 10'000);
  s.max_len = 50;
  const auto m = input_moments(workload_generate(s));
  CHECK(m.min == 1);
  CHECK(m.max == 50);
}

TEST_CASE("length specs parse") {
  auto d = length_dist_parse("512", "--input-len");
  CHECK(d.kind == LengthKind::fixed);
  CHECK(d.a == 512);
  d = length_dist_parse("uniform:128:1024", "--input-len");
  CHECK(d.kind == LengthKind::uniform);
  CHECK(d.a == 128);
  CHECK(d.b == 1024);
  d = length_dist_parse("normal:512.5:0", "--input-len");
  CHECK(d.kind == LengthKind::normal);
  CHECK(d.a == 512.5);
  CHECK(d.b == 0);
  d = length_dist_parse("lognormal:512:256", "--output-len");
  CHECK(d.kind == LengthKind::lognormal);
  CHECK(d.b == 256);
  CHECK(length_dist_parse("16777216", "--input-len").a == 16777216);
}

TEST_CASE("bad length specs say what is accepted") {
  const std::string forms = "(use N, uniform:MIN:MAX, normal:MEAN:SD or lognormal:MEAN:SD)";
  auto err = [](const char* spec) { return error_of([&] { length_dist_parse(spec, "--input-len"); }); };
  CHECK(err("uniform:5") == "--input-len: 'uniform:5' is not a length " + forms);
  CHECK(err("") == "--input-len: '' is not a length " + forms);
  CHECK(err("lots") == "--input-len: 'lots' is not a length " + forms);
  CHECK(err("fixed:512") == "--input-len: 'fixed:512' is not a length " + forms);
  CHECK(err("gamma:2:3") == "--input-len: 'gamma:2:3' is not a length " + forms);
  CHECK(err("uniform:1:2:3") == "--input-len: 'uniform:1:2:3' is not a length " + forms);
  CHECK(err("normal:512:1O") == "--input-len: 'normal:512:1O' is not a length " + forms);
  CHECK(err("0") == "--input-len: N 0 in '0' is out of range (use 1 to 16777216)");
  CHECK(err("-3") == "--input-len: N -3 in '-3' is out of range (use 1 to 16777216)");
  CHECK(err("16777217") == "--input-len: N 16777217 in '16777217' is out of range (use 1 to 16777216)");
  CHECK(err("512.5") == "--input-len: N 512.5 in '512.5' is not a whole number of tokens");
  CHECK(err("uniform:0:10") == "--input-len: MIN 0 in 'uniform:0:10' is out of range (use 1 to 16777216)");
  CHECK(err("uniform:1024:128") == "--input-len: MIN 1024 exceeds MAX 128 in 'uniform:1024:128'; swap them");
  CHECK(err("normal:nan:5") == "--input-len: MEAN nan in 'normal:nan:5' is out of range (use 1 to 16777216)");
  CHECK(err("lognormal:512:-1") == "--input-len: SD -1 in 'lognormal:512:-1' is out of range (use 0 to 16777216)");
  CHECK(err("normal:512:1e9") ==
        "--input-len: SD 1000000000 in 'normal:512:1e9' is out of range (use 0 to 16777216)");
  CHECK(error_of([] { length_dist_parse("inf", "--output-len"); }) ==
        "--output-len: N inf in 'inf' is out of range (use 1 to 16777216)");
}

TEST_CASE("bad workload specs name the setting and the accepted range") {
  auto err = [](auto edit) {
    WorkloadSpec s;
    edit(s);
    return error_of([&] { workload_generate(s); });
  };
  CHECK(err([](WorkloadSpec& s) { s.num_requests = 0; }) ==
        "--num-requests: 0 is out of range (use 1 to 10000000)");
  CHECK(err([](WorkloadSpec& s) { s.num_requests = 10'000'001; }) ==
        "--num-requests: 10000001 is out of range (use 1 to 10000000)");
  CHECK(err([](WorkloadSpec& s) {
          s.arrival = Arrival::trace;
          s.trace_path = "t.csv";
          s.num_requests = -1;
        }) == "--num-requests: -1 is out of range (use 1 to 10000000, or 0 for the whole trace)");
  CHECK(err([](WorkloadSpec& s) { s.arrival = Arrival::poisson; }) ==
        "--request-rate: 0 is out of range (use a finite number of requests per second > 0)");
  CHECK(err([](WorkloadSpec& s) {
          s.arrival = Arrival::poisson;
          s.rate_per_s = NAN;
        }) == "--request-rate: nan is out of range (use a finite number of requests per second > 0)");
  CHECK(err([](WorkloadSpec& s) { s.arrival = Arrival::closed_loop; }) ==
        "--concurrency: 0 is out of range (use 1 or more requests in flight)");
  CHECK(err([](WorkloadSpec& s) { s.arrival = Arrival::trace; }) ==
        "--trace: no trace file given (pass the path of a CSV trace)");
  CHECK(err([](WorkloadSpec& s) { s.output = {LengthKind::uniform, 10, 5}; }) ==
        "--output-len: MIN 10 exceeds MAX 5; swap them");
  CHECK(err([](WorkloadSpec& s) { s.input = {LengthKind::fixed, 0, 0}; }) ==
        "--input-len: N 0 is out of range (use 1 to 16777216)");
  CHECK(err([](WorkloadSpec& s) {
          s.arrival = Arrival::poisson;
          s.rate_per_s = 1e-9;
          s.num_requests = 100;
        }) == "--request-rate: at 1e-09 requests/s, 100 requests arrive past 9e+09 s, more than int64 nanoseconds "
              "hold; raise --request-rate or lower --num-requests");
}

TEST_CASE("plain traces: sorted by arrival (stable), ids in arrival order, CRLF and blank lines accepted") {
  const auto r = load_text(
      "arrival_s,input_tokens,output_tokens\r\n"
      "0.5,100,10\r\n"
      "0.25, 200 ,20\r\n"
      "\r\n"
      "0.5,300,30\r\n"
      "1e-9,400,40\r\n");
  REQUIRE(r.size() == 4);
  CHECK(r[0] == Request{1, 400, 40, 0});
  CHECK(r[1] == Request{250'000'000, 200, 20, 1});
  CHECK(r[2] == Request{500'000'000, 100, 10, 2});  // ties keep file order
  CHECK(r[3] == Request{500'000'000, 300, 30, 3});
}

TEST_CASE("max_requests keeps the first rows of the file") {
  const std::string text = "arrival_s,input_tokens,output_tokens\n3,1,1\n1,2,2\n2,3,3\nnot,a,row\n";
  const auto r = load_text(text, 2);
  REQUIRE(r.size() == 2);
  CHECK(r[0] == Request{1'000'000'000, 2, 2, 0});
  CHECK(r[1] == Request{3'000'000'000, 1, 1, 1});
}

TEST_CASE("trace errors give file, line and column, what was expected and what was found") {
  const std::string h = "arrival_s,input_tokens,output_tokens\n";
  CHECK(error_of([] { trace_load("/nonexistent/trace.csv"); }) == "/nonexistent/trace.csv: no such file");
  CHECK(trace_error("time,in,out\n1,2,3\n") ==
        "t.csv:1:1: expected the header 'arrival_s,input_tokens,output_tokens' or the Azure LLM trace header "
        "'TIMESTAMP,ContextTokens,GeneratedTokens', found 'time,in,out'");
  CHECK(trace_error("") ==
        "t.csv:1:1: expected the header 'arrival_s,input_tokens,output_tokens' or the Azure LLM trace header "
        "'TIMESTAMP,ContextTokens,GeneratedTokens', found an empty line");
  CHECK(trace_error(h) ==
        "t.csv:2:1: expected a request row 'arrival_s,input_tokens,output_tokens' after the header, found the end "
        "of the file");
  CHECK(trace_error(h + "0,1,1\n0.5,100\n") ==
        "t.csv:3:8: expected 3 columns (arrival_s,input_tokens,output_tokens), found 2");
  CHECK(trace_error(h + "0.5,100,10,7,8\n") ==
        "t.csv:2:12: expected 3 columns (arrival_s,input_tokens,output_tokens), found 5");
  CHECK(trace_error(h + "0.5,1OO,10\n") == "t.csv:2:5: expected input_tokens as a whole number of tokens, found '1OO'");
  CHECK(trace_error(h + "0.5,100,\n") ==
        "t.csv:2:9: expected output_tokens as a whole number of tokens, found an empty field");
  CHECK(trace_error(h + "soon,100,10\n") == "t.csv:2:1: expected arrival_s as a number of seconds, found 'soon'");
  CHECK(trace_error(h + "1,1,1\n-1.5,100,10\n") ==
        "t.csv:3:1: expected arrival_s in [0, 9e+09] seconds, found -1.5");
  CHECK(trace_error(h + "0.5,0,10\n") == "t.csv:2:5: expected input_tokens in [1, 16777216], found 0");
  CHECK(trace_error(h + "0.5,10,99999999999999999999\n") ==
        "t.csv:2:8: expected output_tokens in [1, 16777216], found 99999999999999999999");
  CHECK(trace_error("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.68,10,0\n") ==
        "t.csv:2:27: expected GeneratedTokens in [1, 16777216], found 0");
  CHECK(trace_error("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-02-29 18:15:46,10,10\n") ==
        "t.csv:2:1: expected TIMESTAMP like '2023-11-16 18:15:46.6805900' (YYYY-MM-DD HH:MM:SS[.fraction], years "
        "1970 to 2200), found '2023-02-29 18:15:46'");
  CHECK(trace_error("TIMESTAMP,ContextTokens,GeneratedTokens\n1700158546.68,10,10\n") ==
        "t.csv:2:1: expected TIMESTAMP like '2023-11-16 18:15:46.6805900' (YYYY-MM-DD HH:MM:SS[.fraction], years "
        "1970 to 2200), found '1700158546.68'");
}

TEST_CASE("an Azure LLM trace excerpt loads with arrivals relative to the first row") {
  // The first rows of data/AzureLLMInferenceTrace_conv.csv, from the Azure Public Dataset, "Azure LLM
  // inference trace 2023" (CC-BY 4.0; Patel et al., "Splitwise: Efficient generative LLM inference
  // using phase splitting", ISCA 2024), kept with its CRLF line ends and no final newline.
  const auto r = load_text(
      "TIMESTAMP,ContextTokens,GeneratedTokens\r\n"
      "2023-11-16 18:15:46.6805900,374,44\r\n"
      "2023-11-16 18:15:50.9951690,396,109\r\n"
      "2023-11-16 18:15:51.2224670,879,55\r\n"
      "2023-11-16 18:15:51.3910170,91,16");
  REQUIRE(r.size() == 4);
  CHECK(r[0] == Request{0, 374, 44, 0});
  CHECK(r[1] == Request{4'314'579'000, 396, 109, 1});
  CHECK(r[2] == Request{4'541'877'000, 879, 55, 2});
  CHECK(r[3] == Request{4'710'427'000, 91, 16, 3});
}

TEST_CASE("Azure timestamps count days with the Gregorian calendar") {
  // 2023-11-16 18:15:46 UTC is 1700158546 s after the epoch (Python's datetime agrees);
  // 2024 is a leap year, so Feb 28 23:59:59 to Mar 1 00:00:00 is 86401 s.
  const auto r = load_text(
      "TIMESTAMP,ContextTokens,GeneratedTokens\n"
      "2023-11-16 18:15:46.123456789123,1,1\n"
      "1970-01-01 00:00:00,2,2\n"
      "2024-02-28 23:59:59.5,3,3\n"
      "2024-03-01T00:00:00.5,4,4\n");
  REQUIRE(r.size() == 4);
  CHECK(r[0].input_tokens == 2);
  CHECK(r[1].arrival_ns == 1'700'158'546'123'456'789);
  CHECK(r[3].arrival_ns - r[2].arrival_ns == 86'401'000'000'000);
}

TEST_CASE("a trace workload reads the trace and clamps its lengths") {
  TempFile f("arrival_s,input_tokens,output_tokens\n0,100,10\n1,2000,20\n2,300,30\n");
  WorkloadSpec s;
  s.arrival = Arrival::trace;
  s.trace_path = f.name();
  s.num_requests = 0;
  s.max_len = 1000;
  const auto all = workload_generate(s);
  REQUIRE(all.size() == 3);
  CHECK(all[1] == Request{1'000'000'000, 1000, 20, 1});
  s.num_requests = 2;
  CHECK(workload_generate(s).size() == 2);
}

TEST_CASE("the real Azure conversation trace loads in full") {
  const std::filesystem::path path = SHARDPLAN_SOURCE_DIR "/../shared/data/traces/azure-llm-2023-conv.csv";
  if (!std::filesystem::exists(path)) {
    MESSAGE("skipped: ", path.string(), " is not present (the shared data folder sits beside the checkout)");
    return;
  }
  const auto r = trace_load(path);
  // The data README says 19,365 requests; the file holds 19,366 rows after its header.
  CHECK(r.size() == 19'366);
  CHECK(r.front().arrival_ns == 0);
  bool ordered = true;
  for (size_t i = 1; i < r.size(); ++i) ordered = ordered && r[i].arrival_ns >= r[i - 1].arrival_ns;
  CHECK(ordered);
  CHECK(r.front() == Request{0, 374, 44, 0});
  // The last row, 2023-11-16 19:14:08.4025270, is 58 min 21.7219370 s after the first.
  CHECK(r.back() == Request{3'501'721'937'000, 197, 183, 19'365});
}

}  // TEST_SUITE
