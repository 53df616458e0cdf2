#include "sim/accuracy/published.h"

#include <algorithm>

#include <fmt/format.h>

#include "sim/common/error.h"
#include "sim/common/json_reader.h"

namespace sp {

bool PublishedRecord::has_tag(std::string_view t) const { return std::find(tags.begin(), tags.end(), t) != tags.end(); }

namespace {

// Lenient reads of one nested field: null and absent are "not given"; a wrong type is an error.
class Fields {
 public:
  Fields(const json& rec, std::string where) : rec_(rec), where_(std::move(where)) {}
  const json* at(std::string_view a, std::string_view b = {}) const {
    auto i = rec_.find(std::string(a));
    if (i == rec_.end() || i->is_null()) return nullptr;
    if (b.empty()) return &*i;
    if (!i->is_object()) fail(a, "", "an object");
    auto k = i->find(std::string(b));
    return k == i->end() || k->is_null() ? nullptr : &*k;
  }
  std::string str(std::string_view a, std::string_view b = {}) const {
    const json* v = at(a, b);
    if (v == nullptr) return {};
    if (!v->is_string()) fail(a, b, "a string");
    return v->get<std::string>();
  }
  std::optional<double> num(std::string_view a, std::string_view b = {}) const {
    const json* v = at(a, b);
    if (v == nullptr) return std::nullopt;
    if (!v->is_number()) fail(a, b, "a number");
    return v->get<double>();
  }
  std::optional<int64_t> integer(std::string_view a, std::string_view b = {}) const {
    const json* v = at(a, b);
    if (v == nullptr) return std::nullopt;
    if (!v->is_number_integer()) fail(a, b, "an integer");
    return v->get<int64_t>();
  }
  [[noreturn]] void fail(std::string_view a, std::string_view b, std::string_view want) const {
    throw InputError(fmt::format("{}/{}{}{}: expected {}", where_, a, b.empty() ? "" : "/", b, want));
  }

 private:
  const json& rec_;
  std::string where_;
};

std::optional<int> opt_int(const std::optional<int64_t>& v) {
  return v ? std::optional<int>(int(*v)) : std::nullopt;
}

}  // namespace

std::vector<PublishedRecord> published_load(const std::filesystem::path& path) {
  const json doc = json_load_file(path);
  if (!doc.is_array()) throw InputError(fmt::format("{}: expected a list of records", path.string()));
  std::vector<PublishedRecord> out;
  for (size_t i = 0; i < doc.size(); ++i) {
    const std::string where = fmt::format("{}: /{}", path.string(), i);
    if (!doc[i].is_object()) throw InputError(where + ": expected a record (an object)");
    const Fields f(doc[i], where);
    PublishedRecord r;
    r.id = f.str("id");
    if (r.id.empty()) throw InputError(where + "/id: missing");
    r.gpu_key = f.str("hardware", "gpu_key");
    r.gpu_count = int(f.integer("hardware", "count").value_or(0));
    r.interconnect = f.str("hardware", "interconnect");
    r.model = f.str("model", "name");
    r.tp = opt_int(f.integer("parallelism", "tp"));
    r.pp = opt_int(f.integer("parallelism", "pp"));
    r.dp = opt_int(f.integer("parallelism", "dp"));
    r.ep = opt_int(f.integer("parallelism", "ep"));
    r.precision = f.str("precision");
    r.input_len = f.integer("workload", "input_len");
    r.output_len = f.integer("workload", "output_len");
    r.batch = f.integer("workload", "batch");
    if (const json* c = f.at("workload", "concurrency")) r.concurrency = c->is_string() ? c->get<std::string>() : c->dump();
    r.collective = f.str("workload", "collective");
    r.message_size = f.str("workload", "message_size");
    r.message_size_bytes = f.num("workload", "message_size_bytes");
    r.framework = f.str("framework");
    r.metric = f.str("metric", "name");
    r.unit = f.str("metric", "unit");
    const auto v = f.num("value");
    if (!v) throw InputError(where + "/value: missing");
    r.value = *v;
    if (const json* t = f.at("tags"); t != nullptr && t->is_array()) {
      for (const auto& e : *t)
        if (e.is_string()) r.tags.push_back(e.get<std::string>());
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace sp
