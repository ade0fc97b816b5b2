// The reference backend (internal): every op as plain loops on the calling thread, no BLAS. It is
// the oracle of tests/backend_test.cpp, and what a build without BLAS runs. The cpu backend
// derives from it and overrides the ops it does faster.
#pragma once

#include "bpnn/backend/backend.hpp"

namespace bpnn {

template <class T>
class ReferenceBackend : public Backend<T> {
 public:
  std::string_view name() const override { return "reference"; }
  void gemm(Transpose trans_a, Transpose trans_b, std::size_t M, std::size_t N, std::size_t K, T alpha, const T* A,
            std::size_t lda, const T* B, std::size_t ldb, T beta, T* C, std::size_t ldc) const override;
  void fill_rows(std::size_t N, std::size_t O, const T* b, T* y) const override;
  void add_row_sums(std::size_t N, std::size_t O, T scale, const T* dy, T* db) const override;
  void activation_forward(std::size_t f, T a, std::size_t n, const T* x, T* y) const override;
  void activation_backward(std::size_t f, T a, std::size_t n, const T* x, const T* y, const T* dy,
                           T* dx) const override;
  void fill(std::size_t n, T value, T* y) const override;
  void copy(std::size_t n, const T* x, T* y) const override;
  void multiply(std::size_t n, const T* a, const T* b, T* y) const override;
  void softmax_forward(std::size_t N, std::size_t C, const T* x, T* y) const override;
  void softmax_backward(std::size_t N, std::size_t C, const T* y, const T* dy, T* dx) const override;
  T softmax_cross_entropy(std::size_t N, std::size_t C, const T* z, const T* t, bool indices, T scale,
                          T* dz) const override;
  void im2col(const ConvGeometry& g, const T* x, T* col) const override;
  void col2im(const ConvGeometry& g, const T* col, T* dx) const override;
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
  void sgd_update(std::size_t n, const SgdStep<T>& s, T* p, const T* g, T* velocity) const override;
  void adam_update(std::size_t n, const AdamStep<T>& s, T* p, const T* g, T* m, T* v) const override;
  void rmsprop_update(std::size_t n, const RmspropStep<T>& s, T* p, const T* g, T* square_avg, T* momentum_buffer,
                      T* grad_avg) const override;
  void rprop_update(std::size_t n, const RpropStep<T>& s, T* p, const T* g, T* prev, T* step) const override;
  double sum_squares(std::size_t n, const T* x) const override;
  void scale(std::size_t n, T s, T* x) const override;
};

extern template class ReferenceBackend<float>;
extern template class ReferenceBackend<double>;

}  // namespace bpnn
