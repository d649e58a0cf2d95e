// The tile kernels are templates on their query count M, so that the M x R accumulators live
// in registers; WithQueryCount turns a run-time count into that template argument.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

namespace sk::kernels {

namespace detail {
template <typename Fn, int... Counts>
auto DispatchQueryCount(size_t m, Fn& fn, std::integer_sequence<int, Counts...>) {
  using Result = decltype(fn(std::integral_constant<int, 1>{}));
  if constexpr (std::is_void_v<Result>) {
    (void)((m == Counts + 1 && (fn(std::integral_constant<int, Counts + 1>{}), true)) || ...);
  } else {
    Result result{};
    (void)((m == Counts + 1 && ((result = fn(std::integral_constant<int, Counts + 1>{})), true)) || ...);
    return result;
  }
}
}  // namespace detail

// Calls fn(std::integral_constant<int, m>{}) for 1 <= m <= Max; otherwise does nothing (and
// returns a value-initialized result). Inside fn, `decltype(M)::value` is the count.
template <size_t Max, typename Fn>
auto WithQueryCount(size_t m, Fn&& fn) {
  return detail::DispatchQueryCount(m, fn, std::make_integer_sequence<int, static_cast<int>(Max)>{});
}

}  // namespace sk::kernels
