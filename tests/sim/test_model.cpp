#include <doctest/doctest.h>

#include <filesystem>
#include <unistd.h>

#include "sim/common/error.h"
#include "sim/common/json_reader.h"
#include "sim/model/model_config.h"
#include "sim/model/weights.h"

using namespace sp;

TEST_SUITE("model") {

TEST_CASE("parameter counts match the published counts within 1%") {
  struct Case {
    const char* name;
    double published;
  };
  // Published totals: Meta model cards (8.03B, 70.6B, 405.9B), Mistral (46.7B, 141B), Qwen
  // (72.7B), DeepSeek-V3 report (671B main model, without the 14B MTP module), Llama 2 paper (69.0B, 13.0B, 6.74B).
  for (auto c : {Case{"llama-3.1-8b", 8.03e9}, Case{"llama-3.1-70b", 70.6e9}, Case{"llama-3.1-405b", 405.9e9},
                 Case{"mixtral-8x7b", 46.7e9}, Case{"mixtral-8x22b", 141e9}, Case{"qwen2.5-72b", 72.7e9},
                 Case{"deepseek-v3", 671e9}, Case{"llama-2-70b", 69.0e9}, Case{"llama-2-13b", 13.0e9},
                 Case{"llama-2-7b", 6.74e9}}) {
    CAPTURE(c.name);
    double n = double(model_param_count(model_load(c.name)));
    CHECK(std::abs(n / c.published - 1) < 0.01);
  }
}

TEST_CASE("the tiny Llama configs for the CPU runtime have the parameters their shapes give") {
  // V*h (embedding) + V*h (LM head, untied) + h (final norm)
  //   + L * (h*(a + 2k)*d + a*d*h + 3*h*f + 2h), V = 8192, d = h/a.
  CHECK(model_param_count(model_load("tiny-llama-512")) == 20976128);    // h 512, f 1536, a 8, k 4, L 4
  CHECK(model_param_count(model_load("tiny-llama-1024")) == 106972160);  // h 1024, f 2816, a 16, k 4, L 8
  CHECK(model_param_count(model_load("tiny-llama-2048")) == 788596736);  // h 2048, f 5632, a 16, k 8, L 16
}

TEST_CASE("active parameters of MoE models") {
  // Mixtral-8x7B: 12.9B active; DeepSeek-V3: 37B active.
  CHECK(std::abs(double(model_active_param_count(model_load("mixtral-8x7b"))) / 12.9e9 - 1) < 0.01);
  CHECK(std::abs(double(model_active_param_count(model_load("deepseek-v3"))) / 37e9 - 1) < 0.02);
}

TEST_CASE("HF config fields are read") {
  auto m = model_load("llama-3.1-70b");
  CHECK(m.arch == Architecture::llama);
  CHECK(m.hidden == 8192);
  CHECK(m.num_layers == 80);
  CHECK(m.num_heads == 64);
  CHECK(m.num_kv_heads == 8);
  CHECK(m.head_dim == 128);
  CHECK(m.ffn == 28672);
  CHECK(m.vocab == 128256);
  auto ds = model_load("deepseek-v3");
  CHECK(ds.is_mla());
  CHECK(ds.is_moe());
  CHECK(ds.mla.kv_lora_rank == 512);
  CHECK(ds.moe.first_dense_layers == 3);
  CHECK_FALSE(ds.layer_is_moe(2));
  CHECK(ds.layer_is_moe(3));
  CHECK(model_load("qwen2.5-72b").qkv_bias);
}

TEST_CASE("--model accepts a Hugging Face model folder and reads its config.json") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("shardplan-hf-folder-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  CHECK_THROWS_WITH_AS(model_load(dir.string()),
                       ("--model: no such file '" + (dir / "config.json").string() + "'").c_str(), InputError);
  fs::copy_file(fs::path(SHARDPLAN_SOURCE_DIR) / "models" / "llama-3.1-8b.json", dir / "config.json");
  CHECK(model_load(dir.string()).num_layers == model_load("llama-3.1-8b").num_layers);
  fs::remove_all(dir);
}

TEST_CASE("unknown architecture names the supported ones") {
  auto j = json::parse(R"({"architectures":["GPT2LMHeadModel"],"hidden_size":768})");
  CHECK_THROWS_WITH_AS(model_from_hf_json(j, "cfg.json"),
                       "cfg.json: /architectures: unsupported architecture 'GPT2LMHeadModel' (supported: "
                       "LlamaForCausalLM, MistralForCausalLM, MixtralForCausalLM, Qwen2ForCausalLM, "
                       "DeepseekV3ForCausalLM)",
                       InputError);
}

TEST_CASE("missing and negative fields are reported with their JSON pointer") {
  auto j = json::parse(R"({"architectures":["LlamaForCausalLM"],"hidden_size":4096,"num_hidden_layers":32,
                           "num_attention_heads":32,"vocab_size":32000})");
  CHECK_THROWS_WITH_AS(model_from_hf_json(j, "c.json"),
                       "c.json: /intermediate_size: missing required integer (accepted range [1, 4194304])",
                       InputError);
  j["intermediate_size"] = -5;
  CHECK_THROWS_WITH_AS(model_from_hf_json(j, "c.json"),
                       "c.json: /intermediate_size: expected an integer in [1, 4194304], found -5", InputError);
  j["intermediate_size"] = "big";
  CHECK_THROWS_WITH_AS(model_from_hf_json(j, "c.json"),
                       "c.json: /intermediate_size: expected an integer in [1, 4194304], found the string \"big\"",
                       InputError);
}

TEST_CASE("malformed JSON gives file, line and column") {
  std::string text = "{\n  \"hidden_size\": 4096,\n  \"vocab_size\": ,\n}";
  try {
    json_parse_text(text, "bad.json");
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).rfind("bad.json:3:17: malformed JSON:", 0) == 0);
  }
}

TEST_CASE("unknown model names list the bundled ones") {
  CHECK_THROWS_WITH_AS(model_load("llama-9"),
                       "--model: unknown model 'llama-9' (bundled: deepseek-v3, llama-2-13b, llama-2-70b, llama-2-7b, "
                       "llama-3.1-405b, llama-3.1-70b, llama-3.1-8b, mixtral-8x22b, mixtral-8x7b, qwen2.5-72b, "
                       "tiny-llama-1024, tiny-llama-2048, tiny-llama-512; or pass a path to a "
                       "config.json)",
                       InputError);
}

}  // TEST_SUITE
