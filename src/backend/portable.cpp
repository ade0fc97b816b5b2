// The cpu backend in portable arithmetic: every op gives the reference backend's bits.
#include "backend/portable.hpp"

#include <string>

#include "backend/reference.hpp"
#include "bpnn/core/error.hpp"

namespace bpnn {
namespace {

template <class T>
class PortableBackend final : public ReferenceBackend<T> {
 public:
  std::string_view name() const override { return "cpu"; }
  Arithmetic arithmetic() const override { return Arithmetic::portable; }
};

}  // namespace

template <class T>
std::shared_ptr<Backend<T>> make_portable_backend(int threads) {
  if (threads < 1 || threads > 1024) throw Error("threads must be 1 to 1024, got " + std::to_string(threads));
  return std::make_shared<PortableBackend<T>>();
}

template std::shared_ptr<Backend<float>> make_portable_backend(int);
template std::shared_ptr<Backend<double>> make_portable_backend(int);

}  // namespace bpnn
