# The two commands of the README, each self-sufficient on a fresh Debian machine:
#   make demo   installs dependencies, builds, runs the main job on a bundled default
#   make test   installs dependencies, builds, runs every test through ctest
#   make reports  regenerates the committed reports (reports/tp-vs-pp/) from their scenario files
# and the reliability jobs CI runs after them (docs/reliability.md):
#   make test-sanitize   the whole ctest suite built with ASan + UBSan (in $(SAN_BUILD)), no reports allowed
#   make fuzz            every libFuzzer target (clang, in $(FUZZ_BUILD)) for FUZZ_SECONDS each
# and the accuracy report (docs/accuracy.md):
#   make accuracy        predicts every published record in $(SHARED)/data/validation, checks the committed figures
#   make calibrate       refits hardware_profiles/calibrated/ from $(SHARED)/data/silicon
# and, without a GPU, the CUDA kernels' test on a CPU emulation of CUDA (docs/runtime.md):
#   make cuda-emulate
BUILD ?= build
JOBS  ?= 2
CMAKE_FLAGS ?=
SAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 30
SHARED ?= ../shared
CALIBRATED_SYSTEMS ?= dgx-a100 dgx-h100 dgx-h200 dgx-b200 aws-p6-b200

.PHONY: all deps configure build demo test bench validate-cpu clean test-sanitize fuzz accuracy accuracy-baseline calibrate reports cuda-emulate

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
	$(BUILD)/cli/shardplan plan --model llama-3.1-70b --hardware dgx-h100 \
	    --num-requests 2000 --input-len lognormal:1024:512 --output-len lognormal:256:128 \
	    --request-rate 10 --slo ttft_p99_ms=2000,tpot_p99_ms=100 --out $(BUILD)/plan.json
	@echo "plan written to $(BUILD)/plan.json"

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

accuracy: build
	$(BUILD)/cli/shardplan accuracy $(SHARED)/data/validation/published-dev.json --check docs/accuracy-baseline.json

# Rewrites the committed figures: only after a change that is meant to move them (say why in the commit).
accuracy-baseline: build
	$(BUILD)/cli/shardplan accuracy $(SHARED)/data/validation/published-dev.json --write-baseline docs/accuracy-baseline.json

calibrate: build
	@for s in $(CALIBRATED_SYSTEMS); do for e in vllm trtllm; do \
	  $(BUILD)/cli/shardplan calibrate --from-silicon $(SHARED)/data/silicon --system $$s --engine $$e \
	      --out hardware_profiles/calibrated/$$s-$$e.json || exit 1; \
	done; done

# The TP-vs-PP study: every number and verdict in reports/tp-vs-pp/ comes from this run.
reports: build
	rm -rf reports/tp-vs-pp/report.md reports/tp-vs-pp/report.html reports/tp-vs-pp/plots
	$(BUILD)/cli/shardplan report --study reports/tp-vs-pp/tp-vs-pp.json --out reports/tp-vs-pp

bench: build
	@test -x $(BUILD)/bench/shardplan_bench || { echo "bench: Google Benchmark not found (scripts/install-deps.sh installs libbenchmark-dev)"; exit 2; }
	$(BUILD)/bench/shardplan_bench

# Calibrates this machine and regenerates reports/validation/cpu-tiny (about a minute).
validate-cpu: build
	bash scripts/validate-cpu.sh $(BUILD)

# Any sanitizer report stops the process with exit code 86 (not 1, which means infeasible) and is
# also written under $(SAN_BUILD)/sanitizer-reports, so a report from a child process that a
# test did not look at still fails the job.
SAN_REPORTS = $(abspath $(SAN_BUILD))/sanitizer-reports
ASAN_BASE = halt_on_error=1:abort_on_error=0:exitcode=86:strict_string_checks=1:detect_stack_use_after_return=1:log_path=$(SAN_REPORTS)/asan
# Suites that launch MPI ranks: OpenMPI leaks at exit from components it has already unloaded,
# so LeakSanitizer is off for them (ASan and UBSan stay on).
SAN_MPI = runtime_mpi|calibrate|validate
UBSAN_ENV = UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=86:log_path=$(SAN_REPORTS)/ubsan
# LeakSanitizer is off for runtime_mpi only: OpenMPI's dlopened components leak at exit, and their
# frames show as <unknown module>, so no suppression can name them. ASan and UBSan stay on there.
test-sanitize: deps
	cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHARDPLAN_CUDA=OFF -DSHARDPLAN_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(SAN_BUILD) -j$(JOBS)
	rm -rf $(SAN_REPORTS) && mkdir -p $(SAN_REPORTS)
	cd $(SAN_BUILD) && ASAN_OPTIONS=$(ASAN_BASE):detect_leaks=1 $(UBSAN_ENV) ctest --output-on-failure -j$(JOBS) -E '^($(SAN_MPI))$$'
	cd $(SAN_BUILD) && ASAN_OPTIONS=$(ASAN_BASE):detect_leaks=0 $(UBSAN_ENV) ctest --output-on-failure -R '^($(SAN_MPI))$$'
	@if [ -n "$$(ls -A $(SAN_REPORTS))" ]; then \
	  echo "test-sanitize: sanitizer reports found:"; head -n 40 $(SAN_REPORTS)/*; exit 1; \
	else echo "test-sanitize: whole suite passed under ASan + UBSan, no reports"; fi

fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHARDPLAN_CUDA=OFF -DSHARDPLAN_FUZZ=ON
	cmake --build $(FUZZ_BUILD) -j$(JOBS) --target fuzz_all
	bash scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

cuda-emulate: build
	sh tests/cuda/emulate/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(FUZZ_BUILD)
