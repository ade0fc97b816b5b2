// A borrowed callable: a lambda passed by reference to a call that runs it before returning (the
// thread pool's parts, a backend's parallel_for), without copying or allocating as std::function may.
#pragma once

#include <concepts>
#include <type_traits>
#include <utility>

namespace bpnn {

template <class Signature>
class FunctionRef;

// Refers to f for as long as f lives: for arguments only, never to be stored past the call.
template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  template <class F>
    requires(!std::same_as<std::remove_cvref_t<F>, FunctionRef> && std::invocable<F&, Args...>)
  FunctionRef(F&& f)  // NOLINT(google-explicit-constructor): converts the lambda at the call
      : object_(const_cast<void*>(static_cast<const void*>(&f))),
        call_([](void* o, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(o))(std::forward<Args>(args)...);
        }) {}
  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace bpnn
