#include "kernels/cpu/norm.h"

#include <Eigen/Core>

#include "sim/common/error.h"

namespace sp::kernels {

void residual_rmsnorm(std::span<float> x, std::span<float> residual, std::span<const float> weight, int rows,
                      float eps) {
  const auto h = Eigen::Index(weight.size());
  SP_ASSERT(x.size() == size_t(rows * h) && residual.size() == x.size(), "residual_rmsnorm: shape mismatch");
  using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::Map<Mat> xm(x.data(), rows, h), rm(residual.data(), rows, h);
  Eigen::Map<const Eigen::RowVectorXf> w(weight.data(), h);
  rm += xm;
  for (Eigen::Index r = 0; r < rows; ++r) {
    const float inv = 1.0f / std::sqrt(rm.row(r).squaredNorm() / float(h) + eps);
    xm.row(r) = (rm.row(r) * inv).cwiseProduct(w);
  }
}

}  // namespace sp::kernels
