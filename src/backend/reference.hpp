// The reference backend (internal): every op as plain loops on the calling thread, no BLAS (its
// parallel_for runs the whole range inline). It is the oracle of tests/backend_test.cpp. The cpu
// backend derives from it and overrides the ops it does faster.
#pragma once

#include "bpnn/backend/backend.hpp"

namespace bpnn {

template <class T>
class ReferenceBackend : public Backend<T> {
 public:
  std::string_view name() const override { return "reference"; }
  void gemm(Transpose trans_a, Transpose trans_b, std::size_t M, std::size_t N, std::size_t K, T alpha, const T* A,
            std::size_t lda, const T* B, std::size_t ldb, T beta, T* C, std::size_t ldc) const override;
  void activation_forward(Activation f, T slope, std::size_t n, const T* x, T* y) const override;
  void activation_backward(Activation f, T slope, std::size_t n, const T* x, const T* y, const T* dy,
                           T* dx) const override;
  void softmax_forward(std::size_t N, std::size_t C, const T* x, T* y) const override;
  void softmax_backward(std::size_t N, std::size_t C, const T* y, const T* dy, T* dx) const override;
  T softmax_cross_entropy(std::size_t N, std::size_t C, const T* z, const T* t, bool indices, T scale,
                          T* dz) const override;
  void conv2d_forward(const ConvGeometry& g, std::size_t N, const T* x, const T* weight, const T* bias, T* y,
                      Tensor<T>& scratch) const override;
  void conv2d_backward(const ConvGeometry& g, std::size_t N, const T* x, const T* weight, const T* dy, T* dx,
                       T* dweight, T* dbias, T scale, Tensor<T>& scratch) const override;
  void max_pool_forward(const PoolGeometry& g, std::size_t planes, const T* x, T* y) const override;
  void max_pool_backward(const PoolGeometry& g, std::size_t planes, const T* x, const T* dy, T* dx) const override;
  void avg_pool_forward(const PoolGeometry& g, std::size_t planes, const T* x, T* y) const override;
  void avg_pool_backward(const PoolGeometry& g, std::size_t planes, const T* dy, T* dx) const override;
  void batch_norm_moments(std::size_t N, std::size_t C, std::size_t HW, const T* x, double* mean,
                          double* squares) const override;
  void batch_norm_normalize(std::size_t N, std::size_t C, std::size_t HW, const T* x, const T* mean, const T* inv_std,
                            const T* gamma, const T* beta, T* y) const override;
  void batch_norm_backward(std::size_t N, std::size_t C, std::size_t HW, const T* x, const T* dy, const T* mean,
                           const T* inv_std, const T* gamma, bool training, T* dx, T* sum_dy,
                           T* sum_dy_xhat) const override;
  void batch_norm_input_grad(std::size_t N, std::size_t C, std::size_t HW, const T* x, const T* dy, const T* mean,
                             const T* inv_std, const T* gamma, const T* sum_dy, const T* sum_dy_xhat, std::size_t count,
                             T* dx) const override;
  void parallel_for(std::size_t n, std::size_t item_work, RangeBody body) const override;
};

extern template class ReferenceBackend<float>;
extern template class ReferenceBackend<double>;

}  // namespace bpnn
