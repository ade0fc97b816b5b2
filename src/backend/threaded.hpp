// The reference backend's loops shared out between a thread pool's threads (internal): pooling's
// planes, batch norm's channels and parallel_for's ranges, each share computed by the reference's
// own loops, so the results are the reference's bits at any thread count. The cpu backend, in
// either arithmetic, derives from it and overrides the ops it computes otherwise.
#pragma once

#include "backend/reference.hpp"
#include "core/parallel.hpp"

namespace bpnn {

template <class T>
class ThreadedBackend : public ReferenceBackend<T> {
 public:
  // Throws Error for a thread count out of range (1 to 1024) or threads that cannot start.
  explicit ThreadedBackend(int threads) : pool_(threads) {}

  std::string_view name() const override { return "cpu"; }
  std::size_t threads() const override { return pool_.threads(); }

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
  // The static split of core/parallel.hpp: share k of n is always [n k / parts, n (k + 1) / parts).
  void parallel_for(std::size_t n, std::size_t item_work, RangeBody body) const override;

 protected:
  const parallel::ThreadPool& pool() const { return pool_; }

 private:
  parallel::ThreadPool pool_;
};

extern template class ThreadedBackend<float>;
extern template class ThreadedBackend<double>;

}  // namespace bpnn
