#include "sim/serving/workload.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <optional>
#include <random>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/common/error.h"

namespace sp {

namespace {

constexpr const char* kLengthForms = "use N, uniform:MIN:MAX, normal:MEAN:SD or lognormal:MEAN:SD";
constexpr double kTwoPi = 6.283185307179586476925286766559;
// Arrivals past this many seconds would overflow int64 nanoseconds (9.22e9 s).
constexpr double kMaxArrivalS = 9e9;

// ---------------------------------------------------------------------------------------------
// Random numbers. mt19937_64's output is fixed by the standard; the transforms below are ours
// so that a seed means the same workload with every standard library.

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class Rng {
 public:
  // Independent streams per purpose: consecutive seeds into mt19937_64 are fine, but decorrelating
  // through splitmix64 keeps stream k of seed s apart from stream k+1 of seed s-1.
  Rng(uint64_t seed, uint64_t stream) : gen_(splitmix64(splitmix64(seed) + stream)) {}

  double uniform() { return double(gen_() >> 11) * 0x1.0p-53; }  // [0, 1), all 53 mantissa bits
  double exponential(double rate) { return -std::log(1.0 - uniform()) / rate; }  // 1 - u is in (0, 1]

  // Box-Muller; both outputs of a pair are used, so the stream advances one draw per sample.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(1.0 - uniform()));
    const double theta = kTwoPi * uniform();
    spare_ = r * std::sin(theta);
    has_spare_ = true;
    return r * std::cos(theta);
  }

 private:
  std::mt19937_64 gen_;
  bool has_spare_ = false;
  double spare_ = 0;
};

enum Stream : uint64_t { kArrivalStream = 0, kInputStream = 1, kOutputStream = 2 };

// ---------------------------------------------------------------------------------------------
// Length distributions.

void number_check(std::string_view flag, std::string_view in, const char* name, double v, int64_t lo, bool whole) {
  if (!(v >= double(lo) && v <= double(kMaxLengthTokens))) {
    throw InputError(fmt::format("{}: {} {}{} is out of range (use {} to {})", flag, name, v, in, lo, kMaxLengthTokens));
  }
  if (whole && v != std::floor(v)) {
    throw InputError(fmt::format("{}: {} {}{} is not a whole number of tokens", flag, name, v, in));
  }
}

// `spec` is the text the distribution came from, quoted in messages when there is one.
void length_check(const LengthDist& d, std::string_view flag, std::string_view spec) {
  const std::string in = spec.empty() ? std::string() : fmt::format(" in '{}'", message_quote(spec));
  switch (d.kind) {
    case LengthKind::fixed:
      number_check(flag, in, "N", d.a, 1, true);
      break;
    case LengthKind::uniform:
      number_check(flag, in, "MIN", d.a, 1, true);
      number_check(flag, in, "MAX", d.b, 1, true);
      if (d.a > d.b) throw InputError(fmt::format("{}: MIN {} exceeds MAX {}{}; swap them", flag, d.a, d.b, in));
      break;
    case LengthKind::normal:
    case LengthKind::lognormal:
      number_check(flag, in, "MEAN", d.a, 1, false);
      number_check(flag, in, "SD", d.b, 0, false);
      break;
  }
}

// The whole of `s` as a double; from_chars takes no leading '+' or spaces, which suits flags.
std::optional<double> number_parse(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<LengthKind> length_kind_parse(std::string_view name) {
  if (name == "uniform") return LengthKind::uniform;
  if (name == "normal") return LengthKind::normal;
  if (name == "lognormal") return LengthKind::lognormal;
  return std::nullopt;
}

// Draws one length: rounded to the nearest token, then clamped to [1, max_len].
class LengthSampler {
 public:
  LengthSampler(const LengthDist& d, int64_t max_len) : d_(d), max_len_(double(max_len)) {
    if (d.kind == LengthKind::lognormal) {
      // Moments of a lognormal: mean = exp(mu + s^2/2), var = mean^2 (exp(s^2) - 1).
      const double sigma2 = std::log1p((d.b / d.a) * (d.b / d.a));
      mu_ = std::log(d.a) - sigma2 / 2;
      sigma_ = std::sqrt(sigma2);
    }
  }

  int32_t operator()(Rng& rng) const {
    const double x = std::clamp(std::round(raw(rng)), 1.0, max_len_);
    return int32_t(x);
  }

 private:
  double raw(Rng& rng) const {
    switch (d_.kind) {
      case LengthKind::fixed: return d_.a;
      // floor over b - a + 1 buckets gives every integer in [a, b] the same chance; u < 1 keeps it <= b.
      case LengthKind::uniform: return d_.a + std::floor(rng.uniform() * (d_.b - d_.a + 1));
      case LengthKind::normal: return d_.a + d_.b * rng.normal();
      case LengthKind::lognormal: return std::exp(mu_ + sigma_ * rng.normal());
    }
    return d_.a;
  }

  LengthDist d_;
  double max_len_;
  double mu_ = 0, sigma_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Workload specs.

void spec_validate(const WorkloadSpec& s) {
  const bool trace = s.arrival == Arrival::trace;
  if (s.num_requests < (trace ? 0 : 1) || s.num_requests > kMaxRequests) {
    throw InputError(fmt::format("--num-requests: {} is out of range (use 1 to {}{})", s.num_requests, kMaxRequests,
                                 trace ? ", or 0 for the whole trace" : ""));
  }
  SP_ASSERT(s.max_len >= 1, "WorkloadSpec::max_len must be >= 1 (callers derive it from the deployment)");
  if (s.arrival == Arrival::poisson && !(s.rate_per_s > 0 && std::isfinite(s.rate_per_s))) {
    throw InputError(fmt::format("--request-rate: {} is out of range (use a finite number of requests per second > 0)",
                                 s.rate_per_s));
  }
  if (s.arrival == Arrival::closed_loop && s.concurrency < 1) {
    throw InputError(fmt::format("--concurrency: {} is out of range (use 1 or more requests in flight)", s.concurrency));
  }
  if (trace && s.trace_path.empty()) throw InputError("--trace: no trace file given (pass the path of a CSV trace)");
  if (!trace) {
    length_check(s.input, "--input-len", "");
    length_check(s.output, "--output-len", "");
  }
}

// max_len usually comes from the model's context length; beyond 2^24 it would only let lengths
// overflow int32, so the cap is the smaller of the two.
int64_t length_cap(const WorkloadSpec& s) { return std::min(s.max_len, kMaxLengthTokens); }

std::vector<Request> trace_generate(const WorkloadSpec& s) {
  std::vector<Request> reqs = trace_load(s.trace_path, s.num_requests);
  const auto cap = int32_t(length_cap(s));
  for (Request& r : reqs) {
    r.input_tokens = std::min(r.input_tokens, cap);
    r.output_tokens = std::min(r.output_tokens, cap);
  }
  return reqs;
}

void poisson_arrivals(std::vector<Request>& reqs, const WorkloadSpec& s) {
  Rng rng(s.seed, kArrivalStream);
  double t_s = 0;
  for (Request& r : reqs) {
    t_s += rng.exponential(s.rate_per_s);
    if (t_s > kMaxArrivalS) {
      throw InputError(fmt::format("--request-rate: at {} requests/s, {} requests arrive past {:g} s, more than "
                                   "int64 nanoseconds hold; raise --request-rate or lower --num-requests",
                                   s.rate_per_s, reqs.size(), kMaxArrivalS));
    }
    r.arrival_ns = std::llround(t_s * 1e9);
  }
}

// ---------------------------------------------------------------------------------------------
// Traces.

constexpr std::array<std::string_view, 3> kPlainHeader{"arrival_s", "input_tokens", "output_tokens"};
constexpr std::array<std::string_view, 3> kAzureHeader{"TIMESTAMP", "ContextTokens", "GeneratedTokens"};

std::string quoted(std::string_view s) {
  return s.empty() ? std::string("an empty field") : fmt::format("'{}'", message_quote(s));
}

struct Field {
  std::string_view text;
  size_t col = 1;  // 1-based byte column of the first character after leading blanks
};

// Lines split on '\n' with a trailing '\r' dropped, since both traces we know of use CRLF.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);  // a UTF-8 BOM, as spreadsheets write
  }

  bool next(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    size_t nl = text_.find('\n', pos_);
    if (nl == std::string_view::npos) nl = text_.size();
    line = text_.substr(pos_, nl - pos_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos_ = nl + 1;
    ++line_no_;
    return true;
  }
  int64_t line_no() const { return line_no_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int64_t line_no_ = 0;
};

class TraceParser {
 public:
  TraceParser(std::string file, std::string_view text) : file_(std::move(file)), lines_(text) {}

  std::vector<Request> run(int64_t max_requests);

 private:
  [[noreturn]] void fail_at(int64_t line, size_t col, std::string_view what) const {
    throw InputError(fmt::format("{}:{}:{}: {}", file_, line, col, what));
  }
  [[noreturn]] void fail(size_t col, std::string_view what) const { fail_at(lines_.line_no(), col, what); }
  void header_read();
  std::array<Field, 3> fields_split(std::string_view line) const;
  int64_t arrival_read(const Field& f) const;
  int32_t tokens_read(const Field& f, std::string_view name) const;

  std::string file_;
  LineReader lines_;
  bool azure_ = false;
  const std::array<std::string_view, 3>* names_ = &kPlainHeader;
};

std::string_view trim(std::string_view s, size_t& col) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
    ++col;
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::array<Field, 3> TraceParser::fields_split(std::string_view line) const {
  std::array<Field, 3> f;
  size_t start = 0;
  for (size_t i = 0; i < 3; ++i) {
    size_t comma = line.find(',', start);
    const bool last = i == 2;
    if (!last && comma == std::string_view::npos) {
      fail(line.size() + 1, fmt::format("expected 3 columns ({}), found {}", fmt::join(*names_, ","), i + 1));
    }
    if (last && comma != std::string_view::npos) {
      const auto extra = 3 + size_t(std::count(line.begin() + long(comma), line.end(), ','));
      fail(comma + 2, fmt::format("expected 3 columns ({}), found {}", fmt::join(*names_, ","), extra));
    }
    const size_t end = last ? line.size() : comma;
    f[i].col = start + 1;
    f[i].text = trim(line.substr(start, end - start), f[i].col);
    start = end + 1;
  }
  return f;
}

void TraceParser::header_read() {
  std::string_view line;
  const bool empty_file = !lines_.next(line);
  if (std::count(line.begin(), line.end(), ',') == 2) {
    auto f = fields_split(line);
    auto matches = [&](const auto& h) { return f[0].text == h[0] && f[1].text == h[1] && f[2].text == h[2]; };
    if (matches(kPlainHeader)) return;
    if (matches(kAzureHeader)) {
      azure_ = true;
      names_ = &kAzureHeader;
      return;
    }
  }
  fail_at(empty_file ? 1 : lines_.line_no(), 1, fmt::format("expected the header '{}' or the Azure LLM trace header '{}', found {}",
                      fmt::join(kPlainHeader, ","), fmt::join(kAzureHeader, ","),
                      line.empty() ? std::string("an empty line") : quoted(line)));
}

bool digits_read(std::string_view s, size_t pos, size_t n, int& out) {
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's days_from_civil):
// shifting the year to start in March puts the leap day last, so day-of-year is a linear formula.
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;                                  // [0, 399]
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           // [0, 146096]
  return era * 146097 + doe - 719468;
}

// "YYYY-MM-DD HH:MM:SS[.fraction]" as ns since the epoch, computed in integers so the 100 ns
// resolution of Azure timestamps survives (a double of 1.7e9 s only resolves ~240 ns).
std::optional<int64_t> timestamp_ns_parse(std::string_view s) {
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!digits_read(s, 0, 4, y) || !digits_read(s, 5, 2, mo) || !digits_read(s, 8, 2, d) ||
      !digits_read(s, 11, 2, h) || !digits_read(s, 14, 2, mi) || !digits_read(s, 17, 2, sec)) {
    return std::nullopt;
  }
  // Years stop at 2200 so that ns since 1970 fit in int64 (up to 2262).
  if (y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
      sec > 59) {
    return std::nullopt;
  }
  int64_t frac_ns = 0;
  if (s.size() > 19) {
    if (s[19] != '.' || s.size() == 20) return std::nullopt;
    int64_t scale = 100'000'000;
    for (char c : s.substr(20)) {
      if (c < '0' || c > '9') return std::nullopt;
      frac_ns += (c - '0') * scale;  // digits past the ninth are below a nanosecond and dropped
      scale /= 10;
    }
  }
  const int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
  return secs * 1'000'000'000 + frac_ns;
}

int64_t TraceParser::arrival_read(const Field& f) const {
  if (azure_) {
    auto ns = timestamp_ns_parse(f.text);
    if (!ns) {
      fail(f.col, fmt::format("expected TIMESTAMP like '2023-11-16 18:15:46.6805900' (YYYY-MM-DD HH:MM:SS[.fraction], "
                              "years 1970 to 2200), found {}",
                              quoted(f.text)));
    }
    return *ns;
  }
  auto s = number_parse(f.text);
  if (!s) fail(f.col, fmt::format("expected arrival_s as a number of seconds, found {}", quoted(f.text)));
  if (!(*s >= 0 && *s <= kMaxArrivalS)) {
    fail(f.col, fmt::format("expected arrival_s in [0, {:g}] seconds, found {}", kMaxArrivalS, message_quote(f.text)));
  }
  return std::llround(*s * 1e9);
}

int32_t TraceParser::tokens_read(const Field& f, std::string_view name) const {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(f.text.data(), f.text.data() + f.text.size(), v);
  if (f.text.empty() || ec == std::errc::invalid_argument || end != f.text.data() + f.text.size()) {
    fail(f.col, fmt::format("expected {} as a whole number of tokens, found {}", name, quoted(f.text)));
  }
  if (ec == std::errc::result_out_of_range || v < 1 || v > kMaxLengthTokens) {
    fail(f.col, fmt::format("expected {} in [1, {}], found {}", name, kMaxLengthTokens, message_quote(f.text)));
  }
  return int32_t(v);
}

std::vector<Request> TraceParser::run(int64_t max_requests) {
  header_read();
  std::vector<Request> reqs;
  std::string_view line;
  while ((max_requests == 0 || int64_t(reqs.size()) < max_requests) && lines_.next(line)) {
    if (line.empty()) continue;  // a blank line, typically the last one
    auto f = fields_split(line);
    Request r;
    r.arrival_ns = arrival_read(f[0]);
    r.input_tokens = tokens_read(f[1], (*names_)[1]);
    r.output_tokens = tokens_read(f[2], (*names_)[2]);
    reqs.push_back(r);
  }
  if (reqs.empty()) {
    fail_at(lines_.line_no() + 1, 1,
            fmt::format("expected a request row '{}' after the header, found the end of the file",
                        fmt::join(*names_, ",")));
  }
  std::stable_sort(reqs.begin(), reqs.end(),
                   [](const Request& a, const Request& b) { return a.arrival_ns < b.arrival_ns; });
  const int64_t origin_ns = azure_ ? reqs.front().arrival_ns : 0;
  for (size_t i = 0; i < reqs.size(); ++i) {
    reqs[i].arrival_ns -= origin_ns;
    reqs[i].id = int64_t(i);
  }
  return reqs;
}

std::string file_read(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw InputError(fmt::format("{}: no such file", path.string()));
  std::ifstream in(path, std::ios::binary);
  const auto size = std::filesystem::file_size(path, ec);
  if (!in || ec) throw InputError(fmt::format("{}: cannot be read", path.string()));
  if (size > kMaxTraceBytes) {
    throw InputError(fmt::format("{}: {} bytes is larger than the {} GiB a trace may have; keep the rows you need",
                                 path.string(), size, kMaxTraceBytes >> 30));
  }
  std::string text(size, '\0');
  in.read(text.data(), std::streamsize(size));
  text.resize(size_t(in.gcount()));
  return text;
}

}  // namespace

LengthDist length_dist_parse(std::string_view spec, std::string_view flag) {
  std::array<std::string_view, 3> parts;
  size_t n = 0, start = 0;
  for (; n < 4 && start <= spec.size(); ++n) {
    size_t colon = std::min(spec.find(':', start), spec.size());
    if (n < 3) parts[n] = spec.substr(start, colon - start);
    start = colon + 1;
  }
  const auto bad = [&] { return InputError(fmt::format("{}: '{}' is not a length ({})", flag, message_quote(spec), kLengthForms)); };
  LengthDist d;
  if (n == 1) {
    auto v = number_parse(parts[0]);
    if (!v) throw bad();
    d = {LengthKind::fixed, *v, 0};
  } else if (n == 3) {
    auto kind = length_kind_parse(parts[0]);
    auto a = number_parse(parts[1]), b = number_parse(parts[2]);
    if (!kind || !a || !b) throw bad();
    d = {*kind, *a, *b};
  } else {
    throw bad();
  }
  length_check(d, flag, spec);
  return d;
}

std::vector<Request> workload_generate(const WorkloadSpec& spec) {
  spec_validate(spec);
  if (spec.arrival == Arrival::trace) return trace_generate(spec);
  std::vector<Request> reqs(size_t(spec.num_requests));
  const LengthSampler input(spec.input, length_cap(spec)), output(spec.output, length_cap(spec));
  Rng input_rng(spec.seed, kInputStream), output_rng(spec.seed, kOutputStream);
  for (size_t i = 0; i < reqs.size(); ++i) {
    reqs[i].id = int64_t(i);
    reqs[i].input_tokens = input(input_rng);
    reqs[i].output_tokens = output(output_rng);
  }
  if (spec.arrival == Arrival::poisson) poisson_arrivals(reqs, spec);
  return reqs;
}

std::vector<Request> trace_parse(std::string_view text, std::string_view origin, int64_t max_requests) {
  SP_ASSERT(max_requests >= 0, "trace_parse: max_requests must be >= 0 (0 = every row)");
  return TraceParser(std::string(origin), text).run(max_requests);
}

std::vector<Request> trace_load(const std::filesystem::path& path, int64_t max_requests) {
  const std::string text = file_read(path);  // TraceParser holds views into it
  return trace_parse(text, path.string(), max_requests);
}

}  // namespace sp
