// Text at the boundary with the operating system: the system's words for an error code, and on
// Windows the UTF-8 <-> UTF-16 conversions its wide ("W") calls need.
#pragma once

#include <string>
#include <string_view>

namespace md::platform {

// strerror(code) on POSIX; FormatMessage (in UTF-8, without the trailing CRLF) on Windows, where
// the code is a GetLastError()/WSAGetLastError() value.
std::string system_error_text(unsigned long code);

#if defined(_WIN32)
std::wstring widen(std::string_view utf8);
std::string narrow(std::wstring_view wide);
#endif

}  // namespace md::platform
