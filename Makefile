# The two commands of the README, each self-sufficient on a fresh Debian machine:
#   make demo   installs dependencies, builds, runs the main job on a bundled default
#   make test   installs dependencies, builds, runs every test through ctest
BUILD ?= build
JOBS  ?= 2
CMAKE_FLAGS ?=

.PHONY: all deps configure build demo test bench validate-cpu clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	@$(MAKE) --no-print-directory deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

configure: $(BUILD)/CMakeCache.txt

build: deps configure
	cmake --build $(BUILD) -j$(JOBS)

demo: build
	$(BUILD)/cli/shardplan estimate --model llama-3.1-70b --hardware dgx-h100 --tp 8 \
	    --input-len 1024 --output-len 256 --batch-size 32
	$(BUILD)/cli/shardplan memory --model llama-3.1-70b --hardware dgx-h100 --tp 8
	$(BUILD)/cli/shardplan simulate --model llama-3.1-70b --hardware dgx-h100 --tp 8 \
	    --num-requests 1000 --input-len lognormal:1024:512 --output-len lognormal:256:128 \
	    --request-rate 10 --max-model-len 16384

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

bench: build
	@test -x $(BUILD)/bench/shardplan_bench || { echo "bench: Google Benchmark not found (scripts/install-deps.sh installs libbenchmark-dev)"; exit 2; }
	$(BUILD)/bench/shardplan_bench

# Calibrates this machine and regenerates reports/validation/cpu-tiny (about a minute).
validate-cpu: build
	bash scripts/validate-cpu.sh $(BUILD)

clean:
	rm -rf $(BUILD)
