// See threaded.hpp: the reference's loops over planes, channels and ranges, one share per thread.
#include "backend/threaded.hpp"

#include "backend/loops.hpp"

namespace bpnn {

template <class T>
void ThreadedBackend<T>::max_pool_forward(const PoolGeometry& g, std::size_t planes, const T* x, T* y) const {
  parallel::for_range(pool_, planes, g.H * g.W, [&](std::size_t begin, std::size_t end) {
    loops::max_pool_planes(g, begin, end, x, y);
  });
}

template <class T>
void ThreadedBackend<T>::max_pool_backward(const PoolGeometry& g, std::size_t planes, const T* x, const T* dy,
                                           T* dx) const {
  parallel::for_range(pool_, planes, g.H * g.W, [&](std::size_t begin, std::size_t end) {
    loops::max_pool_backward_planes(g, begin, end, x, dy, dx);
  });
}

template <class T>
void ThreadedBackend<T>::avg_pool_forward(const PoolGeometry& g, std::size_t planes, const T* x, T* y) const {
  parallel::for_range(pool_, planes, g.H * g.W, [&](std::size_t begin, std::size_t end) {
    loops::avg_pool_planes(g, begin, end, x, y);
  });
}

template <class T>
void ThreadedBackend<T>::avg_pool_backward(const PoolGeometry& g, std::size_t planes, const T* dy, T* dx) const {
  parallel::for_range(pool_, planes, g.H * g.W, [&](std::size_t begin, std::size_t end) {
    loops::avg_pool_backward_planes(g, begin, end, dy, dx);
  });
}

template <class T>
void ThreadedBackend<T>::batch_norm_moments(std::size_t N, std::size_t C, std::size_t HW, const T* x, double* mean,
                                            double* squares) const {
  parallel::for_each(pool_, C, 2 * N * HW, [&](std::size_t c) {
    loops::batch_norm_moments_channel(c, N, C, HW, x, mean, squares);
  });
}

template <class T>
void ThreadedBackend<T>::batch_norm_normalize(std::size_t N, std::size_t C, std::size_t HW, const T* x, const T* mean,
                                              const T* inv_std, const T* gamma, const T* beta, T* y) const {
  parallel::for_each(pool_, C, N * HW, [&](std::size_t c) {
    loops::batch_norm_normalize_channel(c, N, C, HW, x, mean, inv_std, gamma, beta, y);
  });
}

template <class T>
void ThreadedBackend<T>::batch_norm_backward(std::size_t N, std::size_t C, std::size_t HW, const T* x, const T* dy,
                                             const T* mean, const T* inv_std, const T* gamma, bool training, T* dx,
                                             T* sum_dy, T* sum_dy_xhat) const {
  parallel::for_each(pool_, C, 3 * N * HW, [&](std::size_t c) {
    loops::batch_norm_backward_channel(c, N, C, HW, x, dy, mean, inv_std, gamma, training, dx, sum_dy, sum_dy_xhat);
  });
}

template <class T>
void ThreadedBackend<T>::batch_norm_input_grad(std::size_t N, std::size_t C, std::size_t HW, const T* x, const T* dy,
                                               const T* mean, const T* inv_std, const T* gamma, const T* sum_dy,
                                               const T* sum_dy_xhat, std::size_t count, T* dx) const {
  const T M = static_cast<T>(count);
  parallel::for_each(pool_, C, 2 * N * HW, [&](std::size_t c) {
    loops::batch_norm_input_grad_channel(c, N, C, HW, x, dy, mean, inv_std, gamma, sum_dy[c] / M, sum_dy_xhat[c] / M,
                                         dx);
  });
}

template <class T>
void ThreadedBackend<T>::parallel_for(std::size_t n, std::size_t item_work, RangeBody body) const {
  if (n > 0) parallel::for_range(pool_, n, item_work, body);
}

template class ThreadedBackend<float>;
template class ThreadedBackend<double>;

}  // namespace bpnn
