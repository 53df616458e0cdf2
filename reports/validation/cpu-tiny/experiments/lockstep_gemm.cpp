// Why decode GEMMs run slower at TP=2 than alone on the 2-core VM (reports/validation/cpu-tiny/
// README.md). Times the 4 x 512 x 512 GEMM (a TP=2 rank's qkv_proj at batch 4) in two settings:
//   stream  each rank cycles through 96 MiB of weight copies (what calibrate --backend cpu does)
//   model   each rank loops over a TP=2 rank's own weights of tiny-llama-512 (4 layers of qkv,
//           o, gate/up, down, then the LM head shard: 32 MB), as the runtime does
// and three synchronisations: none, a barrier after every GEMM, an 8 KiB AllReduce after o and
// down (as TP does). A one-off experiment, not part of the build:
//   mpicxx -O3 -DNDEBUG -I/usr/include/eigen3 lockstep_gemm.cpp -o /tmp/lockstep_gemm
//   for m in stream model; do for s in none barrier allreduce; do
//     for n in 1 2; do mpirun -np $n /tmp/lockstep_gemm $m $s; done; done; done
#include <mpi.h>

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const std::string mode = argc > 1 ? argv[1] : "model", sync = argc > 2 ? argv[2] : "none";
  // k x n of each GEMM in a layer, per TP=2 rank; the qkv one (index 0) is timed.
  const std::vector<std::pair<int, int>> layer = mode == "stream"
      ? std::vector<std::pair<int, int>>{{512, 512}}
      : std::vector<std::pair<int, int>>{{512, 512}, {256, 512}, {512, 1536}, {768, 512}};
  const int layers = mode == "stream" ? int((96u << 20) / (512 * 512 * 4)) : 4;
  std::vector<Mat> w;
  for (int l = 0; l < layers; ++l)
    for (auto [k, n] : layer) w.push_back(Mat::Random(k, n));
  const Mat lm_head = mode == "stream" ? Mat() : Mat(Mat::Random(512, 4096));
  std::vector<float> ar(2048, 1.0f);
  std::vector<double> t;
  for (int it = 0; it < 200; ++it) {
    for (int l = 0; l < layers; ++l) {
      for (size_t j = 0; j < layer.size(); ++j) {
        const Mat x = Mat::Random(4, layer[j].first);
        Mat y(4, layer[j].second);
        const auto t0 = std::chrono::steady_clock::now();
        y.noalias() = x * w[size_t(l) * layer.size() + j];
        if (j == 0) t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        if (sync == "barrier") MPI_Barrier(MPI_COMM_WORLD);
        if (sync == "allreduce" && (j == 1 || j == 3 || layer.size() == 1))
          MPI_Allreduce(MPI_IN_PLACE, ar.data(), int(ar.size()), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
      }
    }
    if (lm_head.size() > 0) {
      const Mat x = Mat::Random(4, 512);
      Mat y(4, 4096);
      y.noalias() = x * lm_head;
    }
  }
  std::sort(t.begin(), t.end());
  if (rank == 0) std::printf("%s %s ranks=%d: qkv 4x512x512 median %.1f us\n", mode.c_str(), sync.c_str(), size, t[t.size() / 2] * 1e6);
  MPI_Finalize();
}
