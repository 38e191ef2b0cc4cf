// Whether this translation unit is built with AddressSanitizer (GCC or Clang).
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define ENAS_EMU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ENAS_EMU_ASAN 1
#endif
#endif
