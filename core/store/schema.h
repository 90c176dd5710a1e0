// MailDoctor's schema, as an ordered list of migrations. Append; never edit a shipped one.
#pragma once

#include <span>

#include "store/database.h"

namespace md::store {

std::span<const Migration> schema();

}  // namespace md::store
